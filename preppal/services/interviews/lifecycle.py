"""Interviews: creation, history, deletion and the status lifecycle.

Every status change goes through :func:`update_status` (or
:func:`~preppal.services.interviews.transcripts.submit_transcript`, which ends an interview in
the same transaction as its transcript); both meet in :func:`transition`. Transitions are
compare-and-set on the row, so two callers can never both move PENDING→IN_PROGRESS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from preppal import gemini_status
from preppal.db import session_scope
from preppal.languages import CODES, DEFAULT_LANGUAGE, is_supported, offline_refusal
from preppal.models import (
    Difficulty,
    Feedback,
    Interview,
    InterviewStatus,
    InterviewType,
    ScorecardEntry,
    TranscriptEntry,
    User,
    utcnow,
)
from preppal.patience import Patience
from preppal.services import input_limits, rate_limit
from preppal.services.errors import (
    AlreadyLive,
    Conflict,
    InvalidTransition,
    NotFound,
    Unavailable,
    ValidationError,
)
from preppal.services.interviews import leases
from preppal.services.recordings.store import RecordingStore

S = InterviewStatus
LEGAL_TRANSITIONS: dict[InterviewStatus, frozenset[InterviewStatus]] = {
    S.PENDING: frozenset({S.IN_PROGRESS, S.ERROR}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.ERROR}),
    S.COMPLETED: frozenset(),
    S.ERROR: frozenset(),
}
MAX_ROLE = input_limits.MAX_ROLE
MAX_JOB_DESCRIPTION = input_limits.MAX_JOB_DESCRIPTION
MAX_RESUME = input_limits.MAX_RESUME
HEARTBEAT_STALE_AFTER = timedelta(seconds=90)  # renewed with the lease while live (services/interviews/leases.py)
ALREADY_LIVE = "You already have another interview in progress. End it (or wait for it to finish) first."


@dataclass(frozen=True)
class HistoryPage:
    items: list[Interview]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def language_unavailable(language: str) -> Optional[str]:
    """Why an interview in ``language`` cannot run on this server now (None: it can).

    Without a working Gemini interviewer the offline interviewer runs, with its own languages.
    """
    return None if gemini_status.interviewer_in_use() == "gemini" else offline_refusal(language)


def create_interview(
    user_id: int,
    *,
    interview_type: str | InterviewType,
    role: str,
    difficulty: str | Difficulty = Difficulty.STANDARD,
    job_description: str = "",
    resume_text: str = "",
    language: str = DEFAULT_LANGUAGE,
    patience: str = "",
    hands_free: bool = True,
) -> Interview:
    role = (role or "").strip()
    if not role:
        raise ValidationError("Please enter the role you are interviewing for.")
    if len(role) > MAX_ROLE:
        raise ValidationError(f"The role is too long (at most {MAX_ROLE} characters).")
    if len(job_description or "") > MAX_JOB_DESCRIPTION:
        raise ValidationError(f"The job description is too long (at most {MAX_JOB_DESCRIPTION:,} characters).")
    if len(resume_text or "") > MAX_RESUME:
        raise ValidationError(f"The résumé is too long (at most {MAX_RESUME:,} characters).")
    try:
        kind, level = InterviewType(interview_type), Difficulty(difficulty)
    except ValueError as exc:
        raise ValidationError(f"Unknown interview setting: {exc}") from None
    if not is_supported(language):
        raise ValidationError(f"Unknown interview language; choose one of {', '.join(CODES)}.")
    if patience and patience not in {p.value for p in Patience}:
        raise ValidationError("Unknown patience; choose quick, steady or patient (or leave it to the difficulty).")
    rate_limit.hit(rate_limit.interview_rate(), user_id)  # TooManyRequests when over
    interview = Interview(
        user_id=user_id,
        interview_type=kind,
        role=role,
        difficulty=level,
        job_description=(job_description or "").strip(),
        resume_text=(resume_text or "").strip(),
        language=language,
        patience=patience,
        hands_free=hands_free,
    )
    with session_scope() as session:
        session.add(interview)
    return interview


def _owned(session: Session, user_id: int, interview_id: str) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None or interview.user_id != user_id:
        raise NotFound("That interview does not exist.")
    return interview


def get_interview(user_id: int, interview_id: str) -> Interview:
    """The user's own interview; another user's is reported as not found."""
    with session_scope() as session:
        return _owned(session, user_id, interview_id)


def clone(user_id: int, interview_id: str) -> Interview:
    """Practise again: a new PENDING interview with the same settings as one of the user's
    (its language too; refused with the reason when this server cannot run that language)."""
    old = get_interview(user_id, interview_id)
    if refusal := language_unavailable(old.language):
        raise Conflict(f"{refusal} Choose English, or ask whoever runs Preppal to add a key.")
    return create_interview(
        user_id,
        interview_type=old.interview_type,
        role=old.role,
        difficulty=old.difficulty,
        job_description=old.job_description,
        resume_text=old.resume_text,
        language=old.language,
        patience=old.patience,
        hands_free=old.hands_free,
    )


def get_interview_any(interview_id: str) -> Optional[Interview]:
    """Internal lookup for the relay and worker-authenticated calls (no owner check)."""
    with session_scope() as session:
        return session.get(Interview, interview_id)


def list_history(
    user_id: int,
    page: int = 1,
    per_page: int = 10,
    *,
    status: Optional[str] = None,
    interview_type: Optional[str] = None,
    query: str = "",
    since: Optional[datetime] = None,
    until: Optional[datetime] = None,
) -> HistoryPage:
    """The user's interviews, newest first, filtered and paginated."""
    page, per_page = max(1, page), min(max(1, per_page), 100)
    cond = [Interview.user_id == user_id]
    if status:
        cond.append(Interview.status == InterviewStatus(status))
    if interview_type:
        cond.append(Interview.interview_type == InterviewType(interview_type))
    if query.strip():
        needle = f"%{query.strip().lower()}%"
        cond.append(sa.or_(func.lower(Interview.role).like(needle), func.lower(Interview.job_description).like(needle)))
    if since:
        cond.append(Interview.created_at >= since)
    if until:
        cond.append(Interview.created_at < until)
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(Interview).where(*cond)).one()
        items = session.exec(
            select(Interview)
            .where(*cond)
            .order_by(col(Interview.created_at).desc(), col(Interview.id))
            .offset((page - 1) * per_page)
            .limit(per_page)
        ).all()
    return HistoryPage(items=list(items), total=int(total), page=page, per_page=per_page)


