"""Fixtures for the browser tests: production app servers, Debian Chromium through
Playwright, the Live-API stand-in "Gemini" talks to, and the event-loop guard.

Every app server runs with its event loop watched (tests/support/loop_guard.py); after
each test the stalls the servers wrote meanwhile are read, and any loop blocked for more
than 50 ms fails the test with the stack of what blocked it.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.meeting_helpers import ThreadedStandin, launch_browser
from tests.support import browser as browser_support
from tests.support import loop_guard
from tests.support.app_server import AppServer, app_server_for, running_app_servers, stop_all_app_servers
from tests.support.databases import use_database

NO_CHROMIUM = "Debian chromium is not installed (scripts/test.sh installs it)"
WATCHDOG_START_S = 20.0  # a server's watchdog writes its start line within this after serving


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_all_app_servers()


# ---- the event-loop guard -----------------------------------------------------------------


def check_app_loops(test: str) -> None:
    """Fail if any app server's loop stalled since the last check (or is not watched).

    A stall fails when the loop thread was caught running the app's code on the loop (see
    loop_guard.split). Stalls while a server warms up (loading the offline models holds the
    GIL; see preppal/tasks.py) and stalls where the loop only waited for the GIL (another
    thread, or a C extension, held the interpreter) are reported as warnings with every
    thread's stack.
    """
    problems = []
    for server in running_app_servers():
        if server.stalls is None:
            continue
        stalls = server.stalls.new_stalls()
        deadline = time.monotonic() + WATCHDOG_START_S
        while not server.stalls.starts and time.monotonic() < deadline:
            time.sleep(0.2)
            stalls += server.stalls.new_stalls()
        if not server.stalls.starts:
            problems.append(f"the loop watchdog of app server {server.name} never started:\n{server.log_tail()}")
        verdict = loop_guard.judge(stalls, test)
        if verdict.waiting:
            where = f"app server {server.name} (not by code on it)"
            warnings.warn(loop_guard.describe(verdict.waiting, where), stacklevel=1)
        if verdict.failing:
            problems.append(loop_guard.describe(verdict.failing, f"app server {server.name}"))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def app_loop_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if loop_guard.enabled():
        check_app_loops(request.node.nodeid)


# ---- app servers --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def app_server() -> AppServer:
    """The app as users run it, with the offline interviewer (no API key). Its feedback jobs
    are left to a worker (``PREPPAL_JOBS=worker``): the tests here play the worker
    (``jobs.run_pending``, ``produce.run_feedback``) when they want feedback made, so no job
    of the server's races theirs. The Gemini server below runs them itself, the default."""
    if browser_support.chromium_path() is None:
        pytest.skip(NO_CHROMIUM)
    return app_server_for("offline", {"PREPPAL_INTERVIEWER": "offline", "PREPPAL_JOBS": "worker"})


@pytest.fixture
def app_db(app_server: AppServer, monkeypatch: pytest.MonkeyPatch) -> AppServer:
    """Point this test's service-layer calls at the offline app server's database (seeding)."""
    use_database(monkeypatch, app_server.database_url, app_server.data_dir)
    return app_server


@pytest.fixture(scope="session")
def gemini_standin() -> Iterator[ThreadedStandin]:
    """The Live-API stand-in on its own thread: one per session, like the server using it."""
    standin = ThreadedStandin().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def gemini_server(gemini_standin: ThreadedStandin) -> AppServer:
    """The production app whose Gemini backend (real SDK) talks to the stand-in."""
    if browser_support.chromium_path() is None:
        pytest.skip(NO_CHROMIUM)
    return app_server_for(
        "meeting-gemini-standin",
        {
            "PREPPAL_INTERVIEWER": "gemini",
            "GEMINI_API_KEY": "test-key",
            "GEMINI_BASE_URL": gemini_standin.server.base_url,
            "GEMINI_CA_FILE": str(gemini_standin.server.cert_file),
            "GEMINI_CONNECT_TIMEOUT_S": "5",
        },
    )


@pytest.fixture
def gemini_db(gemini_server: AppServer, monkeypatch: pytest.MonkeyPatch) -> AppServer:
    """Point this test's service-layer calls at the Gemini app server's database."""
    use_database(monkeypatch, gemini_server.database_url, gemini_server.data_dir)
    return gemini_server


# ---- the browser ------------------------------------------------------------------------------


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
        pytest.skip(NO_CHROMIUM)
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


@pytest.fixture(scope="session")
def mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spoken answer (the interviewer's espeak voice) as the fake microphone, 16 kHz mono."""
    from tests.support.speech import speech_pcm, write_wav

    pcm = speech_pcm("I have built backend systems in Python for five years.", lead_s=0.5, tail_s=8.0)
    return write_wav(tmp_path_factory.mktemp("mic") / "answer.wav", pcm)


@pytest.fixture
def call_browser(playwright_instance, mic_wav: Path):
    """Chromium whose microphone plays ``mic_wav``."""
    browser = launch_browser(playwright_instance, wav=mic_wav)
    yield browser
    browser.close()
