"""Listen back: the recording's <audio> player and the timeline under it.

The player is a plain ``<audio>`` element playing the mixed recording from the download route
(the browser seeks with HTTP Range requests). Seeking is pure browser work — no round trip to
the server: clicks run :func:`seek_to`'s one-line script, which calls ``window.preppalSeek``
installed when the player mounts (together with the playhead that follows playback).

The timeline is an SVG: interviewer and candidate turns on two rows, pauses (amber) and filler
words (red ticks) from the audio analysis when it is there; every mark seeks on click.
"""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

PLAYER_ID = "recording-player"
TIMELINE_ID = "recording-timeline"
PLAYHEAD_ID = "recording-playhead"

# Installed once per mounted player: seek + a playhead that follows playback.
_SETUP_JS = f"""(() => {{
  const player = document.getElementById('{PLAYER_ID}');
  if (!player || player.dataset.wired) return;
  player.dataset.wired = '1';
  window.preppalSeek = (ms) => {{
    const p = document.getElementById('{PLAYER_ID}');
    if (!p) return;
    p.currentTime = Math.max(0, ms) / 1000;
    p.play().catch(() => {{}});
  }};
  const follow = () => {{
    const line = document.getElementById('{TIMELINE_ID}');
    const head = document.getElementById('{PLAYHEAD_ID}');
    const length = line ? Number(line.dataset.lengthMs) : 0;
    if (head && length > 0) head.style.left = Math.min(100, (100 * player.currentTime * 1000) / length) + '%';
  }};
  player.addEventListener('timeupdate', follow);
  player.addEventListener('seeked', follow);
}})()"""


def seek_to(ms: rx.Var[int]) -> EventSpec:
    """An event that plays the recording from ``ms`` (an int Var, e.g. a foreach item's field)."""
    return rx.call_script("window.preppalSeek && window.preppalSeek(" + ms.to_string() + ")")


def _turn(span) -> rx.Component:
    return rx.el.svg.rect(
        rx.el.svg.title(span.title),
        x=span.left,
        y=rx.cond(span.kind == "ai", "6", "24"),
        width=span.width,
        height="14",
        rx="3",
        fill=rx.cond(span.kind == "ai", "var(--gray-8)", "var(--indigo-9)"),
        on_click=seek_to(span.at_ms),
        cursor="pointer",
        class_name=rx.cond(span.kind == "ai", "timeline-turn timeline-ai", "timeline-turn timeline-you"),
    )


def _pause(span) -> rx.Component:
    return rx.el.svg.rect(
        rx.el.svg.title(span.title),
        x=span.left,
        y="22",
        width=span.width,
        height="18",
        rx="2",
        fill="var(--amber-9)",
        on_click=seek_to(span.at_ms),
        cursor="pointer",
        class_name="timeline-pause",
    )


def _filler(mark) -> rx.Component:
    return rx.el.svg.rect(
        rx.el.svg.title(mark.title),
        x=mark.left,
        y="42",
        width="3",
        height="12",
        fill="var(--red-9)",
        on_click=seek_to(mark.at_ms),
        cursor="pointer",
        class_name="timeline-filler",
    )


def _legend(color: str, label: str) -> rx.Component:
    return rx.hstack(
        rx.box(width="0.8em", height="0.8em", border_radius="2px", background=color),
        rx.text(label, size="1", color_scheme="gray"),
        spacing="1",
        align="center",
    )


def _code_mark(mark, on_code) -> rx.Component:
    return rx.el.svg.rect(
        rx.el.svg.title(mark.title),
        x=mark.left,
        y="58",
        width="5",
        height="10",
        rx="1",
        fill="var(--cyan-9)",
        on_click=[seek_to(mark.at_ms), on_code(mark.index)],
        cursor="pointer",
        class_name="timeline-code",
    )


