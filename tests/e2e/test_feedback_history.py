"""After the call, in real Chromium against the production build: feedback appears without
a reload, history filters, export downloads, delete removes everything, and nobody sees
another user's interview. Interviews are seeded through the service layer into the app
server's own database (``app_db``)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from preppal import display, routes
from preppal.db import session_scope
from preppal.models import Feedback, FeedbackStatus, Interview, InterviewStatus, Speaker, TranscriptEntry
from preppal.services.accounts import auth
from preppal.services.feedback import produce, queue
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from tests.support.users import make_user

pytestmark = pytest.mark.browser

LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a time you improved a system?", 0, 3_000),
    TranscriptLine(
        2,
        Speaker.USER,
        "Um, at my previous company the billing close took five days. I designed a new pipeline "
        "and as a result we cut it to one day.",
        4_000,
        14_000,
    ),
    TranscriptLine(3, Speaker.AI, "How did you get finance to trust it?", 15_000, 17_000),
    TranscriptLine(
        4, Speaker.USER, "I ran both systems in parallel for two months and shared a daily diff.", 18_000, 24_000
    ),
]


def _sign_in(page, app_server) -> int:
    user = make_user()
    token = auth.create_login_session(user.id)
    page.context.add_cookies([{"name": auth.SESSION_COOKIE, "value": token, "url": app_server.url}])
    return user.id


def _interview(user_id: int, role: str, kind: str = "behavioural", *, complete: bool = True) -> str:
    interview = lifecycle.create_interview(user_id, interview_type=kind, role=role)
    if complete:
        lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
        transcripts.submit_transcript(interview.id, LINES)
    return interview.id


def _set_feedback(interview_id: str, **values) -> None:
    """Put the interview's queued feedback row (made when it completed) in a given state."""
    with session_scope() as session:
        session.exec(sa.update(Feedback).where(Feedback.interview_id == interview_id).values(**values))


def _rows(page):
    return page.locator("#history-table .history-row")


def test_feedback_appears_without_a_reload(page, app_db) -> None:
    user_id = _sign_in(page, app_db)
    interview_id = _interview(user_id, "Backend engineer")
    _set_feedback(interview_id, status=FeedbackStatus.RUNNING, attempts=1)  # a worker is "already generating" it

    page.goto(routes.feedback_url(interview_id))
    progress = page.locator("#feedback-progress")
    progress.wait_for()
    assert "Analysing your interview" in progress.inner_text()
    expect(page.locator("#transcript").get_by_text("Answer 2")).to_be_visible()  # metrics beside answers already
    page.evaluate("window.__sameDocument = true")

    with session_scope() as session:  # the worker finishes (this test plays the worker)
        session.exec(sa.update(Feedback).where(Feedback.interview_id == interview_id).values(status="PENDING"))
    row = produce.run_feedback(interview_id)
    assert row.status == FeedbackStatus.READY

    page.locator("#feedback-ready").wait_for(timeout=15_000)
    assert page.evaluate("window.__sameDocument === true")  # no reload happened
    assert page.locator("#overall-score").inner_text().strip() == str(row.overall_score)
    assert page.locator("#strengths [role=listitem]").count() == len(row.strengths)
    expect(page.get_by_text("Built-in analyzer").first).to_be_visible()
    expect(progress).to_be_hidden()


def test_queued_feedback_shows_as_soon_as_a_worker_makes_it(page, app_db) -> None:
    """Completing queued the feedback; the page only reads it and shows it once made."""
    user_id = _sign_in(page, app_db)
    interview_id = _interview(user_id, "Platform engineer")
    page.goto(routes.feedback_url(interview_id))
    expect(page.locator("#feedback-progress")).to_be_visible()
    assert queue.get_feedback(user_id, interview_id).status == FeedbackStatus.PENDING  # opening it started nothing
    assert (
        produce.run_feedback(interview_id).status == FeedbackStatus.READY
    )  # a worker's turn (this server leaves jobs to workers)
    page.locator("#feedback-ready").wait_for(timeout=20_000)
    row = queue.get_feedback(user_id, interview_id)
    assert row.status == FeedbackStatus.READY and row.source == "analyzer" and row.attempts == 1
    assert page.locator("#overall-score").inner_text().strip() == str(row.overall_score)

    with page.expect_download() as download:
        page.locator("#export-md").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.startswith("# Interview feedback — Platform engineer")
    assert f"## Overall score: {row.overall_score} / 100" in text
    assert "I ran both systems in parallel for two months" in text

    page.locator("#practise-again").click()
    page.wait_for_url(re.compile(r"/interview/[0-9a-f-]{36}/live$"))
    new_id = page.url.rstrip("/").split("/")[-2]
    again = lifecycle.get_interview(user_id, new_id)
    assert new_id != interview_id and again.role == "Platform engineer" and again.status == InterviewStatus.PENDING


