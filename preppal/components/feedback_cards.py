"""Pieces of the feedback page: the overall score, category bars, strength and improvement
cards, question notes and delivery-metric tiles."""

from __future__ import annotations

import reflex as rx

from preppal.components.recording_player import seek_to


def overall_score(score: rx.Var[int], tone: rx.Var[str], summary: rx.Var[str], source: rx.Var[str]) -> rx.Component:
    return rx.flex(
        rx.center(
            rx.vstack(
                rx.text(score, size="9", weight="bold", color=f"var(--{tone}-11)", trim="both", id="overall-score"),
                rx.text("out of 100", size="1", color_scheme="gray"),
                spacing="1",
                align="center",
            ),
            width="8em",
            height="8em",
            border_radius="50%",
            border=f"6px solid var(--{tone}-7)",
            flex_shrink="0",
            aria_label=f"Overall score {score} out of 100",
        ),
        rx.vstack(
            rx.heading("Overall", size="4", as_="h2"),
            rx.text(summary, size="3"),
            rx.badge(
                rx.icon("info", size=12), source, variant="soft", color_scheme="gray", size="1", white_space="normal"
            ),
            spacing="2",
            flex="1",
            min_width="16em",
        ),
        spacing="5",
        align="center",
        wrap="wrap",
        width="100%",
    )


def category_bar(row) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.label, size="2", weight="medium"),
            rx.spacer(),
            rx.text(row.value, size="2", weight="bold"),
            width="100%",
        ),
        rx.progress(value=row.value, max=100, size="2", aria_label=row.label),
        spacing="1",
        width="100%",
        role="listitem",
    )


def category_scores(rows) -> rx.Component:
    return rx.grid(
        rx.foreach(rows, category_bar),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="4",
        width="100%",
        role="list",
        aria_label="Scores by category",
    )


def _point(point, icon: str, color: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=18, color=f"var(--{color}-10)", flex_shrink="0", margin_top="0.15em"),
        rx.vstack(
            rx.text(point.title, size="3", weight="bold"),
            rx.text(point.detail, size="2"),
            rx.cond(
                point.quote != "",
                rx.el.blockquote(
                    "“",
                    point.quote,
                    "”",
                    style={
                        "borderLeft": f"3px solid var(--{color}-7)",
                        "paddingLeft": "0.75em",
                        "margin": "0.25em 0 0",
                        "color": "var(--gray-11)",
                        "fontStyle": "italic",
                        "fontSize": "14px",
                    },
                ),
            ),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="start",
        width="100%",
        role="listitem",
    )


def point_list(title: str, rows, icon: str, color: str, list_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            rx.vstack(rx.foreach(rows, lambda p: _point(p, icon, color)), spacing="4", width="100%", role="list"),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        id=list_id,
    )


def question_note(note, seekable=False) -> rx.Component:
    """One question's note; ``seekable`` (a bool Var): a button plays the recording from the question."""
    return rx.vstack(
        rx.flex(
            rx.text(note.number, ". ", note.question, size="3", weight="bold", flex="1"),
            rx.cond(
                seekable & (note.at_ms >= 0),
                rx.button(
                    rx.icon("play", size=12),
                    "Listen",
                    on_click=seek_to(note.at_ms),
                    variant="soft",
                    size="1",
                    class_name="seek-note",
                    aria_label="Play this question and your answer",
                ),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        rx.cond(
            note.answer_quote != "",
            rx.text("“", note.answer_quote, "”", size="2", color_scheme="gray", font_style="italic"),
        ),
        rx.text(note.assessment, size="2"),
        rx.cond(
            note.code_note != "",
            rx.box(
                rx.text("Your code", size="1", weight="bold", color_scheme="cyan"),
                rx.text(note.code_note, size="2"),
                background="var(--cyan-a2)",
                border_radius="var(--radius-3)",
                padding="0.6em 0.8em",
                width="100%",
            ),
        ),
        rx.box(
            rx.text("A stronger answer", size="1", weight="bold", color_scheme="indigo"),
            rx.text(note.better_answer, size="2"),
            background="var(--indigo-a2)",
            border_radius="var(--radius-3)",
            padding="0.6em 0.8em",
            width="100%",
        ),
        spacing="2",
        width="100%",
        padding_bottom="0.75em",
        border_bottom="1px solid var(--gray-a4)",
        role="listitem",
    )


def metric_tile(row) -> rx.Component:
    return rx.vstack(
        rx.text(row.label, size="1", color_scheme="gray", weight="medium"),
        rx.text(row.value, size="3", weight="bold"),
        spacing="1",
        padding="0.75em",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        background="var(--color-panel-solid)",
        role="listitem",
    )


def metric_tiles(rows) -> rx.Component:
    return rx.grid(
        rx.foreach(rows, metric_tile),
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        spacing="3",
        width="100%",
        role="list",
        aria_label="Delivery metrics",
    )
