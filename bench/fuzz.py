"""Fuzz a live relay: ≥ 100,000 hostile and odd frames from many concurrent candidates.

    .venv/bin/python -m bench.fuzz [--frames 100000] [--sessions 16] [--rate 100]

Starts the relay as production serves it (granian, one worker, bench/relay_bench_server.py)
with the Live-API stand-in behind it, then runs ``--sessions`` candidates at once. Each
connects with a real worker token, waits for SessionReady and sends frames drawn from a
seeded mix: valid audio (even and odd lengths, any size up to 2.5 kB), random bytes,
truncated protobuf, huge declared lengths, unknown fields and oneof members, text frames,
bursts, rare oversized frames and end requests. When the relay closes a candidate (strike
limit, oversize, end) the next one starts on a fresh interview.

Counted:
- crashes: relay process exits, tracebacks in its log, close codes 4500/1011 (internal);
- leaked sessions: relay sessions still alive once every candidate is gone and the grace
  period has passed, plus interviews left IN_PROGRESS in the database;
- loop lag p99 of the relay's event loop over the run (its own 50 ms sampler).

The last line is exactly ``fuzz: N frames, C crashes, L leaked sessions, loop lag p99 X ms``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.relay_bench_server import free_port, start_standin, stop_processes  # noqa: E402
from bench.relay_load import http_json, seed  # noqa: E402
from preppal.realtime import codec  # noqa: E402
from preppal.realtime.pb import interview_pb2 as pb  # noqa: E402

GRACE_S = 3.0  # the relay's reconnect grace in this run (production: 30 s)
INTERNAL = {4500, 1011}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


class FrameMix:
    """A seeded generator of client frames, from perfectly valid to hostile."""

    def __init__(self, rng: random.Random, hostile: bool) -> None:
        self.rng = rng
        self.bad_share = 0.5 if hostile else 0.03

    def _audio(self, even: bool = True) -> bytes:
        size = self.rng.choice([0, 2, 640, 1280, 1920, 2560, self.rng.randrange(0, 2560)])
        if even:
            size -= size % 2
        elif size % 2 == 0:
            size += 1
        return codec.client_audio(self.rng.randbytes(size))

    def next(self) -> bytes | str:
        rng = self.rng
        if rng.random() >= self.bad_share:
            return self._audio()
        kind = rng.randrange(9)
        if kind == 0:
            return self._audio(even=False)
        if kind == 1:
            return rng.randbytes(rng.randrange(0, 512))
        if kind == 2:
            data = self._audio()
            return data[: rng.randrange(0, max(1, len(data)))]
        if kind == 3:  # a length-delimited field declaring far more bytes than follow
            return _varint(rng.randrange(1, 30) << 3 | 2) + _varint(rng.randrange(2**20, 2**63)) + rng.randbytes(16)
        if kind == 4:  # unknown field after a valid payload
            return self._audio() + _varint(rng.randrange(3, 2**29) << 3 | 0) + _varint(rng.randrange(0, 2**64))
        if kind == 5:  # an unknown oneof member
            payload = rng.randbytes(rng.randrange(0, 64))
            return _varint(rng.randrange(3, 64) << 3 | 2) + _varint(len(payload)) + payload
        if kind == 6:
            return "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(0, 64)))
        if kind == 7:  # audio_content with a wrong wire type inside a valid wrapper
            inner = _varint(1 << 3 | rng.choice([0, 1, 5])) + rng.randbytes(8)
            return _varint(1 << 3 | 2) + _varint(len(inner)) + inner
        return pb.ClientToServerMessage(end_request=pb.EndRequest()).SerializeToString()[: rng.randrange(0, 3)]


class Tally:
    def __init__(self) -> None:
        self.frames = 0
        self.sessions = 0
        self.close_codes: dict[int, int] = {}
        self.no_ready = 0
        self.abnormal_after: dict[str, int] = {}  # what the candidate sent last before a 1006


async def candidate(url: str, rng: random.Random, tally: Tally, budget: int, rate: float) -> None:
    """One candidate until the relay closes it, it ends the call, or the frame budget is spent."""
    hostile = rng.random() < 0.3
    mix = FrameMix(rng, hostile)
    ready = asyncio.Event()
    async with websockets.connect(url, max_size=None, open_timeout=30, ping_interval=None) as ws:

        async def read() -> None:
            try:
                async for data in ws:
                    if isinstance(data, bytes) and codec.decode_server(data).WhichOneof("payload") == "session_ready":
                        ready.set()
            except websockets.ConnectionClosed:
                pass

        reader = asyncio.create_task(read())
        try:
            await asyncio.wait_for(ready.wait(), 30)
        except TimeoutError:
            tally.no_ready += 1
        tally.sessions += 1
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        sent = 0
        last = "frames"
        try:
            while tally.frames < budget and sent < 3000:
                roll = rng.random()
                if roll < 0.0005:  # oversized: the relay closes with 4005
                    last = "oversized"
                    await ws.send(codec.client_audio(b"\0" * (70 * 1024)))
                elif roll < 0.001:
                    last = "end"
                    await ws.send(codec.client_end())
                elif hostile and roll < 0.01:  # a burst as fast as the socket takes it
                    last = "burst"
                    for _ in range(200):
                        await ws.send(mix.next())
                        tally.frames += 1
                        sent += 1
                    continue
                else:
                    await ws.send(mix.next())
                tally.frames += 1
                sent += 1
                next_at += 1 / rate
                await asyncio.sleep(max(0.0, next_at - loop.time()))
            if ws.close_code is None:
                last = "final end"
                await ws.send(codec.client_end())
        except websockets.ConnectionClosed:
            pass
        await asyncio.wait_for(reader, 30)
        code = ws.close_code or 0
        tally.close_codes[code] = tally.close_codes.get(code, 0) + 1
        if code == 1006:
            tally.abnormal_after[last] = tally.abnormal_after.get(last, 0) + 1


async def run(args, url_base: str, stats_url: str) -> Tally:
    tally = Tally()
    rng = random.Random(args.seed)
    tickets: list[tuple[str, str]] = []

    async def worker(n: int) -> None:
        wrng = random.Random(rng.random())
        while tally.frames < args.frames:
            if not tickets:
                tickets.extend(await asyncio.to_thread(seed, 20))
            iid, token = tickets.pop()
            try:
                await candidate(f"{url_base}/ws/interview/{iid}?token={token}", wrng, tally, args.frames, args.rate)
            except (OSError, websockets.InvalidHandshake, TimeoutError) as exc:
                print(f"candidate {n}: {exc!r}", file=sys.stderr)

    http_json(stats_url)  # opens the measured window
    await asyncio.gather(*(worker(n) for n in range(args.sessions)))
    return tally


def in_progress() -> int:
    from sqlmodel import func, select

    from preppal.db import session_scope
    from preppal.models import Interview, InterviewStatus

    with session_scope() as session:
        return session.exec(
            select(func.count()).select_from(Interview).where(Interview.status == InterviewStatus.IN_PROGRESS)
        ).one()


async def main(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="relay-fuzz-"))
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{work / 'fuzz.db'}",
        PREPPAL_DATA_DIR=str(work),
        PREPPAL_SECRET_KEY="fuzz-secret-key-" + "x" * 32,
        PREPPAL_INTERVIEWER="gemini",
        GEMINI_API_KEY="fuzz-key",
        GEMINI_CONNECT_TIMEOUT_S="30",
        PREPPAL_BENCH_GRACE_S=str(GRACE_S),
        PREPPAL_TOKENS_PER_MINUTE="0",
        PREPPAL_INTERVIEWS_PER_HOUR="0",
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "PREPPAL_DATA_DIR", "PREPPAL_SECRET_KEY")})
    from sqlmodel import SQLModel

    import preppal.models  # noqa: F401  (registers the tables)
    from preppal.db import get_engine
    from preppal.settings import reset_settings

    reset_settings()
    SQLModel.metadata.create_all(get_engine())
    relay_log = work / "relay.log"
    procs: list[subprocess.Popen] = []
    try:
        _, info = start_standin(work, env, procs)
        port = free_port()
        env.update(GEMINI_BASE_URL=info["base_url"], GEMINI_CA_FILE=info["cert"], PREPPAL_BENCH_ROLE="relay")
        with open(relay_log, "wb") as log:
            relay = subprocess.Popen(
                [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
                + ["--workers", "1", "--no-log", "bench.relay_bench_server:app"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        procs.append(relay)
        stats_url = f"http://127.0.0.1:{port}/bench/stats"
        deadline = time.monotonic() + 30
        while True:
            try:
                http_json(stats_url)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        started = time.monotonic()
        tally = await run(args, f"ws://127.0.0.1:{port}", stats_url)
        elapsed = time.monotonic() - started
        stats = http_json(stats_url)  # the fuzz window: loop lag, live sessions
        settle_until = time.monotonic() + GRACE_S + 20
        live = stats["live_relays"]
        while live and time.monotonic() < settle_until:
            await asyncio.sleep(0.5)
            live = http_json(stats_url)["live_relays"]
        leaked = live + in_progress()
        tracebacks = relay_log.read_text(errors="replace").count("Traceback")
        internal = sum(n for code, n in tally.close_codes.items() if code in INTERNAL)
        crashes = tracebacks + internal + (1 if relay.poll() is not None else 0)
        print(
            f"{tally.sessions} sessions in {elapsed:.0f} s ({tally.frames / elapsed:.0f} frames/s), "
            f"{args.sessions} at a time; close codes {dict(sorted(tally.close_codes.items()))}; "
            f"1006 after {tally.abnormal_after}; no SessionReady {tally.no_ready}; relay log {relay_log}; "
            f"load {os.getloadavg()[0]:.1f}"
        )
        for where, count in stats.get("stalls", [])[:5]:
            print(f"  loop late (> 150 ms) at {where}: {count} samples")
        lag = stats["loop_lag"].get("p99_ms", float("nan"))
        print(f"fuzz: {tally.frames} frames, {crashes} crashes, {leaked} leaked sessions, loop lag p99 {lag:.1f} ms")
    finally:
        stop_processes(procs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=16, help="candidates at once")
    parser.add_argument("--rate", type=float, default=100.0, help="frames per second per candidate")
    parser.add_argument("--seed", type=int, default=9)
    asyncio.run(main(parser.parse_args()))
