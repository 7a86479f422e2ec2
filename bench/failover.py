"""Failover benchmark: K live interviews on 2 relay instances behind nginx; kill -9 one.

Real parts: two relay processes (granian, the relay route with its hub lifespan, the real
google-genai SDK), the reference nginx (deploy/), the local PostgreSQL (a fresh schema in
database ``test``) and Redis; "Gemini" is the Live-API stand-in in this process, speaking
continuously (100 ms audio chunks, a final transcript line every ~1.5 s, a fresh
resumption handle with each line). Each simulated candidate streams 20 ms frames in real
time and reconnects like the meeting page (backoff from 0.5 s, a fresh resume token).

Every call is a different candidate (a user of its own), as real load is: the app allows one
live interview per user and 30 set-ups per user per hour. Once every call is live and has
persisted lines, the instance holding the most interviews is killed with SIGKILL. Per
interview it had: the time from the kill to AI audio flowing again (on the other instance).
Over all K interviews: lost final lines (seen by the candidate or persisted, missing from the
database at the end) and duplicated ones. Usage (the machine is shared: run it at a high
priority; the suite runs ``--calls 2``, tests/bench):

    nice -n -10 .venv/bin/python -m bench.failover --calls 40

The last line is exactly:
    failover: K/K resumed, L lost, D duplicated, resume p50 X s p95 Y s
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = "redis://127.0.0.1:6379/10"
AI_CHUNK = b"\x05\x00" * 2400  # 100 ms of 24 kHz PCM16


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def holder_counts(ids: list[str]) -> Counter:
    from preppal.services.interviews import lifecycle

    return Counter(lifecycle.get_interview_any(i).lease_owner for i in ids)


def db_texts(ids: list[str]) -> dict[str, list[str]]:
    from preppal.services.interviews import transcripts

    return {i: [e.text for e in transcripts.get_transcript(i)] for i in ids}


async def main(args) -> None:
    from tests.support.databases import temporary_schema

    with tempfile.TemporaryDirectory(prefix="failover-bench-") as work, temporary_schema("failover_bench") as url:
        await run(args, Path(work), url)


async def run(args, work: Path, database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, PREPPAL_DATA_DIR=str(work))
    from sqlmodel import SQLModel

    import preppal.models  # noqa: F401  (the tables)
    from preppal.db import get_engine, session_scope
    from preppal.models import InterviewStatus, User
    from preppal.services.interviews import lifecycle
    from preppal.settings import get_settings, reset_settings
    from tests.support.failover import Caller, Nginx, start_relay
    from tests.support.live_api_standin import LiveApiStandin

    reset_settings()
    SQLModel.metadata.create_all(get_engine())
    lines = Counter()

    async def talker(conn) -> None:
        """Speaks without pause; a final line (unique text) and a new handle every ~1.5 s."""
        n = 0
        while not conn.closed.is_set():
            lines["sent"] += 1
            await conn.resumption(f"h-{time.time_ns()}")
            await conn.output_transcript(f" Line {lines['sent']} of the interviewer.")
            for _ in range(15):
                await conn.audio(AI_CHUNK)
                await asyncio.sleep(0.1)
            await conn.turn_complete()
            n += 1

    async with LiveApiStandin([talker]) as standin:
        env = {
            "DATABASE_URL": database_url,
            "PREPPAL_DATA_DIR": str(work),
            "PREPPAL_SECRET_KEY": get_settings().secret_key,
            "PREPPAL_REDIS_URL": REDIS_URL,
            "PREPPAL_RELAY_GRACE_S": "30",
            "PREPPAL_LEASE_TTL_S": str(args.lease_ttl),
            "PREPPAL_INTERVIEWER": "gemini",
            "GEMINI_API_KEY": "bench-key",
            "GEMINI_BASE_URL": standin.base_url,
            "GEMINI_CA_FILE": str(standin.cert_file),
            "GEMINI_CONNECT_TIMEOUT_S": "30",
        }
        relays = [start_relay(name, env, work) for name in ("a", "b")]
        nginx = Nginx(work / "nginx", [r.port for r in relays]).start()
        tasks: list[asyncio.Task] = []
        try:
            callers = {}
            for n in range(args.calls):  # K candidates: one live interview per user is the app's rule
                with session_scope() as session:
                    user = User(email=f"failover-{n}-{time.time_ns()}@example.com")
                    session.add(user)
                    session.flush()
                    user_id = int(user.id)
                iid = lifecycle.create_interview(user_id, interview_type="technical", role="Engineer").id
                callers[iid] = Caller(nginx.url, iid, user_id)
            ids = list(callers)
            for caller in callers.values():
                tasks.append(asyncio.create_task(caller.run()))
                await asyncio.sleep(0.05)
            t0 = time.monotonic()
            while not all(len(c.finals) >= 2 for c in callers.values()):
                if time.monotonic() - t0 > 90:
                    going = sum(len(c.finals) >= 2 for c in callers.values())
                    seen = Counter(c.error or f"closes {c.closes}, ready {len(c.ready_at)}" for c in callers.values())
                    raise RuntimeError(f"only {going} calls got going: {dict(seen)}")
                await asyncio.sleep(0.2)
            while not all(len(t) >= 2 for t in (await asyncio.to_thread(db_texts, ids)).values()):
                await asyncio.sleep(0.2)

            counts = await asyncio.to_thread(holder_counts, ids)
            owner, held = counts.most_common(1)[0]
            pid = int(owner.split(":")[1])
            victim = next(r for r in relays if os.getpgid(pid) == r.proc.pid)
            moved = [i for i in ids if lifecycle.get_interview_any(i).lease_owner == owner]
            before = await asyncio.to_thread(db_texts, ids)
            seen_before = {i: set(c.finals.values()) for i, c in callers.items()}
            victim.signal(signal.SIGKILL)
            killed_at = time.monotonic()
            print(
                f"{len(ids)} live calls: {dict(counts.most_common())}; killed {victim.name} holding {held}", flush=True
            )

            def flowing_again(i: str) -> float | None:
                c = callers[i]
                ready = [t for t in c.ready_at if t > killed_at]
                audio = [t for t in c.audio_at if ready and t >= ready[0]]
                return audio[0] - killed_at if audio else None

            deadline = time.monotonic() + args.timeout
            while time.monotonic() < deadline and any(flowing_again(i) is None for i in moved):
                await asyncio.sleep(0.1)
            await asyncio.sleep(3)  # a few more lines on the survivor
            for caller in callers.values():
                caller.end_after.set()
            await asyncio.wait(tasks, timeout=60)

            after = await asyncio.to_thread(db_texts, ids)
            statuses = {i: lifecycle.get_interview_any(i).status for i in ids}
            lost = duplicated = 0
            for i in ids:
                stored = after[i]
                seen = set(callers[i].finals.values()) | seen_before[i]
                lost += len(seen - set(stored)) + len(set(before[i]) - set(stored))
                duplicated += len(stored) - len(set(stored)) + callers[i].duplicates
            resumed = sum(statuses[i] == InterviewStatus.COMPLETED for i in ids)
            times = [t for i in moved if (t := flowing_again(i)) is not None]
            errors = Counter(c.error for c in callers.values() if c.error)
            print(
                f"moved {len(moved)}: audio again for {len(times)}; statuses {dict(Counter(statuses.values()))};"
                f" caller errors {dict(errors)}; lease ttl {args.lease_ttl} s; load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            print(
                f"failover: {resumed}/{len(ids)} resumed, {lost} lost, {duplicated} duplicated, "
                f"resume p50 {percentile(times, 0.5):.2f} s p95 {percentile(times, 0.95):.2f} s"
            )
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            nginx.stop()
            for relay in relays:
                relay.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=40, help="K live interviews")
    parser.add_argument("--lease-ttl", type=float, default=15.0, help="PREPPAL_LEASE_TTL_S of the instances")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for audio after the kill")
    asyncio.run(main(parser.parse_args()))
