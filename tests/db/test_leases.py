"""Interview leases (services/interviews/leases.py) on a real database: who may take, renew, write, sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from preppal.db import session_scope
from preppal.models import Interview, InterviewStatus, Speaker, utcnow
from preppal.services.interviews import leases, lifecycle, transcripts
from preppal.services.interviews.leases import LeaseLost
from preppal.services.interviews.transcripts import TranscriptLine
from tests.support.users import make_user


def live_interview(owner: str = "a", ttl: float = 10.0) -> str:
    iid = lifecycle.create_interview(make_user().id, interview_type="technical", role="R").id
    lifecycle.update_status(iid, InterviewStatus.IN_PROGRESS, expected=InterviewStatus.PENDING, lease=(owner, ttl))
    return iid


def set_lease(iid: str, owner: str | None, until_delta_s: float) -> None:
    with session_scope() as s:
        row = s.get(Interview, iid)
        row.lease_owner, row.lease_until = owner, utcnow() + timedelta(seconds=until_delta_s)


def test_going_live_takes_the_lease_and_only_expired_or_gone_holders_lose_it(db):
    iid = live_interview("a")
    assert leases.lease_of(iid).owner == "a"
    assert not leases.take_over(iid, "b", 10)  # valid lease, holder alive: no
    assert leases.take_over(iid, "a", 10)  # the holder itself: yes (idempotent)
    assert leases.take_over(iid, "b", 10, gone_owner="a")  # the holder is gone: yes
    assert leases.lease_of(iid).owner == "b"
    set_lease(iid, "b", -1)
    assert leases.take_over(iid, "c", 10)  # expired: yes
    assert leases.release(iid, "c", {"handle": "h"})
    lease = leases.lease_of(iid)
    assert lease.owner is None and lease.expired()
    assert lifecycle.get_interview_any(iid).checkpoint == {"handle": "h"}
    assert leases.take_over(iid, "d", 10)  # released: yes, at once


def test_renew_reports_leases_taken_over(db):
    mine, taken = live_interview("a"), live_interview("a")
    set_lease(taken, "b", 10)
    assert leases.renew("a", [mine, taken], 10) == {mine}


def test_writes_are_fenced_by_the_lease(db):
    iid = live_interview("a")
    line = TranscriptLine(1, Speaker.AI, "Hello.")
    transcripts.append_transcript_line(iid, line, owner="a")
    assert leases.save_checkpoint(iid, "a", {"handle": "x"})
    set_lease(iid, "b", 10)  # taken over
    with pytest.raises(LeaseLost):
        transcripts.append_transcript_line(iid, TranscriptLine(2, Speaker.USER, "stale"), owner="a")
    with pytest.raises(LeaseLost):
        transcripts.submit_transcript(iid, [line], end_reason="USER_INITIATED", owner="a")
    assert not leases.save_checkpoint(iid, "a", {"handle": "stale"})
    assert [e.text for e in transcripts.get_transcript(iid)] == ["Hello."]
    transcripts.submit_transcript(iid, [line], end_reason="USER_INITIATED", owner="b")
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.lease_owner) == (InterviewStatus.COMPLETED, None)


def test_sweep_needs_an_expired_lease_past_the_grace_period(db):
    fresh, recent, old = live_interview("a"), live_interview("a"), live_interview("a")
    set_lease(recent, "a", -5)
    set_lease(old, "a", -60)
    transcripts.append_transcript_line(old, TranscriptLine(1, Speaker.AI, "Kept."), owner="a")
    candidates = leases.abandoned(timedelta(seconds=30))
    assert [c.interview_id for c in candidates] == [old]
    set_lease(old, "b", 10)  # resumed between the read and the write: the fence holds
    assert leases.mark_abandoned(candidates, "gone") == []
    set_lease(old, "a", -60)
    assert leases.mark_abandoned(leases.abandoned(timedelta(seconds=30)), "gone") == [old]
    swept = lifecycle.get_interview_any(old)
    assert (swept.status, swept.error_code) == (InterviewStatus.ERROR, 4010)
    assert [e.text for e in transcripts.get_transcript(old)] == ["Kept."]
    assert lifecycle.get_interview_any(fresh).status == InterviewStatus.IN_PROGRESS


def test_code_snapshot_writes_are_fenced_like_transcript_lines(db):
    """Issue 22: after a take-over the old holder still stored its pending snapshot."""
    from preppal.services.interviews import code_snapshots

    iid = live_interview("a")
    code_snapshots.record_snapshot(iid, 1_000, "python", "x = 1", owner="a")
    set_lease(iid, "b", 10)  # taken over
    with pytest.raises(LeaseLost):
        code_snapshots.record_snapshot(iid, 2_000, "python", "x = 'stale'", owner="a")
    code_snapshots.record_snapshot(iid, 3_000, "python", "x = 3", owner="b")
    assert [s.code for s in code_snapshots.list_snapshots(iid)] == ["x = 1", "x = 3"]


async def test_a_code_channel_that_lost_the_lease_stops_storing_and_says_so(db):
    import asyncio

    from preppal.realtime.code_channel import CodeChannel
    from preppal.services.interviews import code_snapshots

    iid = await asyncio.to_thread(live_interview, "a")
    lost: list[bool] = []

    class Backend:
        async def send_code(self, code: str, language: str) -> None:
            pass

    channel = CodeChannel(iid, lambda: 0, owner="a", on_lost=lambda: lost.append(True), min_interval_s=0)
    channel.attach(Backend())
    channel.start()
    channel.offer("mine = 1", "python")
    await asyncio.sleep(0.3)
    await asyncio.to_thread(set_lease, iid, "b", 10)  # another process took the interview over
    channel.offer("stale = 2", "python")
    await asyncio.sleep(0.3)
    channel.offer("stale = 3", "python")
    await channel.close()
    stored = await asyncio.to_thread(code_snapshots.list_snapshots, iid)
    assert [s.code for s in stored] == ["mine = 1"] and lost == [True]
