"""Slowing down password guessing, per account and per client address.

Failed sign-ins are counted in the ``LoginThrottle`` table (so every worker process sees
the same counts) under two keys: ``email:<address>`` and ``ip:<address>``. A few failures
are free; after that each further failure locks the key for a doubling delay, capped.
An account key is cleared by a successful sign-in; an address key is not, so an attacker
cannot reset their address's count by signing in to their own account.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from preppal.db import session_scope
from preppal.models import LoginThrottle, utcnow
from preppal.services.errors import AuthError


@dataclass(frozen=True)
class Policy:
    free_failures: int
    window: timedelta = timedelta(minutes=15)
    max_delay_s: int = 15 * 60

    def delay_s(self, failures: int) -> int:
        """Lock length after ``failures`` failures inside one window (0 while free)."""
        extra = failures - self.free_failures
        return 0 if extra <= 0 else min(2**extra, self.max_delay_s)


EMAIL_POLICY = Policy(free_failures=5)
ADDRESS_POLICY = Policy(free_failures=20)


class Throttled(AuthError):
    """Too many recent failures for this account or address."""

    http_status = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"Too many sign-in attempts. Try again in {retry_after_s} s.")
        self.retry_after_s = retry_after_s


def keys_for(email: str, address: str) -> list[tuple[str, Policy]]:
    keys = [(f"email:{email}", EMAIL_POLICY)]
    if address:
        keys.append((f"ip:{address}", ADDRESS_POLICY))
    return keys


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def check(keys: list[tuple[str, Policy]]) -> None:
    """Raise :class:`Throttled` while any key is locked."""
    now = utcnow()
    wait = 0.0
    with session_scope() as session:
        for key, _policy in keys:
            row = session.get(LoginThrottle, key)
            locked = _aware(row.locked_until) if row else None
            if locked and locked > now:
                wait = max(wait, (locked - now).total_seconds())
    if wait > 0:
        raise Throttled(max(1, math.ceil(wait)))


def record_failure(keys: list[tuple[str, Policy]]) -> None:
    """Count one failure under every key and lock the keys that ran out of free tries."""
    for key, policy in keys:
        for _attempt in range(3):  # a concurrent first insert of the same key: retry as update
            try:
                _bump(key, policy)
                break
            except IntegrityError:
                continue


def _bump(key: str, policy: Policy) -> None:
    now = utcnow()
    with session_scope() as session:
        row = session.get(LoginThrottle, key)
        if row is None:
            session.add(LoginThrottle(key=key, failures=1, window_start=now))
            session.flush()
            failures = 1
        else:
            start = _aware(row.window_start) or now
            locked = _aware(row.locked_until)
            if now - start > policy.window and not (locked and locked > now):
                # A quiet window has passed: start counting afresh.
                session.exec(
                    sa.update(LoginThrottle)
                    .where(LoginThrottle.key == key)
                    .values(failures=1, window_start=now, locked_until=None)
                )
                failures = 1
            else:
                # Atomic increment so concurrent failures are all counted.
                session.exec(
                    sa.update(LoginThrottle).where(LoginThrottle.key == key).values(failures=LoginThrottle.failures + 1)
                )
                failures = session.get(LoginThrottle, key, populate_existing=True).failures
        delay = policy.delay_s(failures)
        if delay:
            session.exec(
                sa.update(LoginThrottle)
                .where(LoginThrottle.key == key)
                .values(locked_until=now + timedelta(seconds=delay))
            )


def clear(key: str) -> None:
    with session_scope() as session:
        session.exec(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
