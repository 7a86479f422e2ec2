"""Holding the floor in a real browser (the offline interviewer, a fake mic playing a WAV).

The candidate holds Space through a 4 s silence after their words: the interviewer stays
silent (no line of its own after the answer). They let go: it answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

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
    words,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def answer_then_silence_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of silence (the call connects), an answer over the greeting, then 14 s of silence."""
    from tests.support.speech import speech_pcm, write_wav

    text = "In my last job I led the move of our billing service to a new cloud provider."
    pcm = speech_pcm(text, lead_s=3.0, tail_s=14.0)
    return write_wav(tmp_path_factory.mktemp("mic") / "hold.wav", pcm)


def test_holding_space_keeps_the_interviewer_silent_through_a_pause(
    app_db, playwright_instance, answer_then_silence_wav
) -> None:
    browser = launch_browser(playwright_instance, wav=answer_then_silence_wav)
    context, page = new_page(browser, app_db)
    email, interview_id = make_candidate_and_interview()
    try:
        open_meeting(page, email, interview_id)
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live", timeout=60_000)
        hold = page.get_by_role("button", name="Thinking…")
        expect(hold).to_have_count(1, timeout=30_000)
        assert hold.get_attribute("aria-pressed") == "false"
        page.keyboard.down("Space")  # the candidate holds the floor before their answer ends
        expect(hold).to_have_attribute("aria-pressed", "true", timeout=20_000)
        expect(page.get_by_test_id("hold-status")).to_contain_text("Holding the floor")

        answer = rows(page, YOU).first
        replies = rows_after(answer, INTERVIEWER)  # the interviewer's lines after the answer
        expect(answer).to_be_visible(timeout=60_000)
        expect(words(answer)).to_have_text(at_least_words(5), timeout=30_000)
        page.wait_for_timeout(4000)  # 4 s of silence, holding
        screenshot(page, "meeting-holding-the-floor")
        assert replies.count() == 0, rows(page).all_inner_texts()
        assert hold.get_attribute("aria-pressed") == "true"

        page.keyboard.up("Space")  # let go: the decision is the interviewer's again
        expect(hold).to_have_attribute("aria-pressed", "false", timeout=20_000)
        expect(replies).not_to_have_count(0, timeout=30_000)
        screenshot(page, "meeting-after-the-hold")

        # The button holds too: pressed and held with a pointer, or with Enter from the keyboard.
        hold.hover()
        page.mouse.down()
        expect(hold).to_have_attribute("aria-pressed", "true", timeout=20_000)
        page.mouse.up()
        expect(hold).to_have_attribute("aria-pressed", "false", timeout=20_000)
        hold.focus()
        page.keyboard.down("Enter")
        expect(hold).to_have_attribute("aria-pressed", "true", timeout=20_000)
        page.keyboard.up("Enter")
        expect(hold).to_have_attribute("aria-pressed", "false", timeout=20_000)
        expect(page.get_by_test_id("phase")).to_have_text("Live")  # Space/Enter clicked nothing else
    finally:
        context.close()
        browser.close()
