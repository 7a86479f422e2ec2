"""The feedback page (where a call ends): progress while feedback is produced, then scores,
strengths and improvements, question notes, delivery metrics and the transcript."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.components.code_review import code_card
from preppal.components.feedback_cards import (
    category_scores,
    metric_tiles,
    overall_score,
    point_list,
    question_note,
)
from preppal.components.feedback_transcript import transcript_with_metrics
from preppal.components.interview_bits import status_badge
from preppal.components.layout import page
from preppal.components.recording_player import recording_player
from preppal.components.scorecard_card import scorecard_card
from preppal.state.feedback import FeedbackState as S


def _download_button(icon: str, label: str, href, element_id: str) -> rx.Component:
    """A button-styled link to an HTTP export route (reload_document: not a client-side route)."""
    return rx.button(
        rx.el.a(rx.icon(icon, size=16), label, href=href, download=True, reload_document=True, id=element_id),
        as_child=True,
        variant="soft",
        size="3",
    )


def _header() -> rx.Component:
    d = S.interview
    return rx.flex(
        rx.vstack(
            rx.heading("Feedback", size="7", as_="h1"),
            rx.text(d["type_label"], " interview · ", d["role"], size="3", color_scheme="gray"),
            rx.text(
                d["created_local"],
                " · ",
                d["difficulty"],
                " · ",
                rx.el.span(d["language"], id="feedback-language"),
                " · ",
                d["duration"],
                size="2",
                color_scheme="gray",
            ),
            spacing="1",
        ),
        rx.spacer(),
        rx.flex(
            rx.button(
                rx.icon("rotate-ccw", size=16),
                "Practise again",
                on_click=S.practise_again,
                size="3",
                id="practise-again",
            ),
            _download_button("file-text", "Markdown", S.export_md, "export-md"),
            _download_button("file-down", "PDF", S.export_pdf, "export-pdf"),
            spacing="2",
            wrap="wrap",
            align="center",
        ),
        width="100%",
        spacing="4",
        wrap="wrap",
        align="start",
    )


def _working() -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.spinner(size="3"),
            rx.vstack(
                rx.text("Analysing your interview…", size="4", weight="bold"),
                rx.text(
                    rx.cond(
                        S.poll_timed_out,
                        "This is taking longer than usual. Reload the page to check again.",
                        "Scores, strengths and notes appear here in a moment; no need to reload.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                spacing="1",
            ),
            spacing="4",
            align="center",
        ),
        size="3",
        width="100%",
        id="feedback-progress",
        role="status",
        aria_live="polite",
    )


def _retry_button(label: str, element_id: str, **props) -> rx.Component:
    """Ask for feedback again (after a failure, or for the AI review after a fallback)."""
    return rx.button(
        rx.icon("refresh-cw", size=14),
        label,
        on_click=S.retry,
        size="2",
        variant="soft",
        id=element_id,
        margin_top="0.5em",
        width="fit-content",
        **props,
    )


def _failed() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("triangle-alert")),
        rx.callout.text(S.error),
        _retry_button("Retry feedback", "retry-feedback", color_scheme="red"),
        color_scheme="red",
        role="alert",
        width="100%",
        id="feedback-failed",
    )


def _waiting() -> rx.Component:
    d = S.interview
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.callout.text(
            rx.match(
                d["status"],
                (
                    "IN_PROGRESS",
                    "Wrapping up your interview… Feedback appears here as soon as it has ended (or rejoin it if "
                    "it is still live in another tab).",
                ),
                ("PENDING", "This interview has not started yet."),
                (
                    "ERROR",
                    "This interview ended early because of an error, so there is no feedback. The transcript "
                    "and delivery metrics below cover what was recorded.",
                ),
                "Feedback is written once the interview is completed.",
            )
        ),
        rx.cond(d["status"] != "ERROR", rx.link("Go to the interview", href=d["meeting_href"], size="2")),
        color_scheme="blue",
        width="100%",
        id="feedback-waiting",
    )


def _fallback_notice() -> rx.Component:
    """The AI review failed after its retries: say so, show why, offer to ask again."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.callout.text(S.error, " The scores below are from the built-in analyzer."),
        _retry_button("Retry AI feedback", "retry-ai-feedback"),
        color_scheme="amber",
        role="status",
        width="100%",
        id="feedback-fallback",
    )


