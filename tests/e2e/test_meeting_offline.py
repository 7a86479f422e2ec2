"""The default set-up (no API key): the offline interviewer hears the candidate through the
browser's capture path (Chromium's processing, the capture worklet's resampler, 40 ms PCM16
frames) well enough to transcribe them, and answers with audio the page plays.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from preppal.models import InterviewStatus, Speaker
from tests.e2e.meeting_helpers import (
    INTERVIEWER,
    YOU,
    at_least_words,
    launch_browser,
    make_candidate_and_interview,
    new_page,
    open_meeting,
    rows,
    rows_after,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.model]


@pytest.fixture(scope="module")
def late_answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The candidate answers after the interviewer's greeting (~9 s long): 12 s of silence first."""
    from tests.support.speech import speech_pcm, write_wav

    pcm = speech_pcm("I have worked as a backend engineer with Python for five years.", lead_s=12.0, tail_s=6.0)
    return write_wav(tmp_path_factory.mktemp("mic") / "late-answer.wav", pcm)


def test_offline_interviewer_hears_the_candidate(app_db, playwright_instance, late_answer_wav) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    browser = launch_browser(playwright_instance, wav=late_answer_wav)
    context, page = new_page(browser, app_db)
    email, interview_id = make_candidate_and_interview()
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live", timeout=60_000)
        expect(page.get_by_test_id("interviewer")).to_have_text("Offline interviewer (on this server)")
        expect(rows(page, YOU, final=True)).not_to_have_count(0, timeout=90_000)  # the candidate's answer transcribed
        # The answer reached the offline VAD and STT: a final line of several words, then the
        # interviewer moves on with its next turn. (Its exact words are not checked: Whisper
        # tiny.en on an espeak voice is rough.)
        said = rows(page, YOU, final=True, saying=at_least_words(4))
        expect(said).not_to_have_count(0, timeout=20_000)
        expect(rows_after(rows(page, YOU).first, INTERVIEWER)).not_to_have_count(0, timeout=60_000)
        # The interviewer's audio was played (samples counted by the playback worklet: heard, not
        # seen, so read from the page's call record).
        page.wait_for_function("() => (window.__preppalCall?.playback?.stats?.played || 0) > 0")
        screenshot(page, "offline-live")
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(re.compile(r"/feedback/?$"), timeout=30_000)
        # The call was recorded: the feedback page plays it.
        expect(page.locator("#recording-player")).to_have_count(1, timeout=30_000)
        screenshot(page, "offline-feedback-player")
    finally:
        context.close()
        browser.close()

    assert lifecycle.get_interview_any(interview_id).status == InterviewStatus.COMPLETED
    lines = transcripts.get_transcript(interview_id)
    speakers = [line.speaker for line in lines]
    assert Speaker.USER in speakers and Speaker.AI in speakers
    _check_recording(app_db.data_dir / "recordings", interview_id, lines)


def _check_recording(root: Path, interview_id: str, lines: list) -> None:
    """Both voices are in the recording where the transcript says they were heard."""
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from preppal.services.recordings import tracks
    from preppal.services.recordings.store import LocalStore

    store = LocalStore(root)
    rate = 16_000
    with ThreadPoolExecutor(1) as pool:  # sync Playwright keeps a loop running on this thread
        cand = pool.submit(tracks.read_track_pcm, store, interview_id, "candidate").result()
        ai = pool.submit(tracks.read_track_pcm, store, interview_id, "interviewer").result()
    assert cand is not None and ai is not None

    def onset(x: np.ndarray, after_ms: int) -> float:
        start = after_ms * rate // 1000
        loud = np.flatnonzero(np.abs(x[start:]) > 0.05)
        assert len(loud), "no sound in the recording"
        return (start + loud[0]) * 1000 / rate

    greeting = next(line for line in lines if line.speaker == Speaker.AI)
    answer = next(line for line in lines if line.speaker == Speaker.USER)
    assert abs(onset(ai, 0) - greeting.start_ms) < 500
    # The candidate's track is silent through the greeting, then their answer starts where its
    # line does (the offline VAD back-dates the line to the start of speech).
    assert abs(onset(cand, max(0, answer.start_ms - 3_000)) - answer.start_ms) < 700