def test_history_filters_exports_and_deletes(page, app_db) -> None:
    user_id = _sign_in(page, app_db)
    backend = _interview(user_id, "Backend engineer")
    data = _interview(user_id, "Data engineer", "technical")
    _interview(user_id, "Staff engineer", complete=False)
    for interview_id in (backend, data):
        produce.run_feedback(interview_id)

    page.goto(routes.HISTORY)
    page.locator("#history-table").wait_for()
    assert _rows(page).count() == 3
    assert page.locator("#score-chart .recharts-line").count() == 1

    page.locator("#filter-type").click()
    page.get_by_role("option", name="Technical").click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 1")
    assert "Data engineer" in _rows(page).first.inner_text()

    page.get_by_role("button", name="Clear filters").first.click()
    page.locator("#filter-status").click()
    page.get_by_role("option", name="Completed").click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 2")

    page.get_by_role("button", name="Clear filters").first.click()
    page.locator("#history-search").fill("staff")
    page.get_by_role("button", name="Search").click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 1")
    assert "Staff engineer" in _rows(page).first.inner_text()

    page.get_by_role("button", name="Clear filters").first.click()
    page.wait_for_function("document.querySelector('#history-search').value === ''")
    page.locator("#filter-since").fill("2099-01-01")
    page.locator("#history-empty").wait_for()
    page.get_by_role("button", name="Clear filters").first.click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 3")

    response = page.request.get(f"/api/interview/{data}/export.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF-")

    data_row = page.locator(f"#history-table .history-row[data-id='{data}']")
    data_row.locator(".delete-interview").click()
    dialog = page.get_by_role("alertdialog")
    assert "Data engineer" in dialog.inner_text()
    page.locator("#confirm-delete").click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 2")
    assert "Data engineer" not in page.locator("#history-table").inner_text()
    with session_scope() as session:
        assert session.get(Interview, data) is None
        assert session.exec(sa.select(TranscriptEntry).where(TranscriptEntry.interview_id == data)).first() is None
        assert session.exec(sa.select(Feedback).where(Feedback.interview_id == data)).first() is None
        assert session.get(Interview, backend) is not None


def test_another_users_interview_is_neither_visible_nor_exportable(page, app_db) -> None:
    owner = make_user()
    theirs = _interview(owner.id, "Secret role")
    produce.run_feedback(theirs)
    _sign_in(page, app_db)

    page.goto(routes.feedback_url(theirs))
    page.get_by_role("heading", name="Interview not found").wait_for()
    assert "billing close" not in page.content()
    for ext in ("md", "pdf"):
        assert page.request.get(f"/api/interview/{theirs}/export.{ext}").status == 404
    page.goto(routes.HISTORY)
    page.locator("#history-empty").wait_for()
    assert "Secret role" not in page.content()


def test_history_pages_through_many_interviews(page, app_db) -> None:
    user_id = _sign_in(page, app_db)
    for n in range(12):
        _interview(user_id, f"Role {n:02d}", complete=False)
    page.goto(routes.HISTORY)
    page.locator("#history-table").wait_for()
    assert _rows(page).count() == 10
    assert page.locator("#page-label").inner_text() == "Page 1 of 2 · 12 interviews"
    page.get_by_role("button", name="Next").click()
    page.wait_for_function("document.querySelectorAll('#history-table .history-row').length === 2")
    assert page.locator("#page-label").inner_text() == "Page 2 of 2 · 12 interviews"
    assert "Role 00" in page.locator("#history-table").inner_text()  # oldest last

    # Escape closes the delete dialog without deleting anything
    _rows(page).first.locator(".delete-interview").click()
    page.get_by_role("alertdialog").wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("alertdialog").wait_for(state="hidden")
    assert _rows(page).count() == 2


def test_the_delete_dialog_names_which_interview(page, app_db) -> None:
    """Issue 24: three "Backend engineer" rows must not read alike in the dialog."""
    user_id = _sign_in(page, app_db)
    made = [
        lifecycle.create_interview(user_id, interview_type=kind, role="Backend engineer")
        for kind in ("behavioural", "technical", "behavioural")
    ]
    page.goto(routes.HISTORY)
    expect(_rows(page)).to_have_count(3)
    target = made[1]
    page.locator(f"#history-table .history-row[data-id='{target.id}'] .delete-interview").click()
    label = f"Backend engineer · Technical · {display.when(target.created_at)}"
    expect(page.get_by_role("alertdialog")).to_contain_text(f"“{label}” will be deleted")
    page.locator("#confirm-delete").click()
    expect(_rows(page)).to_have_count(2)
    expect(page.get_by_text(f"Deleted “{label}”.")).to_be_visible()


def test_page_waits_while_the_interview_is_still_ending(page, app_db) -> None:
    """The call page redirects on SessionEnded, possibly before the relay has saved the end."""
    user_id = _sign_in(page, app_db)
    interview = lifecycle.create_interview(user_id, interview_type="behavioural", role="Site reliability engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.append_transcript_line(interview.id, LINES[0])

    page.goto(routes.feedback_url(interview.id))
    page.locator("#feedback-waiting").wait_for()
    assert "Wrapping up your interview" in page.locator("#feedback-waiting").inner_text()
    page.evaluate("window.__sameDocument = true")

    transcripts.submit_transcript(interview.id, LINES)  # the relay finishes: the feedback is queued
    produce.run_feedback(interview.id)  # and a worker makes it

    page.locator("#feedback-ready").wait_for(timeout=20_000)
    assert page.evaluate("window.__sameDocument === true")
    expect(page.locator("#transcript").get_by_text("Answer 2")).to_be_visible()  # the full transcript arrived
    assert queue.get_feedback(user_id, interview.id).status == FeedbackStatus.READY


def test_failed_feedback_can_be_retried_from_the_page(page, app_db) -> None:
    user_id = _sign_in(page, app_db)
    interview_id = _interview(user_id, "Mobile engineer")
    _set_feedback(
        interview_id,
        status=FeedbackStatus.FAILED,
        attempts=4,
        error=f"{produce.UNAVAILABLE}: The AI feedback service is busy or unavailable (HTTP 429).",
    )
    page.goto(routes.feedback_url(interview_id))
    failed = page.locator("#feedback-failed")
    failed.wait_for()
    assert "HTTP 429" in failed.inner_text()
    expect(page.locator("#transcript").get_by_text("Answer 1")).to_be_visible()  # the transcript is still there
    page.locator("#retry-feedback").click()
    expect(page.locator("#feedback-failed")).to_be_hidden()  # queued again
    produce.run_feedback(interview_id)  # a worker's turn
    page.locator("#feedback-ready").wait_for(timeout=20_000)
    row = queue.get_feedback(user_id, interview_id)
    assert row.status == FeedbackStatus.READY and row.attempts == 5 and row.error is None


def test_ai_failure_shows_the_analyzer_feedback_and_retry_ai_feedback(page, app_db, tmp_path) -> None:
    """Feedback never comes back empty: the analyzer's, labelled, plus "Retry AI feedback";
    the delivery card says what its figures were measured from."""
    user_id = _sign_in(page, app_db)
    interview_id = _interview(user_id, "Data engineer")
    row = produce.run_feedback(interview_id)  # the analyzer's feedback, as a Gemini failure leaves it
    pauses = [{"start_ms": 6_000, "end_ms": 7_400}, {"start_ms": 9_000, "end_ms": 10_200}]
    measured = row.metrics | {"source": "audio", "timeline": {"pauses": pauses, "fillers": []}}
    reason = f"{produce.AI_UNAVAILABLE}: Could not reach the AI feedback service (RemoteProtocolError)."
    with session_scope() as session:
        session.exec(
            sa.update(Feedback).where(Feedback.interview_id == interview_id).values(error=reason, metrics=measured)
        )
    page.goto(routes.feedback_url(interview_id))
    notice = page.locator("#feedback-fallback")
    notice.wait_for()
    assert "RemoteProtocolError" in notice.inner_text() and "built-in analyzer" in notice.inner_text()
    expect(page.locator("#overall-score")).to_have_text(str(row.overall_score))  # scores are shown anyway
    expect(page.get_by_text("the AI review failed").first).to_be_visible()
    expect(page.locator("#metrics-source")).to_contain_text("measured from your recording")
    expect(page.get_by_text("Pauses of 1 s or more")).to_be_visible()
    page.screenshot(path=str(tmp_path / "fallback.png"), full_page=True)

    page.locator("#retry-ai-feedback").click()  # this server has no key: the retry ends as plain analyzer feedback
    expect(notice).to_be_hidden(timeout=20_000)
    produce.run_feedback(interview_id)  # a worker's turn
    page.locator("#feedback-ready").wait_for(timeout=20_000)
    again = queue.get_feedback(user_id, interview_id)
    assert again.status == FeedbackStatus.READY and again.error is None and again.attempts == 2
    assert again.metrics["source"] == "audio"  # the measured metrics were kept, not measured again
