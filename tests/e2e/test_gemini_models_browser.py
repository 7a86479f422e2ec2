"""One browser call per supported Live model, and the dashboard's sentence when the model
check finds Gemini unusable.

Each model runs on its own production server (the model is a setting) against the shared
stand-in, which speaks that model's dialect and refuses what Google would refuse
(tests/support/live_api_rules.py): greeting, the candidate's spoken answer from the fake
microphone, the reply, the end, the transcript stored.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from preppal.models import InterviewStatus, Speaker
from tests.e2e.meeting_helpers import (
    ThreadedStandin,
    create_interview_in_ui,
    make_candidate,
    new_page,
    pcm24k_tone,
    poll_until,
    screenshot,
)
from tests.support import browser as browser_support
from tests.support.app_server import AppServer, app_server_for, stop_app_server
from tests.support.databases import use_database
from tests.support.live_api_rules import LIVE_MODELS
from tests.support.relay_harness import gemini_env
from tests.support.users import PASSWORD

pytestmark = pytest.mark.browser
DEFAULT = "gemini-3.8-live"  # served by the session's gemini_server already


@pytest.fixture(params=LIVE_MODELS)
def model_server(request, gemini_standin: ThreadedStandin, gemini_server: AppServer, monkeypatch) -> Iterator:
    """The production app on ``request.param`` (the default model's server is shared)."""
    model = request.param
    if model == DEFAULT:
        server = gemini_server
    else:
        name = f"gemini-model-{model}"
        server = app_server_for(name, gemini_env(gemini_standin.server, model, GEMINI_CONNECT_TIMEOUT_S="5"))
    use_database(monkeypatch, server.database_url, server.data_dir)
    yield model, server
    if model != DEFAULT:
        stop_app_server(f"gemini-model-{model}")  # one extra server at a time on a 2-core machine


def test_a_call_on_every_model(model_server, gemini_standin: ThreadedStandin, call_browser) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    model, server = model_server
    answered = threading.Event()
    seen: list = []

    async def gemini(conn):
        seen.append(conn)
        await conn.wait_for(lambda: conn.texts, timeout=15)  # the opening cue on the model's channel
        await conn.ai_turn(["Hello, ", "tell me about yourself."], pcm_per_word=pcm24k_tone(0.4))
        await conn.wait_audio(2 * 16_000 * 2, timeout=30)  # two seconds of the candidate
        await conn.input_transcript("I have built backend systems in Python.")
        await conn.ai_turn(["Thanks, ", "that is helpful."], pcm_per_word=pcm24k_tone(0.3))
        answered.set()
        await conn.hold()

    gemini_standin.behaviour = gemini
    email = make_candidate()
    context, page = new_page(call_browser, server)
    interview_id = ""
    try:
        interview_id = create_interview_in_ui(page, email, "Backend engineer")
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live")
        expect(page.get_by_text("that is helpful.").first).to_be_visible(timeout=40_000)
        screenshot(page, f"model-{model}")
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(
            lambda url: urlparse(url).path.rstrip("/") == f"/interview/{interview_id}/feedback", timeout=30_000
        )
    finally:
        context.close()

    assert answered.is_set()
    (conn,) = seen
    assert conn.setup_value("model").rsplit("/", 1)[-1] == model
    assert conn.refused is None and conn.rules.model == model
    interview = lifecycle.get_interview_any(interview_id)
    assert (interview.status, interview.interviewer) == (InterviewStatus.COMPLETED, "gemini")
    assert [(line.speaker, line.text) for line in transcripts.get_transcript(interview_id)] == [
        (Speaker.AI, "Hello, tell me about yourself."),
        (Speaker.USER, "I have built backend systems in Python."),
        (Speaker.AI, "Thanks, that is helpful."),
    ]


def test_the_dashboard_says_when_gemini_is_unavailable(gemini_standin: ThreadedStandin, browser, monkeypatch) -> None:
    """The key was revoked: the server's model check (at start, off the loop) finds it, and the
    dashboard says so in a sentence before anyone presses Start."""
    if browser_support.chromium_path() is None:
        pytest.skip("Debian chromium is not installed")
    gemini_standin.server.valid_keys = {"test-key"}  # every other server uses this key
    env = gemini_env(gemini_standin.server, DEFAULT, GEMINI_API_KEY="revoked-key")
    server = app_server_for("gemini-revoked-key", env)
    use_database(monkeypatch, server.database_url, server.data_dir)
    email = make_candidate()
    context, page = new_page(browser, server)
    try:
        # The check runs in the background at start and the dashboard reads its verdict when it
        # loads: wait for the verdict (the server's log: not on screen), then load the page once.
        unavailable = "The Gemini interviewer is unavailable"
        poll_until(
            page,
            lambda: unavailable in server.log_path.read_text(errors="replace"),
            timeout=30,
            what=lambda: f"the model check's verdict in the server log:\n{server.log_tail()}",
        )
        page.goto("/dashboard")
        page.wait_for_url("**/sign-in?**")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == "/dashboard")
        notice = page.get_by_role("status").filter(has_text=unavailable)
        expect(notice).to_contain_text(
            "The Gemini interviewer is unavailable: Google refused this server's Gemini API key."
        )
        # PREPPAL_INTERVIEWER=gemini: no fallback
        expect(notice).to_contain_text("Interviews cannot start until it is fixed.")
        screenshot(page, "dashboard-gemini-unavailable")
    finally:
        context.close()
        stop_app_server("gemini-revoked-key")
        gemini_standin.server.valid_keys = None
