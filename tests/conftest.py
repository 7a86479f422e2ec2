"""Shared test set-up: no test touches the developer's data/ or real API keys; databases
come from tests/support/databases.py (a plugin); the loop guard's count of test-caused
stalls from tests/support/loop_guard.py (a plugin); browser tests run last.

Browser-test fixtures (app servers, Chromium, the Live-API stand-in) live in
tests/e2e/conftest.py, the relay's in tests/integration/conftest.py.
"""

from __future__ import annotations

import gc
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from preppal.live.gemini_profiles import DEFAULT_PROFILE
from preppal.services.accounts import auth
from preppal.settings import reset_settings

pytest_plugins = ["tests.support.databases", "tests.support.loop_guard"]
APP_PASSWORD_HASHING = auth._hasher, auth._DUMMY_HASH


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 at its lowest cost in this process: the suite hashes hundreds of passwords, at
    about 200 ms of CPU each with the app's cost (argon2's defaults) and about 1 ms so. The
    app servers the browser tests start keep the real cost; tests/db/test_auth_accounts.py
    checks the scheme."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth._hasher, auth._DUMMY_HASH = cheap, cheap.hash(secrets.token_urlsafe(16))
    yield
    auth._hasher, auth._DUMMY_HASH = APP_PASSWORD_HASHING


@pytest.fixture
def real_password_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own Argon2 cost for a test whose point needs a hash to take real time (a
    race between parallel guesses)."""
    hasher, dummy = APP_PASSWORD_HASHING
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", dummy)


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


TESTS = Path(__file__).resolve().parent
# The folders that are a tier of their own carry its mark (tests/README.md).
FOLDER_MARKS = {"e2e": "browser", "models": "model", "processes": "process", "bench": "process"}


def _folder(item: pytest.Item) -> str:
    path = Path(item.path).resolve()
    return path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""


# The quick tier (``--quick``, ``scripts/test.sh --quick``) leaves these out, and runs tests
# written for every supported Live model with the default one only.
QUICK_LEAVES_OUT = ("browser", "model", "process", "slow")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test (and the fixtures set up for it) speaks with a new espeak-ng worker: the same
    audio whatever ran before (tests/support/speech.py, fresh_voice)."""
    from tests.support.speech import fresh_voice

    fresh_voice()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--quick",
        action="store_true",
        help="the quick tier for the edit loop: no browser, model or process tests; the default Live model only",
    )


def _live_model(item: pytest.Item) -> str | None:
    return getattr(item, "callspec", None) and item.callspec.params.get("gemini_model")


def _in_quick_tier(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in QUICK_LEAVES_OUT):
        return False
    return _live_model(item) in (None, DEFAULT_PROFILE.model)


def _runs_again_for_nothing(item: pytest.Item) -> bool:
    """A relay test on the offline interviewer (its ``offline`` fixture) never reaches a Live
    model: once per model would run the same test five times over."""
    return "offline" in getattr(item, "fixturenames", ()) and _live_model(item) not in (None, DEFAULT_PROFILE.model)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported and collected so far lives for the whole run: out of the garbage
    collector's sight (``gc.freeze``), so a full collection during a test scans only what the
    tests made since (a 150-250 ms collection pause was seen on a relay test's loop)."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tier marks by folder; ``--quick`` keeps the quick tier, the whole suite leaves out the
    offline-interviewer relay tests' copies for other Live models. Browser tests run last: sync
    Playwright keeps an event loop running in the main thread for the rest of the session,
    which async tests after it could not start."""
    for item in items:
        if mark := FOLDER_MARKS.get(_folder(item)):
            item.add_marker(mark)
    keep = _in_quick_tier if config.getoption("quick") else (lambda item: not _runs_again_for_nothing(item))
    left_out = [item for item in items if not keep(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if keep(item)]
    items.sort(key=lambda item: _folder(item) == "e2e")
