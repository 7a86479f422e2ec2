"""Who holds a live interview: a lease on the interview row, compare-and-set.

The relay process holding an interview renews ``lease_until`` (one statement per process
per renewal, whatever the number of interviews). Rules:

- a lease is taken when the interview goes live (:func:`interviews.update_status`) or
  taken over with :func:`take_over` — only when it is free, expired, ours, or held by a
  process the caller knows is gone (its Redis subscription closed: the OS closes sockets of
  a killed process; a stopped or starved one keeps them);
- the holder writes transcript lines, code snapshots, the checkpoint and the end only while
  it holds the lease (fenced in the same transaction: :func:`assert_holder`);
- a caller that holds no lease (the HTTP API's ``updateStatus``/``submitTranscript``) may not
  move an interview a live relay holds (:func:`assert_not_held`);
- :func:`abandoned` + :func:`mark_abandoned` set ERROR only on interviews whose lease expired more than the
  grace period ago and whose holder is gone — a slow holder never loses its interview.

Times are wall-clock UTC from the app machines: keep their clocks in sync (NTP).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

import sqlalchemy as sa
from sqlmodel import Session, select

from preppal.db import session_scope
from preppal.models import Interview, InterviewStatus, utcnow
from preppal.services.errors import Conflict

S = InterviewStatus


class LeaseLost(Conflict):
    """This process no longer holds the interview (another one took it over)."""


class HeldByRelay(Conflict):
    """A caller holding no lease (the HTTP API) tried to end an interview a relay process holds."""


@dataclass(frozen=True)
class Lease:
    interview_id: str
    owner: Optional[str]
    until: Optional[datetime]
    status: InterviewStatus

    def expired(self, now: Optional[datetime] = None) -> bool:
        return self.until is None or self.until <= (now or utcnow())


def lease_of(interview_id: str) -> Optional[Lease]:
    with session_scope() as session:
        row = session.exec(
            select(Interview.lease_owner, Interview.lease_until, Interview.status).where(Interview.id == interview_id)
        ).first()
    return Lease(interview_id, row[0], row[1], S(row[2])) if row else None


def take_over(interview_id: str, owner: str, ttl_s: float, *, gone_owner: Optional[str] = None) -> bool:
    """Take the lease of a live interview if it is free, expired, ours or ``gone_owner``'s."""
    now = utcnow()
    takeable = sa.or_(
        Interview.lease_owner.is_(None),
        Interview.lease_until.is_(None),
        Interview.lease_until <= now,
        Interview.lease_owner == owner,
        *([Interview.lease_owner == gone_owner] if gone_owner else []),
    )
    with session_scope() as session:
        result = session.exec(
            sa.update(Interview)
            .where(Interview.id == interview_id, Interview.status == S.IN_PROGRESS, takeable)
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=ttl_s), heartbeat_at=now)
        )
        return result.rowcount == 1


def renew(owner: str, interview_ids: Iterable[str], ttl_s: float) -> set[str]:
    """Extend this process's leases; returns the ids still held (the others were taken over)."""
    ids = list(interview_ids)
    if not ids:
        return set()
    now = utcnow()
    with session_scope() as session:
        session.exec(
            sa.update(Interview)
            .where(Interview.id.in_(ids), Interview.lease_owner == owner, Interview.status == S.IN_PROGRESS)
            .values(lease_until=now + timedelta(seconds=ttl_s), heartbeat_at=now)
        )
        held = session.exec(select(Interview.id).where(Interview.id.in_(ids), Interview.lease_owner == owner)).all()
    return set(held)


def release(interview_id: str, owner: str, checkpoint: Optional[dict[str, Any]] = None) -> bool:
    """Let go of a live interview so another process can take it at once (hand-over)."""
    values: dict[str, Any] = {"lease_owner": None, "lease_until": utcnow()}
    if checkpoint is not None:
        values["checkpoint"] = checkpoint
    with session_scope() as session:
        result = session.exec(
            sa.update(Interview).where(Interview.id == interview_id, Interview.lease_owner == owner).values(**values)
        )
        return result.rowcount == 1


def assert_holder(session: Session, interview_id: str, owner: Optional[str]) -> None:
    """Inside a write transaction: raise :class:`LeaseLost` unless ``owner`` holds the lease.

    The row is locked (PostgreSQL ``FOR UPDATE``) so a take-over waits for this write.
    ``owner`` None skips the check (the HTTP API's ``submitTranscript``)."""
    if owner is None:
        return
    holder = session.exec(select(Interview.lease_owner).where(Interview.id == interview_id).with_for_update()).first()
    if holder != owner:
        raise LeaseLost("Another relay process holds this interview now.")


def assert_not_held(session: Session, interview_id: str) -> None:
    """Inside a write transaction: raise :class:`HeldByRelay` while a relay process holds a
    lease that has not expired (row locked as in :func:`assert_holder`).

    For callers that hold no lease (``updateStatus``, ``submitTranscript``): ending an
    interview under a live relay refused its later lines and its final submit, so feedback
    ran on a partial transcript. Once the holder is gone its lease expires and they may."""
    row = session.exec(
        select(Interview.lease_owner, Interview.lease_until).where(Interview.id == interview_id).with_for_update()
    ).first()
    if row is not None and row[0] is not None and not Lease(interview_id, row[0], row[1], S.IN_PROGRESS).expired():
        raise HeldByRelay(
            "This interview is live on a relay process, which ends it when the call ends; "
            "try again after its lease expires."
        )


def save_checkpoint(interview_id: str, owner: str, checkpoint: dict[str, Any]) -> bool:
    with session_scope() as session:
        result = session.exec(
            sa.update(Interview)
            .where(Interview.id == interview_id, Interview.lease_owner == owner, Interview.status == S.IN_PROGRESS)
            .values(checkpoint=checkpoint)
        )
        return result.rowcount == 1


def abandoned(grace: timedelta) -> list[Lease]:
    """Live interviews whose lease expired more than ``grace`` ago (nobody resumed them)."""
    cutoff = utcnow() - grace
    no_lease_stale = sa.and_(
        Interview.lease_until.is_(None), sa.or_(Interview.heartbeat_at.is_(None), Interview.heartbeat_at < cutoff)
    )
    with session_scope() as session:
        rows = session.exec(
            select(Interview.id, Interview.lease_owner, Interview.lease_until).where(
                Interview.status == S.IN_PROGRESS, sa.or_(Interview.lease_until < cutoff, no_lease_stale)
            )
        ).all()
    return [Lease(i, owner, until, S.IN_PROGRESS) for i, owner, until in rows]


def mark_abandoned(candidates: Iterable[Lease], message: str, code: int = 4010) -> list[str]:
    """ERROR for each of ``candidates`` (holder known gone), transcript kept.

    Fenced on the lease values read by :func:`abandoned`: an interview resumed meanwhile
    (new holder or a renewed lease) is never touched."""
    swept = []
    for lease in candidates:
        same = Interview.lease_until.is_(None) if lease.until is None else Interview.lease_until == lease.until
        with session_scope() as session:
            result = session.exec(
                sa.update(Interview)
                .where(Interview.id == lease.interview_id, Interview.status == S.IN_PROGRESS, same)
                .values(
                    status=S.ERROR, ended_at=utcnow(), error_code=code, error_message=message[:500], lease_owner=None
                )
            )
            if result.rowcount == 1:
                swept.append(lease.interview_id)
    return swept
