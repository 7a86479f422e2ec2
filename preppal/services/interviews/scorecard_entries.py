"""The interview's scorecard: question markers and evidence notes, stored as they happen.

Writes come from the relay's :class:`~preppal.realtime.scorecard.ScorecardRecorder` (in a
thread, one at a time per interview), fenced by the interview's lease like transcript lines:
once another process holds the interview nothing more is written from here. Each entry has
a ``key`` unique in its interview, so the same event offered twice (a model that retries a
tool call, a note re-sent after a take-over) is stored once. An interview keeps at most
``MAX_PER_INTERVIEW`` entries (a model stuck calling a tool cannot fill the table); rows go
with the interview (deleted by ``interviews.delete_interview`` and the foreign key).

Reading: :func:`list_entries` gives them in time order for feedback, the page and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from preppal.db import session_scope
from preppal.models import ScorecardEntry
from preppal.rubric import MAX_QUOTE_CHARS, MAX_WHY_CHARS, STRENGTHS, clip_quote
from preppal.rubric.evidence import MAX_QUESTION_CHARS
from preppal.services.errors import ValidationError
from preppal.services.interviews import leases

MAX_PER_INTERVIEW = 400  # ≈ 4 notes a minute for 90 minutes; past it new entries are dropped
QUESTION, EVIDENCE = "question", "evidence"


@dataclass(frozen=True, slots=True)
class Entry:
    """One scorecard event as feedback, the page and exports read it."""

    kind: str  # QUESTION | EVIDENCE
    at_ms: int  # on the recording's clock
    number: int  # the main question (a marker's own number; a note's question, 0 = unknown)
    competency: str
    followup: bool = False  # markers: a follow-up on ``number``
    strength: str = ""  # evidence: strong | weak
    text: str = ""  # the question as asked, or the candidate's quote
    why: str = ""  # evidence: the reason

    @property
    def is_main_question(self) -> bool:
        return self.kind == QUESTION and not self.followup


def clean(entry: Entry) -> Entry:
    """The entry within the table's limits, or ValidationError for one that cannot be stored."""
    if entry.kind not in (QUESTION, EVIDENCE):
        raise ValidationError("A scorecard entry is a question marker or an evidence note.")
    if entry.kind == EVIDENCE and entry.strength not in STRENGTHS:
        raise ValidationError("Evidence is strong or weak.")
    if not entry.competency or len(entry.competency) > 40:
        raise ValidationError("A scorecard entry names one rubric competency.")
    limit = MAX_QUESTION_CHARS if entry.kind == QUESTION else MAX_QUOTE_CHARS
    return Entry(
        kind=entry.kind,
        at_ms=max(0, int(entry.at_ms)),
        number=max(0, min(int(entry.number), 999)),
        competency=entry.competency,
        followup=bool(entry.followup) and entry.kind == QUESTION,
        strength=entry.strength if entry.kind == EVIDENCE else "",
        text=clip_quote(entry.text, limit),
        why=clip_quote(entry.why, MAX_WHY_CHARS) if entry.kind == EVIDENCE else "",
    )


def record_entry(
    interview_id: str, key: str, entry: Entry, owner: Optional[str] = None, *, cap: int = MAX_PER_INTERVIEW
) -> bool:
    """Store one entry; False when ``key`` is already stored or the interview is at its cap.

    ``owner``: written only while that relay process holds the lease (else ``LeaseLost``)."""
    entry = clean(entry)
    key = key[:40]
    try:
        with session_scope() as session:
            leases.assert_holder(session, interview_id, owner)
            where = ScorecardEntry.interview_id == interview_id
            if session.exec(select(ScorecardEntry.id).where(where, ScorecardEntry.key == key)).first() is not None:
                return False
            if session.exec(select(func.count()).select_from(ScorecardEntry).where(where)).one() >= cap:
                return False
            session.add(
                ScorecardEntry(
                    interview_id=interview_id,
                    key=key,
                    kind=entry.kind,
                    at_ms=entry.at_ms,
                    number=entry.number,
                    competency=entry.competency,
                    followup=entry.followup,
                    strength=entry.strength,
                    text=entry.text,
                    why=entry.why,
                )
            )
    except IntegrityError:  # the same key from a racing writer (another process, before its lease was lost)
        return False
    return True


def list_entries(interview_id: str) -> list[Entry]:
    """The interview's scorecard in time order (insertion order among equal times)."""
    with session_scope() as session:
        rows = session.exec(
            select(ScorecardEntry)
            .where(ScorecardEntry.interview_id == interview_id)
            .order_by(col(ScorecardEntry.at_ms), col(ScorecardEntry.id))
        ).all()
        return [Entry(r.kind, r.at_ms, r.number, r.competency, r.followup, r.strength, r.text, r.why) for r in rows]
