"""The feedback queue: one Feedback row per COMPLETED interview, its states, claims and reads.

The row moves PENDING → RUNNING → READY | FAILED. Claiming a run (:func:`claim`) is a
compare-and-set on the row, so two workers never generate twice; a RUNNING row whose worker
died (no update for ``STALE_RUNNING_AFTER``) can be claimed again. A FAILED run keeps the
delivery metrics and never touches the transcript; the user may retry it.

One place starts feedback: the interview's move to COMPLETED creates its PENDING row in the
same transaction (``services.interviews.lifecycle.transition``). Everything else only reads
that queue: the jobs (services/feedback/jobs.py) poll it for PENDING and stale RUNNING rows
and run each in services/feedback/produce.py; the page and the export read the row. Each
claim bumps ``attempts``, and that number fences the run: its heartbeat (:class:`Heartbeat`)
and its result (:func:`finish`) only apply while the row is still its claim, so a run that
was presumed dead and reclaimed can never overwrite the new one.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import col, select

from preppal import display
from preppal.db import session_scope
from preppal.models import Feedback, FeedbackStatus, Interview, InterviewStatus, utcnow
from preppal.services.errors import Conflict, NotFound
from preppal.services.interviews import lifecycle

log = logging.getLogger("preppal.feedback")
F = FeedbackStatus
STALE_RUNNING_AFTER = timedelta(minutes=5)
HEARTBEAT_S = 60.0  # a run touches its row this often (well inside STALE_RUNNING_AFTER)


def _row(interview_id: str) -> Optional[Feedback]:
    with session_scope() as session:
        return session.exec(select(Feedback).where(Feedback.interview_id == interview_id)).first()


def _claimable() -> Any:
    stale = utcnow() - STALE_RUNNING_AFTER
    return sa.or_(Feedback.status == F.PENDING, sa.and_(Feedback.status == F.RUNNING, Feedback.updated_at < stale))


def claim(interview_id: str) -> Optional[int]:
    """PENDING (or stale RUNNING) → RUNNING as a compare-and-set on ``attempts``; returns the
    attempt number this caller now owns (its fencing token), None if someone else has it."""
    row = _row(interview_id)
    if row is None:
        return None
    with session_scope() as session:
        result = session.exec(
            sa.update(Feedback)
            .where(Feedback.interview_id == interview_id, Feedback.attempts == row.attempts, _claimable())
            .values(status=F.RUNNING, attempts=row.attempts + 1, error=None, updated_at=utcnow())
        )
        return row.attempts + 1 if result.rowcount == 1 else None


def _mine(interview_id: str, attempt: int) -> Any:
    return sa.and_(Feedback.interview_id == interview_id, Feedback.status == F.RUNNING, Feedback.attempts == attempt)


def finish(interview_id: str, attempt: int, status: FeedbackStatus, **values: Any) -> None:
    """RUNNING → READY | FAILED, only if the row is still this claim (a no-op if the run was
    reclaimed meanwhile or the interview deleted)."""
    with session_scope() as session:
        session.exec(
            sa.update(Feedback).where(_mine(interview_id, attempt)).values(status=status, updated_at=utcnow(), **values)
        )


class Heartbeat:
    """Touches a RUNNING row every ``HEARTBEAT_S`` while its run is alive (analysis of a long
    interview can outlast ``STALE_RUNNING_AFTER``); a dead worker stops beating and its row
    becomes claimable again."""

    def __init__(self, interview_id: str, attempt: int) -> None:
        self._id, self._attempt = interview_id, attempt
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"feedback-beat-{interview_id[:8]}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with session_scope() as session:
                    session.exec(sa.update(Feedback).where(_mine(self._id, self._attempt)).values(updated_at=utcnow()))
            except Exception:
                log.exception("feedback heartbeat for %s failed", self._id)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


def is_fallback(row: Optional[Feedback]) -> bool:
    """READY with the built-in analyzer because the AI feedback failed (retryable)."""
    return row is not None and row.status == F.READY and row.source == "analyzer" and bool(row.error)


def pending_ids(limit: int = 20) -> list[str]:
    """The queue: interviews whose feedback is owed, a PENDING row or a stale RUNNING one
    (oldest first: first come, first served). Rows are created by the COMPLETED transition."""
    with session_scope() as session:
        ids = session.exec(
            select(Feedback.interview_id)
            .join(Interview, col(Feedback.interview_id) == col(Interview.id))
            .where(_claimable())
            .order_by(col(Interview.ended_at))
            .limit(limit)
        ).all()
    return list(ids)


def get_feedback_any(interview_id: str) -> Optional[Feedback]:
    """Any interview's feedback row (workers and tests; no owner check)."""
    return _row(interview_id)


def get_feedback(user_id: int, interview_id: str) -> Optional[Feedback]:
    """The user's own interview's feedback (NotFound for anyone else's interview)."""
    lifecycle.get_interview(user_id, interview_id)
    return _row(interview_id)


def retry_feedback(user_id: int, interview_id: str) -> Feedback:
    """FAILED, or READY from the analyzer because AI feedback failed → PENDING, and start
    again (owner only). The audio metrics are kept, not measured again."""
    interview = lifecycle.get_interview(user_id, interview_id)
    if interview.status != InterviewStatus.COMPLETED:
        raise Conflict("Feedback is produced once the interview is completed.")
    row = _row(interview_id)
    if row is None:
        raise NotFound("That interview does not exist.")
    if row.status == F.FAILED or is_fallback(row):
        with session_scope() as session:
            session.exec(
                sa.update(Feedback)
                .where(
                    Feedback.interview_id == interview_id, Feedback.status == row.status, Feedback.error == row.error
                )
                .values(status=F.PENDING, error=None, updated_at=utcnow())
            )
    return _row(interview_id) or row  # PENDING again: the jobs pick it up


def feedback_for(user_id: int, interview_ids: list[str]) -> dict[str, Feedback]:
    """Feedback rows of the user's interviews among ``interview_ids`` (for the history list)."""
    if not interview_ids:
        return {}
    with session_scope() as session:
        rows = session.exec(
            select(Feedback)
            .join(Interview, col(Interview.id) == col(Feedback.interview_id))
            .where(Interview.user_id == user_id, col(Feedback.interview_id).in_(interview_ids))
        ).all()
    return {row.interview_id: row for row in rows}


def score_history(user_id: int, limit: int = 30) -> list[dict[str, Any]]:
    """The user's last ``limit`` READY feedbacks, oldest first: points for the progress charts."""
    with session_scope() as session:
        rows = session.exec(
            select(Interview, Feedback)
            .join(Feedback, col(Feedback.interview_id) == col(Interview.id))
            .where(Interview.user_id == user_id, Feedback.status == F.READY)
            .order_by(col(Interview.created_at).desc())
            .limit(limit)
        ).all()
    points = []
    for interview, fb in reversed(rows):
        m = fb.metrics or {}
        points.append(
            {
                "interview_id": interview.id,
                "date": display.day(interview.created_at),
                "role": interview.role,
                "score": fb.overall_score,
                # The chart's pace is words/min: a Japanese or Chinese interview (characters) stays off it.
                "wpm": m.get("wpm") if m.get("unit", "words") == "words" else None,
                "fillers_per_min": m.get("fillers_per_min"),
                "talk_ratio": m.get("talk_ratio"),
                "type": interview.interview_type.value,  # rubric competencies per type (history charts)
                "competencies": dict(fb.scores or {}),
            }
        )
    return points
