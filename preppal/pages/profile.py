"""Profile: the name shown in the app and the role new interviews start from."""

from __future__ import annotations

import reflex as rx

from preppal.components.interview_bits import field, meta_item
from preppal.components.layout import page
from preppal.state.auth import AuthState
from preppal.state.profile import ProfileState


def profile_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Profile", size="7", as_="h1"),
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.flex(
                            meta_item("Email", AuthState.email),
                            meta_item("Member since", ProfileState.member_since),
                            meta_item(
                                "Sign-in",
                                rx.cond(ProfileState.has_password, "Password", "")
                                + rx.cond(
                                    ProfileState.linked.length() > 0,
                                    rx.cond(ProfileState.has_password, " · ", "") + ProfileState.linked.join(", "),
                                    "",
                                ),
                            ),
                            spacing="5",
                            wrap="wrap",
                        ),
                        rx.separator(size="4"),
                        field(
                            "Name",
                            rx.input(
                                id="name",
                                name="name",
                                default_value=ProfileState.profile_name,
                                key=ProfileState.profile_name,
                                max_length=200,
                                auto_complete="name",
                                size="3",
                                width="100%",
                            ),
                            "name",
                        ),
                        field(
                            "Target role",
                            rx.input(
                                id="target_role",
                                name="target_role",
                                default_value=ProfileState.target_role,
                                key=ProfileState.target_role,
                                max_length=200,
                                placeholder="e.g. Product manager",
                                size="3",
                                width="100%",
                            ),
                            "target_role",
                            hint="New interviews start with this role filled in.",
                        ),
                        rx.cond(
                            ProfileState.error != "",
                            rx.callout(ProfileState.error, icon="triangle_alert", color_scheme="red", role="alert"),
                        ),
                        rx.cond(
                            ProfileState.saved,
                            rx.callout("Saved.", icon="check", color_scheme="green", role="status"),
                        ),
                        rx.button("Save", type="submit", size="3"),
                        spacing="4",
                        width="100%",
                        align="start",
                    ),
                    on_submit=ProfileState.save,
                    reset_on_submit=False,
                ),
                size="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        max_width="40em",
    )
