"""The interview detail page: status, settings, and the transcript once there is one."""

from __future__ import annotations

import reflex as rx

from preppal import routes
from preppal.services import interviews
from preppal.services.errors import NotFound
from preppal.state.auth import AuthState
from preppal.state.rows import interview_row, transcript_row


class InterviewDetailState(AuthState):
    found: bool = False
    loaded: bool = False
    detail: dict[str, str] = {}
    transcript: list[dict[str, str]] = []

    def _requested_id(self) -> str:
        return routes.interview_id_from_path(self.router.url.path)

    @rx.event
    def load(self):
        self.loaded, self.found, self.detail, self.transcript = False, False, {}, []
        user_id = self.current_user_id()
        if not user_id:
            return
        try:
            interview = interviews.get_interview(user_id, self._requested_id())  # owner check
        except NotFound:
            self.loaded = True
            return
        self.detail = interview_row(interview)
        self.transcript = [transcript_row(e) for e in interviews.get_transcript(interview.id)]
        self.found = self.loaded = True

    @rx.var
    def status(self) -> str:
        return self.detail.get("status", "")

    @rx.var
    def has_transcript(self) -> bool:
        return len(self.transcript) > 0