def delete_interview(user_id: int, interview_id: str, recordings: RecordingStore) -> None:
    """Delete an interview with its transcript, code snapshots, feedback and recording (not
    while it is live).

    The recording goes first (from ``recordings``, the process's store): if storage fails,
    nothing is deleted and the candidate can try again, so no recording is ever left behind
    without its interview."""
    from preppal.models import CodeSnapshot, Feedback, UsedWorkerToken  # local: only deletion needs them

    def check_deletable(session: Session) -> Interview:
        interview = _owned(session, user_id, interview_id)
        if interview.status == InterviewStatus.IN_PROGRESS:
            raise Conflict("This interview is still live; end it before deleting it.")
        return interview

    with session_scope() as session:
        check_deletable(session)
    try:
        recordings.delete(interview_id)
    except Exception as exc:
        raise Unavailable("The recording could not be deleted just now; please try again.") from exc
    with session_scope() as session:
        interview = check_deletable(session)
        session.exec(sa.delete(TranscriptEntry).where(TranscriptEntry.interview_id == interview_id))
        session.exec(sa.delete(CodeSnapshot).where(CodeSnapshot.interview_id == interview_id))
        session.exec(sa.delete(ScorecardEntry).where(ScorecardEntry.interview_id == interview_id))
        session.exec(sa.delete(UsedWorkerToken).where(UsedWorkerToken.interview_id == interview_id))
        session.exec(sa.delete(Feedback).where(Feedback.interview_id == interview_id))
        session.delete(interview)


def _others_live(interview_id_col, user_id_col, cutoff: datetime):
    """SQL: another interview of the same user is IN_PROGRESS with a fresh heartbeat."""
    other = aliased(Interview)
    return (
        sa.exists()
        .where(
            other.user_id == user_id_col,
            other.id != interview_id_col,
            other.status == S.IN_PROGRESS,
            other.heartbeat_at >= cutoff,
        )
        .correlate_except(other)
    )


