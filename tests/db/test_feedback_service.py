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
from preppal.services.errors import NotFound
from preppal.services.feedback import produce, queue
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings
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
    interview = lifecycle.create_interview(user_id, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, list(lines))
    return interview.id


def _wait_status(interview_id: str, *wanted: FeedbackStatus, timeout: float = 20.0) -> Feedback:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = queue._row(interview_id)
        if row is not None and row.status in wanted:
            return row
        time.sleep(0.05)
    raise AssertionError(f"feedback never reached {wanted}: {queue._row(interview_id)}")


def _set_feedback(interview_id: str, **values) -> None:
    """Put the interview's queued feedback row (made when it completed) in a given state."""
    with session_scope() as session:
        session.exec(sa.update(Feedback).where(Feedback.interview_id == interview_id).values(**values))


def test_no_feedback_before_completion(db) -> None:
    user = make_user().id
    interview = lifecycle.create_interview(user, interview_type="behavioural", role="Engineer")
    assert queue.pending_ids() == []
    assert produce.run_feedback(interview.id) is None
    assert queue._row(interview.id) is None


def test_the_completed_transition_queues_the_feedback_once(db) -> None:
    """The one place feedback starts from: COMPLETED creates the PENDING row in the same
    transaction (relay, HTTP submitTranscript and updateStatus all go through it)."""
    owner = make_user().id
    submitted = _completed(owner)
    updated = lifecycle.create_interview(owner, interview_type="behavioural", role="Engineer").id
    lifecycle.update_status(updated, InterviewStatus.IN_PROGRESS)
    lifecycle.update_status(updated, InterviewStatus.COMPLETED)
    errored = lifecycle.create_interview(owner, interview_type="behavioural", role="Engineer").id
    lifecycle.update_status(errored, InterviewStatus.ERROR)
    assert queue._row(errored) is None
    for interview_id in (submitted, updated):
        row = queue._row(interview_id)
        assert (row.status, row.attempts) == (FeedbackStatus.PENDING, 0)
    transcripts.submit_transcript(submitted, [])  # a retried submit changes nothing
    with session_scope() as session:
        assert session.exec(sa.select(sa.func.count()).select_from(Feedback)).one()[0] == 2
    assert set(queue.pending_ids()) == {submitted, updated}


def test_run_produces_ready_analyzer_feedback_with_metrics(db) -> None:
    interview_id = _completed(make_user().id)
    row = produce.run_feedback(interview_id)
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
    again = produce.run_feedback(interview_id)
    assert again.attempts == 1 and again.updated_at == row.updated_at


def test_analyzer_does_not_score_another_language_with_english_rules(db) -> None:
    user = make_user().id
    interview = lifecycle.create_interview(user, interview_type="behavioural", role="Ingénieur", language="fr-FR")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(
        interview.id,
        [
            TranscriptLine(1, Speaker.AI, "Parlez-moi d'un projet.", 0, 3_000),
            TranscriptLine(2, Speaker.USER, "Euh, du coup, j'ai mené la migration de la facturation.", 4_000, 9_000),
        ],
    )
    row = produce.run_feedback(interview.id)
    assert row.status == FeedbackStatus.READY and row.source == "analyzer"
    assert row.overall_score is None and not row.strengths  # no English heuristics on French answers
    assert "French" in row.summary and "Gemini API key" in row.summary
    assert row.metrics["language"] == "fr-FR" and row.metrics["filler_words"] == {"euh": 1, "du coup": 1}


def test_the_in_process_jobs_run_what_is_queued(db) -> None:
    """The web process's share of the jobs: it polls the queue and runs each job once."""
    from preppal.services.feedback import jobs

    owner = make_user().id
    first, second = _completed(owner), _completed(owner)
    stop = threading.Event()
    runner = threading.Thread(
        target=jobs.run_in_process, args=(stop, open_store(get_settings())), kwargs={"poll_s": 0.05}, daemon=True
    )
    runner.start()
    try:
        for interview_id in (first, second):
            assert _wait_status(interview_id, FeedbackStatus.READY).attempts == 1
    finally:
        stop.set()
        runner.join(5)
    assert not runner.is_alive()
    assert queue.pending_ids() == []


