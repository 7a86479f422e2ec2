"""The transcript on the feedback page, with each answer's delivery metrics beside it (and,
with a recording, a click on a line plays it)."""

from __future__ import annotations

import reflex as rx

from preppal.components.recording_player import seek_to


def _time(turn, seekable) -> rx.Component:
    """The turn's start; with a recording, a button that plays from there."""
    label = rx.text(
        turn.at,
        size="1",
        color_scheme="gray",
        min_width="3.2em",
        padding_top="0.2em",
        font_variant_numeric="tabular-nums",
    )
    return rx.cond(
        seekable,
        rx.button(
            rx.icon("play", size=10),
            turn.at,
            on_click=seek_to(turn.at_ms).stop_propagation,
            variant="ghost",
            size="1",
            min_width="4em",
            font_variant_numeric="tabular-nums",
            aria_label="Play from " + turn.at,
            class_name="seek-turn",
        ),
        label,
    )


def _turn(turn, seekable) -> rx.Component:
    return rx.flex(
        _time(turn, seekable),
        rx.vstack(
            rx.text(turn.speaker, size="1", weight="bold", color_scheme=rx.cond(turn.is_user, "indigo", "gray")),
            rx.text(turn.text, size="2"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            turn.stats != "",
            rx.box(
                rx.text("Answer ", turn.answer, size="1", weight="bold", color_scheme="indigo"),
                rx.text(turn.stats, size="1", color_scheme="gray"),
                width=rx.breakpoints(initial="100%", sm="13em"),
                flex_shrink="0",
                padding="0.4em 0.6em",
                border_radius="var(--radius-2)",
                background="var(--indigo-a2)",
                class_name="answer-metrics",
            ),
            rx.box(width=rx.breakpoints(initial="0", sm="13em"), flex_shrink="0"),
        ),
        spacing="3",
        align="start",
        width="100%",
        wrap=rx.breakpoints(initial="wrap", sm="nowrap"),
        padding_y="0.4em",
        border_bottom="1px solid var(--gray-a3)",
        role="listitem",
        on_click=seek_to(turn.at_ms),  # without a player this does nothing
        cursor=rx.cond(seekable, "pointer", "default"),
        custom_attrs={"data-at-ms": turn.at_ms},
        class_name="transcript-turn",
    )


def transcript_with_metrics(
    turns, seekable=False, empty: str = "No transcript was recorded.", lang="en-US"
) -> rx.Component:
    """``seekable`` (a bool Var): clicking a line plays the recording from there. ``lang``: the
    interview's language, so screen readers and fonts treat the words right."""
    return rx.cond(
        turns.length() > 0,
        rx.vstack(
            rx.foreach(turns, lambda turn: _turn(turn, seekable)),
            spacing="1",
            width="100%",
            role="list",
            id="transcript",
            lang=lang,
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )
