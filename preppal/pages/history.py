"""History: every interview, searchable and filterable, with progress charts, export and
delete (after a confirmation)."""

from __future__ import annotations

import reflex as rx

from preppal import display, routes
from preppal.components.history_charts import competency_charts, progress_charts
from preppal.components.interview_bits import status_badge
from preppal.components.layout import page
from preppal.state.history import HistoryState as S

TYPES = [("all", "All types"), *((c.value, c.label) for c in display.INTERVIEW_TYPES)]
# Completed first: the status most people look for.
STATUSES = [
    ("all", "All statuses"),
    *((c.value, c.label) for c in sorted(display.STATUSES, key=lambda c: c.value != "COMPLETED")),
]


def _select(options: list[tuple[str, str]], value, on_change, label: str, select_id: str) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=select_id, min_width="10em"),
        rx.select.content(*[rx.select.item(text, value=key) for key, text in options]),
        value=value,
        on_change=on_change,
    )


def _date(label: str, value, on_change, input_id: str) -> rx.Component:
    return rx.hstack(
        rx.el.label(label, html_for=input_id, style={"fontSize": "13px", "color": "var(--gray-11)"}),
        rx.input(type="date", id=input_id, value=value, on_change=on_change, size="2"),
        spacing="2",
        align="center",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(
                    name="query",
                    placeholder="Search role or job description",
                    value=S.query_draft,
                    on_change=S.set_query_draft,
                    aria_label="Search",
                    id="history-search",
                    min_width="16em",
                ),
                rx.button(rx.icon("search", size=14), "Search", type="submit", variant="soft"),
                spacing="2",
            ),
            on_submit=S.search,
        ),
        _select(TYPES, S.type_filter, S.set_type_filter, "Interview type", "filter-type"),
        _select(STATUSES, S.status_filter, S.set_status_filter, "Status", "filter-status"),
        _date("From", S.since, S.set_since, "filter-since"),
        _date("To", S.until, S.set_until, "filter-until"),
        rx.cond(S.filtered, rx.button("Clear filters", on_click=S.clear_filters, variant="ghost", size="2")),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.created, size="2", white_space="nowrap")),
        rx.table.cell(
            rx.link(
                rx.text(row.type_label, " · ", row.role, weight="medium"),
                href=row.href,
                aria_label=row.aria,
                color_scheme="gray",
                high_contrast=True,
            )
        ),
        rx.table.cell(rx.text(row.difficulty, size="2")),
        rx.table.cell(rx.text(row.language, size="2", class_name="language")),
        rx.table.cell(rx.text(row.duration, size="2", white_space="nowrap")),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(rx.text(row.score, weight="bold", class_name="score"), text_align="right"),
        rx.table.cell(
            rx.hstack(
                rx.tooltip(
                    rx.icon_button(
                        rx.el.a(rx.icon("download", size=14), href=row.export_md, download=True, reload_document=True),
                        as_child=True,
                        variant="ghost",
                        size="1",
                        aria_label="Export as Markdown",
                    ),
                    content="Export as Markdown",
                ),
                rx.cond(
                    row.deletable,
                    rx.icon_button(
                        rx.icon("trash-2", size=14),
                        on_click=S.ask_delete(row.id, row.label),
                        variant="ghost",
                        color_scheme="red",
                        size="1",
                        aria_label="Delete interview",
                        class_name="delete-interview",
                    ),
                ),
                spacing="3",
                justify="end",
            )
        ),
        class_name="history-row",
        data_id=row.id,
    )


def _table() -> rx.Component:
    return rx.cond(
        S.rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in ("Date", "Interview", "Level", "Language", "Length", "Status", "Score", "")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(S.rows, _row)),
                variant="surface",
                size="2",
                width="100%",
                id="history-table",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.card(
            rx.vstack(
                rx.text(
                    rx.cond(S.filtered, "No interviews match these filters.", "You have no interviews yet."),
                    size="3",
                ),
                rx.cond(
                    S.filtered,
                    rx.button("Clear filters", on_click=S.clear_filters, variant="soft"),
                    rx.link("Start your first interview", href=routes.DASHBOARD),
                ),
                spacing="3",
                align="center",
                padding_y="1.5em",
            ),
            width="100%",
            id="history-empty",
        ),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("Previous", on_click=S.prev_page, disabled=S.page_no <= 1, variant="soft", size="2"),
        rx.text(S.page_label, size="2", color_scheme="gray", id="page-label"),
        rx.button("Next", on_click=S.next_page, disabled=S.page_no >= S.pages, variant="soft", size="2"),
        spacing="3",
        align="center",
        justify="center",
        width="100%",
    )


def _confirm() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this interview?"),
            rx.alert_dialog.description(
                "“", S.delete_label, "” will be deleted with its transcript and feedback. This cannot be undone."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button("Cancel", variant="soft", color_scheme="gray", on_click=S.cancel_delete)
                ),
                rx.alert_dialog.action(
                    rx.button("Delete", color_scheme="red", on_click=S.confirm_delete, id="confirm-delete")
                ),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
        ),
        open=S.confirm_open,
        on_open_change=S.dialog_open_change,
    )


def history_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.flex(
                rx.heading("History", size="7", as_="h1"),
                rx.spacer(),
                rx.button(rx.el.a(rx.icon("plus", size=16), "New interview", href=routes.DASHBOARD), as_child=True),
                width="100%",
                align="center",
            ),
            rx.cond(S.has_chart, progress_charts(S.chart)),
            rx.cond(S.has_chart, competency_charts(S.competency_chart)),
            _filters(),
            rx.cond(S.message != "", rx.callout(S.message, icon="info", role="status", width="100%")),
            _table(),
            rx.cond(S.pages > 1, _pager()),
            _confirm(),
            spacing="5",
            width="100%",
        ),
        max_width="72em",
    )
