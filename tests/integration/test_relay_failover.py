"""Two relay workers on one PostgreSQL + Redis: a resume that lands on the other worker.

Both hubs run in the test process (each with its own Redis coordinator, lease owner and
served socket), so each step can be checked as it happens; the crash, stop and SIGTERM
cases with real processes are in tests/e2e/test_failover_processes.py.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread  # noqa: F401  (to_thread's executor: imported here, not on the watched loop)
import contextlib
from datetime import timedelta

import pytest

from preppal.db import session_scope
from preppal.models import FeedbackStatus, Interview, InterviewStatus, utcnow
from preppal.realtime.coordinator import RedisCoordinator
from preppal.realtime.hub import RelayConfig, RelayHub
from preppal.realtime.outcome import Failure
from preppal.services.feedback import queue
from preppal.services.interviews import lifecycle
from tests.integration.test_relay_core import FRAME, rows
from tests.integration.test_relay_resume import stream_audio
from tests.support.relay_harness import RecordingSink, RelayEnv, point_gemini_at, served_relay, wait_until
from tests.support.users import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
CONFIG = RelayConfig(grace_s=5.0, lease_ttl_s=3.0, sweep_s=0.5)


@pytest.fixture
async def two_workers(pg_db, redis_url, standin, monkeypatch):
    point_gemini_at(monkeypatch, standin)
    user = (await asyncio.to_thread(make_user)).id  # off the loop (the loop guard watches it)
    envs: list[RelayEnv] = []
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(2):
            hub = RelayHub(RecordingSink(), config=CONFIG, coordinator=RedisCoordinator(redis_url))
            await stack.enter_async_context(hub.running())
            server = await stack.enter_async_context(served_relay(hub))
            envs.append(RelayEnv(server, user, hub))
        yield envs
        for env in envs:
            await env.hub.stop_all(Failure(4500, "teardown"))


async def test_resume_on_the_other_worker_mid_answer(two_workers, standin):
    a, b = two_workers
    answered = asyncio.Event()

    async def on_a(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await conn.resumption("handle-a1")
        await conn.ai_turn([" Tell me about", " a hard bug."])
        await conn.wait_audio(FRAME * 5)
        await conn.input_transcript(" It was a race")  # the answer is under way when the network drops
        answered.set()
        await conn.resumption("handle-a2")
        await conn.hold()

    async def on_b(conn):
        await conn.wait_audio(FRAME * 5)  # the candidate's audio flows to the resumed session
        await conn.input_transcript(" in the payment queue.")
        await conn.ai_turn([" Thanks,", " how did you find it?"])
        await conn.hold()

    standin.behaviours = [on_a, on_b]
    iid = a.new_interview()
    candidate = await a.connect(iid, a.token(iid, "tab-7"))
    await candidate.wait_for(lambda: "Tell me about a hard bug." in candidate.finals())
    stop = asyncio.Event()
    streamer = asyncio.create_task(stream_audio(candidate, stop))
    await asyncio.wait_for(answered.wait(), 10)
    await candidate.wait_for(lambda: any(t.text == "It was a race" for t in candidate.of("transcript_update")))
    await wait_until(lambda: (lifecycle.get_interview_any(iid).checkpoint or {}).get("handle") == "handle-a2")
    candidate.ws.transport.abort()  # the network goes; the page reconnects through the balancer to B
    stop.set()
    await streamer

    back = await b.connect(iid, b.token(iid, "tab-7", resume=True))
    await back.wait_kind("session_ready")
    assert a.hub.session(iid) is None  # A let go (it was told through Redis)
    assert lifecycle.get_interview_any(iid).lease_owner == b.hub.worker_id
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS
    upstream_a, upstream_b = standin.connections
    await wait_until(lambda: upstream_a.closed.is_set(), timeout=5)  # A closed its upstream, without ending
    assert upstream_b.setup_value("session_resumption", "handle") == "handle-a2"
    assert upstream_b.texts == []  # no second greeting on the resumed session

    stop = asyncio.Event()
    streamer = asyncio.create_task(stream_audio(back, stop))
    await back.wait_for(lambda: "Thanks, how did you find it?" in back.finals())
    stop.set()
    await streamer
    await back.end()
    assert await back.wait_closed() == 1000

    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.end_reason) == (InterviewStatus.COMPLETED, "USER_INITIATED")
    assert rows(iid) == [
        (1, "AI", "Tell me about a hard bug."),
        (2, "USER", "It was a race"),  # finished by A when it let go: nothing lost
        (3, "USER", "in the payment queue."),  # B numbers on from the database
        (4, "AI", "Thanks, how did you find it?"),
    ]
    queued = queue.get_feedback_any(iid)  # the finisher's COMPLETED queued the feedback, once
    assert queued.status == FeedbackStatus.PENDING and queued.attempts == 0
    # B's segment ids continue A's, so the page never shows a line twice.
    assert [t.segment_id for t in back.of("transcript_update") if t.is_final] == [3, 4]
    assert a.hub.metrics.handovers.labels("taken_over")._value.get() == 1
    assert b.hub.metrics.takeovers.labels("released")._value.get() == 1
    # B pushed the page the whole transcript (what A heard included), then what it heard itself.
    assert b.hub.sink.finals("tab-7") == [(s, t) for _, s, t in rows(iid)]


async def test_a_slow_holder_keeps_its_interview(two_workers, standin):
    """A lease that ran out is not enough for the sweep: the holder must also be gone."""
    a, b = two_workers
    standin.behaviours = [lambda conn: conn.hold()]
    iid = a.new_interview()
    candidate = await a.connect(iid, a.token(iid))
    await candidate.wait_kind("session_ready")
    # Starve A's renewals: its lease runs out well past the grace period, as under a long stall.
    a.hub.configure(lease_ttl_s=600.0)  # renew every 120 s from now on
    await asyncio.sleep(CONFIG.renew_s + 0.5)  # let the renew loop pick up the long interval
    with session_scope() as s:
        s.get(Interview, iid).lease_until = utcnow() - timedelta(seconds=60)
    assert b.hub.session(iid) is None
    swept = await b.hub.sweep()
    assert swept == []  # A still listens on Redis: alive, only slow
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED


@pytest.mark.model
async def test_offline_interviewer_continues_on_the_other_worker(two_workers, monkeypatch):
    """The offline interviewer's dialogue state moves with the interview: no second greeting,
    the same question plan, and the candidate's answer gets the next turn on B."""
    from preppal.live.offline import ModelUnavailable, load_engines
    from preppal.live.offline.vad import TurnRules
    from preppal.settings import reset_settings
    from tests.support.speech import speech_pcm

    try:
        await asyncio.to_thread(load_engines)
    except ModelUnavailable as exc:
        pytest.skip(f"offline speech models are not installed: {exc}")
    monkeypatch.setenv("PREPPAL_INTERVIEWER", "offline")
    reset_settings()
    a, b = two_workers
    iid = a.new_interview(interview_type="behavioural")
    candidate = await a.connect(iid, a.token(iid))
    await candidate.wait_for(lambda: candidate.finals(), timeout=60)  # the greeting and first question
    greeting = candidate.finals()[0]
    state = await wait_until(lambda: (lifecycle.get_interview_any(iid).checkpoint or {}).get("dialogue"))
    assert state["index"] == 0
    candidate.ws.transport.abort()

    back = await b.connect(iid, b.token(iid, resume=True))
    await back.wait_kind("session_ready", timeout=60)
    # Short (the interviewer asks for an example); the silence after it outlasts the
    # end-of-turn cap, so the turn ends whatever the semantic model says.
    tail_s = TurnRules().cap_silence_ms / 1000 + 0.5
    answer = await asyncio.to_thread(speech_pcm, "I fixed a bug.", tail_s=tail_s)
    for at in range(0, len(answer), FRAME):
        await back.send_audio(answer[at : at + FRAME])
        await asyncio.sleep(0.02)
    reply = await back.wait_for(
        lambda: [t for t in back.of("transcript_update") if t.is_final and t.speaker == "AI"], 60
    )
    assert reply[0].text != greeting  # not greeted again: the conversation went on
    moved = lifecycle.get_interview_any(iid).checkpoint["dialogue"]
    assert moved["questions"] == state["questions"]  # the same plan, taken from the database
    assert moved["followups_used"] or moved["index"] == 1
    await back.end()
    assert await back.wait_closed(timeout=15) == 1000
    lines = rows(iid)
    assert lines[0] == (1, "AI", greeting) and [s for s, _, _ in lines] == list(range(1, len(lines) + 1))
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED
