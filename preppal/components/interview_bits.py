"""Small pieces shared by the dashboard and the interview pages: status badge, labels,
the compact interview list, and labelled form fields."""

from __future__ import annotations

import reflex as rx

from preppal import display


def status_badge(status: rx.Var[str]) -> rx.Component:
    """A coloured badge whose text says the status in words (colour is never the only cue)."""
    return rx.match(
        status,
        *[
            (
                c.value,
                rx.badge(c.label, color_scheme=display.STATUS_COLORS[c.value], variant="soft", size="2", radius="full"),
            )
            for c in display.STATUSES
        ],
        rx.badge(status, variant="soft", size="2"),
    )


def interview_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    """One interview: type and role, date and duration, status; the whole row is a link."""
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.text(row["type_label"], " · ", row["role"], weight="medium", size="3", trim="both"),
                rx.text(row["created"], " · ", row["duration"], size="2", color_scheme="gray"),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            status_badge(row["status"]),
            align="center",
            width="100%",
            spacing="3",
        ),
        href=row["href"],
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        aria_label=row["aria"],
        class_name="preppal-row",
        display="block",
        width="100%",
        padding="0.75em 0.9em",
        border_radius="var(--radius-3)",
        _hover={"background": "var(--gray-a3)"},
        _focus_visible={"outline": "2px solid var(--accent-8)", "outline_offset": "2px"},
    )


def interview_list(rows: rx.Var[list[dict[str, str]]], empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.vstack(rx.foreach(rows, interview_row), spacing="1", width="100%", role="list"),
        rx.text(empty, color_scheme="gray", size="2", padding_y="1em"),
    )


def field(label: str, control: rx.Component, field_id: str, hint: str = "") -> rx.Component:
    """A label tied to its control by id, with an optional hint below."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontSize": "14px", "fontWeight": 500}),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray"), rx.fragment()),
        spacing="1",
        width="100%",
    )


def meta_item(label: str, value: rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.text(value, size="2"),
        spacing="0",
        min_width="8em",
        flex_shrink="0",
    )
