"""An interview's transcript: lines written as they happen, read back in order.

The relay stores each final segment as it arrives (:func:`append_transcript_line`, fenced by
the interview's lease) and ends the call with :func:`submit_transcript`, which writes every
line and moves the interview to COMPLETED in one transaction (the status change itself is
:func:`preppal.services.interviews.lifecycle.transition`). The HTTP API's
``submitTranscript`` takes the same path. Pages and feedback read :func:`get_transcript`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlmodel import Session, col, select

from preppal.db import session_scope
from preppal.models import Interview, InterviewStatus, Speaker, TranscriptEntry, utcnow
from preppal.services.errors import NotFound, ValidationError
from preppal.services.interviews import leases
from preppal.services.interviews.lifecycle import get_interview, transition


@dataclass(frozen=True)
class TranscriptLine:
    """A transcript segment as callers hand it in (HTTP API, relay)."""

    sequence: int
    speaker: Speaker
    text: str
    start_ms: int = 0
    end_ms: int = 0


@dataclass(frozen=True)
class InterviewWithTranscript:
    interview: Interview
    transcript: list[TranscriptEntry]


def get_with_transcript(user_id: int, interview_id: str) -> InterviewWithTranscript:
    """The user's own interview and its saved transcript lines, in order."""
    interview = get_interview(user_id, interview_id)
    return InterviewWithTranscript(interview, get_transcript(interview.id))


def _upsert_lines(session: Session, interview_id: str, lines: Iterable[TranscriptLine]) -> None:
    existing = {
        e.sequence: e for e in session.exec(select(TranscriptEntry).where(TranscriptEntry.interview_id == interview_id))
    }
    for line in lines:
        row = existing.get(line.sequence)
        if row is None:
            row = TranscriptEntry(interview_id=interview_id, sequence=line.sequence, speaker=line.speaker, text="")
        row.speaker, row.text = Speaker(line.speaker), line.text
        row.start_ms, row.end_ms = line.start_ms, line.end_ms
        session.add(row)


def append_transcript_line(interview_id: str, line: TranscriptLine, owner: Optional[str] = None) -> None:
    """Persist one final segment as it happens; re-sending the same sequence overwrites it.

    ``owner``: written only while that relay process holds the lease (else LeaseLost)."""
    with session_scope() as session:
        leases.assert_holder(session, interview_id, owner)
        _upsert_lines(session, interview_id, [line])


def delete_transcript_line(interview_id: str, sequence: int, owner: Optional[str] = None) -> None:
    """Withdraw one stored segment (an interviewer line taken back when it misjudged the end of
    the candidate's turn); nothing happens if it was never stored. ``owner`` as above."""
    with session_scope() as session:
        leases.assert_holder(session, interview_id, owner)
        query = select(TranscriptEntry).where(
            TranscriptEntry.interview_id == interview_id, TranscriptEntry.sequence == sequence
        )
        for row in session.exec(query):
            session.delete(row)


def submit_transcript(
    interview_id: str,
    lines: list[TranscriptLine],
    ended_at: Optional[datetime] = None,
    end_reason: Optional[str] = None,
    owner: Optional[str] = None,
    outside: bool = False,
) -> Interview:
    """Write the transcript and mark the interview COMPLETED in ONE transaction.

    Idempotent: a retry after success rewrites the same lines and returns the interview.
    ``owner``: the relay process ending it must hold the lease.
    ``outside``: the caller holds no lease (the HTTP API): refused while a relay holds one.
    """
    if len({line.sequence for line in lines}) != len(lines):
        raise ValidationError("Transcript sequences must be unique.")
    with session_scope() as session:
        leases.assert_holder(session, interview_id, owner)
        if outside:
            leases.assert_not_held(session, interview_id)
        current = session.exec(select(Interview.status).where(Interview.id == interview_id)).first()
        if current is None:
            raise NotFound("That interview does not exist.")
        _upsert_lines(session, interview_id, lines)
        if InterviewStatus(current) == InterviewStatus.COMPLETED:
            return session.get(Interview, interview_id)
        return transition(
            session,
            interview_id,
            InterviewStatus.COMPLETED,
            ended_at=ended_at or utcnow(),
            end_reason=end_reason,
            lease_owner=None,
        )


def get_transcript(interview_id: str) -> list[TranscriptEntry]:
    with session_scope() as session:
        return list(
            session.exec(
                select(TranscriptEntry)
                .where(TranscriptEntry.interview_id == interview_id)
                .order_by(col(TranscriptEntry.sequence))
            )
        )
