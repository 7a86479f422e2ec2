"""The feedback page's scorecard card: the rubric's competencies, the evidence behind each
(quotes with "Play from here"), and the questions as the interviewer marked them."""

from __future__ import annotations

import reflex as rx

from preppal.components.recording_player import seek_to


def _competency(row) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.label, size="2", weight="medium"),
            rx.spacer(),
            rx.cond(
                row.value >= 0,
                rx.text(row.value, size="2", weight="bold"),
                rx.text("not heard", size="1", color_scheme="gray"),
            ),
            width="100%",
        ),
        rx.cond(
            row.value >= 0,
            rx.progress(value=row.value, max=100, size="2", aria_label=row.label),
            rx.box(height="6px", width="100%", border="1px dashed var(--gray-a7)", border_radius="999px"),
        ),
        rx.cond(row.comment != "", rx.text(row.comment, size="1", color_scheme="gray")),
        rx.cond(
            row.differs != "",
            rx.text(
                "The AI review differs from the interviewer's notes: ", row.differs, size="1", color_scheme="amber"
            ),
        ),
        spacing="1",
        width="100%",
        role="listitem",
        class_name="scorecard-competency",
    )


def _evidence(row, seekable) -> rx.Component:
    tone = rx.cond(row.strong, "green", "amber")
    return rx.vstack(
        rx.hstack(
            rx.badge(rx.cond(row.strong, "Strong", "Weak"), color_scheme=tone, variant="soft", size="1"),
            rx.text(row.competency, size="2", weight="medium"),
            rx.cond(row.question > 0, rx.text("Q", row.question, size="1", color_scheme="gray")),
            rx.cond(row.at != "", rx.text(row.at, size="1", color_scheme="gray")),
            rx.spacer(),
            rx.cond(
                seekable & (row.at_ms >= 0),
                rx.button(
                    rx.icon("play", size=12),
                    "Play from here",
                    on_click=seek_to(row.at_ms),
                    variant="soft",
                    size="1",
                    class_name="evidence-seek",
                    aria_label="Play the recording from where you said this",
                ),
            ),
            spacing="2",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.el.blockquote(
            "“",
            row.quote,
            "”",
            style={"margin": "0", "paddingLeft": "0.75em", "borderLeft": "3px solid var(--gray-a6)"},
            class_name="evidence-quote",
        ),
        rx.cond(row.why != "", rx.text(row.why, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
        role="listitem",
        class_name="scorecard-evidence",
    )


def _question(row, seekable) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(row.number, ".", size="2", weight="bold"),
            rx.text(row.at, size="1", color_scheme="gray"),
            rx.text(row.text, size="2", weight="medium", flex="1"),
            rx.cond(row.competency != "", rx.badge(row.competency, variant="outline", size="1")),
            rx.cond(~row.answered, rx.badge("not answered", color_scheme="gray", size="1")),
            rx.cond(
                seekable,
                rx.icon_button(
                    rx.icon("play", size=12),
                    on_click=seek_to(row.at_ms),
                    variant="ghost",
                    size="1",
                    class_name="question-seek",
                    aria_label="Play this question",
                ),
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        rx.foreach(row.followups, lambda f: rx.text("↳ follow-up ", f, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
        role="listitem",
        class_name="scorecard-question",
    )


def _section(title: str, rows, render, spacing: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.vstack(
            rx.heading(title, size="3", as_="h3"),
            rx.vstack(rx.foreach(rows, render), spacing=spacing, width="100%", role="list"),
            spacing="2",
            width="100%",
        ),
    )


def scorecard_card(state, seekable) -> rx.Component:
    """``state``: the feedback state (``sc_*`` vars); ``seekable``: a bool Var (a recording plays)."""
    return rx.card(
        rx.vstack(
            rx.heading("Scorecard", size="4", as_="h2"),
            rx.text(state.sc_source, size="2", color_scheme="gray"),
            rx.grid(
                rx.foreach(state.sc_competencies, _competency),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="4",
                width="100%",
                role="list",
                aria_label="Scores by competency",
            ),
            _section("Evidence", state.sc_evidence, lambda e: _evidence(e, seekable), "3"),
            _section("Questions", state.sc_questions, lambda q: _question(q, seekable), "2"),
            spacing="4",
            width="100%",
        ),
        size="2",
        width="100%",
        id="scorecard",
    )
