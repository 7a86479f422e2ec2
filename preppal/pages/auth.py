"""Sign-in and sign-up pages: native HTML forms posting to /api/auth/* (HttpOnly cookie)."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.components.layout import page
from preppal.components.native_form import native_form
from preppal.state.auth import AuthState


class AuthFormState(AuthState):
    """Echoes the query string back into the form after a failed attempt."""

    @rx.var
    def error(self) -> str:
        return self.router.url.query_parameters.get("error", "")

    @rx.var
    def email_value(self) -> str:
        return self.router.url.query_parameters.get("email", "")

    @rx.var
    def next_path(self) -> str:
        return self.router.url.query_parameters.get("next", "")


def _field(label: str, name: str, kind: str = "text", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, style={"fontSize": "14px", "fontWeight": 500}),
        rx.input(id=name, name=name, type=kind, width="100%", size="3", **props),
        spacing="1",
        width="100%",
    )


def _card(title: str, action: str, button: str, *fields: rx.Component, footer: rx.Component) -> rx.Component:
    return page(
        rx.center(
            rx.card(
                native_form(
                    rx.vstack(
                        rx.heading(title, size="6"),
                        rx.cond(
                            AuthFormState.error != "",
                            rx.callout(AuthFormState.error, icon="triangle_alert", color_scheme="red", role="alert"),
                        ),
                        *fields,
                        rx.el.input(type="hidden", name="next", value=AuthFormState.next_path),
                        rx.button(button, type="submit", size="3", width="100%"),
                        footer,
                        spacing="4",
                        width="100%",
                    ),
                    action=action,
                    method="post",
                ),
                width="100%",
                max_width="26em",
                size="4",
            ),
            padding_top="3em",
        )
    )


def sign_in_page() -> rx.Component:
    return _card(
        "Sign in",
        "/api/auth/sign-in",
        "Sign in",
        _field(
            "Email", "email", "email", required=True, auto_complete="email", default_value=AuthFormState.email_value
        ),
        _field("Password", "password", "password", required=True, auto_complete="current-password"),
        footer=rx.text("New here? ", rx.link("Create an account", href=routes.SIGN_UP), size="2"),
    )


def sign_up_page() -> rx.Component:
    return _card(
        "Create your account",
        "/api/auth/sign-up",
        "Create account",
        _field("Name", "name", auto_complete="name"),
        _field(
            "Email", "email", "email", required=True, auto_complete="email", default_value=AuthFormState.email_value
        ),
        _field(
            "Password (at least 10 characters)", "password", "password", required=True, auto_complete="new-password"
        ),
        footer=rx.text("Already have an account? ", rx.link("Sign in", href=routes.SIGN_IN), size="2"),
    )
