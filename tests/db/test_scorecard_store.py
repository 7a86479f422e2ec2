"""The scorecard table (services/interviews/scorecard_entries.py) and the relay's recorder (realtime/scorecard.py)
on a real database: stored once, clipped, capped, fenced by the lease, deleted with the interview."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from preppal import rubric
from preppal.db import session_scope
from preppal.live.base import EvidenceNote, InterviewBrief, QuestionMarker
from preppal.models import Interview, InterviewStatus, Speaker, utcnow
from preppal.realtime.scorecard import ScorecardRecorder
from preppal.services.errors import ValidationError
from preppal.services.interviews import lifecycle, scorecard_entries
from preppal.services.interviews.leases import LeaseLost
from preppal.services.interviews.scorecard_entries import EVIDENCE, QUESTION, Entry
from preppal.services.interviews.transcripts import TranscriptLine
from tests.support.users import make_user


def live_interview(owner: str = "a", kind: str = "behavioural") -> str:
    user = make_user()
    iid = lifecycle.create_interview(user.id, interview_type=kind, role="Engineer").id
    lifecycle.update_status(iid, InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING, lease=(owner, 30))
    return iid


def take_lease(iid: str, owner: str) -> None:
    with session_scope() as s:
        row = s.get(Interview, iid)
        row.lease_owner, row.lease_until = owner, utcnow() + timedelta(seconds=30)


def test_entries_are_stored_once_in_time_order_and_clipped(db):
    iid = live_interview()
    marker = Entry(QUESTION, 500, 1, "situation_task", text="Tell me about a deadline.")
    note = Entry(EVIDENCE, 9000, 1, "result_measurement", strength="strong", text="x " * 400, why="y" * 999)
    assert scorecard_entries.record_entry(iid, "q1", marker, "a")
    assert scorecard_entries.record_entry(iid, "e1", note, "a")
    assert not scorecard_entries.record_entry(iid, "q1", marker, "a")  # the same key: a no-op
    stored = scorecard_entries.list_entries(iid)
    assert [e.kind for e in stored] == [QUESTION, EVIDENCE]
    assert len(stored[1].text) <= rubric.MAX_QUOTE_CHARS and stored[1].text.endswith("…")
    assert len(stored[1].why) <= rubric.MAX_WHY_CHARS
    with pytest.raises(ValidationError):
        scorecard_entries.record_entry(iid, "e2", Entry(EVIDENCE, 0, 1, "reflection", strength="great"), "a")


def test_writes_are_fenced_by_the_lease_and_capped(db):
    iid = live_interview("a")
    for i in range(3):
        assert scorecard_entries.record_entry(iid, f"k{i}", Entry(QUESTION, i, i + 1, "reflection"), "a", cap=3)
    assert not scorecard_entries.record_entry(iid, "k9", Entry(QUESTION, 9, 9, "reflection"), "a", cap=3)
    take_lease(iid, "b")
    with pytest.raises(LeaseLost):
        scorecard_entries.record_entry(iid, "late", Entry(QUESTION, 10, 4, "reflection"), "a")
    assert len(scorecard_entries.list_entries(iid)) == 3


def test_deleted_with_the_interview(db, tmp_path):
    user = make_user()
    iid = lifecycle.create_interview(user.id, interview_type="behavioural", role="R").id
    scorecard_entries.record_entry(iid, "q1", Entry(QUESTION, 0, 1, "reflection"))
    lifecycle.delete_interview(user.id, iid, _NoRecordings())
    assert scorecard_entries.list_entries(iid) == []


class _NoRecordings:
    def delete(self, interview_id: str) -> None:
        return None


def _brief(iid: str, kind: str = "behavioural") -> InterviewBrief:
    return InterviewBrief(interview_id=iid, interview_type=kind, role="Engineer", difficulty="standard")


async def test_recorder_dates_notes_by_the_candidates_line_and_drops_bad_events(db):
    iid = await asyncio.to_thread(live_interview, "a")
    now = [20_000]
    lines = [
        TranscriptLine(1, Speaker.AI, "Tell me about a deadline.", 0, 3000),
        TranscriptLine(2, Speaker.USER, "I led the release. As a result we shipped two days early.", 4000, 12_000),
    ]
    rec = ScorecardRecorder(_brief(iid), "a", lambda: now[0], lambda: lines)
    rec.start()
    assert rec.offer(QuestionMarker(1, "situation_task", text="Tell me about a deadline."))
    assert not rec.offer(QuestionMarker(1, "situation_task", text="Tell me about a deadline."))  # a repeat
    assert rec.offer(EvidenceNote("result_measurement", "strong", "As a result we shipped two days early", "result"))
    assert not rec.offer(EvidenceNote("trade_offs", "strong", "we shipped", "not in a behavioural rubric"))
    assert not rec.offer(EvidenceNote("reflection", "weak", "   ", "no words"))
    assert not rec.offer(QuestionMarker(0, "reflection"))
    now[0] = 30_000
    assert rec.offer(EvidenceNote("reflection", "weak", "something never said", "lesson missing"))
    await rec.drain()
    stored = await asyncio.to_thread(scorecard_entries.list_entries, iid)
    assert [(e.kind, e.at_ms, e.number) for e in stored] == [
        ("evidence", 4000, 1),  # the start of the line that holds the quote
        ("question", 20_000, 1),
        ("evidence", 30_000, 1),  # not found in the transcript: when it arrived
    ]
    assert rec.dropped == 3


@pytest.mark.postgres
def test_stored_once_and_fenced_on_postgres(pg_db):
    iid = live_interview("a")
    entry = Entry(EVIDENCE, 100, 1, "reflection", strength="weak", text="I'd do the same.", why="no lesson")
    assert scorecard_entries.record_entry(iid, "e1", entry, "a")
    assert not scorecard_entries.record_entry(iid, "e1", entry, "a")
    take_lease(iid, "b")
    with pytest.raises(LeaseLost):
        scorecard_entries.record_entry(iid, "e2", entry, "a")
    assert scorecard_entries.list_entries(iid) == [scorecard_entries.clean(entry)]
