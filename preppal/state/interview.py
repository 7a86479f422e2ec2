"""The interview detail page: status, settings, and the transcript once there is one."""

from __future__ import annotations

import reflex as rx

from preppal.services.errors import NotFound
from preppal.services.interviews import transcripts
from preppal.services.pools import call_service
from preppal.state.auth import AuthState
from preppal.state.rows import interview_row, transcript_row


class InterviewDetailState(AuthState):
    found: bool = False
    loaded: bool = False
    detail: dict[str, str] = {}
    transcript: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        self.loaded, self.found, self.detail, self.transcript = False, False, {}, []
        user_id = await self.current_user_id()
        if not user_id:
            return
        try:  # owner-checked: someone else's interview is NotFound
            record = await call_service(transcripts.get_with_transcript, user_id, self.route_interview_id())
        except NotFound:
            self.loaded = True
            return
        self.detail = interview_row(record.interview)
        self.transcript = [transcript_row(e) for e in record.transcript]
        self.found = self.loaded = True

    @rx.var
    def status(self) -> str:
        return self.detail.get("status", "")

    @rx.var
    def has_transcript(self) -> bool:
        return len(self.transcript) > 0
