"""The meeting screen when things go wrong: no microphone permission, the AI failing mid-call,
the candidate talking over the AI (barge-in), and the network dropping.

Same setup as test_meeting_call.py: production build, real SDK against the Live-API
stand-in, Debian Chromium with a fake microphone.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from playwright.sync_api import expect

from preppal.models import InterviewStatus, Speaker
from tests.e2e.meeting_helpers import (
    CallRecorder,
    call_debug,
    launch_browser,
    make_candidate_and_interview,
    new_page,
    open_meeting,
    pcm24k_tone,
    poll_until,
    screenshot,
    wait_threading_event,
)

pytestmark = pytest.mark.browser


NO_ECHO_CANCELLATION = """
(() => {
  const md = navigator.mediaDevices;
  const supported = md.getSupportedConstraints.bind(md);
  md.getSupportedConstraints = () => ({ ...supported(), echoCancellation: false });
})();
"""


def _lines(*texts: str) -> list[re.Pattern[str]]:
    """What each turn shows, exactly: its speaker's label, then the text (``expect`` on the turns)."""
    return [re.compile(rf"^(Interviewer|You)\s*{re.escape(text)}$") for text in texts]


def test_microphone_permission_denied(gemini_standin, gemini_db, playwright_instance, mic_wav) -> None:
    from preppal.services.interviews import lifecycle

    browser = launch_browser(playwright_instance, wav=mic_wav, grant_media=False)
    context, page = new_page(browser, gemini_db)
    calls = CallRecorder()
    calls.attach(page)
    email, interview_id = make_candidate_and_interview()
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("error-message")).to_contain_text("permission was denied")
        expect(page.get_by_test_id("error-next-step")).to_contain_text("Allow microphone access")
        expect(page.get_by_test_id("phase")).to_have_text("Ready to start")
        expect(page.get_by_test_id("start-call")).to_be_visible()  # the candidate can try again
        screenshot(page, "error-mic-denied")
        page.wait_for_timeout(1000)
        assert calls.urls == [], "no relay socket may be opened without a microphone"
    finally:
        context.close()
        browser.close()
    assert lifecycle.get_interview_any(interview_id).status == InterviewStatus.PENDING


def test_upstream_error_mid_call_keeps_transcript(gemini_standin, gemini_db, call_browser) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    async def gemini(conn):
        await conn.output_transcript("Hello, tell me about a project you led.")
        await conn.audio(pcm24k_tone(0.4))
        await conn.turn_complete()
        await conn.wait_audio(16_000 * 2, timeout=30)
        await conn.input_transcript("I led a migration")
        await asyncio.sleep(0.5)
        await conn.close(1011, "internal error")  # Gemini fails mid-answer

    gemini_standin.behaviour = gemini
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        message = page.get_by_test_id("error-message")
        expect(message).to_have_text("The AI interviewer is unavailable right now.", timeout=40_000)
        expect(page.get_by_test_id("error-next-step")).to_contain_text("transcript so far is saved")
        expect(page.get_by_test_id("phase")).to_have_text("Call stopped")
        expect(page.get_by_role("link", name="Open the feedback page")).to_have_count(1)
        expect(page.get_by_test_id("turn").first).to_have_text(_lines("Hello, tell me about a project you led.")[0])
        expect(page.get_by_role("button", name="End interview")).to_have_count(0)
        screenshot(page, "error-ai-unavailable")
    finally:
        context.close()

    wait_for_status = [lifecycle.get_interview_any(interview_id).status]
    assert wait_for_status[0] == InterviewStatus.ERROR
    lines = transcripts.get_transcript(interview_id)
    assert (lines[0].speaker, lines[0].text) == (Speaker.AI, "Hello, tell me about a project you led.")


def test_barge_in_drops_queued_ai_audio(gemini_standin, gemini_db, call_browser) -> None:
    barge = threading.Event()

    async def gemini(conn):
        await conn.output_transcript("Let me describe the role in some detail before we start.")
        for _ in range(8):  # 4 s of speech, sent faster than real time as Gemini does
            await conn.audio(pcm24k_tone(0.5))
        if await wait_threading_event(barge, 30):
            await conn.interrupted()
        await conn.hold()

    gemini_standin.behaviour = gemini
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    # This browser "has no echo cancellation": the page must suggest headphones.
    context.add_init_script(NO_ECHO_CANCELLATION)
    calls = CallRecorder()
    calls.attach(page)
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("headphone-hint")).to_contain_text("use headphones")

        # The queue and the flush are the playback worklet's (heard, not seen): read from its record.
        before = page.wait_for_function(
            "() => { const pb = window.__preppalCall?.playback;"
            " return pb && pb.speaking && pb.bufferedMs > 1500 ? pb : null; }",
            timeout=30_000,
        ).json_value()
        expect(page.get_by_text("Interviewer speaking")).to_be_visible()
        screenshot(page, "2-live-ai-speaking")
        barge.set()

        after = page.wait_for_function(
            "() => { const pb = window.__preppalCall?.playback; return pb && pb.stats.flushes === 1 ? pb : null; }"
        ).json_value()
        rate = call_debug(page)["contextRate"]
        assert len(calls.received_of("interrupted")) == 1
        assert after["bufferedMs"] < 5, after
        # At least a second of queued speech was dropped rather than played.
        assert after["stats"]["dropped"] > rate * 1.0, (before, after)
        played_at_flush = after["stats"]["played"]
        page.wait_for_timeout(600)
        later = call_debug(page)["playback"]
        assert later["speaking"] is False
        assert later["stats"]["played"] - played_at_flush <= 128, "nothing of the old turn plays on"
        expect(page.get_by_text("Interviewer listening")).to_be_visible()
    finally:
        context.close()


