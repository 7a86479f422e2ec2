"""Profile: the name shown in the app and the role new interviews start from."""

from __future__ import annotations

import reflex as rx

from preppal.components.interview_bits import field, meta_item
from preppal.components.layout import page
from preppal.services.accounts import passwords
from preppal.state.auth import AuthState
from preppal.state.profile import ProfileState


def _password_input(name: str, auto_complete: str, element_id: str = "") -> rx.Component:
    return rx.input(
        id=element_id or name,
        name=name,
        type="password",
        max_length=1024,
        auto_complete=auto_complete,
        size="3",
        width="100%",
    )


def _password_card() -> rx.Component:
    """Change / set / remove the password; Google- or GitHub-only accounts can add one."""
    return rx.card(
        rx.vstack(
            rx.heading("Password", size="4", as_="h2"),
            rx.form(
                rx.vstack(
                    rx.cond(
                        ProfileState.has_password,
                        field(
                            "Current password",
                            _password_input("current_password", "current-password"),
                            "current_password",
                        ),
                        rx.text(
                            "You sign in with " + ProfileState.linked.join(" or ") + ". You can also set a password.",
                            size="2",
                        ),
                    ),
                    field(
                        "New password",
                        _password_input("new_password", "new-password"),
                        "new_password",
                        hint=passwords.HINT,
                    ),
                    field(
                        "New password again",
                        _password_input("new_password_again", "new-password"),
                        "new_password_again",
                    ),
                    rx.button(
                        rx.cond(ProfileState.has_password, "Change password", "Set a password"),
                        type="submit",
                        size="3",
                    ),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                on_submit=ProfileState.change_password,
                reset_on_submit=True,
            ),
            rx.cond(
                ProfileState.can_remove_password,
                rx.form(
                    rx.vstack(
                        rx.separator(size="4"),
                        rx.text(
                            "Remove the password to sign in only with " + ProfileState.linked.join(" or ") + ".",
                            size="2",
                        ),
                        field(
                            "Current password",
                            _password_input("current_password", "current-password", "remove_current"),
                            "remove_current",
                        ),
                        rx.button("Remove password", type="submit", size="2", color_scheme="red", variant="soft"),
                        spacing="3",
                        width="100%",
                        align="start",
                    ),
                    on_submit=ProfileState.remove_password,
                    reset_on_submit=True,
                ),
            ),
            rx.cond(
                ProfileState.password_error != "",
                rx.callout(ProfileState.password_error, icon="triangle_alert", color_scheme="red", role="alert"),
            ),
            rx.cond(
                ProfileState.password_message != "",
                rx.callout(ProfileState.password_message, icon="check", color_scheme="green", role="status"),
            ),
            spacing="4",
            width="100%",
            align="start",
        ),
        size="3",
        width="100%",
    )


def profile_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Profile", size="7", as_="h1"),
            rx.cond(
                ProfileState.password_removed_notice & ~ProfileState.has_password,
                rx.callout(
                    "You are signed in with "
                    + ProfileState.linked.join(" or ")
                    + ". The password that had been set on this account was removed: it was never confirmed to"
                    " belong to the owner of this email address (anyone can type an address when signing up),"
                    " and every other browser signed in with it was signed out. Set a new password below if you"
                    " want one.",
                    icon="shield_check",
                    color_scheme="amber",
                    role="status",
                ),
            ),
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
            _password_card(),
            spacing="4",
            width="100%",
        ),
        max_width="40em",
    )
