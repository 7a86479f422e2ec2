"""The meeting screen (/interview/<id>/live): the call, the live transcript, errors.

The candidate always sees the phase (a badge), whether the interviewer is speaking and
whether they are muted, the elapsed time against the cap, and, when something fails, what
happened and what to do next. The call component (components/audio_call.py) draws its own
meters and controls (Mute, End: they act in the browser at once); this page draws the rest
from MeetingState.
"""

from __future__ import annotations

import reflex as rx

from preppal import display, routes
from preppal.components.audio_call import audio_call
from preppal.components.code_editor import code_editor
from preppal.components.layout import page
from preppal.state.meeting import MeetingState, Turn

_PHASE_BADGE = {  # MeetingState.badge → (label, colour)
    "initializing": ("Ready to start", "gray"),
    "rejoin": ("Not connected", "orange"),
    "connecting": ("Connecting…", "amber"),
    "live": ("Live", "grass"),
    "reconnecting": ("Reconnecting…", "orange"),
    "ending": ("Ending…", "gray"),
}


# What is above and below the transcript's lines (top bar, title, the call's card, the card
# edges) is about 22rem on a laptop and 28rem on a phone, where the nav, the title and the
# meters wrap (measured in Chromium at 1280×720 and 390×844: tests/e2e/test_meeting_pages.py);
# the lines take the rest of the screen and scroll.
_TRANSCRIPT_HEIGHT = rx.breakpoints(initial="max(12rem, calc(100dvh - 28rem))", md="max(12rem, calc(100dvh - 22rem))")


def phase_badge() -> rx.Component:
    stopped = MeetingState.has_error & (MeetingState.phase == "ending")
    return rx.cond(
        stopped,
        rx.badge("Call stopped", color_scheme="red", size="3", data_testid="phase", role="status"),
        _match_phase(),
    )


def _match_phase() -> rx.Component:
    return rx.match(
        MeetingState.badge,
        *[
            (phase, rx.badge(label, color_scheme=color, size="3", variant="soft", data_testid="phase", role="status"))
            for phase, (label, color) in _PHASE_BADGE.items()
        ],
        rx.badge(MeetingState.phase, size="3", data_testid="phase"),
    )


def error_callout() -> rx.Component:
    return rx.cond(
        MeetingState.has_error,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.vstack(
                rx.text(MeetingState.error_message, weight="bold", data_testid="error-message"),
                rx.text(MeetingState.error_next_step, data_testid="error-next-step"),
                rx.cond(
                    MeetingState.can_retry,
                    rx.fragment(),
                    rx.hstack(
                        rx.link("Open the feedback page", href=MeetingState.feedback_href),
                        rx.link("Back to the dashboard", href=routes.DASHBOARD),
                        spacing="4",
                    ),
                ),
                spacing="1",
            ),
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )


def reconnecting_note() -> rx.Component:
    return rx.cond(
        MeetingState.phase == "reconnecting",
        rx.callout(
            "The connection dropped. Reconnecting automatically — you don't need to do anything; "
            "what was said so far is kept.",
            icon="wifi_off",
            color_scheme="orange",
            data_testid="reconnecting-note",
        ),
    )


def headphone_hint() -> rx.Component:
    return rx.cond(
        ~MeetingState.echo_cancellation,
        rx.callout(
            "Your browser does not cancel echo here: please use headphones so the interviewer does not hear itself.",
            icon="headphones",
            color_scheme="amber",
            data_testid="headphone-hint",
        ),
    )


