"""The profile page: name and the default target role for new interviews."""

from __future__ import annotations

import reflex as rx

from preppal.services import auth
from preppal.services.errors import ServiceError
from preppal.state.auth import AuthState
from preppal.state.rows import format_when


class ProfileState(AuthState):
    profile_name: str = ""
    target_role: str = ""
    member_since: str = ""
    linked: list[str] = []
    has_password: bool = False
    saved: bool = False
    error: str = ""

    @rx.event
    def load(self):
        user_id = self.current_user_id()
        if not user_id:
            return
        user = auth.get_profile(user_id)
        self.profile_name, self.target_role = user.name, user.target_role
        self.member_since = format_when(user.created_at)
        self.has_password = bool(user.password_hash)
        self.linked = [p.title() if p != "github" else "GitHub" for p in auth.linked_providers(user_id)]
        self.saved, self.error = False, ""

    @rx.event
    def save(self, form: dict):
        user_id = self.current_user_id()
        if not user_id:
            return
        self.saved, self.error = False, ""
        try:
            user = auth.update_profile(
                user_id, name=str(form.get("name", "")), target_role=str(form.get("target_role", ""))
            )
        except ServiceError as exc:
            self.error = exc.message
            return
        self.profile_name, self.target_role = user.name, user.target_role
        self.name = user.name  # the top bar shows it
        self.saved = True
