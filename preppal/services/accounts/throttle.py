"""Slowing down password guessing, per (account, client address) and per client address.

Attempts are counted in the ``LoginThrottle`` table, so every worker and machine sees the
same counts. Each attempt is **reserved before the password is hashed**: one atomic
``INSERT … ON CONFLICT DO UPDATE … WHERE not locked … RETURNING`` per key counts it, or
finds the key locked and refuses without hashing. Forty parallel guesses therefore cannot
all pass a check made before any of them was recorded.

Two keys per attempt:

- ``acct:<email>|<address>``: a few free tries, then a doubling lock. Only this address is
  slowed down for this account, so guesses from elsewhere never lock the real owner out:
  a correct password from a new address always gets its own fresh budget.
- ``ip:<address>``: more free tries across all accounts, then a doubling lock, so one
  address cannot spray many accounts.

A success deletes its account key and gives its reservation back to the address key (so
signing in to one's own account neither resets nor spends the address's count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from preppal.db import session_scope
from preppal.models import LoginThrottle, utcnow
from preppal.services.errors import AuthError


@dataclass(frozen=True)
class Policy:
    free_failures: int
    window: timedelta = timedelta(minutes=15)
    max_delay_s: int = 15 * 60

    def delay_s(self, failures: int) -> int:
        """Lock length after ``failures`` attempts inside one window (0 while free)."""
        extra = failures - self.free_failures
        return 0 if extra <= 0 else min(2**extra, self.max_delay_s)


ACCOUNT_POLICY = Policy(free_failures=5)
ADDRESS_POLICY = Policy(free_failures=20)


@dataclass(frozen=True)
class Key:
    name: str
    policy: Policy


class Throttled(AuthError):
    """Too many recent attempts for this account from this address, or from this address."""

    http_status = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many sign-in attempts. Try again in {retry_after_s} s.")
        self.retry_after_s = retry_after_s


def keys_for(email: str, address: str) -> list[Key]:
    keys = [Key(f"acct:{email}|{address}"[:400], ACCOUNT_POLICY)]
    if address:
        keys.append(Key(f"ip:{address}"[:400], ADDRESS_POLICY))
    return keys


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class _Locked(Exception):
    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s


def _reserve_one(session, key: Key, now: datetime) -> None:
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    t = LoginThrottle
    stale = t.window_start < now - key.policy.window
    stmt = (
        insert(t)
        .values(key=key.name, failures=1, window_start=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "failures": sa.case((stale, 1), else_=t.failures + 1),
                "window_start": sa.case((stale, now), else_=t.window_start),
            },
            where=sa.or_(t.locked_until.is_(None), t.locked_until <= now),
        )
        .returning(t.failures)
    )
    failures = session.execute(stmt).scalar_one_or_none()
    if failures is None:  # the row exists and is locked: nothing was counted
        locked = _aware(session.execute(sa.select(t.locked_until).where(t.key == key.name)).scalar_one_or_none())
        raise _Locked((locked - now).total_seconds() if locked else 1.0)
    delay = key.policy.delay_s(failures)
    if delay:  # out of free tries: this attempt goes ahead, the next ones wait
        session.execute(sa.update(t).where(t.key == key.name).values(locked_until=now + timedelta(seconds=delay)))


def reserve(keys: list[Key]) -> None:
    """Count one attempt under every key, atomically, or raise :class:`Throttled` (and count
    nothing) while any key is locked. Call before hashing the password."""
    now = utcnow()
    try:
        with session_scope() as session:
            for key in keys:
                _reserve_one(session, key, now)
    except _Locked as locked:
        raise Throttled(max(1, math.ceil(locked.wait_s))) from None


def succeeded(keys: list[Key]) -> None:
    """The password was right: forget the account key, give the address its try back."""
    with session_scope() as session:
        for key in keys:
            if key.name.startswith("acct:"):
                session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key.name))
            else:
                session.execute(
                    sa.update(LoginThrottle)
                    .where(LoginThrottle.key == key.name, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1)
                )


def clear(key: str) -> None:
    with session_scope() as session:
        session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
