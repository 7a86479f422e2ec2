"""Shared test set-up: no test touches the developer's data/ or real API keys; databases
come from tests/support/databases.py (a plugin); the loop guard's count of test-caused
stalls from tests/support/loop_guard.py (a plugin); browser tests run last.

Browser-test fixtures (app servers, Chromium, the Live-API stand-in) live in
tests/e2e/conftest.py, the relay's in tests/integration/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from preppal.settings import reset_settings

pytest_plugins = ["tests.support.databases", "tests.support.loop_guard"]


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: sync Playwright keeps an event loop running in the main
    thread for the rest of the session, which async tests after it could not start."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))
