"""A whole interview in the browser: mic → relay → "Gemini" (the Live-API stand-in) → page.

Production build, real google-genai SDK, Debian Chromium with a spoken fake microphone.
The page's relay socket is watched with ``page.on("websocket")`` and every frame is
decoded with the Python code generated from the same proto/interview.proto.
"""

from __future__ import annotations

import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from preppal.models import InterviewStatus, Speaker
from tests.e2e.meeting_helpers import (
    CallRecorder,
    create_interview_in_ui,
    make_candidate,
    new_page,
    pcm24k_tone,
    poll_until,
    screenshot,
)

pytestmark = pytest.mark.browser

FRAME_MS = 40  # settings.audio_frame_ms default
FRAME_BYTES = 16_000 * 2 * FRAME_MS // 1000


def test_interview_from_start_to_feedback(gemini_standin, gemini_db, call_browser) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    answered = threading.Event()

    async def gemini(conn):
        await conn.output_transcript("Hello, I am your interviewer. ")
        await conn.audio(pcm24k_tone(0.5))
        await conn.output_transcript("Tell me about yourself.")
        await conn.audio(pcm24k_tone(0.5))
        await conn.turn_complete()
        await conn.wait_audio(2 * 16_000 * 2, timeout=30)  # two seconds of the candidate
        await conn.input_transcript("I have built backend systems")
        await conn.input_transcript(" in Python for five years.")
        await conn.ai_turn(["Thanks, ", "that is helpful."], pcm_per_word=pcm24k_tone(0.3))
        answered.set()
        await conn.hold()

    gemini_standin.behaviour = gemini
    email = make_candidate()
    context, page = new_page(call_browser, gemini_db)
    calls = CallRecorder()
    calls.attach(page)
    interview_id = ""
    try:
        interview_id = create_interview_in_ui(page, email, "Backend engineer")
        assert lifecycle.get_interview_any(interview_id).status == InterviewStatus.PENDING
        phase = page.get_by_test_id("phase")
        expect(page.get_by_test_id("start-call")).to_be_visible()
        expect(phase).to_have_text("Ready to start")
        screenshot(page, "1-initializing")
        page.get_by_test_id("start-call").click()

        expect(phase).to_have_text("Live")
        expect(page.get_by_text("that is helpful.").first).to_be_visible(timeout=40_000)
        # The AI's audio frames on the relay socket: not on screen.
        poll_until(page, lambda: len(calls.received_of("audio_response")) >= 4, what="AI audio")
        # Samples played (the playback worklet's count): heard, not seen, so read from its record.
        page.wait_for_function("() => (window.__preppalCall?.playback?.stats?.played || 0) > 0")
        screenshot(page, "3-live-transcript")

        # Candidate audio: binary protobuf AudioChunk frames of exactly 40 ms at 16 kHz …
        chunks = calls.audio_chunks()
        assert len(chunks) >= 25, f"only {len(chunks)} audio frames sent"
        assert {len(pcm) for _, pcm in chunks} == {FRAME_BYTES}
        # … sent in real time (a wrong resampling ratio would be off by 2.75× or 3×).
        span = chunks[-1][0] - chunks[0][0]
        rate = (len(chunks) - 1) * FRAME_BYTES / 2 / span
        assert 16_000 * 0.7 < rate < 16_000 * 1.3, f"{rate:.0f} samples/s"
        loud = [
            pcm
            for _, pcm in chunks
            if max(abs(int.from_bytes(pcm[i : i + 2], "little", signed=True)) for i in range(0, len(pcm), 2)) > 1000
        ]
        assert loud, "the fake microphone's speech never reached the relay"
        # Server messages: ready, transcript updates, 24 kHz audio.
        ready = calls.received_of("session_ready")
        assert ready and ready[0].session_ready.interviewer == "gemini"
        assert {m.audio_response.sample_rate for m in calls.received_of("audio_response")} == {24_000}
        updates = calls.received_of("transcript_update")
        assert any(u.transcript_update.speaker == "USER" for u in updates)
        assert any(not u.transcript_update.is_final for u in updates), "partials are streamed too"

        # The page: user and AI turns, each partial replaced by its final text.
        turns = page.get_by_test_id("turn")
        expect(turns).to_have_count(3)
        expect(page.locator('[data-testid="turn"][data-final="true"]')).to_have_count(3)
        speakers = [turns.nth(i).get_attribute("data-speaker") for i in range(3)]
        assert speakers == ["AI", "USER", "AI"]
        expect(turns.nth(1)).to_contain_text("I have built backend systems in Python for five years.")
        expect(page.get_by_test_id("interviewer")).to_have_text("Gemini Live interviewer")
        expect(page.get_by_test_id("mic-level")).to_have_count(1)

        page.get_by_role("button", name="Mute").click()
        expect(page.get_by_text("You are muted")).to_be_visible()
        screenshot(page, "4-live-muted")
        page.get_by_role("button", name="Unmute").click()

        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(
            lambda url: urlparse(url).path.rstrip("/") == f"/interview/{interview_id}/feedback", timeout=30_000
        )
        assert len(calls.received_of("session_ended")) == 1
        assert calls.sent[-1][1].WhichOneof("payload") == "end_request"
    finally:
        screenshot(page, "last-call-test")
        context.close()

    assert answered.is_set()
    interview = lifecycle.get_interview_any(interview_id)
    assert interview.status == InterviewStatus.COMPLETED
    assert interview.interviewer == "gemini"
    lines = transcripts.get_transcript(interview_id)
    assert [(line.speaker, line.text) for line in lines] == [
        (Speaker.AI, "Hello, I am your interviewer. Tell me about yourself."),
        (Speaker.USER, "I have built backend systems in Python for five years."),
        (Speaker.AI, "Thanks, that is helpful."),
    ]
