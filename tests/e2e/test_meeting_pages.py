"""Issue 24: the meeting page when the call moves between pages, and what stays in view.

Each test is a symptom a candidate saw in Chromium: after a reload mid-call the badge said
"Ready to start" and, after Rejoin, the timer restarted at 00:00; a second tab that took the
call over showed none of what the interviewer said next (and the first tab's advice to
"reload this page" would pull the call back); the transcript never scrolled, so the current
question fell below the fold; Mute and End waited for a server round trip. Same setup as
test_meeting_call.py (production build, real SDK against the Live-API stand-in, Debian
Chromium with a fake microphone). Assertions are Playwright ``expect`` on what is on screen.
"""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from preppal.models import FeedbackStatus, InterviewStatus
from tests.e2e.meeting_helpers import (
    SCREENS,
    CallRecorder,
    make_candidate_and_interview,
    new_page,
    open_meeting,
    pcm24k_tone,
    poll_until,
    screenshot,
    wait_threading_event,
)

pytestmark = pytest.mark.browser

GREETING = "Welcome. Tell me about a project you led."


def elapsed_s(page) -> int:
    """The call's clock as shown ("01:05 / 60:00" → 65)."""
    minutes, seconds = page.get_by_test_id("elapsed").inner_text().split(" / ")[0].split(":")
    return int(minutes) * 60 + int(seconds)


def leave_without_asking(page) -> None:
    """A live call asks before the tab is reloaded or closed: answer "leave"."""
    page.on("dialog", lambda dialog: dialog.accept())


def greet_then(more: threading.Event | None = None):
    async def gemini(conn):
        await conn.ai_turn(["Welcome. ", "Tell me about a project you led."], pcm_per_word=pcm24k_tone(0.2))
        if more is not None and await wait_threading_event(more, 60):
            await conn.ai_turn(["And what ", "would you change now?"], pcm_per_word=pcm24k_tone(0.2))
        await conn.hold()

    return gemini


def test_reload_mid_call_offers_rejoin_and_keeps_the_clock(gemini_standin, gemini_db, call_browser) -> None:
    from preppal.services.interviews import lifecycle

    gemini_standin.behaviour = greet_then()
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    leave_without_asking(page)
    phase = page.get_by_test_id("phase")
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(phase).to_have_text("Live")
        expect(page.get_by_test_id("turn")).to_have_text(re.compile(re.escape(GREETING)))
        expect(page.get_by_test_id("elapsed")).to_have_text(re.compile(r"^00:0[4-9] / "), timeout=20_000)
        before = elapsed_s(page)

        page.reload()
        expect(phase).to_have_text("Not connected")  # not "Ready to start": the interview is running
        expect(page.get_by_test_id("rejoin-note")).to_contain_text("still running")
        expect(page.get_by_role("button", name="Rejoin the interview")).to_be_visible()
        expect(page.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING))])
        screenshot(page, "rejoin-1-after-reload")

        page.get_by_role("button", name="Rejoin the interview").click()
        expect(phase).to_have_text("Live")
        assert elapsed_s(page) >= before, "the clock counts from the interview's start, not the rejoin"
        screenshot(page, "rejoin-2-live-again")
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(re.compile(rf"/interview/{interview_id}/feedback/?$"), timeout=30_000)
    finally:
        context.close()
    assert lifecycle.get_interview_any(interview_id).status == InterviewStatus.COMPLETED


