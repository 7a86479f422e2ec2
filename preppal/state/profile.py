"""The profile page: name, the default target role for new interviews, and the password
(change it, set one on a Google/GitHub-only account, or remove it when a provider is linked)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from preppal import display
from preppal.models import User
from preppal.services.accounts import auth
from preppal.services.errors import ServiceError
from preppal.services.pools import call_service
from preppal.state.auth import AuthState


@dataclass(frozen=True)
class _Profile:
    user: User
    providers: list[str]


def _profile(user_id: int) -> _Profile:
    return _Profile(auth.get_profile(user_id), auth.linked_providers(user_id))


class ProfileState(AuthState):
    profile_name: str = ""
    target_role: str = ""
    member_since: str = ""
    linked: list[str] = []
    has_password: bool = False
    saved: bool = False
    error: str = ""
    password_error: str = ""
    password_message: str = ""

    @rx.var
    def password_removed_notice(self) -> bool:
        """Arrived from a first Google/GitHub sign-in that dropped a never-proven password."""
        return self.router.url.query_parameters.get("notice", "") == "password-removed"

    @rx.var
    def can_remove_password(self) -> bool:
        return self.has_password and len(self.linked) > 0

    @rx.event
    async def load(self):
        user_id = await self.current_user_id()
        if not user_id:
            return
        profile = await call_service(_profile, user_id)
        user = profile.user
        self.profile_name, self.target_role = user.name, user.target_role
        self.member_since = display.when(user.created_at)
        self.has_password = bool(user.password_hash)
        self.linked = [display.provider_label(p) for p in profile.providers]
        self.saved, self.error = False, ""
        self.password_error = self.password_message = ""

    @rx.event
    async def save(self, form: dict):
        user_id = await self.current_user_id()
        if not user_id:
            return
        self.saved, self.error = False, ""
        try:
            user = await call_service(
                auth.update_profile,
                user_id,
                name=str(form.get("name", "")),
                target_role=str(form.get("target_role", "")),
            )
        except ServiceError as exc:
            self.error = exc.message
            return
        self.profile_name, self.target_role = user.name, user.target_role
        self.name = user.name  # the top bar shows it
        self.saved = True

    @rx.event
    async def change_password(self, form: dict):
        """Set a new password (the current one is asked for when there is one)."""
        user_id = await self.current_user_id()
        if not user_id:
            return
        self.password_error = self.password_message = ""
        new, again = str(form.get("new_password", "")), str(form.get("new_password_again", ""))
        if new != again:
            self.password_error = "The two new passwords differ."
            return
        try:  # Argon2 takes ~0.2 s of CPU: never on the event loop
            await call_service(
                auth.change_password,
                user_id,
                str(form.get("current_password", "")),
                new,
                keep_token=self._session_token(),
            )
        except ServiceError as exc:
            self.password_error = exc.message
            return
        self.password_message = (
            "Password changed. Other browsers signed in to this account were signed out."
            if self.has_password
            else "Password set: you can now also sign in with your email and this password."
        )
        self.has_password = True

    @rx.event
    async def remove_password(self, form: dict):
        """Sign in only through the linked provider(s) from now on."""
        user_id = await self.current_user_id()
        if not user_id:
            return
        self.password_error = self.password_message = ""
        try:
            await call_service(
                auth.remove_password, user_id, str(form.get("current_password", "")), keep_token=self._session_token()
            )
        except ServiceError as exc:
            self.password_error = exc.message
            return
        self.has_password = False
        self.password_message = "Password removed: sign in with " + " or ".join(self.linked) + " from now on."
