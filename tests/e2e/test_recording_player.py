"""Listen back, in real Chromium against the production build: the feedback page plays the
interview's recording (Ogg/Opus through the Range route), clicking a transcript line, a
question note or a timeline mark seeks the player there, and the download is owner-only.

The recording is written by the real writer into the app server's recordings directory, with
a tone in every stretch where the transcript says someone spoke."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from preppal import routes
from preppal.db import session_scope
from preppal.models import Feedback, InterviewStatus, Speaker
from preppal.services.accounts import auth
from preppal.services.feedback import produce
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import LocalStore
from preppal.services.recordings.writer import RecordingWriter

pytestmark = pytest.mark.browser

LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a time you improved a system?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "Um, at my previous company the billing close took five days.", 4_000, 14_000),
    TranscriptLine(3, Speaker.AI, "How did you get finance to trust it?", 15_000, 17_000),
    TranscriptLine(4, Speaker.USER, "I ran both systems in parallel for two months.", 18_000, 24_000),
]
SHOTS = Path("/tmp/preppal-shots")


def _record(store: LocalStore, interview_id: str, lines: list[TranscriptLine] = LINES) -> None:
    """25 s: the interviewer's and the candidate's lines as tones where the transcript has them."""
    clock = [0.0]
    writer = RecordingWriter(store, interview_id, origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0])
    writer.start()
    for step in range(625):  # 40 ms frames
        t0 = step * 0.04
        clock[0] = t0 + 0.04
        speaking = {line.speaker for line in lines if line.start_ms <= t0 * 1000 < line.end_ms}
        n = np.arange(640) / 16_000 + t0
        cand = 0.4 * np.sin(2 * np.pi * 220 * n) if Speaker.USER in speaking else np.zeros(640)
        writer.candidate((cand * 32767).astype("<i2").tobytes())
        if Speaker.AI in speaking:
            m = np.arange(960) / 24_000 + t0
            writer.interviewer((0.4 * np.sin(2 * np.pi * 330 * m) * 32767).astype("<i2").tobytes(), 24_000)
    clock[0] = 25.0
    assert writer.close().complete


def _current_time(page) -> float:
    return page.evaluate("document.getElementById('recording-player').currentTime")


def _wait_time(page, seconds: float) -> None:
    page.wait_for_function(
        f"Math.abs(document.getElementById('recording-player').currentTime - {seconds}) < 0.75", timeout=10_000
    )


def test_the_player_plays_and_seeks_on_click(page, app_db) -> None:
    email = f"listen-{uuid.uuid4().hex[:8]}@example.com"
    user = auth.sign_up(email, "Correct-horse-9", "Casey")
    page.context.add_cookies(
        [{"name": auth.SESSION_COOKIE, "value": auth.create_login_session(user.id), "url": app_db.url}]
    )
    interview = lifecycle.create_interview(user.id, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, LINES)
    _record(LocalStore(app_db.data_dir / "recordings"), interview.id)
    # Feedback from the transcript (the tones above are no speech to analyse); the audio
    # analysis' marks are then seeded as it writes them.
    row = produce.run_feedback(interview.id, isolate_analysis=False, audio=lambda _interview_id: None)
    metrics = dict(row.metrics) | {
        "timeline": {"pauses": [{"start_ms": 8_000, "end_ms": 10_000}], "fillers": [{"word": "um", "at_ms": 4_200}]}
    }
    with session_scope() as session:
        session.exec(sa.update(Feedback).where(Feedback.interview_id == interview.id).values(metrics=metrics))

    page.goto(routes.feedback_url(interview.id))
    player = page.locator("#recording-player")
    expect(player).to_be_attached()
    page.wait_for_function("document.getElementById('recording-player').readyState >= 1", timeout=15_000)
    duration = page.evaluate("document.getElementById('recording-player').duration")
    assert abs(duration - 25.0) < 0.3  # the browser decoded the Ogg/Opus file's length

    turns = page.locator("#transcript .transcript-turn")
    expect(turns).to_have_count(4)
    turns.nth(2).click()  # "How did you get finance to trust it?" at 0:15
    _wait_time(page, 15.0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "feedback-listen-back-scrolled.png"))  # the player stays in view
    box = page.locator("#listen-back").bounding_box()
    assert box is not None and 0 <= box["y"] < 100  # stuck to the top while the transcript is read
    page.locator("#transcript .seek-turn").nth(1).click()  # the time button of the first answer
    _wait_time(page, 4.0)

    notes = page.locator(".seek-note")
    expect(notes.first).to_be_visible()
    notes.first.click()  # the first question, asked at 0:00
    _wait_time(page, 0.0)

    expect(page.locator("#recording .timeline-turn")).to_have_count(4)
    expect(page.locator("#recording .timeline-pause")).to_have_count(1)
    expect(page.locator("#recording .timeline-filler")).to_have_count(1)
    page.locator("#recording .timeline-pause").click()
    _wait_time(page, 8.0)
    page.locator("#recording .timeline-you").nth(1).click()
    _wait_time(page, 18.0)
    page.wait_for_function(  # the playhead follows the player
        "parseFloat(document.getElementById('recording-playhead').style.left) > 60", timeout=10_000
    )

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#recording").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "feedback-listen-back.png"), full_page=True)

    # Range requests from the page's own session; nobody else gets anything.
    ranged = page.request.get(routes.recording_url(interview.id), headers={"Range": "bytes=0-3"})
    assert ranged.status == 206 and ranged.body() == b"OggS"
    download = page.request.get(page.locator("#recording-download").get_attribute("href"))
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    other = page.context.browser.new_context(base_url=app_db.url)
    try:
        assert other.request.get(routes.recording_url(interview.id)).status == 404
    finally:
        other.close()


def test_no_recording_no_player(page, app_db) -> None:
    user = auth.sign_up(f"quiet-{uuid.uuid4().hex[:8]}@example.com", "Correct-horse-9", "Casey")
    page.context.add_cookies(
        [{"name": auth.SESSION_COOKIE, "value": auth.create_login_session(user.id), "url": app_db.url}]
    )
    interview = lifecycle.create_interview(user.id, interview_type="behavioural", role="Analyst")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, LINES)
    page.goto(routes.feedback_url(interview.id))
    expect(page.locator("#transcript .transcript-turn")).to_have_count(4)
    expect(page.locator("#recording-player")).to_have_count(0)
    expect(page.locator("#transcript .seek-turn")).to_have_count(0)
