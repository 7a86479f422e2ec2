"""The feedback page's code card: the code the candidate left in the editor, and a stepper
through every stored snapshot with its time on the interview's clock. With a recording, the
snapshots are also marks on the listen-back timeline (a click there shows that code and
plays from it) and "Play from here" plays the recording at the snapshot shown."""

from __future__ import annotations

import reflex as rx

from preppal.components.code_editor import code_editor
from preppal.components.recording_player import seek_to


def code_card(state) -> rx.Component:
    """``state`` is FeedbackState (passed in: components do not import pages or choose states)."""
    step = state.code_step
    last = state.code_steps.length() - 1
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Your code", size="4", as_="h2"),
                rx.badge(step.label, variant="soft", size="2"),
                rx.spacer(),
                rx.text(
                    rx.cond(state.code_is_final, "Final version", "Snapshot"),
                    " · ",
                    state.code_index + 1,
                    " of ",
                    state.code_steps.length(),
                    " · at ",
                    step.at,
                    size="2",
                    color_scheme="gray",
                    id="code-step-label",
                    aria_live="polite",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("chevrons-left", size=14),
                    "First",
                    on_click=state.show_code_step(0),
                    disabled=state.code_index == 0,
                    variant="soft",
                    size="1",
                ),
                rx.button(
                    rx.icon("chevron-left", size=14),
                    "Earlier",
                    on_click=state.show_code_step(state.code_index - 1),
                    disabled=state.code_index == 0,
                    variant="soft",
                    size="1",
                    id="code-earlier",
                ),
                rx.button(
                    "Later",
                    rx.icon("chevron-right", size=14),
                    on_click=state.show_code_step(state.code_index + 1),
                    disabled=state.code_is_final,
                    variant="soft",
                    size="1",
                    id="code-later",
                ),
                rx.button(
                    "Final",
                    rx.icon("chevrons-right", size=14),
                    on_click=state.show_code_step(last),
                    disabled=state.code_is_final,
                    variant="soft",
                    size="1",
                ),
                rx.cond(
                    state.recording_src != "",
                    rx.button(
                        rx.icon("play", size=14),
                        "Play from here",
                        on_click=seek_to(step.at_ms),
                        variant="outline",
                        size="1",
                        id="code-play",
                    ),
                ),
                spacing="2",
                wrap="wrap",
                aria_label="Step through your code snapshots",
            ),
            code_editor(
                value=state.code_shown,
                language=step.language,
                read_only=True,
                height="auto",
                label="Your code (read only)",
            ),
            rx.text(
                rx.cond(
                    state.source == "gemini",
                    "The AI review judged this code: see “Code (editor)” above and the notes per question.",
                    "The built-in analyzer does not judge code; with a Gemini key the AI review scores it.",
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
        id="code-card",
    )
