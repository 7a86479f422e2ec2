"""Who is signed in, resolved server-side from the HttpOnly session cookie.

The cookie is set by the HTTP sign-in routes (preppal/api/auth_routes.py) and arrives with
the page's socket headers; JavaScript never sees it. Protected pages use
``on_load=AuthState.require_login``; other states ``await self.current_user_id()``. The
session lookup is a database query, so it runs through :func:`call_service` like every
other service call from state: never on the event loop the live audio shares.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import reflex as rx

from preppal import routes
from preppal.services.accounts import auth
from preppal.services.pools import call_service


class AuthState(rx.State):
    user_id: int = 0
    email: str = ""
    name: str = ""

    def _session_token(self) -> str:
        jar = SimpleCookie()
        try:
            jar.load(self.router.headers.cookie or "")
        except Exception:  # a malformed Cookie header is the same as none
            return ""
        morsel = jar.get(auth.SESSION_COOKIE)
        return morsel.value if morsel else ""

    def _auth_state(self) -> AuthState:
        """The AuthState instance itself (``self`` may be one of its substates)."""
        state = self
        while type(state) is not AuthState and state.parent_state is not None:
            state = state.parent_state
        return state  # type: ignore[return-value]

    async def _resolve(self) -> bool:
        user = await call_service(auth.user_for_session, self._session_token())
        user_id = (user.id or 0) if user is not None else 0
        root = self._auth_state()
        if user_id != root.user_id:
            # Another user (or none) in this tab: every user-bound page state (dashboard form,
            # résumé, history filters, profile…) goes back to its defaults, so nothing one
            # person typed is shown to the next one who signs in here.
            root.reset()
        if user is None:
            self.user_id, self.email, self.name = 0, "", ""
            return False
        self.user_id, self.email, self.name = user_id, user.email, user.name
        return True

    async def current_user_id(self) -> int:
        """The signed-in user's id (re-checked against the session), 0 when signed out."""
        return self.user_id if await self._resolve() else 0

    @rx.var
    def signed_in(self) -> bool:
        return self.user_id > 0

    @rx.var
    def display_name(self) -> str:
        return self.name or self.email

    def route_interview_id(self) -> str:
        """The ``[interview_id]`` argument of this page's route, as Reflex parsed it ("" elsewhere)."""
        return str(getattr(self, routes.INTERVIEW_ARG, "") or "")

    def sign_in_redirect(self):
        """Off to sign-in, and back to this page afterwards."""
        return rx.redirect(routes.sign_in_url(self.router.url.path or routes.HOME))

    @rx.event
    async def require_login(self):
        """on_load guard for protected pages: sign-in first, then back to this page."""
        if not await self._resolve():
            return self.sign_in_redirect()

    @rx.event
    async def route_home(self):
        """on_load for ``/``: the dashboard when signed in, else sign-in."""
        return rx.redirect(routes.DASHBOARD if await self._resolve() else routes.SIGN_IN)

    @rx.event
    async def redirect_if_signed_in(self):
        """on_load for the sign-in pages and the landing page."""
        if await self._resolve():
            return rx.redirect(routes.DASHBOARD)
