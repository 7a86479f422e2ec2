"""The page shell: top bar with navigation and the signed-in user, centred content."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.components.native_form import native_form
from preppal.state.auth import AuthState


def _nav_link(label: str, href: str) -> rx.Component:
    return rx.link(
        label, href=href, size="2", weight="medium", color_scheme="gray", high_contrast=True, white_space="nowrap"
    )


def sign_out_form() -> rx.Component:
    """A real form post: the server clears the HttpOnly cookie."""
    return native_form(
        rx.button(
            "Sign out", type="submit", variant="ghost", size="2", color_scheme="gray", white_space="nowrap", margin="0"
        ),
        action=routes.API_SIGN_OUT,
        method="post",
        display="flex",
        align_items="center",
    )


def top_bar() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(rx.icon("mic", size=20), rx.heading("Preppal", size="5"), align="center", spacing="2"),
            href=routes.DASHBOARD,
            underline="none",
            color_scheme="gray",
            high_contrast=True,
        ),
        rx.spacer(),
        rx.cond(
            AuthState.signed_in,
            rx.hstack(
                _nav_link("New interview", routes.DASHBOARD),
                _nav_link("History", routes.HISTORY),
                _nav_link("Profile", routes.PROFILE),
                rx.text(AuthState.display_name, size="2", color_scheme="gray", display=["none", "none", "block"]),
                sign_out_form(),
                spacing=rx.breakpoints(initial="3", sm="4"),
                align="center",
                wrap="wrap",
            ),
        ),
        width="100%",
        wrap="wrap",  # on a phone the links drop under the logo instead of overflowing
        padding_x=rx.breakpoints(initial="1em", sm="1.5em"),
        padding_y="0.9em",
        border_bottom="1px solid var(--gray-a5)",
        align="center",
        role="navigation",
    )


def page(*children: rx.Component, max_width: str | rx.Var[str] = "64em") -> rx.Component:
    return rx.box(
        top_bar(),
        rx.box(
            *children,
            width="100%",
            max_width=max_width,
            margin_x="auto",
            padding_x="1.25em",
            padding_y="1.5em",
            as_="main",
        ),
        min_height="100vh",
        background="var(--gray-1)",
    )
