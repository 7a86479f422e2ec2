"""The scorecard on the feedback page, in real Chromium against the production build: the
competencies with their evidence, "Play from here" seeking the recording to where a quote
was said, the questions as the interviewer marked them (never the greeting, never "Can you
repeat the question?" as an answer), marks on the listen-back timeline, and the per-competency
chart in the history."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from preppal import routes
from preppal.models import InterviewStatus, Speaker
from preppal.services.accounts import auth
from preppal.services.feedback import produce
from preppal.services.interviews import lifecycle, scorecard_entries, transcripts
from preppal.services.interviews.scorecard_entries import EVIDENCE, QUESTION, Entry
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import LocalStore
from tests.e2e.test_recording_player import _record, _wait_time

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/preppal-shots")
GREETING = "Hi Casey, thanks for joining. I'm your Preppal interviewer. Let's begin. "
LINES = [
    TranscriptLine(1, Speaker.AI, GREETING + "Tell me about a time you improved a system?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "Can you repeat the question?", 4_000, 5_000),
    TranscriptLine(3, Speaker.AI, "Of course. Tell me about a time you improved a system?", 6_000, 7_500),
    TranscriptLine(
        4,
        Speaker.USER,
        "At my last job the billing close took five days. I rebuilt the reconciliation myself.",
        8_000,
        14_000,
    ),
    TranscriptLine(5, Speaker.AI, "How did it turn out?", 15_000, 17_000),
    TranscriptLine(6, Speaker.USER, "As a result the close went from five days to one.", 18_000, 24_000),
]
MARKS = [
    Entry(QUESTION, 200, 1, "situation_task", text="Tell me about a time you improved a system?"),
    Entry(
        EVIDENCE,
        14_500,
        1,
        "action_ownership",
        strength="strong",
        text="I rebuilt the reconciliation myself",
        why="Says what they did themselves.",
    ),
    Entry(QUESTION, 15_000, 1, "result_measurement", followup=True, text="How did it turn out?"),
    Entry(
        EVIDENCE,
        24_500,
        1,
        "result_measurement",
        strength="strong",
        text="the close went from five days to one",
        why="A measured outcome.",
    ),
]


def test_the_scorecard_card_seeks_the_player_from_an_evidence_quote(page, app_db) -> None:
    user = auth.sign_up(f"card-{uuid.uuid4().hex[:8]}@example.com", "Correct-horse-9", "Casey")
    page.context.add_cookies(
        [{"name": auth.SESSION_COOKIE, "value": auth.create_login_session(user.id), "url": app_db.url}]
    )
    interview = lifecycle.create_interview(user.id, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    for i, entry in enumerate(MARKS):
        scorecard_entries.record_entry(interview.id, f"k{i}", entry)
    _record(LocalStore(app_db.data_dir / "recordings"), interview.id, LINES)
    # Completed and its feedback made at once: the app's start-up sweep of pending feedback must
    # not find it first (it would measure the tones above, which are no speech).
    transcripts.submit_transcript(interview.id, LINES)
    produce.run_feedback(interview.id, isolate_analysis=False, audio=lambda _interview_id: None)

    page.goto(routes.feedback_url(interview.id))
    card = page.locator("#scorecard")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Noted by the interviewer as you spoke.")
    expect(card.locator(".scorecard-competency")).to_have_count(4)  # the behavioural rubric, no STAR category
    expect(card.locator(".scorecard-competency").nth(1)).to_contain_text("Action and ownership")
    expect(card.locator(".scorecard-competency").nth(3)).to_contain_text("not heard")
    quotes = card.locator(".scorecard-evidence")
    expect(quotes).to_have_count(2)
    expect(quotes.nth(1)).to_contain_text("the close went from five days to one")
    questions = card.locator(".scorecard-question")
    expect(questions).to_have_count(1)
    expect(questions.first).to_contain_text("Tell me about a time you improved a system?")
    expect(questions.first).not_to_contain_text("thanks for joining")
    expect(questions.first).to_contain_text("How did it turn out?")  # its follow-up

    # "Can you repeat the question?" is not an answer anywhere on the page.
    notes = page.locator("[role=listitem]").filter(has_text="A stronger answer")
    expect(notes).to_have_count(1)
    expect(notes.first).not_to_contain_text("repeat the question")
    expect(page.locator("#improvements")).not_to_contain_text("repeat the question")
    expect(page.locator("#delivery-metrics")).to_contain_text("1 of 1")

    page.wait_for_function("document.getElementById('recording-player').readyState >= 1", timeout=15_000)
    quotes.nth(1).locator(".evidence-seek").click()  # said at 0:18
    _wait_time(page, 18.0)
    quotes.nth(0).locator(".evidence-seek").click()  # said at 0:08
    _wait_time(page, 8.0)
    expect(page.locator("#recording .timeline-strong")).to_have_count(2)
    expect(page.locator("#recording .timeline-question")).to_have_count(1)
    page.locator("#recording .timeline-strong").nth(1).click()
    _wait_time(page, 18.0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "feedback-scorecard.png"), full_page=True)

    page.goto(routes.HISTORY)
    chart = page.locator("#competency-chart-behavioural")
    expect(chart).to_be_visible()
    expect(page.locator("#competency-chart-technical")).to_have_count(0)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "history-competencies.png"), full_page=True)
