"""Rate limits shared by every worker and machine: fixed-window counters in the database.

One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` per hit counts and reads atomically,
so parallel requests on any number of workers can never all slip under a limit. Fixed
windows may let up to twice the limit through across a window boundary; that is fine for
what these guard (Argon2 hashes, PDF parses, token minting, interview creation).
The limits themselves come from settings (README "Limits").
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from preppal.db import session_scope
from preppal.models import RateLimitHit, utcnow
from preppal.services.errors import TooManyRequests
from preppal.settings import get_settings


@dataclass(frozen=True)
class Rate:
    name: str  # key prefix, e.g. "signup"
    limit: int  # hits allowed per window
    window_s: int
    message: str  # what the person is told (a wait time is appended)


def signup_rate() -> Rate:
    return Rate("signup", get_settings().signups_per_hour, 3600, "Too many accounts were created from your network.")


def interview_rate() -> Rate:
    return Rate("create", get_settings().interviews_per_hour, 3600, "You have set up many interviews in a short time.")


def token_rate() -> Rate:
    return Rate("token", get_settings().tokens_per_minute, 60, "Too many connection attempts.")


def upload_rate() -> Rate:
    return Rate("upload", get_settings().uploads_per_hour, 3600, "Too many résumé uploads.")


def export_rate() -> Rate:
    return Rate("export", get_settings().exports_per_hour, 3600, "You have exported many interviews in a short time.")


def _upsert(session, key: str, expires) -> int:
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:  # another database: a row lock does the same job
        row = session.get(RateLimitHit, key, with_for_update=True)
        if row is None:
            session.add(RateLimitHit(key=key, count=1, expires_at=expires))
            session.flush()
            return 1
        row.count += 1
        return row.count
    stmt = (
        insert(RateLimitHit)
        .values(key=key, count=1, expires_at=expires)
        .on_conflict_do_update(index_elements=["key"], set_={"count": RateLimitHit.count + 1})
        .returning(RateLimitHit.count)
    )
    return int(session.execute(stmt).scalar_one())


def hit(rate: Rate, subject: str | int, *, now: float | None = None) -> None:
    """Count one use of ``rate`` by ``subject``; :class:`TooManyRequests` once over the limit."""
    if rate.limit <= 0:  # 0 turns a limit off
        return
    now = time.time() if now is None else now
    window = int(now // rate.window_s)
    window_end = (window + 1) * rate.window_s
    key = f"{rate.name}:{subject}:{window}"[:400]
    expires = datetime.fromtimestamp(window_end, UTC)
    with session_scope() as session:
        count = _upsert(session, key, expires)
    if count > rate.limit:
        wait = max(1, math.ceil(window_end - now))
        raise TooManyRequests(f"{rate.message} Try again in {_wait_words(wait)}.", retry_after_s=wait)


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} s"
    return f"{math.ceil(seconds / 60)} min"


def purge_expired() -> int:
    """Drop counters of windows that have ended (the orphan sweep calls this)."""
    with session_scope() as session:
        result = session.execute(sa.delete(RateLimitHit).where(RateLimitHit.expires_at < utcnow()))
        return int(result.rowcount or 0)
