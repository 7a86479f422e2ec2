"""Interview detail: status and settings, the way in (Start / Resume) or out (feedback),
and the transcript when there is one."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.components.interview_bits import meta_item, status_badge
from preppal.components.layout import page
from preppal.state.interview import InterviewDetailState as S


def _action() -> rx.Component:
    d = S.detail
    return rx.match(
        S.status,
        (
            "PENDING",
            rx.button(
                rx.el.a(rx.icon("mic", size=16), "Start interview", href=d["meeting_href"]), as_child=True, size="3"
            ),
        ),
        (
            "IN_PROGRESS",
            rx.button(
                rx.el.a(rx.icon("radio", size=16), "Resume interview", href=d["meeting_href"]), as_child=True, size="3"
            ),
        ),
        (
            "ERROR",
            rx.button(
                rx.el.a(rx.icon("rotate-ccw", size=16), "Set up a new one", href=routes.DASHBOARD),
                as_child=True,
                size="3",
                variant="soft",
            ),
        ),
        (
            "COMPLETED",
            rx.button(
                rx.el.a(rx.icon("sparkles", size=16), "See feedback", href=d["feedback_href"]), as_child=True, size="3"
            ),
        ),
        rx.fragment(),
    )


def _hint() -> rx.Component:
    return rx.match(
        S.status,
        ("PENDING", rx.text("Find a quiet spot and allow the microphone when asked.", size="2", color_scheme="gray")),
        ("IN_PROGRESS", rx.text("This interview is live. Rejoin it to continue.", size="2", color_scheme="gray")),
        rx.fragment(),
    )


def _text_block(title: str, value: rx.Var[str]) -> rx.Component:
    return rx.cond(
        value != "",
        rx.vstack(
            rx.heading(title, size="3", as_="h3"),
            rx.text(value, size="2", white_space="pre-wrap", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
    )


def _line(line: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.hstack(
        rx.text(line["at"], size="1", color_scheme="gray", min_width="3em", padding_top="0.2em"),
        rx.vstack(
            rx.text(line["speaker"], size="1", weight="bold", color_scheme=rx.cond(line["is_user"], "indigo", "gray")),
            rx.text(line["text"], size="2"),
            spacing="0",
        ),
        align="start",
        spacing="3",
        width="100%",
        role="listitem",
    )


def _transcript() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Transcript", size="4", as_="h2"),
            rx.cond(
                S.has_transcript,
                rx.vstack(
                    rx.foreach(S.transcript, _line), spacing="3", width="100%", role="list", lang=S.detail["lang"]
                ),
                rx.text(
                    rx.cond(
                        S.status == "PENDING",
                        "The transcript appears here once the interview has taken place.",
                        "No transcript was recorded.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def _found() -> rx.Component:
    d = S.detail
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Dashboard"), spacing="1", align="center"),
            href=routes.DASHBOARD,
            size="2",
        ),
        rx.card(
            rx.vstack(
                rx.flex(
                    rx.vstack(
                        rx.heading(d["type_label"], " interview", size="6", as_="h1"),
                        rx.text(d["role"], size="3", color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.spacer(),
                    status_badge(S.status),
                    width="100%",
                    align="start",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.flex(
                    meta_item("Difficulty", d["difficulty"]),
                    meta_item("Patience", d["patience"]),
                    meta_item("Listening", d["turn_mode"]),
                    meta_item("Language", d["language"]),
                    meta_item("Created", d["created_local"]),
                    meta_item("Duration", d["duration"]),
                    meta_item("Interviewer", d["interviewer"]),
                    spacing="5",
                    wrap="wrap",
                ),
                rx.cond(
                    d["error_message"] != "",
                    rx.callout(d["error_message"], icon="circle_alert", color_scheme="red", size="1"),
                ),
                rx.flex(_action(), _hint(), spacing="3", align="center", wrap="wrap"),
                _text_block("Job description", d["job_description"]),
                _text_block("Résumé", d["resume_text"]),
                spacing="4",
                width="100%",
            ),
            size="3",
            width="100%",
        ),
        _transcript(),
        spacing="4",
        width="100%",
    )


def interview_page() -> rx.Component:
    return page(
        rx.cond(
            S.found,
            _found(),
            rx.cond(
                S.loaded,
                rx.callout(
                    "That interview does not exist, or it is not yours.",
                    icon="search_x",
                    color_scheme="gray",
                    role="alert",
                ),
                rx.center(rx.spinner(size="3"), padding="3em"),
            ),
        ),
        max_width="52em",
    )
