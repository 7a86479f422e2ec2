"""SQLModel tables. Plain SQLModel (no Reflex import): the app module registers them with
Reflex, the service layer and Alembic use them directly. Schema changes go through
``alembic revision --autogenerate`` (see docs/architecture.md)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


def utcnow() -> datetime:
    """Aware UTC: SQLModel's UTCDateTime columns refuse naive datetimes."""
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class InterviewStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    ERROR = "ERROR"


class InterviewType(StrEnum):
    BEHAVIOURAL = "behavioural"
    TECHNICAL = "technical"
    SYSTEM_DESIGN = "system_design"
    ROLE_SPECIFIC = "role_specific"


class Difficulty(StrEnum):
    WARMUP = "warmup"
    STANDARD = "standard"
    INTENSE = "intense"


class Speaker(StrEnum):
    USER = "USER"
    AI = "AI"


class FeedbackStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    READY = "READY"
    FAILED = "FAILED"


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # stored lower-cased
    name: str = Field(default="", max_length=200)
    password_hash: Optional[str] = Field(default=None, max_length=255)  # None: OAuth-only
    target_role: str = Field(default="", max_length=200)  # profile default for new interviews
    created_at: datetime = Field(default_factory=utcnow)


class ExternalIdentity(SQLModel, table=True):
    """A sign-in through an OAuth/OIDC provider, linked to one user."""

    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=40)  # google | github
    subject: str = Field(max_length=255)
    email: str = Field(default="", max_length=320)
    created_at: datetime = Field(default_factory=utcnow)


class LoginSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    user_agent: str = Field(default="", max_length=300)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-in counts per key ("email:<addr>" or "ip:<addr>") to slow guessing."""

    key: str = Field(primary_key=True, max_length=400)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: Optional[datetime] = None


class RateLimitHit(SQLModel, table=True):
    """Requests counted per key in a fixed window, shared by every worker and machine.

    ``key`` is ``<limit>:<subject>:<window number>``; rows past ``expires_at`` are purged.
    """

    key: str = Field(primary_key=True, max_length=400)
    count: int = 0
    expires_at: datetime = Field(index=True)


class Interview(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_interview_user_created", "user_id", "created_at"),)
    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    status: InterviewStatus = Field(default=InterviewStatus.PENDING, index=True)
    interview_type: InterviewType = InterviewType.BEHAVIOURAL
    role: str = Field(default="", max_length=200)
    difficulty: Difficulty = Difficulty.STANDARD
    job_description: str = Field(default="", sa_type=sa.Text)
    resume_text: str = Field(default="", sa_type=sa.Text)
    # BCP-47 tag from preppal.languages (what the interviewer speaks, feedback is written in,
    # and the interview's dates/numbers are formatted for); old rows are English.
    language: str = Field(default="en-US", max_length=16, sa_column_kwargs={"server_default": "en-US"})
    # How long the interviewer waits before taking the turn (preppal.patience); "" means the
    # difficulty's default, so old rows and interviews created without it follow their difficulty.
    patience: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    # False: "I'll hold a key while I think" — with Gemini the candidate's hold marks their turn
    # (automatic activity detection off); the offline interviewer honours a hold either way.
    hands_free: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    interviewer: str = Field(default="", max_length=20)  # gemini | offline, set when started
    created_at: datetime = Field(default_factory=utcnow)
    started_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    heartbeat_at: Optional[datetime] = None  # refreshed with the lease while live
    # Ownership while live: the relay process holding the interview renews its lease; only an
    # expired lease (or one whose process is gone) can be taken over (services/interviews/leases.py).
    lease_owner: Optional[str] = Field(default=None, max_length=80)
    lease_until: Optional[datetime] = None
    # What another process needs to re-open the interviewer: the Gemini session-resumption
    # handle, or the offline interviewer's dialogue state (written as it changes).
    checkpoint: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    end_reason: Optional[str] = Field(default=None, max_length=40)  # SessionEnded reason name
    error_code: Optional[int] = None
    error_message: Optional[str] = Field(default=None, max_length=500)

    @property
    def duration_s(self) -> Optional[int]:
        if self.started_at and self.ended_at:
            return max(0, int((self.ended_at - self.started_at).total_seconds()))
        return None


class TranscriptEntry(SQLModel, table=True):
    """One final segment of speech, persisted as it happens (nothing lost on a crash)."""

    __table_args__ = (sa.UniqueConstraint("interview_id", "sequence"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", index=True, ondelete="CASCADE")
    sequence: int
    speaker: Speaker
    text: str = Field(sa_type=sa.Text)
    start_ms: int = 0  # offset from the interview's start
    end_ms: int = 0


class CodeSnapshot(SQLModel, table=True):
    """The candidate's code editor at one moment of a live interview (debounced by the
    browser, throttled and capped per interview by the relay; never executed)."""

    __table_args__ = (sa.Index("ix_codesnapshot_interview_at", "interview_id", "at_ms"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", max_length=36, ondelete="CASCADE")
    at_ms: int = 0  # offset from the interview's start (the transcript's clock)
    language: str = Field(default="text", max_length=20)
    code: str = Field(default="", sa_type=sa.Text)
    # What thinning to the per-interview caps reads instead of the code (services/interviews/code_snapshots.py).
    size_bytes: int = 0  # the code's UTF-8 bytes
    step_bytes: int = 0  # bytes changed from the snapshot before it (or merged from dropped ones)
    blank: bool = False  # only whitespace
    created_at: datetime = Field(default_factory=utcnow)


class ScorecardEntry(SQLModel, table=True):
    """One scorecard event of a live interview, stored as it happens (preppal.rubric):
    a question marker (``kind`` "question": main question ``number`` or a follow-up on it,
    ``text`` = the question) or an evidence note (``kind`` "evidence": ``strength``,
    ``text`` = the candidate's quote, ``why``). ``at_ms`` is on the recording's clock.
    ``key`` makes a repeated event (a retried tool call, a re-sent note) a no-op."""

    __table_args__ = (
        sa.UniqueConstraint("interview_id", "key"),
        sa.Index("ix_scorecardentry_interview_at", "interview_id", "at_ms"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", max_length=36, ondelete="CASCADE")
    key: str = Field(max_length=40)
    kind: str = Field(max_length=10)  # question | evidence
    at_ms: int = 0
    number: int = 0
    competency: str = Field(default="", max_length=40)
    followup: bool = False
    strength: str = Field(default="", max_length=8)  # strong | weak (evidence only)
    text: str = Field(default="", max_length=600)
    why: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class UsedWorkerToken(SQLModel, table=True):
    """Spent worker-token ids: a token opens one connection only, across all workers."""

    jti: str = Field(primary_key=True, max_length=64)
    interview_id: str = Field(max_length=36, index=True)
    used_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Feedback(SQLModel, table=True):
    """Feedback and delivery metrics for one interview, produced after it ends."""

    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interview.id", unique=True, ondelete="CASCADE")
    status: FeedbackStatus = FeedbackStatus.PENDING
    source: str = Field(default="", max_length=20)  # gemini | analyzer
    overall_score: Optional[int] = None
    summary: str = Field(default="", sa_type=sa.Text)
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    strengths: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    improvements: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    question_notes: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # The scorecard the scores stand on (services/feedback/scorecard_card.py, Card.to_dict() plus the
    # review's per-competency comments): questions, evidence notes, competency scores.
    scorecard: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    error: Optional[str] = Field(default=None, max_length=500)
    attempts: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
