"""Failover with real processes: two relay processes (granian) behind a real nginx, on the
local PostgreSQL and Redis, Gemini played by the stand-in (real SDK in each process).

The candidate is a scripted caller that reconnects like the meeting page (backoff, a fresh
resume token each time, a ``Reconnect`` obeyed at once). Which process holds an interview
is read from its lease, so each test signals exactly the holder:

- ``kill -9``: the caller lands on the survivor, which takes the lease over at once (the
  holder's Redis subscription vanished with it); lines persisted before the kill are kept
  exactly once and numbering continues;
- ``SIGSTOP`` for three times the lease TTL plus the grace period (after which a sweep asks
  whether the holder is gone), then ``SIGCONT``: the holder keeps its interview, nobody marks
  it ERROR;
- ``SIGTERM``: the holder hands over (the caller is told to reconnect now) and exits in 30 s;
- ``kill -9`` and no caller coming back: ERROR once the grace period is over, transcript kept.
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread  # noqa: F401  (to_thread's executor: imported here, not on the watched loop)
import contextlib
import functools
import os
import signal
import time

import pytest

from preppal.models import InterviewStatus
from preppal.services.interviews import lifecycle
from preppal.settings import get_settings
from tests.integration.test_relay_core import FRAME, rows
from tests.support.failover import Caller, Nginx, RelayProcess, start_relay
from tests.support.relay_harness import wait_until
from tests.support.users import make_user

pytestmark = [pytest.mark.process, pytest.mark.postgres, pytest.mark.redis, pytest.mark.nginx]
GRACE_S = 4.0
LEASE_TTL_S = 3.0
STOPPED_S = 3 * (LEASE_TTL_S + GRACE_S)  # a sweep may take the interview once both ran out


@pytest.fixture
async def cluster(pg_db, redis_url, standin, tmp_path):
    if Nginx.binary() is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it)")
    env = {
        "DATABASE_URL": pg_db,
        "PREPPAL_DATA_DIR": str(tmp_path),
        "PREPPAL_SECRET_KEY": get_settings().secret_key,
        "PREPPAL_REDIS_URL": redis_url,
        "PREPPAL_RELAY_GRACE_S": str(GRACE_S),
        "PREPPAL_LEASE_TTL_S": str(LEASE_TTL_S),
        "PREPPAL_INTERVIEWER": "gemini",
        "GEMINI_API_KEY": "test-key",
        "GEMINI_BASE_URL": standin.base_url,
        "GEMINI_CA_FILE": str(standin.cert_file),
        "GEMINI_CONNECT_TIMEOUT_S": "5",
    }
    procs: list[RelayProcess] = []
    nginx = None
    try:
        for name in ("a", "b"):  # off the loop: starting a process waits for its port
            procs.append(await asyncio.to_thread(start_relay, name, env, tmp_path))
        nginx = await asyncio.to_thread(Nginx(tmp_path / "nginx", [p.port for p in procs]).start)
        yield procs, nginx, (await asyncio.to_thread(make_user)).id
    finally:
        if nginx:
            await asyncio.to_thread(nginx.stop)
        for p in procs:
            await asyncio.to_thread(p.stop)


async def db(fn, *args):
    """Database reads off the test's loop (the loop guard fails a test whose loop blocks)."""
    return await asyncio.to_thread(fn, *args)


async def db_until(predicate, timeout: float = 10.0):
    """Poll ``predicate`` (database reads) in a thread until it is truthy."""
    async with asyncio.timeout(timeout):
        while not (result := await asyncio.to_thread(predicate)):
            await asyncio.sleep(0.05)
    return result


def status(interview_id: str) -> InterviewStatus:
    return lifecycle.get_interview_any(interview_id).status


def holder(procs: list[RelayProcess], interview_id: str) -> tuple[RelayProcess, RelayProcess]:
    """(the process holding the interview's lease, the other one)."""
    owner = lifecycle.get_interview_any(interview_id).lease_owner or ""
    pid = int(owner.split(":")[1])
    first = procs[0] if os.getpgid(pid) == procs[0].proc.pid else procs[1]
    return first, procs[1] if first is procs[0] else procs[0]


async def new_call(nginx: Nginx, user_id: int) -> tuple[str, Caller, asyncio.Task]:
    create = functools.partial(lifecycle.create_interview, interview_type="technical", role="Backend engineer")
    iid = (await db(create, user_id)).id  # off the loop: the loop guard fails a test whose loop blocks
    caller = Caller(nginx.url, iid, user_id)
    return iid, caller, asyncio.create_task(caller.run())


async def finish(caller: Caller, task: asyncio.Task) -> None:
    caller.end_after.set()
    await asyncio.wait_for(task, 20)
    assert caller.ended and not caller.error, caller.error


async def first_part(conn):
    await conn.wait_for(lambda: conn.texts, timeout=10)
    await conn.resumption("handle-1")
    await conn.ai_turn([" Tell me about", " your last project."])
    await conn.wait_audio(FRAME * 10, timeout=20)
    await conn.input_transcript(" I rebuilt the billing system.")
    await conn.ai_turn([" What was hard?"])
    await conn.resumption("handle-2")
    await conn.hold()


async def after_resume(conn):
    await conn.wait_audio(FRAME * 10, timeout=20)
    await conn.input_transcript(" Migrating live data.")
    await conn.ai_turn([" Thanks,", " that is all."])
    await conn.hold()


