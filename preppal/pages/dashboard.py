"""Dashboard: set up a new interview, and see the latest ones at a glance."""

from __future__ import annotations

import reflex as rx

from preppal import display, routes
from preppal.components.interview_bits import field, interview_list
from preppal.components.layout import page
from preppal.state.auth import AuthState
from preppal.state.dashboard import UPLOAD_ID, DashboardState


def _type_choice() -> rx.Component:
    return rx.vstack(
        rx.text("Interview type", as_="div", size="2", weight="medium", id="type-label"),
        rx.radio_cards.root(
            *[
                rx.radio_cards.item(
                    rx.vstack(
                        rx.text(c.label, weight="bold", size="2"),
                        rx.text(c.hint, size="1", color_scheme="gray"),
                        spacing="1",
                        align="start",
                        width="100%",
                    ),
                    value=c.value,
                    aria_label=c.label,
                )
                for c in display.INTERVIEW_TYPES
            ],
            value=DashboardState.interview_type,
            on_value_change=DashboardState.set_interview_type,
            columns=rx.breakpoints(initial="1", sm="2"),
            gap="2",
            size="1",
            width="100%",
            aria_labelledby="type-label",
        ),
        spacing="1",
        width="100%",
    )


def _segmented_choice(key: str, label: str, choices, value, on_change, hint: str = "") -> rx.Component:
    """A labelled segmented control (one of a few settings), with a plain hint under it."""
    described = {"aria_describedby": f"{key}-hint"} if hint else {}
    return rx.vstack(
        rx.text(label, as_="div", size="2", weight="medium", id=f"{key}-label"),
        rx.segmented_control.root(
            *[rx.segmented_control.item(c.label, value=c.value) for c in choices],
            value=value,
            on_change=on_change,
            aria_labelledby=f"{key}-label",
            width="100%",
            **described,
        ),
        *([rx.text(hint, id=f"{key}-hint", size="1", color_scheme="gray")] if hint else []),
        spacing="1",
        width="100%",
    )


def _difficulty_choice() -> rx.Component:
    return _segmented_choice(
        "difficulty", "Difficulty", display.DIFFICULTIES, DashboardState.difficulty, DashboardState.set_difficulty
    )


def _patience_choice() -> rx.Component:
    """How long the interviewer waits before it speaks (both interviewers); holding Space in the
    call keeps the floor whatever this says."""
    hint = (
        "How long the interviewer waits in a pause before it speaks. Auto follows the difficulty: "
        "Warm-up patient, Standard steady, Intense quick. In the call, hold Space to keep the floor "
        "while you think."
    )
    return _segmented_choice(
        "patience", "Patience", display.PATIENCES, DashboardState.patience, DashboardState.set_patience, hint
    )


def _turn_mode_choice() -> rx.Component:
    """Gemini only (with the offline interviewer a held Space always keeps the floor)."""
    hint = (
        "Hands-free: the interviewer decides when you have finished, from your voice and silence. "
        "I will hold a key: hold Space (or the Thinking… button) while you answer and think; the "
        "interviewer speaks only when you let go."
    )
    choice = _segmented_choice(
        "turn-mode", "Listening", display.TURN_MODES, DashboardState.turn_mode, DashboardState.set_turn_mode, hint
    )
    return rx.cond(DashboardState.gemini_ready, choice)


def _language_choice() -> rx.Component:
    """The interview's language: every one can be picked, with or without a Gemini key; the
    sentence beside the picker says which interviewer will hold it (and what that means)."""
    items = [rx.select.item(label, value=code) for code, label in display.language_options()]
    return rx.vstack(
        rx.text("Interview language", as_="div", size="2", weight="medium", id="language-label"),
        rx.select.root(
            rx.select.trigger(id="language", aria_labelledby="language-label", width="100%"),
            rx.select.content(*items),
            value=DashboardState.language,
            on_change=DashboardState.set_language,
            size="3",
        ),
        rx.text(
            rx.icon("info", size=13, display="inline", margin_right="0.3em"),
            DashboardState.language_note,
            size="1",
            color_scheme="gray",
            id="language-note",
            aria_live="polite",
        ),
        spacing="1",
        width="100%",
    )


