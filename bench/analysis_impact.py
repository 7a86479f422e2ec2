"""Does a post-call audio analysis starve live calls? The offline interviewer's live decode
latency and an asyncio loop's lag, alone and while an analysis runs beside them.

The "live" side is this process: a thread decoding a 4 s answer with the offline
interviewer's Transcriber (2 threads, what a call uses) back to back, and an asyncio loop
sampling how late a 20 ms sleep wakes (the relay's loop shares the process with decodes).
The "analysis" side is a separate process running ``audio_metrics.analyze`` on a long
synthetic answer over and over, configured like each option:

- ``none``: no analysis (baseline);
- ``same-prio``: nice 0, Whisper 2 threads (an analysis run without care);
- ``niced``: nice 10, Whisper 1 thread (``PREPPAL_ANALYSIS_NICE=10``, ``PREPPAL_ANALYSIS_THREADS=1``:
  what the web process's child and ``preppal worker`` use).

    .venv/bin/python -m bench.analysis_impact [--seconds 40]      # the suite runs --seconds 1

Prints, per option, the live decode latency (median, p95) and loop lag (p50, p99). The last
line compares the live decode median with an analysis beside it to the one without:

    analysis_impact: live decode median S× with a same-priority analysis, N× with a niced one
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import threading
import time

import numpy as np

from preppal.live.offline.audio import pcm_to_float
from tests.support.speech import speech_pcm

ANSWER = "At my last job our release process was slow, so I wrote a script that tested and deployed every change."


def _analysis_loop(nice: int, threads: int, ready: mp.Event, stop: mp.Event) -> None:
    if nice:
        os.nice(nice)
    from preppal.services.analysis import audio_metrics
    from preppal.services.analysis.transcript_metrics import Segment
    from preppal.speech.stt import Transcriber

    models = audio_metrics.SpeechModels(words=Transcriber(threads=threads))
    speech = pcm_to_float(speech_pcm(ANSWER * 3, lead_s=0.5, tail_s=0.5))
    track = np.concatenate([np.zeros(32_000, np.float32), speech, np.zeros(16_000, np.float32), speech])
    entries = [Segment("AI", "Question?", 0, 1500, 1), Segment("USER", "answer " * 60, 2000, len(track) // 16, 2)]
    ready.set()
    while not stop.is_set():
        audio_metrics.analyze(track, entries, models)


def _measure(seconds: float) -> tuple[list[float], list[float]]:
    from preppal.speech.stt import Transcriber

    stt = Transcriber(threads=2)
    clip = pcm_to_float(speech_pcm(ANSWER, lead_s=0.2, tail_s=0.3))
    decodes: list[float] = []
    lags: list[float] = []
    end = time.monotonic() + seconds

    def decode() -> None:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            stt.transcribe(clip)
            decodes.append(time.perf_counter() - t0)
            time.sleep(0.5)  # a call decodes at the end of each utterance, not flat out

    async def loop_lag() -> None:
        while time.monotonic() < end:
            t0 = time.perf_counter()
            await asyncio.sleep(0.02)
            lags.append(time.perf_counter() - t0 - 0.02)

    worker = threading.Thread(target=decode)
    worker.start()
    asyncio.run(loop_lag())
    worker.join()
    return decodes, lags


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    rows = []
    for name, nice, threads in (("none", 0, 0), ("same-prio", 0, 2), ("niced", 10, 1)):
        stop, ready = ctx.Event(), ctx.Event()
        proc = None
        if threads:
            proc = ctx.Process(target=_analysis_loop, args=(nice, threads, ready, stop), daemon=True)
            proc.start()
            ready.wait(120)
            time.sleep(min(2.0, args.seconds))  # let it get going
        load = os.getloadavg()[0]
        decodes, lags = _measure(args.seconds)
        if proc is not None:
            stop.set()
            proc.join(60)
        rows.append((name, decodes, lags, load))
        print(
            f"{name:>10}: live decode median {_pct(decodes, 50):.0f} ms, p95 {_pct(decodes, 95):.0f} ms "
            f"({len(decodes)} decodes); loop lag p50 {_pct(lags, 50):.1f} ms, p99 {_pct(lags, 99):.1f} ms; "
            f"load {load:.1f}",
            flush=True,
        )
    base = statistics.median(rows[0][1])
    same, niced = (statistics.median(r[1]) / base for r in rows[1:])
    print(
        f"analysis_impact: live decode median {same:.2f}× with a same-priority analysis, {niced:.2f}× with a niced one"
    )


if __name__ == "__main__":
    main()
