"""State behind the sign-in / sign-up forms: errors and values echoed from the query string
after a failed post, and the OAuth providers that are configured."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.services.accounts import oauth
from preppal.state.auth import AuthState


class AuthFormState(AuthState):
    @rx.var
    def error(self) -> str:
        return self.router.url.query_parameters.get("error", "")

    @rx.var
    def email_value(self) -> str:
        return self.router.url.query_parameters.get("email", "")

    @rx.var
    def name_value(self) -> str:
        return self.router.url.query_parameters.get("name", "")

    @rx.var
    def next_path(self) -> str:
        return self.router.url.query_parameters.get("next", "")

    @rx.var
    def sign_up_href(self) -> str:
        return routes.with_next(routes.SIGN_UP, self.router.url.query_parameters.get("next", ""))

    @rx.var
    def sign_in_href(self) -> str:
        return routes.sign_in_url(self.router.url.query_parameters.get("next", ""))

    @rx.event
    def focus_after_error(self):
        """on_load of the sign-in page: after "Wrong email or password." the email is filled
        in again and the password is what to retype, so the focus goes there."""
        if self.error:
            return rx.set_focus("password")
        return None

    @rx.var
    def providers(self) -> list[dict[str, str]]:
        """Configured OAuth providers only; their buttons link to the HTTP start route."""
        nxt = self.router.url.query_parameters.get("next", "")
        return [
            {"name": p.name, "label": f"Continue with {p.label}", "href": routes.oauth_start_url(p.name, nxt)}
            for p in oauth.configured_providers()
        ]
