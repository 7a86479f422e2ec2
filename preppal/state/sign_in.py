"""State behind the sign-in / sign-up forms: errors and values echoed from the query string
after a failed post, and the OAuth providers that are configured."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from preppal.services import oauth
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
    def next_query(self) -> str:
        nxt = self.router.url.query_parameters.get("next", "")
        return f"?next={quote(nxt, safe='')}" if nxt else ""

    @rx.var
    def providers(self) -> list[dict[str, str]]:
        """Configured OAuth providers only; their buttons link to the HTTP start route."""
        nxt = self.router.url.query_parameters.get("next", "")
        suffix = f"?next={quote(nxt, safe='')}" if nxt else ""
        return [
            {"name": p.name, "label": f"Continue with {p.label}", "href": f"/api/auth/oauth/{p.name}/start{suffix}"}
            for p in oauth.configured_providers()
        ]
