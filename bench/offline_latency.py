"""Offline interviewer latency: end of the candidate's speech → first interviewer audio chunk.

Runs real interviews through :class:`OfflineBackend` with spoken answers (espeak-ng, made
here), fed as 40 ms frames (the browser's default) *in real time* from the start of each answer until the
interviewer's first audio chunk arrives. The interviewer's own turns are skipped by feeding
their duration of silence at once (the backend listens on the stream clock), and each turn
is sent in one go (``send_ahead_s`` large): neither changes when the *first* chunk leaves.

Reports, over ≥ 20 turns: latency from the last voiced sample (includes the 700 ms
end-of-turn silence) and from the end-of-turn decision; CPU and memory idle and while
decoding; the cost of one ``send_audio`` call (the relay's hot path); start-up times.

    .venv/bin/python bench/offline_latency.py [--turns 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preppal.live.base import AIAudio, Ended, InterviewBrief, TurnComplete
from preppal.live.offline import OfflineBackend, load_engines
from preppal.live.offline.audio import pcm_to_float, silence
from preppal.live.offline.vad import TurnRules
from tests.support.speech import speech_pcm

FRAME_BYTES = 1280  # 40 ms, the browser's default frame (PREPPAL_AUDIO_FRAME_MS); --frame-ms changes it

ANSWERS = [
    "I am a backend engineer. I build web services in Python and I have worked with databases for five years.",
    "At my last job our release process was slow, so I wrote a script that tested and deployed every change.",
    "As a result we went from one release a week to ten a day, and the number of bugs fell by half.",
    "I would put a load balancer in front of the servers and keep a cache for the most popular items.",
    "My teammate and I disagreed about the design, so we wrote down both options and asked the team to decide.",
    "We finished the project two weeks early and saved about twenty thousand dollars in hosting costs.",
    "I learned that it is better to ask for help early than to wait until the deadline is close.",
    "I profiled the slow query, added an index, and the page loaded in one second instead of eight.",
]


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def child_cpu_s(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def voiced_end_s(pcm: bytes) -> float:
    """Where the spoken words end in a fixture (last sample above a quiet threshold)."""
    loud = np.nonzero(np.abs(pcm_to_float(pcm)) > 0.02)[0]
    return (loud[-1] + 1) / 16_000


class Session:
    def __init__(self, backend: OfflineBackend) -> None:
        self.backend = backend
        self.turns = 0
        self.turn_audio_s = 0.0
        self.first_audio_at: float | None = None
        self.ended = False
        self.frame_costs: list[float] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.backend.events():
            if isinstance(event, AIAudio):
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
                self.turn_audio_s += len(event.pcm) / 2 / event.sample_rate
            elif isinstance(event, TurnComplete):
                self.turns += 1
            elif isinstance(event, Ended):
                self.ended = True

    async def send(self, pcm: bytes) -> None:
        t = time.perf_counter()
        await self.backend.send_audio(pcm)
        self.frame_costs.append(time.perf_counter() - t)

    async def feed_fast(self, pcm: bytes) -> None:
        for at in range(0, len(pcm), FRAME_BYTES):
            await self.send(pcm[at : at + FRAME_BYTES])
            await asyncio.sleep(0)

    async def wait_turn(self, turns: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.turns < turns and not self.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


async def answer_in_real_time(session: Session, pcm: bytes) -> tuple[float, float, float, float] | None:
    """Speak ``pcm`` then keep sending silence in real time until the interviewer answers.

    Returns (from voiced end, from end-of-turn decision, CPU seconds, wall seconds).
    """
    step = FRAME_BYTES / 2 / 16_000
    session.first_audio_at = None
    session.turn_audio_s = 0.0
    pcm = pcm + silence(5.0, 16_000)  # enough trailing silence for any reply to arrive
    speech_end_offset = voiced_end_s(pcm)
    cpu0, t0 = time.process_time(), time.monotonic()
    for i, at in enumerate(range(0, len(pcm), FRAME_BYTES)):
        await asyncio.sleep(max(0.0, t0 + (i + 1) * step - time.monotonic()))  # sent once captured
        await session.send(pcm[at : at + FRAME_BYTES])
        if session.first_audio_at is not None:
            break
    if session.first_audio_at is None:
        return None  # nothing heard (an empty transcript) or too slow: counted as a miss
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    turn_end = session.backend.turn_ended_at or float("nan")
    return session.first_audio_at - (t0 + speech_end_offset), session.first_audio_at - turn_end, cpu, wall


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


async def main(turns_wanted: int, cut_ms: int) -> None:
    t = time.monotonic()
    engines = await asyncio.to_thread(load_engines)
    cold_load = time.monotonic() - t
    rss_loaded, _ = rss_mb()
    fixtures = [speech_pcm(text, lead_s=0.2, tail_s=0.0) for text in ANSWERS]
    decode_wall, decode_cpu_s = [], []
    for pcm in fixtures:  # one whole answer per decode: Whisper's cost on this machine right now
        c0, w0 = time.process_time(), time.perf_counter()
        engines.transcriber.transcribe(pcm_to_float(pcm))
        decode_wall.append(time.perf_counter() - w0)
        decode_cpu_s.append(time.process_time() - c0)

    from_voice: list[float] = []
    from_turn_end: list[float] = []
    decode_cpu: list[float] = []
    starts: list[float] = []
    frame_costs: list[float] = []
    idle = None
    misses = 0
    interview = 0
    while len(from_voice) < turns_wanted:
        interview += 1
        brief = InterviewBrief(f"bench-{interview}", "behavioural", "Backend Engineer", "intense")
        backend = OfflineBackend(brief, send_ahead_s=1e9, turn_rules=TurnRules(cut_silence_ms=cut_ms))
        t = time.monotonic()
        await backend.start()
        starts.append(time.monotonic() - t)
        session = Session(backend)
        try:
            await session.wait_turn(1)
            if idle is None:  # idle listening: 5 s of silence in real time (VAD only)
                await session.feed_fast(silence(session.turn_audio_s + 0.2, 16_000))
                cpu0, w0, worker0 = time.process_time(), time.monotonic(), child_cpu_s(engines.voice._proc.pid)
                quiet = bytes(FRAME_BYTES)
                frame_s = FRAME_BYTES / 32_000
                for i in range(int(5 / frame_s)):
                    await asyncio.sleep(max(0.0, w0 + i * frame_s - time.monotonic()))
                    await session.send(quiet)
                idle = (time.process_time() - cpu0) / (time.monotonic() - w0)
                session.turn_audio_s = 0.0
            while not session.ended and len(from_voice) < turns_wanted:
                await session.feed_fast(silence(session.turn_audio_s + 0.2, 16_000))  # let the AI's turn play
                done = session.turns
                measured = await answer_in_real_time(session, fixtures[(len(from_voice) + misses) % len(fixtures)])
                if measured is None:
                    misses += 0 if session.ended else 1  # after the closing nobody answers
                    continue
                a, b, cpu, wall = measured
                from_voice.append(a)
                from_turn_end.append(b)
                decode_cpu.append(cpu / wall)
                await session.wait_turn(done + 1)
        finally:
            frame_costs += session.frame_costs
            await backend.close()
            session.reader.cancel()
    rss_now, rss_peak = rss_mb()
    worker_cpu = child_cpu_s(engines.voice._proc.pid) - worker0

    ms = [v * 1000 for v in from_voice]
    ms_eot = [v * 1000 for v in from_turn_end]
    us = [v * 1e6 for v in frame_costs]
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; turns: {len(ms)} over {interview} "
        f"interviews; early-decode pause {cut_ms} ms; answers with no reply within 5 s: {misses}"
    )
    print(
        f"cold model load: {cold_load * 1000:.0f} ms; start() per interview (cached): "
        f"median {statistics.median(starts) * 1000:.1f} ms"
    )
    print(
        f"end of speech → first audio chunk: median {statistics.median(ms):.0f} ms, p90 {pct(ms, 90):.0f} ms "
        f"(includes the 700 ms end-of-turn silence)"
    )
    print(
        f"end-of-turn decision → first audio chunk: median {statistics.median(ms_eot):.0f} ms, "
        f"p90 {pct(ms_eot, 90):.0f} ms"
    )
    print(
        f"one whole-answer decode ({statistics.mean(len(f) for f in fixtures) / 32_000:.1f} s of speech): "
        f"median {statistics.median(decode_wall) * 1000:.0f} ms wall, "
        f"{statistics.median(decode_cpu_s) * 1000:.0f} ms CPU"
    )
    print(
        f"send_audio per {FRAME_BYTES // 32} ms frame: median {statistics.median(us):.0f} µs, p99 {pct(us, 99):.0f} µs"
    )
    print(
        f"CPU (process, % of one core): idle listening {idle * 100:.1f} %, "
        f"while answering+decoding {statistics.mean(decode_cpu) * 100:.0f} % (mean over turns)"
    )
    print(f"voice worker CPU over the run: {worker_cpu:.2f} s")
    print(f"memory: RSS after load {rss_loaded:.0f} MB, at end {rss_now:.0f} MB, peak {rss_peak:.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument(
        "--cut-ms", type=int, default=TurnRules().cut_silence_ms, help="pause that starts an early decode"
    )
    parser.add_argument("--frame-ms", type=int, default=40, help="length of each candidate audio frame")
    args = parser.parse_args()
    FRAME_BYTES = 32 * args.frame_ms
    asyncio.run(main(args.turns, args.cut_ms))