def test_another_tab_takes_the_call_over_with_its_transcript(gemini_standin, gemini_db, call_browser) -> None:
    more = threading.Event()
    gemini_standin.behaviour = greet_then(more)
    email, interview_id = make_candidate_and_interview()
    context, first = new_page(call_browser, gemini_db)
    leave_without_asking(first)
    try:
        open_meeting(first, email, interview_id)
        first.get_by_test_id("start-call").click()
        expect(first.get_by_test_id("phase")).to_have_text("Live")
        expect(first.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING))])

        second = context.new_page()  # same browser, same sign-in, its own page state
        second.goto(f"/interview/{interview_id}/live")
        expect(second.get_by_test_id("phase")).to_have_text("Not connected")
        second.get_by_role("button", name="Rejoin the interview").click()
        expect(second.get_by_test_id("phase")).to_have_text("Live")

        # The first tab lets go, and its advice does not pull the call back.
        expect(first.get_by_test_id("phase")).to_have_text("Call stopped")
        expect(first.get_by_test_id("error-message")).to_have_text("This interview continues in another tab or window.")
        expect(first.get_by_test_id("error-next-step")).to_contain_text("Carry on there")
        expect(first.get_by_test_id("error-next-step")).not_to_contain_text("reload")
        expect(first.get_by_role("button", name="End interview")).to_have_count(0)

        # The second tab shows what the interviewer says from now on; the first does not.
        more.set()
        new_line = re.compile("And what would you change now?")
        expect(second.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING)), new_line])
        expect(second.get_by_test_id("turn").last).to_have_attribute("data-final", "true")
        expect(first.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING))])
        screenshot(first, "takeover-1-first-tab")
        screenshot(second, "takeover-2-second-tab")
        second.get_by_role("button", name="End interview").click()
        second.wait_for_url(re.compile(rf"/interview/{interview_id}/feedback/?$"), timeout=30_000)
    finally:
        context.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 720}, {"width": 390, "height": 844}], ids=["laptop", "phone"]
)
def test_the_current_question_stays_in_view(gemini_standin, gemini_db, call_browser, viewport) -> None:
    questions = 14

    async def gemini(conn):
        for i in range(1, questions + 1):
            await conn.ai_turn([f"Question {i}: ", "tell me more about that part of the project, in detail."])
        await conn.hold()

    gemini_standin.behaviour = gemini
    email, interview_id = make_candidate_and_interview()
    context = call_browser.new_context(base_url=gemini_db.url, viewport=viewport)
    context.set_default_timeout(20_000)
    page = context.new_page()
    leave_without_asking(page)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("turn")).to_have_count(questions)
        expect(page.get_by_test_id("turn").last).to_contain_text(f"Question {questions}:")
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"transcript-in-view-{viewport['width']}.png"))  # what is on screen
        expect(page.get_by_test_id("turn").last).to_be_in_viewport(ratio=0.9)
        expect(page.get_by_role("button", name="End interview")).to_be_in_viewport()
        assert page.evaluate("window.scrollY") == 0, "nothing had to scroll the page itself"
        # Scrolled up to read, the candidate is not pulled down by the next line.
        box = page.get_by_test_id("transcript-scroll")
        box.evaluate("el => { el.scrollTop = 0; }")
        expect(page.get_by_test_id("turn").first).to_be_in_viewport()
    finally:
        context.close()


def test_mute_and_end_act_in_the_browser_at_once(gemini_standin, gemini_db, call_browser) -> None:
    """Reflex's own socket is held back: Mute and End still work, because they do not wait for it."""
    gemini_standin.behaviour = greet_then()
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    calls = CallRecorder()
    calls.attach(page)
    hold, held, servers = threading.Event(), [], []

    def reflex_socket(ws) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: held.append(message) if hold.is_set() else server.send(message))
        server.on_message(ws.send)
        servers.append(server)

    page.route_web_socket(re.compile(r"/_event"), reflex_socket)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live")
        expect(page.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING))])

        hold.set()  # from here the page's server hears nothing
        page.get_by_role("button", name="Mute").click()
        expect(page.get_by_text("You are muted")).to_be_visible()
        expect(page.get_by_role("button", name="Unmute")).to_have_attribute("aria-pressed", "true")
        muted_from = len(calls.audio_chunks())
        poll_until(page, lambda: len(calls.audio_chunks()) > muted_from + 15, what="audio frames while muted")
        silent = [pcm for _, pcm in calls.audio_chunks()[muted_from + 5 :]]
        assert silent and not any(any(pcm) for pcm in silent), "a muted microphone sends silence"
        page.get_by_role("button", name="End interview").click()
        expect(page.get_by_role("button", name="End interview")).to_have_count(0)
        poll_until(page, lambda: calls.sent[-1][1].WhichOneof("payload") == "end_request", what="EndRequest sent")
        assert held, "the Reflex events were held back all along"

        # The held events reach the page's server now, in order: the call ends there too.
        while held:
            servers[-1].send(held.pop(0))
        hold.clear()
        while held:
            servers[-1].send(held.pop(0))
        page.wait_for_url(re.compile(rf"/interview/{interview_id}/feedback/?$"), timeout=30_000)
    finally:
        context.close()


def test_the_feedback_comes_from_the_end_of_the_call_alone(gemini_standin, gemini_db, call_browser) -> None:
    """Feedback starts from one place: the move to COMPLETED queues it, and this server's own
    jobs (PREPPAL_JOBS=inprocess, the default) make it; the feedback page only reads it."""
    from preppal.services.feedback import queue

    gemini_standin.behaviour = greet_then()
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("turn")).to_have_text([re.compile(re.escape(GREETING))])
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(re.compile(rf"/interview/{interview_id}/feedback/?$"), timeout=30_000)
        expect(page.locator("#feedback-ready").first).to_be_visible(timeout=90_000)
        screenshot(page, "feedback-from-the-call")
    finally:
        context.close()
    row = queue.get_feedback_any(interview_id)
    assert row.status == FeedbackStatus.READY and row.attempts == 1
