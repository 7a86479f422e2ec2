"""The history page: the user's interviews filtered and paginated, delete with confirmation,
and progress charts of score and delivery across interviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Optional

import reflex as rx

from preppal import process_context, rubric
from preppal.models import FeedbackStatus, InterviewStatus
from preppal.services.errors import ServiceError
from preppal.services.feedback import queue as feedback_service
from preppal.services.interviews import lifecycle
from preppal.services.pools import call_service
from preppal.state.auth import AuthState
from preppal.state.rows import interview_row
from preppal.state.scorecard_view import competency_history

PER_PAGE = 10
CHART_POINTS = 30


@dataclass
class HistoryRow:
    id: str
    created: str
    type_label: str
    role: str
    difficulty: str
    language: str
    duration: str
    status: str
    score: str  # "82", "…" while it is being written, "–" without
    href: str
    export_md: str
    aria: str
    label: str  # role · type · date: which interview the delete dialog means
    deletable: bool


def _day(value: str, *, end: bool = False) -> Optional[datetime]:
    """A yyyy-mm-dd filter as a UTC bound; ``end`` makes the day inclusive."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment + timedelta(days=1) if end else moment


def _score(fb) -> str:
    if fb is None:
        return "–"
    if fb.status in (FeedbackStatus.PENDING, FeedbackStatus.RUNNING):
        return "…"
    if fb.status == FeedbackStatus.READY and fb.overall_score is not None:
        return str(fb.overall_score)
    return "–"


class HistoryState(AuthState):
    rows: list[HistoryRow] = []
    page_no: int = 1
    pages: int = 1
    total: int = 0
    status_filter: str = "all"
    type_filter: str = "all"
    query: str = ""  # the applied search
    query_draft: str = ""  # what is typed in the box (applied on submit)
    since: str = ""
    until: str = ""
    chart: list[dict[str, Any]] = []
    # per interview type (state/scorecard_view.py); every type's key is there, empty or not
    competency_chart: dict[str, list[dict[str, Any]]] = {kind: [] for kind in rubric.TYPES}
    delete_id: str = ""
    delete_label: str = ""
    message: str = ""
    loaded: bool = False

    async def _refresh(self, user_id: int) -> None:
        try:
            result = await call_service(
                lifecycle.list_history,
                user_id,
                page=self.page_no,
                per_page=PER_PAGE,
                status=None if self.status_filter == "all" else self.status_filter,
                interview_type=None if self.type_filter == "all" else self.type_filter,
                query=self.query,
                since=_day(self.since),
                until=_day(self.until, end=True),
            )
        except ValueError:  # an unknown filter value from a tampered client
            self.status_filter = self.type_filter = "all"
            return await self._refresh(user_id)
        if result.items == [] and self.page_no > 1 and result.total:
            self.page_no = result.pages
            return await self._refresh(user_id)
        scores = await call_service(feedback_service.feedback_for, user_id, [i.id for i in result.items])
        rows = []
        for interview in result.items:
            d = interview_row(interview)
            completed = interview.status == InterviewStatus.COMPLETED
            rows.append(
                HistoryRow(
                    id=interview.id,
                    created=d["created"],
                    type_label=d["type_label"],
                    role=d["role"],
                    difficulty=d["difficulty"],
                    language=d["language_name"],
                    duration=d["duration"],
                    status=d["status"],
                    score=_score(scores.get(interview.id)),
                    href=d["feedback_href"] if completed else d["href"],
                    export_md=d["export_md"],
                    aria=d["aria"],
                    label=d["label"],
                    deletable=interview.status != InterviewStatus.IN_PROGRESS,
                )
            )
        self.rows, self.total, self.pages = rows, result.total, result.pages
        self.chart = await call_service(feedback_service.score_history, user_id, CHART_POINTS)
        self.competency_chart = competency_history(self.chart)
        self.loaded = True

    async def _reload(self, *, first_page: bool = True):
        user_id = await self.current_user_id()
        if not user_id:
            return self.sign_in_redirect()
        if first_page:
            self.page_no = 1
        await self._refresh(user_id)

    @rx.event
    async def load(self):
        self.message, self.delete_id = "", ""
        return await self._reload(first_page=False)

    @rx.event
    async def set_status_filter(self, value: str):
        self.status_filter = value or "all"
        return await self._reload()

    @rx.event
    async def set_type_filter(self, value: str):
        self.type_filter = value or "all"
        return await self._reload()

    @rx.event
    async def set_since(self, value: str):
        self.since = value
        return await self._reload()

    @rx.event
    async def set_until(self, value: str):
        self.until = value
        return await self._reload()

    @rx.event
    async def search(self, form: dict[str, Any]):
        self.query = self.query_draft = str(form.get("query", self.query_draft))[:200]
        return await self._reload()

    @rx.event
    def set_query_draft(self, value: str):
        self.query_draft = value[:200]

    @rx.event
    async def clear_filters(self):
        self.status_filter = self.type_filter = "all"
        self.query = self.query_draft = self.since = self.until = ""
        return await self._reload()

    @rx.event
    async def next_page(self):
        self.page_no = min(self.pages, self.page_no + 1)
        return await self._reload(first_page=False)

    @rx.event
    async def prev_page(self):
        self.page_no = max(1, self.page_no - 1)
        return await self._reload(first_page=False)

    @rx.event
    def ask_delete(self, interview_id: str, label: str):
        self.delete_id, self.delete_label, self.message = interview_id, label, ""

    @rx.event
    def cancel_delete(self):
        self.delete_id = self.delete_label = ""

    @rx.event
    def dialog_open_change(self, is_open: bool):
        """Escape or a click outside closes the dialog: forget the pending delete."""
        if not is_open:
            self.delete_id = self.delete_label = ""

    @rx.event
    async def confirm_delete(self):
        user_id = await self.current_user_id()
        if not user_id:
            return self.sign_in_redirect()
        try:  # owner-checked; transcript + feedback go too
            recordings = process_context.current().recordings
            await call_service(lifecycle.delete_interview, user_id, self.delete_id, recordings)
            self.message = f"Deleted “{self.delete_label}”."
        except ServiceError as exc:
            self.message = exc.message
        self.delete_id = self.delete_label = ""
        await self._refresh(user_id)

    @rx.var
    def filtered(self) -> bool:
        return bool(self.status_filter != "all" or self.type_filter != "all" or self.query or self.since or self.until)

    @rx.var
    def confirm_open(self) -> bool:
        return self.delete_id != ""

    @rx.var
    def page_label(self) -> str:
        return f"Page {self.page_no} of {self.pages} · {self.total} interview{'s' if self.total != 1 else ''}"

    @rx.var
    def has_chart(self) -> bool:
        return len(self.chart) > 0