async def test_kill_9_of_the_holder_mid_call(cluster, standin):
    procs, nginx, user = cluster
    standin.behaviours = [first_part, after_resume]
    iid, caller, task = await new_call(nginx, user)
    await wait_until(lambda: "What was hard?" in caller.finals.values(), timeout=30)
    await db_until(lambda: len(rows(iid)) == 3 and lifecycle.get_interview_any(iid).checkpoint)
    before = await db(rows, iid)
    dead, survivor = await db(holder, procs, iid)
    dead.signal(signal.SIGKILL)
    killed_at = time.monotonic()

    await wait_until(lambda: "Thanks, that is all." in caller.finals.values(), timeout=30)
    assert max(caller.ready_at) - killed_at < 10  # audio flows again (reconnect backoff + take-over)
    assert (await db(holder, procs, iid))[0] is survivor
    assert await db(status, iid) == InterviewStatus.IN_PROGRESS
    assert standin.connections[-1].setup_value("session_resumption", "handle") == "handle-2"
    await finish(caller, task)

    after = await db(rows, iid)
    assert after[: len(before)] == before  # every line persisted before the kill, once, unchanged
    assert [t for _, _, t in after] == [
        "Tell me about your last project.",
        "I rebuilt the billing system.",
        "What was hard?",
        "Migrating live data.",
        "Thanks, that is all.",
    ]
    assert [s for s, _, _ in after] == [1, 2, 3, 4, 5]
    assert caller.duplicates == 0
    assert await db(status, iid) == InterviewStatus.COMPLETED


async def test_a_stopped_holder_keeps_its_interview(cluster, standin):
    procs, nginx, user = cluster
    talk_again = asyncio.Event()

    async def script(conn):
        await conn.resumption("handle-before-stop")
        await conn.ai_turn([" Take your time."])
        await talk_again.wait()
        await conn.ai_turn([" Welcome back."])
        await conn.hold()

    async def upstream_came_back(conn):  # "Gemini" dropped the unresponsive connection meanwhile
        await talk_again.wait()
        await conn.ai_turn([" Welcome back."])
        await conn.hold()

    standin.behaviours = [script, upstream_came_back]
    iid, caller, task = await new_call(nginx, user)
    await wait_until(lambda: "Take your time." in caller.finals.values(), timeout=30)
    stopped, other = await db(holder, procs, iid)
    stopped.signal(signal.SIGSTOP)
    try:
        await asyncio.sleep(STOPPED_S)  # the other process sweeps every ~1.3 s meanwhile
        assert await db(status, iid) == InterviewStatus.IN_PROGRESS
    finally:
        stopped.signal(signal.SIGCONT)
    talk_again.set()
    await wait_until(lambda: "Welcome back." in caller.finals.values(), timeout=30)
    assert (await db(holder, procs, iid))[0] is stopped  # nobody took it: the caller never lost its socket
    # What the candidate sent during the stop arrives at once and trips the frame-rate limiter,
    # which drops frames (an EndRequest too) until the burst is over: let it settle first.
    await asyncio.sleep(5)
    # The upstream may have given up on the silent connection; the holder resumed it itself.
    assert all(c.setup_value("session_resumption", "handle") == "handle-before-stop" for c in standin.connections[1:])
    await finish(caller, task)
    done = await db(lifecycle.get_interview_any, iid)
    assert (done.status, done.error_code) == (InterviewStatus.COMPLETED, None)
    assert [t for _, _, t in await db(rows, iid)] == ["Take your time.", "Welcome back."]


async def test_sigterm_hands_the_call_over(cluster, standin):
    procs, nginx, user = cluster
    standin.behaviours = [first_part, after_resume]
    iid, caller, task = await new_call(nginx, user)
    await wait_until(lambda: "What was hard?" in caller.finals.values(), timeout=30)
    await db_until(lambda: (lifecycle.get_interview_any(iid).checkpoint or {}).get("handle") == "handle-2")
    leaving, staying = await db(holder, procs, iid)
    leaving.signal(signal.SIGTERM)
    sent_at = time.monotonic()

    await wait_until(lambda: "Thanks, that is all." in caller.finals.values(), timeout=30)
    assert (await db(holder, procs, iid))[0] is staying
    assert 1012 in caller.closes  # told to reconnect (with a resume token), not dropped
    await asyncio.to_thread(leaving.proc.wait, 30)
    assert time.monotonic() - sent_at < 30
    assert "handed_over" in leaving.log.read_text()
    await finish(caller, task)
    assert [t for _, _, t in await db(rows, iid)] == [
        "Tell me about your last project.",
        "I rebuilt the billing system.",
        "What was hard?",
        "Migrating live data.",
        "Thanks, that is all.",
    ]
    assert await db(status, iid) == InterviewStatus.COMPLETED


async def test_no_one_comes_back_after_a_crash_then_error_with_transcript(cluster, standin):
    procs, nginx, user = cluster

    async def talk(conn):
        await conn.ai_turn([" First question?"])
        await conn.hold()

    standin.behaviours = [talk]
    iid, caller, task = await new_call(nginx, user)
    await wait_until(lambda: "First question?" in caller.finals.values(), timeout=30)
    await db_until(lambda: len(rows(iid)) == 1)
    task.cancel()  # the candidate is gone too (closed the laptop)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    dead, survivor = await db(holder, procs, iid)
    dead.signal(signal.SIGKILL)
    assert await db(status, iid) == InterviewStatus.IN_PROGRESS
    done = await db_until(
        lambda: (i := lifecycle.get_interview_any(iid)).status != InterviewStatus.IN_PROGRESS and i,
        timeout=LEASE_TTL_S + GRACE_S + 10,
    )
    assert (done.status, done.error_code) == (InterviewStatus.ERROR, 4010)
    assert [t for _, _, t in await db(rows, iid)] == ["First question?"]
    assert survivor.alive()
