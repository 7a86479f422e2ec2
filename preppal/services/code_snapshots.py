"""The candidate's code editor snapshots: stored as they arrive, read back for feedback.

Writes come from the relay's :class:`~preppal.realtime.code_channel.CodeChannel` (in a
thread, at most one a second per interview). An interview keeps at most
``MAX_PER_INTERVIEW`` rows: past the cap the newest row is overwritten, so the final code
is never lost while the table stays bounded. Code is text only: nothing here runs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlmodel import col, func, select

from preppal.db import session_scope
from preppal.editor import MAX_CODE_BYTES, code_bytes, normalise_language
from preppal.models import CodeSnapshot
from preppal.services import leases
from preppal.services.errors import ValidationError

MAX_PER_INTERVIEW = 600  # ≈ 10 minutes of non-stop typing at the relay's one write a second


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored editor state, as the feedback page, the export and the prompt use it."""

    at_ms: int
    language: str
    code: str


def record_snapshot(
    interview_id: str,
    at_ms: int,
    language: str,
    code: str,
    *,
    cap: int = MAX_PER_INTERVIEW,
    owner: Optional[str] = None,
) -> None:
    """Store one snapshot (past the cap: overwrite the interview's newest one).

    ``owner``: stored only while that relay process holds the lease, checked in this
    transaction (else :class:`~preppal.services.leases.LeaseLost`), like transcript lines."""
    if code_bytes(code) > MAX_CODE_BYTES:
        raise ValidationError("Code snapshots are limited to 64 KiB.")
    language = normalise_language(language)
    with session_scope() as session:
        leases.assert_holder(session, interview_id, owner)
        count = session.exec(
            select(func.count()).select_from(CodeSnapshot).where(CodeSnapshot.interview_id == interview_id)
        ).one()
        if count < cap:
            session.add(CodeSnapshot(interview_id=interview_id, at_ms=max(0, at_ms), language=language, code=code))
            return
        newest = session.exec(
            select(CodeSnapshot)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms).desc(), col(CodeSnapshot.id).desc())
            .limit(1)
        ).one()
        newest.at_ms, newest.language, newest.code = max(newest.at_ms, at_ms), language, code
        session.add(newest)


def list_snapshots(interview_id: str) -> list[Snapshot]:
    """Every stored snapshot of an interview, oldest first."""
    with session_scope() as session:
        rows = session.exec(
            select(CodeSnapshot)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms), col(CodeSnapshot.id))
        ).all()
        return [Snapshot(r.at_ms, r.language, r.code) for r in rows]


def final_snapshot(interview_id: str) -> Optional[Snapshot]:
    """The editor as the candidate left it (None when nothing was written)."""
    with session_scope() as session:
        row = session.exec(
            select(CodeSnapshot)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms).desc(), col(CodeSnapshot.id).desc())
            .limit(1)
        ).first()
        return Snapshot(row.at_ms, row.language, row.code) if row else None
