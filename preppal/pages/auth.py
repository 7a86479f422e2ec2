"""Sign-in and sign-up pages: native HTML forms posting to /api/auth/* (HttpOnly cookie),
plus "Continue with Google/GitHub" links when those providers are configured."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.components.layout import page
from preppal.components.native_form import native_form
from preppal.services.accounts import passwords
from preppal.state.sign_in import AuthFormState


def _field(label: str, name: str, kind: str = "text", hint: str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, style={"fontSize": "14px", "fontWeight": 500}),
        rx.input(id=name, name=name, type=kind, width="100%", size="3", **props),
        rx.text(hint, size="1", color_scheme="gray", id=f"{name}-hint") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _provider_button(provider: rx.Var[dict[str, str]]) -> rx.Component:
    """A link styled as a button (as_child): one focusable element, announced as a link."""
    return rx.button(
        rx.el.a(
            rx.icon("log-in", size=16),
            provider["label"],
            href=provider["href"],
            reload_document=True,  # an HTTP route, not a Reflex page: leave the client router
        ),
        as_child=True,
        variant="outline",
        color_scheme="gray",
        size="3",
        width="100%",
    )


def _providers() -> rx.Component:
    return rx.cond(
        AuthFormState.providers.length() > 0,
        rx.vstack(
            rx.foreach(AuthFormState.providers, _provider_button),
            rx.hstack(
                rx.separator(size="4", flex="1"),
                rx.text("or", size="1", color_scheme="gray"),
                rx.separator(size="4", flex="1"),
                align="center",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def _card(title: str, subtitle: str, action: str, button: str, *fields: rx.Component, footer: rx.Component):
    return page(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.vstack(
                        rx.heading(title, size="6", as_="h1"),
                        rx.text(subtitle, size="2", color_scheme="gray"),
                        spacing="1",
                    ),
                    rx.cond(
                        AuthFormState.error != "",
                        rx.callout(AuthFormState.error, icon="triangle_alert", color_scheme="red", role="alert"),
                    ),
                    _providers(),
                    native_form(
                        rx.vstack(
                            *fields,
                            rx.el.input(type="hidden", name="next", value=AuthFormState.next_path),
                            rx.button(button, type="submit", size="3", width="100%"),
                            spacing="4",
                            width="100%",
                        ),
                        action=action,
                        method="post",
                        style={"width": "100%"},
                    ),
                    footer,
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                max_width="26em",
                size="4",
            ),
            padding_top=["1em", "3em"],
        )
    )


def sign_in_page() -> rx.Component:
    return _card(
        "Sign in",
        "Practise interviews out loud with an AI interviewer.",
        routes.API_SIGN_IN,
        "Sign in",
        _field(
            "Email", "email", "email", required=True, auto_complete="email", default_value=AuthFormState.email_value
        ),
        _field("Password", "password", "password", required=True, auto_complete="current-password"),
        footer=rx.text("New here? ", rx.link("Create an account", href=AuthFormState.sign_up_href), size="2"),
    )


def sign_up_page() -> rx.Component:
    return _card(
        "Create your account",
        "It takes a minute; your interviews stay private to you.",
        routes.API_SIGN_UP,
        "Create account",
        _field("Name", "name", auto_complete="name", default_value=AuthFormState.name_value),
        _field(
            "Email", "email", "email", required=True, auto_complete="email", default_value=AuthFormState.email_value
        ),
        _field(
            "Password",
            "password",
            "password",
            hint=passwords.HINT,
            required=True,
            min_length=10,
            auto_complete="new-password",
            aria_describedby="password-hint",
        ),
        footer=rx.text("Already have an account? ", rx.link("Sign in", href=AuthFormState.sign_in_href), size="2"),
    )
