"""The database engine for the service layer (Reflex's own ``rx.session`` is not used, so
services stay Reflex-free). One engine per URL; SQLite gets WAL and a busy timeout so the
relay's writes and page reads do not trip over each other."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session

from preppal.settings import get_settings


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file as 0600 before SQLite does (it would use the umask, often
    0644); its -wal and -shm files inherit the database file's permissions."""
    path = sa.engine.make_url(url).database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # e.g. the directory does not exist yet: SQLite reports it on connect


@lru_cache(maxsize=8)
def engine_for(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        eng = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @sa.event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return eng
    return sa.create_engine(url, pool_pre_ping=True)


def get_engine() -> sa.Engine:
    return engine_for(get_settings().database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