def test_concurrent_claims_run_once(db) -> None:
    interview_id = _completed(make_user().id)
    threads = [threading.Thread(target=produce.run_feedback, args=(interview_id,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    row = _wait_status(interview_id, FeedbackStatus.READY)
    assert row.attempts == 1


def test_stale_running_row_is_reclaimed(db) -> None:
    interview_id = _completed(make_user().id)
    _set_feedback(
        interview_id,
        status=FeedbackStatus.RUNNING,
        attempts=1,
        updated_at=utcnow() - queue.STALE_RUNNING_AFTER - timedelta(seconds=5),
    )
    assert produce.run_feedback(interview_id).status == FeedbackStatus.READY
    assert queue._row(interview_id).attempts == 2


def test_fresh_running_row_is_left_alone(db) -> None:
    interview_id = _completed(make_user().id)
    _set_feedback(interview_id, status=FeedbackStatus.RUNNING, attempts=1)
    assert produce.run_feedback(interview_id).status == FeedbackStatus.RUNNING


def test_empty_transcript_is_ready_without_scores(db) -> None:
    interview_id = _completed(make_user().id, lines=[TranscriptLine(1, Speaker.AI, "Hello, shall we start?", 0, 2_000)])
    row = produce.run_feedback(interview_id)
    assert row.status == FeedbackStatus.READY and row.overall_score is None
    assert "No answers" in row.summary and row.strengths == []


def test_retry_only_from_failed_and_only_for_the_owner(db) -> None:
    owner, other = make_user().id, make_user().id
    interview_id = _completed(owner)
    _set_feedback(interview_id, status=FeedbackStatus.FAILED, attempts=3, error="x")
    with pytest.raises(NotFound):
        queue.retry_feedback(other, interview_id)
    assert queue._row(interview_id).status == FeedbackStatus.FAILED
    assert queue.retry_feedback(owner, interview_id).status == FeedbackStatus.PENDING  # queued again
    row = produce.run_feedback(interview_id)  # the jobs' turn
    assert row.status == FeedbackStatus.READY and row.attempts == 4 and row.error is None


def test_another_users_feedback_is_never_visible(db) -> None:
    owner, other = make_user().id, make_user().id
    interview_id = _completed(owner)
    produce.run_feedback(interview_id)
    assert queue.get_feedback(owner, interview_id).status == FeedbackStatus.READY
    with pytest.raises(NotFound):
        queue.get_feedback(other, interview_id)
    assert queue.feedback_for(other, [interview_id]) == {}
    assert list(queue.feedback_for(owner, [interview_id])) == [interview_id]
    assert queue.score_history(other) == []
    assert [p["interview_id"] for p in queue.score_history(owner)] == [interview_id]


def test_delete_cascades_to_transcript_and_feedback(db) -> None:
    owner = make_user().id
    interview_id = _completed(owner)
    produce.run_feedback(interview_id)
    lifecycle.delete_interview(owner, interview_id, open_store(get_settings()))
    with session_scope() as session:
        assert session.exec(sa.select(Feedback).where(Feedback.interview_id == interview_id)).first() is None
        assert (
            session.exec(sa.select(TranscriptEntry).where(TranscriptEntry.interview_id == interview_id)).first() is None
        )


def test_score_history_is_chronological(db) -> None:
    owner = make_user().id
    first, second = _completed(owner), _completed(owner)
    for interview_id in (first, second):
        produce.run_feedback(interview_id)
    points = queue.score_history(owner)
    assert [p["interview_id"] for p in points] == [first, second]
    assert all(isinstance(p["score"], int) and p["wpm"] for p in points)


def test_a_restart_finds_what_was_left_in_the_queue(db) -> None:
    """A PENDING row, or a RUNNING one whose worker stopped beating, is owed; the oldest first."""
    owner = make_user().id
    pending, stale, done = _completed(owner), _completed(owner), _completed(owner)
    produce.run_feedback(done)
    _set_feedback(stale, status=FeedbackStatus.RUNNING, attempts=1, updated_at=utcnow() - queue.STALE_RUNNING_AFTER * 2)
    assert queue.pending_ids() == [pending, stale]
    for interview_id in (pending, stale):
        produce.run_feedback(interview_id)
        assert queue._row(interview_id).status == FeedbackStatus.READY
    assert queue.pending_ids() == []


@pytest.mark.postgres
def test_state_machine_on_postgres(pg_db) -> None:
    """JSON columns, the attempts += 1 claim and concurrent claimers on PostgreSQL."""
    owner = make_user().id
    interview_id = _completed(owner)
    threads = [threading.Thread(target=produce.run_feedback, args=(interview_id,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    row = queue.get_feedback(owner, interview_id)
    assert row.status == FeedbackStatus.READY and row.attempts == 1
    assert row.metrics["answers_detail"][0]["sequences"] == [2]
    assert [p["interview_id"] for p in queue.score_history(owner)] == [interview_id]
    lifecycle.delete_interview(owner, interview_id, open_store(get_settings()))
    assert queue._row(interview_id) is None
