"""Databases for tests, as a pytest plugin (registered in tests/conftest.py): a throwaway
SQLite per test (``db``) and a throwaway PostgreSQL schema (``pg_url`` / ``pg_db``).

PostgreSQL (127.0.0.1:5432, db ``test``) and Redis (127.0.0.1:6379) are used when they are
reachable; tests that need them skip with the reason otherwise. Every PostgreSQL user gets
its own schema (``search_path`` in the URL), created and dropped by ``temporary_schema`` —
the one place that does it — so tests never see each other's rows.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from preppal.settings import reset_settings

PG_URL = os.environ.get("PREPPAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_UNREACHABLE = "PostgreSQL is not reachable on 127.0.0.1:5432"
REDIS_UNREACHABLE = "Redis is not reachable on 127.0.0.1:6379"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def postgres_reachable() -> bool:
    return reachable("127.0.0.1", 5432)


def redis_reachable() -> bool:
    return reachable("127.0.0.1", 6379)


@contextmanager
def temporary_schema(prefix: str = "t") -> Iterator[str]:
    """A fresh, empty schema; yields a database URL whose ``search_path`` is that schema."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def use_database(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path) -> None:
    """Point settings (and so the service layer) at ``url`` for this test."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(data_dir))
    reset_settings()


def _no_fsync(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh SQLite database with all tables; returns its URL.

    This process's connections to it do not wait for the disk (``synchronous=OFF``: a
    throwaway database need not survive a power cut; a crash of this process loses nothing).
    Creating the tables took 170 ms instead of 40 on a loaded machine, and most tests start
    with it. Other processes a test starts use the app's own settings."""
    from preppal.db import get_engine

    url = f"sqlite:///{tmp_path / 'test.db'}"
    use_database(monkeypatch, url, tmp_path)
    engine = get_engine()
    sa.event.listen(engine, "connect", _no_fsync)
    SQLModel.metadata.create_all(engine)
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty schema in the local PostgreSQL, dropped afterwards; skips if unreachable."""
    if not postgres_reachable():
        pytest.skip(PG_UNREACHABLE)
    with temporary_schema() as url:
        yield url


@pytest.fixture
def pg_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_url: str) -> str:
    """Like ``db`` but on PostgreSQL (all tables created in the test's own schema)."""
    from preppal.db import get_engine

    use_database(monkeypatch, pg_url, tmp_path)
    SQLModel.metadata.create_all(get_engine())
    return pg_url


REDIS_URL = os.environ.get("PREPPAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """The local Redis (relay coordination between processes); skips if unreachable."""
    if not redis_reachable():
        pytest.skip(REDIS_UNREACHABLE)
    return REDIS_URL