def _ready() -> rx.Component:
    return rx.vstack(rx.cond(S.fallback, _fallback_notice()), _scored(), spacing="4", width="100%")


def _scored() -> rx.Component:
    return rx.cond(
        S.has_score,
        rx.vstack(
            rx.card(
                rx.vstack(
                    overall_score(S.overall, S.score_tone, S.summary, S.source_label),
                    # Rows from before the scorecard show their old categories here; others, the card below.
                    rx.cond(S.sc_competencies.length() == 0, rx.fragment(rx.divider(), category_scores(S.scores))),
                    spacing="4",
                    width="100%",
                ),
                size="3",
                width="100%",
                id="feedback-ready",
            ),
            rx.cond(S.sc_competencies.length() > 0, scorecard_card(S, S.recording_src != "")),
            rx.grid(
                point_list("Strengths", S.strengths, "circle-check", "green", "strengths"),
                point_list("To improve", S.improvements, "trending-up", "amber", "improvements"),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
            rx.cond(
                S.notes.length() > 0,
                rx.card(
                    rx.vstack(
                        rx.heading("Question by question", size="4", as_="h2"),
                        rx.vstack(
                            rx.foreach(S.notes, lambda note: question_note(note, S.recording_src != "")),
                            spacing="4",
                            width="100%",
                            role="list",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    size="2",
                    width="100%",
                ),
            ),
            spacing="4",
            width="100%",
        ),
        rx.card(rx.text(S.summary, size="3"), size="3", width="100%", id="feedback-ready"),
    )


def _listen_back() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Listen back", size="4", as_="h2"),
            rx.text(
                "Your interview as it was heard. Click a line of the transcript, a question, a piece of evidence "
                "or a mark on the timeline to play it from there.",
                size="2",
                color_scheme="gray",
            ),
            recording_player(
                S.recording_src,
                S.recording_download,
                S.timeline_ms,
                S.timeline_turns,
                S.timeline_pauses,
                S.timeline_fillers,
                S.has_audio_marks,
                code_marks=S.timeline_code,
                on_code=S.show_code_step,
                score_marks=S.timeline_scorecard,
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        id="listen-back",
        # stays in view while the candidate clicks through the transcript below
        position="sticky",
        top="0.5em",
        z_index="5",
        box_shadow="var(--shadow-3)",
    )


def _found() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("arrow-left", size=14), "History", spacing="1", align="center"),
                href=routes.HISTORY,
                size="2",
            ),
            rx.spacer(),
            status_badge(S.interview["status"]),
            width="100%",
        ),
        _header(),
        rx.cond(S.action_error != "", rx.callout(S.action_error, icon="triangle_alert", color_scheme="red")),
        rx.match(
            S.fb_status,
            ("READY", _ready()),
            ("FAILED", _failed()),
            ("WAITING", _waiting()),
            _working(),
        ),
        rx.cond(S.recording_src != "", _listen_back()),
        rx.cond(S.code_steps.length() > 0, code_card(S)),
        rx.card(
            rx.vstack(
                rx.heading("Delivery", size="4", as_="h2"),
                rx.text(S.metrics_note, size="2", color_scheme="gray", id="metrics-source"),
                metric_tiles(S.metric_rows),
                spacing="3",
                width="100%",
            ),
            size="2",
            width="100%",
            id="delivery-metrics",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Transcript", size="4", as_="h2"),
                transcript_with_metrics(S.turns, S.recording_src != "", lang=S.interview["lang"]),
                spacing="3",
                width="100%",
            ),
            size="2",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )


def feedback_page() -> rx.Component:
    return page(
        rx.cond(
            S.loaded,
            rx.cond(
                S.found,
                _found(),
                rx.vstack(
                    rx.heading("Interview not found", size="6", as_="h1"),
                    rx.text("It may have been deleted, or it belongs to another account.", color_scheme="gray"),
                    rx.link("Back to your history", href=routes.HISTORY),
                    spacing="3",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding_y="4em"),
        )
    )