def other_live_interview(user_id: int, interview_id: str) -> bool:
    """Whether the user has another live interview (one live interview per user)."""
    cutoff = utcnow() - HEARTBEAT_STALE_AFTER
    with session_scope() as session:
        return bool(
            session.exec(
                select(sa.literal(True)).where(_others_live(sa.literal(interview_id), user_id, cutoff))
            ).first()
        )


def transition(
    session: Session,
    interview_id: str,
    new: InterviewStatus,
    *,
    expected: Optional[InterviewStatus] = None,
    owner: Optional[str] = None,
    **values: object,
) -> Interview:
    """Compare-and-set one status change inside ``session``; raise if illegal or lost.

    ``owner``: the relay process making the change must hold the interview's lease.
    Going COMPLETED queues the interview's feedback (a PENDING Feedback row) in the same
    transaction: the one place feedback starts from; the jobs that produce it only read
    the queue (services/feedback/jobs.py)."""
    leases.assert_holder(session, interview_id, owner)
    current = session.exec(select(Interview.status).where(Interview.id == interview_id)).first()
    if current is None:
        raise NotFound("That interview does not exist.")
    current = InterviewStatus(current)
    if expected is not None and current != expected:
        raise Conflict(f"Interview is {current.value}, not {expected.value}.")
    if new not in LEGAL_TRANSITIONS[current]:
        raise InvalidTransition(f"An interview cannot go from {current.value} to {new.value}.")
    conditions = [Interview.id == interview_id, Interview.status == current]
    if new == S.IN_PROGRESS:
        # One live interview per user, atomically: the user's row is locked (PostgreSQL;
        # SQLite serializes writers anyway) and the update itself checks for another one.
        user_id = session.exec(select(Interview.user_id).where(Interview.id == interview_id)).one()
        session.exec(select(User.id).where(User.id == user_id).with_for_update())
        conditions.append(~_others_live(Interview.id, Interview.user_id, utcnow() - HEARTBEAT_STALE_AFTER))
    result = session.exec(sa.update(Interview).where(*conditions).values(status=new, **values))
    if result.rowcount != 1:
        if (
            new == S.IN_PROGRESS
            and session.exec(select(Interview.status).where(Interview.id == interview_id)).one() == current
        ):
            raise AlreadyLive(ALREADY_LIVE)
        raise Conflict("The interview changed status at the same time; try again.")
    if new == S.COMPLETED:
        session.add(Feedback(interview_id=interview_id))
    return session.get(Interview, interview_id, populate_existing=True)


def update_status(
    interview_id: str,
    status: str | InterviewStatus,
    *,
    expected: Optional[InterviewStatus] = None,
    ended_at: Optional[datetime] = None,
    error_code: Optional[int] = None,
    error_message: Optional[str] = None,
    end_reason: Optional[str] = None,
    interviewer: Optional[str] = None,
    lease: Optional[tuple[str, float]] = None,
    owner: Optional[str] = None,
    outside: bool = False,
) -> Interview:
    """Move an interview along PENDING → IN_PROGRESS → COMPLETED | ERROR (legal moves only).

    ``lease`` (owner, seconds): going live takes the interview's lease in the same statement.
    ``owner``: only the lease holder may make this change (the relay's own writes).
    ``outside``: the caller holds no lease (the HTTP API): refused while a relay holds one."""
    new = InterviewStatus(status)
    values: dict[str, object] = {}
    now = utcnow()
    if new == S.IN_PROGRESS:
        values.update(started_at=now, heartbeat_at=now)
        if interviewer:
            values["interviewer"] = interviewer
        if lease:
            values.update(lease_owner=lease[0], lease_until=now + timedelta(seconds=lease[1]))
    if new in (S.COMPLETED, S.ERROR):
        values["ended_at"] = ended_at or now
        if end_reason:
            values["end_reason"] = end_reason
    if new == S.ERROR:
        values.update(error_code=error_code, error_message=(error_message or "")[:500] or None)
    if new in (S.COMPLETED, S.ERROR):
        values["lease_owner"] = None
    with session_scope() as session:
        if outside:
            leases.assert_not_held(session, interview_id)
        return transition(session, interview_id, new, expected=expected, owner=owner, **values)
