"""Progress across interviews: overall score, pace with filler rate, and each rubric
competency per interview type (Recharts via Reflex)."""

from __future__ import annotations

import reflex as rx

from preppal import display, rubric

# Line colours for a rubric's competencies, in its order (at most six per type).
_COLOURS = ("indigo", "green", "amber", "crimson", "cyan", "violet")


def _line(key: str, name: str, color: str, **props) -> rx.Component:
    """One series in one Radix colour: the line *and* its dots (Recharts' dots default to the
    accent colour, which drew the filler series' points in the pace line's indigo)."""
    return rx.recharts.line(
        data_key=key,
        name=name,
        stroke=rx.color(color, 9),
        dot={"stroke": rx.color(color, 10), "fill": rx.color(color, 4)},
        active_dot={"stroke": rx.color(color, 2), "fill": rx.color(color, 10)},
        stroke_width=2,
        type_="monotone",
        is_animation_active=False,
        **props,
    )


def _chart_card(title: str, hint: str, chart: rx.Component, chart_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3", as_="h2"),
            rx.text(hint, size="1", color_scheme="gray"),
            chart,
            spacing="2",
            width="100%",
        ),
        size="2",
        width="100%",
        id=chart_id,
    )


def score_chart(data) -> rx.Component:
    return _chart_card(
        "Overall score",
        "Each completed interview with feedback, oldest to newest.",
        rx.recharts.line_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)"),
            rx.recharts.x_axis(data_key="date", tick={"fontSize": 12}),
            rx.recharts.y_axis(domain=[0, 100], width=32, tick={"fontSize": 12}),
            rx.recharts.graphing_tooltip(),
            _line("score", "Score", "accent"),
            data=data,
            width="100%",
            height=220,
        ),
        "score-chart",
    )


def delivery_chart(data) -> rx.Component:
    return _chart_card(
        "Pace and filler words",
        "Words per minute (left) and filler words per minute (right).",
        rx.recharts.line_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)"),
            rx.recharts.x_axis(data_key="date", tick={"fontSize": 12}),
            rx.recharts.y_axis(y_axis_id="left", width=36, tick={"fontSize": 12}),
            rx.recharts.y_axis(y_axis_id="right", orientation="right", width=32, tick={"fontSize": 12}),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            _line("wpm", "Words/min", "indigo", y_axis_id="left"),
            _line("fillers_per_min", "Fillers/min", "amber", y_axis_id="right"),
            data=data,
            width="100%",
            height=220,
        ),
        "delivery-chart",
    )


def progress_charts(data) -> rx.Component:
    return rx.grid(
        score_chart(data), delivery_chart(data), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"
    )


def _competency_chart(kind: str, data) -> rx.Component:
    """One interview type's competencies across its interviews (its rubric fixes the lines)."""
    keys = [(c.key, c.label) for c in rubric.rubric_for(kind, "standard").competencies]
    if kind == "role_specific":
        keys += [("jd_1", "From the job (1st)"), ("jd_2", "From the job (2nd)")]
    lines = [_line(key, label, _COLOURS[i % len(_COLOURS)], connect_nulls=True) for i, (key, label) in enumerate(keys)]
    return rx.cond(
        data.length() > 0,
        _chart_card(
            f"{display.type_label(kind)}: competencies",
            "The interviewer's scorecard per competency, oldest to newest.",
            rx.recharts.line_chart(
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)"),
                rx.recharts.x_axis(data_key="date", tick={"fontSize": 12}),
                rx.recharts.y_axis(domain=[0, 100], width=32, tick={"fontSize": 12}),
                rx.recharts.graphing_tooltip(),
                rx.recharts.legend(),
                *lines,
                data=data,
                width="100%",
                height=240,
            ),
            f"competency-chart-{kind}",
        ),
    )


def competency_charts(per_type) -> rx.Component:
    """``per_type``: interview type → chart points (a dict Var); a chart for each type practised."""
    return rx.grid(
        *[_competency_chart(kind, per_type[kind]) for kind in rubric.TYPES],
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )
