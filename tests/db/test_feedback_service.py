"""The feedback state machine over a real (SQLite) database: claims, idempotence, retries,
owner checks and delete cascades. Uses the built-in analyzer (no key), the real thing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from preppal import rubric
from preppal.db import session_scope
from preppal.models import Feedback, FeedbackStatus, InterviewStatus, Speaker, TranscriptEntry, utcnow
from preppal.services import feedback, interviews
from preppal.services.errors import NotFound
from preppal.services.interviews import TranscriptLine
from tests.support.users import make_user

LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a project you are proud of?", 0, 3_000),
    TranscriptLine(
        2, Speaker.USER, "I led the billing migration and we cut the close from five days to one.", 4_000, 10_000
    ),
    TranscriptLine(3, Speaker.AI, "What was hard about it?", 11_000, 13_000),
    TranscriptLine(4, Speaker.USER, "Um, convincing finance, so I built a dashboard they trusted.", 14_000, 19_000),
]


def _completed(user_id: int, lines=LINES) -> str:
    interview = interviews.create_interview(user_id, interview_type="behavioural", role="Backend engineer")
    interviews.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    interviews.submit_transcript(interview.id, list(lines))
    return interview.id


def _wait_status(interview_id: str, *wanted: FeedbackStatus, timeout: float = 20.0) -> Feedback:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = feedback._row(interview_id)
        if row is not None and row.status in wanted:
            return row
        time.sleep(0.05)
    raise AssertionError(f"feedback never reached {wanted}: {feedback._row(interview_id)}")


def test_no_feedback_before_completion(db) -> None:
    user = make_user().id
    interview = interviews.create_interview(user, interview_type="behavioural", role="Engineer")
    assert feedback.ensure_feedback(interview.id) is None
    assert feedback.run_feedback(interview.id) is None
    assert feedback._row(interview.id) is None


def test_run_produces_ready_analyzer_feedback_with_metrics(db) -> None:
    interview_id = _completed(make_user().id)
    row = feedback.run_feedback(interview_id)
    assert row.status == FeedbackStatus.READY and row.source == "analyzer"
    assert row.attempts == 1 and row.error is None
    assert 0 <= row.overall_score <= 100
    # Scored on the behavioural rubric, each score backed by the scorecard stored beside it.
    assert row.scores and set(row.scores) <= set(rubric.rubric_for("behavioural", "standard").keys)
    assert row.scorecard["source"] == "heuristic" and [q["number"] for q in row.scorecard["questions"]] == [1, 2]
    assert 1 <= len(row.strengths) <= 5 and 1 <= len(row.improvements) <= 5
    assert row.metrics["questions_answered"] == 2
    assert row.metrics["filler_words"] == {"um": 1}
    assert [a["sequences"] for a in row.metrics["answers_detail"]] == [[2], [4]]
    # a second run is a no-op: the claim only succeeds from PENDING
    again = feedback.run_feedback(interview_id)
    assert again.attempts == 1 and again.updated_at == row.updated_at


def test_analyzer_does_not_score_another_language_with_english_rules(db) -> None:
    user = make_user().id
    interview = interviews.create_interview(user, interview_type="behavioural", role="Ingénieur", language="fr-FR")
    interviews.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    interviews.submit_transcript(
        interview.id,
        [
            TranscriptLine(1, Speaker.AI, "Parlez-moi d'un projet.", 0, 3_000),
            TranscriptLine(2, Speaker.USER, "Euh, du coup, j'ai mené la migration de la facturation.", 4_000, 9_000),
        ],
    )
    row = feedback.run_feedback(interview.id)
    assert row.status == FeedbackStatus.READY and row.source == "analyzer"
    assert row.overall_score is None and not row.strengths  # no English heuristics on French answers
    assert "French" in row.summary and "Gemini API key" in row.summary
    assert row.metrics["language"] == "fr-FR" and row.metrics["filler_words"] == {"euh": 1, "du coup": 1}


def test_ensure_is_idempotent_and_runs_in_background(db) -> None:
    interview_id = _completed(make_user().id)
    first = feedback.ensure_feedback(interview_id)
    second = feedback.ensure_feedback(interview_id)
    assert first.id == second.id
    row = _wait_status(interview_id, FeedbackStatus.READY)
    assert row.attempts == 1
    with session_scope() as session:
        assert session.exec(sa.select(sa.func.count()).select_from(Feedback)).one()[0] == 1


def test_concurrent_claims_run_once(db) -> None:
    interview_id = _completed(make_user().id)
    feedback.ensure_feedback(interview_id)  # may already be running in the background
    threads = [threading.Thread(target=feedback.run_feedback, args=(interview_id,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    row = _wait_status(interview_id, FeedbackStatus.READY)
    assert row.attempts == 1


def test_stale_running_row_is_reclaimed(db) -> None:
    interview_id = _completed(make_user().id)
    with session_scope() as session:
        session.add(
            Feedback(
                interview_id=interview_id,
                status=FeedbackStatus.RUNNING,
                attempts=1,
                updated_at=utcnow() - feedback.STALE_RUNNING_AFTER - timedelta(seconds=5),
            )
        )
    assert feedback.run_feedback(interview_id).status == FeedbackStatus.READY
    assert feedback._row(interview_id).attempts == 2


def test_fresh_running_row_is_left_alone(db) -> None:
    interview_id = _completed(make_user().id)
    with session_scope() as session:
        session.add(Feedback(interview_id=interview_id, status=FeedbackStatus.RUNNING, attempts=1))
    assert feedback.run_feedback(interview_id).status == FeedbackStatus.RUNNING


def test_empty_transcript_is_ready_without_scores(db) -> None:
    interview_id = _completed(make_user().id, lines=[TranscriptLine(1, Speaker.AI, "Hello, shall we start?", 0, 2_000)])
    row = feedback.run_feedback(interview_id)
    assert row.status == FeedbackStatus.READY and row.overall_score is None
    assert "No answers" in row.summary and row.strengths == []


def test_retry_only_from_failed_and_only_for_the_owner(db) -> None:
    owner, other = make_user().id, make_user().id
    interview_id = _completed(owner)
    with session_scope() as session:
        session.add(Feedback(interview_id=interview_id, status=FeedbackStatus.FAILED, attempts=3, error="x"))
    with pytest.raises(NotFound):
        feedback.retry_feedback(other, interview_id)
    assert feedback._row(interview_id).status == FeedbackStatus.FAILED
    feedback.retry_feedback(owner, interview_id)
    row = _wait_status(interview_id, FeedbackStatus.READY)
    assert row.attempts == 4 and row.error is None


def test_another_users_feedback_is_never_visible(db) -> None:
    owner, other = make_user().id, make_user().id
    interview_id = _completed(owner)
    feedback.run_feedback(interview_id)
    assert feedback.get_feedback(owner, interview_id).status == FeedbackStatus.READY
    with pytest.raises(NotFound):
        feedback.get_feedback(other, interview_id)
    assert feedback.feedback_for(other, [interview_id]) == {}
    assert list(feedback.feedback_for(owner, [interview_id])) == [interview_id]
    assert feedback.score_history(other) == []
    assert [p["interview_id"] for p in feedback.score_history(owner)] == [interview_id]


def test_delete_cascades_to_transcript_and_feedback(db) -> None:
    owner = make_user().id
    interview_id = _completed(owner)
    feedback.run_feedback(interview_id)
    interviews.delete_interview(owner, interview_id)
    with session_scope() as session:
        assert session.exec(sa.select(Feedback).where(Feedback.interview_id == interview_id)).first() is None
        assert (
            session.exec(sa.select(TranscriptEntry).where(TranscriptEntry.interview_id == interview_id)).first() is None
        )


def test_score_history_is_chronological(db) -> None:
    owner = make_user().id
    first, second = _completed(owner), _completed(owner)
    for interview_id in (first, second):
        feedback.run_feedback(interview_id)
    points = feedback.score_history(owner)
    assert [p["interview_id"] for p in points] == [first, second]
    assert all(isinstance(p["score"], int) and p["wpm"] for p in points)


def test_resume_pending_picks_up_what_a_restart_left(db) -> None:
    owner = make_user().id
    missing, pending, done = _completed(owner), _completed(owner), _completed(owner)
    with session_scope() as session:
        session.add(Feedback(interview_id=pending, status=FeedbackStatus.PENDING))
    feedback.run_feedback(done)
    resumed = feedback.resume_pending()
    assert set(resumed) == {missing, pending}
    for interview_id in resumed:
        assert _wait_status(interview_id, FeedbackStatus.READY).attempts == 1


@pytest.mark.postgres
def test_state_machine_on_postgres(pg_db) -> None:
    """JSON columns, the attempts += 1 claim and concurrent claimers on PostgreSQL."""
    owner = make_user().id
    interview_id = _completed(owner)
    threads = [threading.Thread(target=feedback.run_feedback, args=(interview_id,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    row = feedback.get_feedback(owner, interview_id)
    assert row.status == FeedbackStatus.READY and row.attempts == 1
    assert row.metrics["answers_detail"][0]["sequences"] == [2]
    assert [p["interview_id"] for p in feedback.score_history(owner)] == [interview_id]
    interviews.delete_interview(owner, interview_id)
    assert feedback._row(interview_id) is None