def _score_mark(mark, y: int) -> rx.Component:
    """A scorecard mark: a question (violet bar) or an evidence note (green strong, amber weak dot)."""
    return rx.el.svg.rect(
        rx.el.svg.title(mark.title),
        x=mark.left,
        y=str(y),
        width=rx.cond(mark.kind == "question", "3", "7"),
        height=rx.cond(mark.kind == "question", "12", "7"),
        rx=rx.cond(mark.kind == "question", "1", "3.5"),
        transform=rx.cond(mark.kind == "question", "", "translate(0 2.5)"),
        fill=rx.match(mark.kind, ("question", "var(--violet-9)"), ("strong", "var(--green-9)"), "var(--amber-10)"),
        on_click=seek_to(mark.at_ms),
        cursor="pointer",
        class_name=rx.match(
            mark.kind,
            ("question", "timeline-score timeline-question"),
            ("strong", "timeline-score timeline-strong"),
            "timeline-score timeline-weak",
        ),
    )


def recording_player(
    src,
    download_href,
    timeline_ms,
    turns,
    pauses,
    fillers,
    has_marks,
    code_marks=None,
    on_code=None,
    score_marks=None,
) -> rx.Component:
    """``code_marks`` (code editor snapshots) and ``on_code(index)`` (show that snapshot) are
    optional: rounds without the editor have none. ``score_marks``: the scorecard's questions
    and evidence notes, on a row of their own."""
    base = 70 if code_marks is not None else 58
    height = str(base + 14) if score_marks is not None else str(base)
    code_row, code_legend, score_row, score_legend = [], [], [], []
    if code_marks is not None:
        code_row = [rx.foreach(code_marks, lambda m: _code_mark(m, on_code))]
        code_legend = [rx.cond(code_marks.length() > 0, _legend("var(--cyan-9)", "Your code"))]
    if score_marks is not None:
        score_row = [rx.foreach(score_marks, lambda m: _score_mark(m, base))]
        score_legend = [
            rx.cond(
                score_marks.length() > 0,
                rx.fragment(
                    _legend("var(--violet-9)", "Question"),
                    _legend("var(--green-9)", "Strong evidence"),
                    _legend("var(--amber-10)", "Weak evidence"),
                ),
            )
        ]
    return rx.vstack(
        rx.flex(
            rx.el.audio(
                src=src,
                controls=True,
                preload="metadata",
                id=PLAYER_ID,
                style={"width": "100%"},
                on_mount=rx.call_script(_SETUP_JS),
            ),
            rx.button(
                rx.el.a(rx.icon("download", size=16), "Download", href=download_href, id="recording-download"),
                as_child=True,
                variant="soft",
                size="2",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        rx.box(
            rx.el.svg(
                rx.el.svg.rect(x="0", y="0", width="100%", height=height, rx="4", fill="var(--gray-a3)"),
                rx.foreach(turns, _turn),
                rx.foreach(pauses, _pause),
                rx.foreach(fillers, _filler),
                *code_row,
                *score_row,
                width="100%",
                height=height,
                # A mark at the very end (the final code, a closing filler) is drawn from its
                # time rightwards: let it show, and take clicks, past the edge.
                overflow="visible",
                aria_label="Timeline of the interview: click a turn, pause or filler word to play it",
                role="group",
            ),
            rx.box(
                id=PLAYHEAD_ID,
                position="absolute",
                top="0",
                bottom="0",
                left="0%",
                width="2px",
                background="var(--accent-11)",
                pointer_events="none",
            ),
            position="relative",
            width="100%",
            id=TIMELINE_ID,
            custom_attrs={"data-length-ms": timeline_ms},
        ),
        rx.flex(
            _legend("var(--gray-8)", "Interviewer"),
            _legend("var(--indigo-9)", "You"),
            rx.cond(has_marks, _legend("var(--amber-9)", "Pause ≥ 1 s")),
            rx.cond(has_marks, _legend("var(--red-9)", "Filler word")),
            *code_legend,
            *score_legend,
            rx.cond(
                ~has_marks,
                rx.text(
                    "Pauses and filler words are marked here once the audio analysis is available.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="4",
            wrap="wrap",
            align="center",
        ),
        spacing="2",
        width="100%",
        id="recording",
    )
