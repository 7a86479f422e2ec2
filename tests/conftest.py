"""Shared fixtures: a throwaway database per test, PostgreSQL/Redis when reachable, the
production app server and Debian Chromium for browser tests."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from preppal.settings import reset_settings
from tests.support import browser as browser_support
from tests.support.app_server import AppServer, start_app_server

PG_URL = os.environ.get("PREPPAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PREPPAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def use_database(monkeypatch: pytest.MonkeyPatch, url: str, data_dir: Path) -> None:
    """Point settings (and so the service layer) at ``url`` for this test."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(data_dir))
    reset_settings()


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test ever touches the developer's data/ directory or real API keys."""
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A fresh SQLite database with all tables; returns its URL."""
    from preppal.db import get_engine

    url = f"sqlite:///{tmp_path / 'test.db'}"
    use_database(monkeypatch, url, tmp_path)
    SQLModel.metadata.create_all(get_engine())
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the local PostgreSQL, dropped afterwards; skips if unreachable."""
    if not _reachable("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture
def pg_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pg_url: str) -> str:
    """Like ``db`` but on PostgreSQL."""
    from preppal.db import get_engine

    use_database(monkeypatch, pg_url, tmp_path)
    SQLModel.metadata.create_all(get_engine())
    return pg_url


@pytest.fixture
def redis_url() -> str:
    if not _reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return REDIS_URL


# ---- browser tests -------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: sync Playwright keeps an event loop running in the main
    thread for the rest of the session, which async tests after it could not start."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))


_servers: dict[str, AppServer] = {}


def app_server_for(name: str, extra_env: dict[str, str] | None = None) -> AppServer:
    """One production server per configuration name for the whole test session."""
    if name not in _servers:
        _servers[name] = start_app_server(name, extra_env)
    return _servers[name]


def stop_app_server(name: str) -> None:
    """Stop a server early (e.g. one whose database a module fixture is about to drop)."""
    server = _servers.pop(name, None)
    if server is not None:
        server.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for server in _servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server() -> AppServer:
    """The app as users run it, with the offline interviewer (no API key)."""
    if browser_support.chromium_path() is None:
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    return app_server_for("offline", {"PREPPAL_INTERVIEWER": "offline"})


@pytest.fixture
def app_db(app_server: AppServer, monkeypatch: pytest.MonkeyPatch) -> AppServer:
    """Point this test's service-layer calls at the app server's database (for seeding)."""
    use_database(monkeypatch, app_server.database_url, app_server.data_dir)
    return app_server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a loaded 2-core CI machine renders slowly

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_instance):
    path = browser_support.chromium_path()
    if path is None:
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    browser = playwright_instance.chromium.launch(executable_path=path, args=browser_support.chromium_args())
    yield browser
    browser.close()


@pytest.fixture
def page(browser, app_server: AppServer):
    context = browser.new_context(base_url=app_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
