"""The profile page: name and the default target role for new interviews."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from preppal import display
from preppal.models import User
from preppal.services import auth
from preppal.services.calls import call_service
from preppal.services.errors import ServiceError
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
