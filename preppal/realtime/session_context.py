"""What one live interview starts from on this worker: the brief its interviewer gets, where
a taken-over interview stands, and the narrow part of the process it may use.

Kept apart from :mod:`preppal.realtime.session` so the hub can build these without reaching
into the session's machinery, and so the session's own module stays about the call itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from preppal.live.base import InterviewBrief, LiveBackend
from preppal.models import Interview, TranscriptEntry, utcnow
from preppal.realtime.config import RelayConfig
from preppal.realtime.metrics import RelayMetrics
from preppal.realtime.sink import StateSink
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import RecordingStore


def brief_for(interview: Interview, max_duration_s: int) -> InterviewBrief:
    return InterviewBrief(
        interview_id=interview.id,
        interview_type=str(getattr(interview.interview_type, "value", interview.interview_type)),
        role=interview.role,
        difficulty=str(getattr(interview.difficulty, "value", interview.difficulty)),
        job_description=interview.job_description,
        resume_text=interview.resume_text,
        max_duration_s=max_duration_s,
        language=interview.language,
        patience=interview.patience or "",
        hands_free=interview.hands_free is not False,
    )


@dataclass(frozen=True)
class Resumed:
    """A live interview taken over from another process: where it stands in the database."""

    lines: list[TranscriptLine]
    checkpoint: dict  # the backend's last Checkpoint state ({} when none was saved)
    elapsed_s: float  # since it went live

    @classmethod
    def from_rows(cls, interview: Interview, entries: list[TranscriptEntry]) -> Resumed:
        lines = [TranscriptLine(e.sequence, e.speaker, e.text, e.start_ms, e.end_ms) for e in entries]
        started = interview.started_at
        elapsed = (utcnow() - started).total_seconds() if started else 0.0
        return cls(lines, dict(interview.checkpoint or {}), max(0.0, elapsed))


@dataclass(frozen=True)
class SessionContext:
    """What a session uses of its process, handed over by
    :meth:`~preppal.realtime.hub.RelayHub.launch`: this narrow set, never the hub itself."""

    worker_id: str  # this relay process: the owner of the leases its sessions hold
    config: RelayConfig  # grace period, held audio, end wait, lease length
    metrics: RelayMetrics
    sink: StateSink  # the live transcript into the meeting page (realtime/sink.py)
    recordings: Optional[RecordingStore]  # where live interviews are recorded (None: not)
    open_backend: Callable[[InterviewBrief, Optional[dict]], LiveBackend]  # the interviewer (live/)
    # The hub lets go of a session that is done (called with the InterviewSession; typed Any so
    # this module never imports session.py, which imports it).
    forget: Callable[[Any], None]
