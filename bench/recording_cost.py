"""What recording costs per live interview: writer CPU, bytes per minute, and the relay's tap.

Runs the real :class:`RecordingWriter` (PyAV/libopus, Ogg, local store in a temp dir) on a
simulated interview: the interviewer speaks (24 kHz chunks of 100 ms, sent ahead like Gemini)
and the candidate answers (16 kHz, 40 ms frames, the browser's default), alternating turns of
``--turn-s`` seconds with 1 s gaps, for ``--minutes`` of interview. Speech is synthetic
(voiced harmonics + noise under a syllable envelope): Opus spends about what it spends on
speech, so the numbers are representative, not exact.

The interview runs on a controlled clock, as fast as the writer keeps up (CPU per minute of
audio does not depend on pacing); process CPU is measured around it (all threads). The tap's
cost is the time of one ``candidate()`` offer, as the relay calls it per frame.

    .venv/bin/python bench/recording_cost.py [--minutes 5] [--turn-s 8]   # the suite: --minutes 0.2 --turn-s 3

The last line:

    recording_cost: writer X ms CPU per interview-second (Y % of a core), Z KB per minute (3 files), tap T µs per frame
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preppal.services.recordings.store import LocalStore
from preppal.services.recordings.writer import FILES, META, RecordingWriter


def speechlike(seconds: float, rate: int, rng: np.random.Generator, f0: float) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    voiced = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 8))
    envelope = np.clip(np.sin(2 * np.pi * 4.0 * t), 0, None) ** 0.5  # ~4 syllables per second
    x = 0.25 * envelope * voiced + 0.02 * rng.standard_normal(len(t))
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def run(minutes: float, turn_s: float) -> dict:
    rng = np.random.default_rng(7)
    clock = [0.0]
    with tempfile.TemporaryDirectory() as tmp:
        store = LocalStore(Path(tmp))
        writer = RecordingWriter(store, "bench", origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0])
        writer.start()
        ai_voice = [speechlike(turn_s, 24_000, rng, 110.0) for _ in range(4)]  # made before measuring
        cand_voice = [speechlike(turn_s, 16_000, rng, 180.0) for _ in range(4)]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        end_s, ai_turn, turn = minutes * 60, True, 0
        while clock[0] < end_s:
            turn += 1
            if ai_turn:  # the interviewer's turn arrives 5× faster than real time, as Gemini sends
                pcm = ai_voice[turn % 4]
                step = 4_800  # 100 ms chunks
                for i in range(0, len(pcm), step):
                    writer.interviewer(pcm[i : i + step], 24_000)
                    clock[0] += 0.02
                clock[0] += turn_s * 0.8 + 1.0  # then it plays out; 1 s gap
            else:
                pcm = cand_voice[turn % 4]
                for i in range(0, len(pcm), 1_280):
                    clock[0] += 0.04
                    writer.candidate(pcm[i : i + 1_280])
                clock[0] += 1.0
            ai_turn = not ai_turn
            while writer._queue.qsize():  # let it keep up (never drop in the benchmark)
                time.sleep(0.005)
        result = writer.close()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        sizes = {name: store.size("bench", name) or 0 for name in [*FILES.values(), META]}
    # The relay's side: one offer per candidate frame into a fresh (unstarted) writer's queue.
    tap = RecordingWriter(LocalStore(Path(tempfile.gettempdir())), "tap", origin=0.0, interviewer_rate=24_000)
    frame = b"\x00\x01" * 640
    n = 2_000
    t0 = time.perf_counter()
    for _ in range(n):
        tap.candidate(frame)
    tap_us = (time.perf_counter() - t0) / n * 1e6
    seconds = result.duration_ms / 1000
    return {
        "seconds": seconds,
        "cpu": cpu,
        "wall": wall,
        "dropped": result.dropped,
        "sizes": sizes,
        "tap_us": tap_us,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--turn-s", type=float, default=8.0)
    args = parser.parse_args()
    r = run(args.minutes, args.turn_s)
    per_s = r["cpu"] / r["seconds"]
    total = sum(r["sizes"].values())
    per_min_kb = total / 1024 / (r["seconds"] / 60)
    print(f"interview audio: {r['seconds']:.1f} s; encoded in {r['wall']:.2f} s wall; dropped {r['dropped']}")
    for name, size in r["sizes"].items():
        print(f"  {name:16s} {size / 1024:8.1f} KB  ({size / 1024 / (r['seconds'] / 60):6.1f} KB/min)")
    print(f"writer CPU: {r['cpu']:.2f} s for {r['seconds']:.0f} s of interview")
    print(
        f"recording_cost: writer {per_s * 1000:.1f} ms CPU per interview-second ({per_s * 100:.2f} % of a core), "
        f"{per_min_kb:.0f} KB per minute (3 files), tap {r['tap_us']:.2f} µs per frame"
    )


if __name__ == "__main__":
    main()
