"""The candidate's code editor snapshots: stored as they arrive, read back for feedback.

Writes come from the relay's :class:`~preppal.realtime.code_channel.CodeChannel` (in a
thread, at most one a second per interview, fenced by the lease). Code is text only:
nothing here runs it.

**Bounded per interview** (issue 22: 600 × 64 KiB ≈ 37.5 MiB was allowed, and every export
and feedback page read all of it). An interview keeps at most ``MAX_PER_INTERVIEW`` rows
and ``MAX_BYTES_PER_INTERVIEW`` bytes of code. Past either cap the snapshot that says
least is dropped: never the first or the newest, else the one whose *step* (the bytes that
changed from the snapshot before it) is smallest, so what stays is the newest code and the
big changes (a pasted solution, a rewrite, a language switch); a dropped step's size is
added to the next one's (an upper bound of the merged step), so a steady run of small
edits thins out evenly instead of from one end. Each row carries its size and step, so
thinning reads no code.

**Read by need**: pages list the snapshot *times* (:func:`list_times`, no code) and fetch
one snapshot when it is shown (:func:`get_snapshot`); the export and the page's first view
need only :func:`final_code`; the feedback job reads them all (:func:`list_snapshots`),
bounded by the byte cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Session, col, select

from preppal.db import session_scope
from preppal.editor import MAX_CODE_BYTES, normalise_language
from preppal.models import CodeSnapshot
from preppal.services.errors import ValidationError
from preppal.services.interviews import leases

MAX_PER_INTERVIEW = 600  # ≈ 10 minutes of non-stop typing at the relay's one write a second
MAX_BYTES_PER_INTERVIEW = 2 * 1024 * 1024  # code stored per interview (32 snapshots at the 64 KiB cap)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored editor state, as the feedback page, the export and the prompt use it."""

    at_ms: int
    language: str
    code: str


@dataclass(frozen=True, slots=True)
class SnapshotTime:
    """One stored snapshot without its code (what a page lists)."""

    id: int
    at_ms: int
    language: str
    blank: bool  # only whitespace: the editor was cleared


def changed_bytes(before: bytes, after: bytes) -> int:
    """Bytes that differ between two versions outside their common start and end (a cheap
    edit size: memcmp-speed slice comparisons, no diff)."""
    limit = min(len(before), len(after))
    lo, hi = 0, limit
    while lo < hi:  # the longest common prefix
        mid = (lo + hi + 1) // 2
        if before[:mid] == after[:mid]:
            lo = mid
        else:
            hi = mid - 1
    prefix = lo
    lo, hi = 0, limit - prefix
    while lo < hi:  # the longest common suffix not overlapping it
        mid = (lo + hi + 1) // 2
        if before[len(before) - mid :] == after[len(after) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return len(before) + len(after) - 2 * (prefix + lo)


def record_snapshot(
    interview_id: str,
    at_ms: int,
    language: str,
    code: str,
    *,
    owner: Optional[str] = None,
    cap: int = MAX_PER_INTERVIEW,
    max_bytes: int = MAX_BYTES_PER_INTERVIEW,
) -> None:
    """Store one snapshot, then thin the interview's snapshots to the caps.

    ``owner``: stored only while that relay process holds the lease, checked in this
    transaction (else :class:`~preppal.services.interviews.leases.LeaseLost`), like transcript lines."""
    data = code.encode("utf-8", "surrogatepass")
    if len(data) > MAX_CODE_BYTES:
        raise ValidationError("Code snapshots are limited to 64 KiB.")
    language = normalise_language(language)
    with session_scope() as session:
        leases.assert_holder(session, interview_id, owner)
        newest = session.exec(
            select(CodeSnapshot.code, CodeSnapshot.language)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms).desc(), col(CodeSnapshot.id).desc())
            .limit(1)
        ).first()
        step = len(data) if newest is None else changed_bytes(newest[0].encode("utf-8", "surrogatepass"), data)
        if newest is not None and newest[1] != language:
            step = max(step, len(data))  # another language: a new piece of work
        session.add(
            CodeSnapshot(
                interview_id=interview_id,
                at_ms=max(0, at_ms),
                language=language,
                code=code,
                size_bytes=len(data),
                step_bytes=step,
                blank=not code.strip(),
            )
        )
        session.flush()
        _thin(session, interview_id, cap, max_bytes)


