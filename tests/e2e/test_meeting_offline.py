"""The default set-up (no API key): the offline interviewer hears the candidate through the
browser's capture path (Chromium's processing, the capture worklet's resampler, 40 ms PCM16
frames) well enough to transcribe them, and answers with audio the page plays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preppal.models import InterviewStatus, Speaker
from tests.e2e.meeting_helpers import (
    call_debug,
    launch_browser,
    make_candidate_and_interview,
    new_page,
    open_meeting,
    screenshot,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def late_answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The candidate answers after the interviewer's greeting (~9 s long): 12 s of silence first."""
    from tests.support.speech import speech_pcm, write_wav

    pcm = speech_pcm("I have worked as a backend engineer with Python for five years.", lead_s=12.0, tail_s=6.0)
    return write_wav(tmp_path_factory.mktemp("mic") / "late-answer.wav", pcm)


def test_offline_interviewer_hears_the_candidate(app_db, playwright_instance, late_answer_wav) -> None:
    from preppal.services import interviews

    browser = launch_browser(playwright_instance, wav=late_answer_wav)
    context, page = new_page(browser, app_db)
    email, interview_id = make_candidate_and_interview()
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        wait_for(page, lambda: page.get_by_test_id("phase").inner_text().strip() == "Live", timeout=60, what="live")
        assert page.get_by_test_id("interviewer").inner_text() == "Offline interviewer (on this server)"
        turns = page.get_by_test_id("turn")
        user = turns.and_(page.locator('[data-speaker="USER"][data-final="true"]'))
        wait_for(page, lambda: user.count() > 0, timeout=90, what="the candidate's answer transcribed")
        # The answer reached the offline VAD and STT: a final line of several words, then the
        # interviewer moves on with its next turn. (Its exact words are not checked: Whisper
        # tiny.en on an espeak voice is rough.)
        answers = lambda: [t.split("\n", 1)[-1].split() for t in user.all_inner_texts()]  # noqa: E731
        wait_for(page, lambda: any(len(words) >= 4 for words in answers()), what="a transcribed answer")
        speakers = lambda: [turns.nth(i).get_attribute("data-speaker") for i in range(turns.count())]  # noqa: E731
        wait_for(page, lambda: "AI" in speakers()[speakers().index("USER") + 1 :], timeout=60, what="the next question")
        wait_for(
            page,
            lambda: (call_debug(page).get("playback") or {}).get("stats", {}).get("played", 0) > 0,
            what="interviewer audio played",
        )
        screenshot(page, "offline-live")
        page.get_by_role("button", name="End interview").click()
        wait_for(page, lambda: "/feedback" in page.url, timeout=30, what="feedback page")
    finally:
        context.close()
        browser.close()

    assert interviews.get_interview_any(interview_id).status == InterviewStatus.COMPLETED
    speakers = [line.speaker for line in interviews.get_transcript(interview_id)]
    assert Speaker.USER in speakers and Speaker.AI in speakers