def _resume() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.el.label("Résumé (optional)", html_for="resume_text", style={"fontSize": "14px", "fontWeight": 500}),
            rx.spacer(),
            rx.upload.root(
                rx.button(rx.icon("upload", size=14), "Upload .txt or .pdf", type="button", variant="soft", size="1"),
                id=UPLOAD_ID,
                accept={"text/plain": [".txt"], "application/pdf": [".pdf"]},
                max_files=1,
                multiple=False,
                max_size=5 * 1024 * 1024,
                no_drag=False,
                on_drop=DashboardState.handle_resume(rx.upload_files(upload_id=UPLOAD_ID)),
                on_drop_rejected=DashboardState.upload_rejected,
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            DashboardState.resume_name != "",
            rx.hstack(
                rx.icon("file-text", size=14),
                rx.text("Read from ", rx.text.strong(DashboardState.resume_name), size="1"),
                rx.button("Clear", type="button", variant="ghost", size="1", on_click=DashboardState.clear_resume),
                align="center",
                spacing="2",
            ),
        ),
        rx.cond(
            DashboardState.upload_error != "",
            rx.callout(DashboardState.upload_error, icon="triangle_alert", color_scheme="red", size="1", role="alert"),
        ),
        rx.text_area(
            id="resume_text",
            name="resume_text",
            value=DashboardState.resume_text,
            on_change=DashboardState.set_resume_text.debounce(400),
            placeholder="Paste your résumé, or upload a file above",
            rows="4",
            width="100%",
            resize="vertical",
        ),
        spacing="1",
        width="100%",
    )


def new_interview_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("New interview", size="5", as_="h2"),
                rx.text("Choose the kind of interview; the interviewer adapts to your role.", size="2", color="gray"),
                _type_choice(),
                field(
                    "Role",
                    rx.input(
                        id="role",
                        name="role",
                        default_value=DashboardState.role,
                        key=DashboardState.role,
                        placeholder="e.g. Senior backend engineer",
                        required=True,
                        max_length=200,
                        size="3",
                        width="100%",
                    ),
                    "role",
                ),
                _difficulty_choice(),
                _patience_choice(),
                _turn_mode_choice(),
                _language_choice(),
                field(
                    "Job description (optional)",
                    rx.text_area(
                        id="job_description",
                        name="job_description",
                        placeholder="Paste the job ad so questions match it",
                        rows="3",
                        width="100%",
                        resize="vertical",
                    ),
                    "job_description",
                ),
                _resume(),
                rx.cond(
                    DashboardState.form_error != "",
                    rx.callout(DashboardState.form_error, icon="triangle_alert", color_scheme="red", role="alert"),
                ),
                rx.button(rx.icon("plus", size=16), "Create interview", type="submit", size="3", width="100%"),
                spacing="4",
                width="100%",
            ),
            on_submit=DashboardState.create,
            reset_on_submit=False,
        ),
        size="3",
        width="100%",
    )


def recent_interviews() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Recent interviews", size="4", as_="h2"),
                rx.spacer(),
                rx.link(
                    rx.hstack(rx.text("See all"), rx.icon("arrow-right", size=14), spacing="1", align="center"),
                    href=routes.HISTORY,
                    size="2",
                    white_space="nowrap",
                ),
                width="100%",
                align="center",
            ),
            interview_list(DashboardState.recent, "No interviews yet. Create your first one."),
            rx.cond(
                DashboardState.total > DashboardState.recent.length(),
                rx.text(DashboardState.total, " interviews in total", size="1", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.vstack(
                rx.heading("Hello, ", AuthState.display_name, size="7", as_="h1"),
                rx.text("Set up a mock interview, then talk it through with the interviewer.", color_scheme="gray"),
                spacing="1",
            ),
            rx.cond(  # a configured Gemini that the model check found unusable: say so before Start
                DashboardState.gemini_notice != "",
                rx.callout(
                    DashboardState.gemini_notice,
                    icon="triangle_alert",
                    color_scheme="amber",
                    role="status",
                    id="gemini-notice",
                    width="100%",
                ),
            ),
            rx.grid(
                new_interview_form(),
                recent_interviews(),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
            spacing="5",
            width="100%",
        ),
        max_width="72em",
    )
