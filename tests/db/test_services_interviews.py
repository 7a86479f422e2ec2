"""Interview service: creation rules, ownership, legal transitions, atomic idempotent end."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from preppal.db import get_engine, session_scope
from preppal.models import Interview, InterviewStatus, Speaker, TranscriptEntry
from preppal.services.errors import Conflict, InvalidTransition, NotFound, ValidationError
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from tests.support.users import make_user

S = InterviewStatus


@pytest.fixture
def users(db):
    alice = make_user()
    bob = make_user()
    return alice.id, bob.id


def _new(user_id: int, **kw) -> Interview:
    return lifecycle.create_interview(
        user_id, interview_type=kw.pop("interview_type", "technical"), role="Backend", **kw
    )


def test_create_validates_role_type_and_sizes(users) -> None:
    alice, _ = users
    with pytest.raises(ValidationError, match="role"):
        lifecycle.create_interview(alice, interview_type="technical", role="   ")
    with pytest.raises(ValidationError):
        lifecycle.create_interview(alice, interview_type="astrology", role="Backend")
    with pytest.raises(ValidationError, match="résumé"):
        _new(alice, resume_text="x" * (lifecycle.MAX_RESUME + 1))
    created = _new(alice, difficulty="intense", job_description="  Go + Postgres  ")
    assert created.status == S.PENDING and created.job_description == "Go + Postgres"


def test_get_interview_hides_other_users_interviews(users) -> None:
    alice, bob = users
    mine = _new(alice)
    assert lifecycle.get_interview(alice, mine.id).id == mine.id
    with pytest.raises(NotFound):
        lifecycle.get_interview(bob, mine.id)


def test_clone_copies_the_settings_into_a_new_pending_interview(users) -> None:
    alice, bob = users
    old = _new(alice, difficulty="intense", job_description="Go + Postgres", resume_text="Ten years of Go.")
    lifecycle.update_status(old.id, S.IN_PROGRESS)
    transcripts.submit_transcript(old.id, _lines(2))
    new = lifecycle.clone(alice, old.id)
    assert new.id != old.id and new.status == S.PENDING and new.user_id == alice
    same = ("interview_type", "role", "difficulty", "job_description", "resume_text")
    assert [getattr(new, f) for f in same] == [getattr(old, f) for f in same]
    assert transcripts.get_transcript(new.id) == []
    with pytest.raises(NotFound):
        lifecycle.clone(bob, old.id)  # only your own


def test_get_with_transcript_is_owner_checked(users) -> None:
    alice, bob = users
    mine = _new(alice)
    lifecycle.update_status(mine.id, S.IN_PROGRESS)
    transcripts.append_transcript_line(mine.id, _lines(1)[0])
    record = transcripts.get_with_transcript(alice, mine.id)
    assert record.interview.id == mine.id and [e.sequence for e in record.transcript] == [0]
    with pytest.raises(NotFound):
        transcripts.get_with_transcript(bob, mine.id)


def test_history_is_paginated_newest_first_and_per_user(users) -> None:
    alice, bob = users
    ids = [_new(alice).id for _ in range(7)]
    _new(bob)
    first = lifecycle.list_history(alice, page=1, per_page=3)
    assert first.total == 7 and first.pages == 3
    assert [i.id for i in first.items] == ids[::-1][:3]
    last = lifecycle.list_history(alice, page=3, per_page=3)
    assert [i.id for i in last.items] == ids[:1]
    assert lifecycle.list_history(bob).total == 1


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], S.COMPLETED),  # PENDING cannot complete without ever starting
        ([S.IN_PROGRESS], S.PENDING),
        ([S.IN_PROGRESS, S.COMPLETED], S.IN_PROGRESS),
        ([S.IN_PROGRESS, S.COMPLETED], S.ERROR),
        ([S.ERROR], S.IN_PROGRESS),
    ],
)
def test_illegal_transitions_are_refused(users, path, illegal) -> None:
    interview = _new(users[0])
    for status in path:
        lifecycle.update_status(interview.id, status)
    with pytest.raises(InvalidTransition):
        lifecycle.update_status(interview.id, illegal)
    assert lifecycle.get_interview(users[0], interview.id).status == (path[-1] if path else S.PENDING)


def test_legal_path_sets_timestamps(users) -> None:
    interview = _new(users[0])
    started = lifecycle.update_status(interview.id, S.IN_PROGRESS)
    assert started.started_at is not None and started.ended_at is None
    ended = lifecycle.update_status(interview.id, S.ERROR, error_code=4002, error_message="upstream")
    assert ended.ended_at is not None and ended.error_code == 4002


def test_expected_status_is_compare_and_set(users) -> None:
    interview = _new(users[0])
    lifecycle.update_status(interview.id, S.IN_PROGRESS)
    with pytest.raises(Conflict):
        lifecycle.update_status(interview.id, S.IN_PROGRESS, expected=S.PENDING)


def _lines(n: int = 3) -> list[TranscriptLine]:
    return [TranscriptLine(i, Speaker.AI if i % 2 == 0 else Speaker.USER, f"line {i}") for i in range(n)]


def test_submit_transcript_writes_lines_and_completes(users) -> None:
    interview = _new(users[0])
    lifecycle.update_status(interview.id, S.IN_PROGRESS)
    done = transcripts.submit_transcript(interview.id, _lines(4))
    assert done.status == S.COMPLETED and done.ended_at is not None
    assert [e.text for e in transcripts.get_transcript(interview.id)] == [f"line {i}" for i in range(4)]


def test_submit_transcript_is_idempotent(users) -> None:
    interview = _new(users[0])
    lifecycle.update_status(interview.id, S.IN_PROGRESS)
    first = transcripts.submit_transcript(interview.id, _lines(3))
    again = transcripts.submit_transcript(interview.id, _lines(3))
    assert again.status == S.COMPLETED and again.ended_at == first.ended_at
    assert len(transcripts.get_transcript(interview.id)) == 3


def test_submit_transcript_refused_before_start(users) -> None:
    interview = _new(users[0])
    with pytest.raises(InvalidTransition):
        transcripts.submit_transcript(interview.id, _lines(2))
    assert transcripts.get_transcript(interview.id) == []


def test_submit_transcript_is_atomic_when_the_status_write_fails(users) -> None:
    """A failure after the transcript rows are written but before the status update commits
    must leave nothing behind: no rows, status still IN_PROGRESS."""
    interview = _new(users[0])
    lifecycle.update_status(interview.id, S.IN_PROGRESS)
    engine = get_engine()
    inserted: list[str] = []

    def fail_on_status_update(conn, cursor, statement, params, context, executemany):
        lowered = statement.lower()
        if lowered.startswith("insert into transcriptentry"):
            inserted.append(statement)
        if lowered.startswith("update interview set status"):
            raise RuntimeError("injected: disk full while completing")

    sa.event.listen(engine, "before_cursor_execute", fail_on_status_update)
    try:
        with pytest.raises(RuntimeError, match="injected"):
            transcripts.submit_transcript(interview.id, _lines(5))
    finally:
        sa.event.remove(engine, "before_cursor_execute", fail_on_status_update)
    assert inserted, "the failure must come after the transcript rows were written"
    with session_scope() as session:
        assert session.exec(select(TranscriptEntry).where(TranscriptEntry.interview_id == interview.id)).all() == []
        assert session.get(Interview, interview.id).status == S.IN_PROGRESS
