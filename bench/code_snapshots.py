"""What the code editor costs the relay: per-snapshot CPU on the event loop, the throttle
under a snapshot-per-keystroke client, and the database write off the loop.

Run: .venv/bin/python bench/code_snapshots.py [--db sqlite:///path.db]   (the suite runs --flood-s 0.5)
Prints one line per measurement; numbers are medians of repeated runs on this machine
(noisy when other work shares it: compare ratios, not absolutes). The last line, for the
largest snapshot allowed:

    code_snapshots: largest snapshot parse P us, offer O us on the loop, S/s to the interviewer, write W ms
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from preppal.editor import MAX_CODE_BYTES, code_bytes
from preppal.realtime import code_channel
from preppal.realtime.codec import decode_client
from preppal.realtime.pb import interview_pb2 as pb

SAMPLE = "def first_unique(s):\n    counts = Counter(s)\n    return next((c for c in s if counts[c] == 1), None)\n"


def timed(fn, repeat: int = 200) -> float:
    """Median microseconds per call."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(samples)


def frame_costs() -> tuple[float, float]:
    """Per snapshot size: parse, size check and channel offer; returns (parse, offer) of the largest."""
    for size in (len(SAMPLE), 4 * 1024, MAX_CODE_BYTES):
        code = (SAMPLE * (size // len(SAMPLE) + 1))[:size]
        frame = pb.ClientToServerMessage(code_snapshot=pb.CodeSnapshot(code=code, language="python"))
        data = frame.SerializeToString()
        parse = timed(lambda data=data: decode_client(data))
        check = timed(lambda code=code: code_bytes(code))
        channel = code_channel.CodeChannel("bench", lambda: 0)
        n = iter(range(10**9))
        offer = timed(lambda code=code, channel=channel, n=n: channel.offer(code[:-8] + f"{next(n):08d}", "python"))
        print(
            f"snapshot {size:>6} B code: frame {len(data):>6} B, parse {parse:7.1f} us, "
            f"utf-8 size check {check:6.1f} us, channel offer {offer:6.1f} us (event loop)"
        )
    return parse, offer


class CountingBackend:
    def __init__(self) -> None:
        self.sent = 0

    async def send_code(self, code: str, language: str) -> None:
        self.sent += 1


async def flood(seconds: float, per_second: int) -> float:
    """A client sending a snapshot per keystroke: how many reach the backend and the database."""
    stored: list[int] = []
    services = code_channel.code_snapshots
    real = services.record_snapshot
    services.record_snapshot = lambda *args, **kw: stored.append(1)  # count writes, no database here
    channel = code_channel.CodeChannel("bench", lambda: 0)
    backend = CountingBackend()
    channel.attach(backend)
    channel.start()
    text, offered = "", 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        text += "x"
        channel.offer(text, "python")
        offered += 1
        await asyncio.sleep(1 / per_second)
    await channel.close()
    services.record_snapshot = real
    print(
        f"flood: {offered} snapshots in {seconds:.0f} s ({per_second}/s offered) -> "
        f"{backend.sent} to the interviewer, {len(stored)} stored ({backend.sent / seconds:.2f}/s)"
    )
    return backend.sent / seconds


def db_write(url: str) -> float:
    import os

    os.environ["DATABASE_URL"] = url
    from sqlmodel import SQLModel

    from preppal.db import get_engine
    from preppal.services.accounts import auth
    from preppal.services.interviews import code_snapshots, lifecycle
    from preppal.settings import reset_settings

    reset_settings()
    SQLModel.metadata.create_all(get_engine())
    user = auth.sign_up(f"bench-{time.monotonic_ns()}@example.com", "Correct-horse-9", "Bench")
    iid = lifecycle.create_interview(user.id, interview_type="technical", role="Bench").id
    for size in (len(SAMPLE), MAX_CODE_BYTES):
        code = (SAMPLE * (size // len(SAMPLE) + 1))[:size]
        n = iter(range(10**9))
        ms = timed(lambda c=code, n=n: code_snapshots.record_snapshot(iid, next(n), "python", c), repeat=50) / 1000
        print(f"database write of one {size:>6} B snapshot: {ms:.2f} ms (in a worker thread, not on the loop)")
    return ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="")
    parser.add_argument("--flood-s", type=float, default=5.0)
    args = parser.parse_args()
    parse, offer = frame_costs()
    rate = asyncio.run(flood(args.flood_s, 50))
    with tempfile.TemporaryDirectory() as tmp:
        write = db_write(args.db or f"sqlite:///{Path(tmp) / 'bench.db'}")
    print(
        f"code_snapshots: largest snapshot parse {parse:.1f} us, offer {offer:.1f} us on the loop, "
        f"{rate:.2f}/s to the interviewer, write {write:.2f} ms"
    )


if __name__ == "__main__":
    main()