def test_network_drop_reconnects_without_duplicate_lines(gemini_standin, gemini_db, call_browser) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    back = threading.Event()

    async def gemini(conn):
        await conn.output_transcript("Welcome. What drew you to this role?")
        await conn.audio(pcm24k_tone(0.3))
        await conn.turn_complete()
        if await wait_threading_event(back, 40):
            await conn.ai_turn(["Good to have you ", "back."], pcm_per_word=pcm24k_tone(0.2))
        await conn.hold()

    gemini_standin.behaviour = gemini
    gemini_standin.setup_delay_s = 2.0  # hold "connecting" long enough to be seen
    email, interview_id = make_candidate_and_interview()
    context, page = new_page(call_browser, gemini_db)
    routes: list = []

    held: list = []  # server → page frames held back while `hold` is set

    def route(ws) -> None:
        server = ws.connect_to_server()  # forward both ways, but keep a handle to cut the line
        ws.on_message(server.send)
        server.on_message(lambda m: held.append(m) if hold.is_set() else ws.send(m))
        server.on_close(
            lambda code, reason: held.append((code, reason)) if hold.is_set() else ws.close(code=code, reason=reason)
        )
        routes.append((ws, server))

    hold = threading.Event()

    page.route_web_socket("**/ws/interview/**", route)
    try:
        open_meeting(page, email, interview_id)
        phase = page.get_by_test_id("phase")
        page.get_by_test_id("start-call").click()
        expect(phase).to_have_text("Connecting…")
        screenshot(page, "2-connecting")
        expect(phase).to_have_text("Live", timeout=30_000)
        gemini_standin.setup_delay_s = 0.0
        expect(page.get_by_test_id("turn")).to_have_text(_lines("Welcome. What drew you to this role?"))
        expect(page.get_by_test_id("turn").first).to_have_attribute("data-final", "true")

        page_side, server_side = routes[0]
        server_side.close(code=1001, reason="network drop")  # the line goes dead: the relay sees it …
        page_side.close(code=1001, reason="network drop")  # … and so does the page
        expect(phase).to_have_text("Reconnecting…", timeout=10_000)
        expect(page.get_by_test_id("reconnecting-note")).to_contain_text("Reconnecting automatically")
        screenshot(page, "5-reconnecting")
        expect(phase).to_have_text("Live", timeout=30_000)
        assert len(routes) >= 2
        assert call_debug(page)["sockets"] == 2  # sockets the client opened: not on screen
        back.set()
        lines = _lines("Welcome. What drew you to this role?", "Good to have you back.")
        expect(page.get_by_test_id("turn")).to_have_text(lines)
        page.wait_for_timeout(500)
        expect(page.get_by_test_id("turn")).to_have_text(lines)  # and no line came twice

        hold.set()  # keep SessionEnded back for a moment so "Ending…" can be seen
        page.get_by_role("button", name="End interview").click()
        poll_until(page, lambda: held, what="the relay's answer to EndRequest")  # frames: not on screen
        expect(phase).to_have_text("Ending…")
        expect(page.get_by_role("button", name="End interview")).to_have_count(0)
        screenshot(page, "6-ending")
        hold.clear()
        for frame in held:
            if isinstance(frame, tuple):
                routes[-1][0].close(code=frame[0], reason=frame[1])
            else:
                routes[-1][0].send(frame)
        page.wait_for_url(re.compile(r"/feedback/?$"), timeout=30_000)
    finally:
        gemini_standin.setup_delay_s = 0.0
        context.close()

    interview = lifecycle.get_interview_any(interview_id)
    assert interview.status == InterviewStatus.COMPLETED
    assert [line.text for line in transcripts.get_transcript(interview_id)] == [
        "Welcome. What drew you to this role?",
        "Good to have you back.",
    ]