def controls() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.cond(
                MeetingState.error_kind == "needs_gemini",  # this server cannot run it: no Start button
                rx.fragment(),
                audio_call(
                    interview_id=MeetingState.call_id,
                    token=MeetingState.token,
                    frame_ms=MeetingState.frame_ms,
                    stop=MeetingState.call_stopped,
                    page_phase=MeetingState.phase,
                    max_duration_s=MeetingState.max_duration_s,
                    start_label=MeetingState.start_label,
                    hands_free=MeetingState.hands_free,
                    on_request_token=MeetingState.request_token,
                    on_state_change=MeetingState.on_state_change,
                ),
            ),
            rx.cond(
                (MeetingState.phase == "ending") & ~MeetingState.has_error,
                rx.text(
                    "Ending the interview and saving the transcript; your feedback page opens next.",
                    size="2",
                    color_scheme="gray",
                    data_testid="ending-note",
                ),
            ),
            rx.match(
                MeetingState.badge,
                (
                    "initializing",
                    rx.text(
                        "Your browser will ask for the microphone. The interview lasts at most one hour; "
                        "press End interview when you are done.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                (
                    "rejoin",
                    rx.text(
                        "Your interview is still running, but this page is not connected to it. Press "
                        "Rejoin the interview to carry on here (it moves from any other tab it is open in).",
                        size="2",
                        color_scheme="gray",
                        data_testid="rejoin-note",
                    ),
                ),
                rx.fragment(),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def turn_view(turn: Turn) -> rx.Component:
    is_user = turn.speaker == "USER"
    return rx.box(
        rx.text(
            rx.cond(is_user, display.speaker_label("USER"), display.speaker_label("AI")),
            size="1",
            weight="bold",
            color_scheme="gray",
        ),
        rx.text(
            turn.text,
            size="3",
            style={"font_style": rx.cond(turn.final, "normal", "italic")},
            data_testid="turn-text",  # the words alone, without the speaker's label (browser tests)
        ),
        background=rx.cond(is_user, "var(--accent-3)", "var(--gray-3)"),
        border_left=rx.cond(is_user, "none", "3px solid var(--gray-8)"),
        border_right=rx.cond(is_user, "3px solid var(--accent-9)", "none"),
        padding="0.6em 0.9em",
        border_radius="var(--radius-3)",
        max_width="85%",
        align_self=rx.cond(is_user, "flex-end", "flex-start"),
        opacity=rx.cond(turn.final, "1", "0.75"),
        data_testid="turn",
        data_speaker=turn.speaker,
        data_final=rx.cond(turn.final, "true", "false"),
    )


def transcript() -> rx.Component:
    """The live transcript. It scrolls within the viewport and follows the newest line (unless
    the candidate scrolled up to read), so the current question is always in view."""
    return rx.card(
        rx.vstack(
            rx.heading("Transcript", size="4"),
            rx.cond(
                MeetingState.turns.length() > 0,
                rx.auto_scroll(
                    rx.vstack(
                        rx.foreach(MeetingState.turns, turn_view),
                        spacing="2",
                        width="100%",
                        align="stretch",
                        lang=MeetingState.interview_language,  # the interview's language, for screen readers and fonts
                    ),
                    width="100%",
                    max_height=_TRANSCRIPT_HEIGHT,
                    padding_right="0.25em",
                    data_testid="transcript-scroll",
                ),
                rx.text("What you and the interviewer say will appear here.", color_scheme="gray", size="2"),
            ),
            spacing="3",
            width="100%",
            data_testid="transcript",
            aria_live="polite",
        ),
        width="100%",
    )


def editor_panel() -> rx.Component:
    """The shared code editor (technical, system design and role-specific rounds)."""
    return rx.card(
        rx.vstack(
            rx.heading("Code editor", size="4"),
            rx.text(
                "Write code, or notes and text diagrams for a design, while you talk. "
                "The interviewer sees it as you pause typing; nothing is run.",
                size="2",
                color_scheme="gray",
            ),
            code_editor(
                language=MeetingState.editor_language,
                initial_code=MeetingState.editor_code,
                live=True,
                height="26em",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="code-panel",
    )


def conversation() -> rx.Component:
    return rx.vstack(controls(), transcript(), spacing="4", width="100%")


def meeting_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading(MeetingState.role, size="6", data_testid="interview-role"),
                    rx.text(
                        rx.text.span(MeetingState.interview_type),
                        " · ",
                        rx.text.span(MeetingState.language_name, data_testid="interview-language"),
                        rx.cond(MeetingState.interviewer != "", " · ", ""),
                        rx.text.span(MeetingState.interviewer_label, data_testid="interviewer"),
                        size="2",
                        color_scheme="gray",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                phase_badge(),
                width="100%",
                align="center",
            ),
            error_callout(),
            reconnecting_note(),
            headphone_hint(),
            rx.cond(
                MeetingState.editor_enabled,
                rx.grid(
                    conversation(),
                    editor_panel(),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="4",
                    width="100%",
                    align_items="start",
                ),
                conversation(),
            ),
            spacing="4",
            width="100%",
        ),
        max_width=rx.cond(MeetingState.editor_enabled, "88em", "52em"),
    )