def _thin(session: Session, interview_id: str, cap: int, max_bytes: int) -> None:
    rows = [
        list(r)
        for r in session.exec(
            select(CodeSnapshot.id, CodeSnapshot.size_bytes, CodeSnapshot.step_bytes)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms), col(CodeSnapshot.id))
        )
    ]
    total = sum(r[1] for r in rows)
    dropped: list[int] = []
    grown: dict[int, int] = {}
    while (len(rows) > cap or total > max_bytes) and len(rows) > 2:
        i = min(range(1, len(rows) - 1), key=lambda k: rows[k][2])  # never the first or the newest
        gone = rows.pop(i)
        rows[i][2] += gone[2]
        grown[rows[i][0]] = rows[i][2]
        dropped.append(gone[0])
        total -= gone[1]
    if len(rows) == 2 and total > max_bytes:  # two huge ones: the newest alone fits
        dropped.append(rows.pop(0)[0])
    if dropped:
        session.exec(sa.delete(CodeSnapshot).where(col(CodeSnapshot.id).in_(dropped)))
        for row_id, step in grown.items():
            if row_id not in dropped:
                session.exec(sa.update(CodeSnapshot).where(CodeSnapshot.id == row_id).values(step_bytes=step))


def list_snapshots(interview_id: str) -> list[Snapshot]:
    """Every stored snapshot of an interview, oldest first (at most the byte cap of code)."""
    with session_scope() as session:
        rows = session.exec(
            select(CodeSnapshot.at_ms, CodeSnapshot.language, CodeSnapshot.code)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms), col(CodeSnapshot.id))
        ).all()
        return [Snapshot(*r) for r in rows]


def list_times(interview_id: str) -> list[SnapshotTime]:
    """Every stored snapshot's time and language, oldest first, without the code."""
    with session_scope() as session:
        rows = session.exec(
            select(CodeSnapshot.id, CodeSnapshot.at_ms, CodeSnapshot.language, CodeSnapshot.blank)
            .where(CodeSnapshot.interview_id == interview_id)
            .order_by(col(CodeSnapshot.at_ms), col(CodeSnapshot.id))
        ).all()
        return [SnapshotTime(*r) for r in rows]


def get_snapshot(interview_id: str, snapshot_id: int) -> Optional[Snapshot]:
    """One snapshot of this interview (None when there is no such one: thinned meanwhile)."""
    with session_scope() as session:
        row = session.exec(
            select(CodeSnapshot.at_ms, CodeSnapshot.language, CodeSnapshot.code).where(
                CodeSnapshot.id == snapshot_id, CodeSnapshot.interview_id == interview_id
            )
        ).first()
        return Snapshot(*row) if row else None


def final_snapshot(interview_id: str) -> Optional[Snapshot]:
    """The newest snapshot, blank or not (the editor's text when a live call is rejoined)."""
    return _newest(interview_id, written_only=False)


def final_code(interview_id: str) -> Optional[Snapshot]:
    """The editor as the candidate left it: the newest snapshot that is not blank."""
    return _newest(interview_id, written_only=True)


def _newest(interview_id: str, *, written_only: bool) -> Optional[Snapshot]:
    with session_scope() as session:
        row = session.exec(
            select(CodeSnapshot.at_ms, CodeSnapshot.language, CodeSnapshot.code)
            .where(CodeSnapshot.interview_id == interview_id, *([~col(CodeSnapshot.blank)] if written_only else []))
            .order_by(col(CodeSnapshot.at_ms).desc(), col(CodeSnapshot.id).desc())
            .limit(1)
        ).first()
        return Snapshot(*row) if row else None


def stored_bytes(interview_id: str) -> int:
    """Bytes of code stored for an interview (what the cap bounds)."""
    with session_scope() as session:
        return int(
            session.exec(
                select(sa.func.coalesce(sa.func.sum(CodeSnapshot.size_bytes), 0)).where(
                    CodeSnapshot.interview_id == interview_id
                )
            ).one()
        )
