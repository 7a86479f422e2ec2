"""Whisper's encoder window for live decodes: word error rate and decode time per window.

faster-whisper pads every chunk to 30 s; ``preppal.speech.stt`` encodes only the chunk
plus a margin. This decodes the offline-latency bench's answers, their mid-thought parts and
three short requests (espeak-ng, as the tests speak) with each window setting, through
:meth:`Transcriber.transcribe` (the prompt and guards the interview uses), and prints the word
error rate and the median / p90 decode time.

    .venv/bin/python -m bench.stt_window [--chunks N]      # the suite runs --chunks 2

The last line compares the live window (``stt.WINDOW_MARGIN_S``) with the full 30 s:

    stt_window: WER W % vs F % full, decode median D ms vs E ms (R× faster)
"""

from __future__ import annotations

import argparse
import re
import statistics
import time

import numpy as np

from bench.turn_sets.legacy import ANSWERS, MID_THOUGHT, REQUESTS
from preppal.live.offline.audio import pcm_to_float
from preppal.speech import stt
from tests.support.speech import speech_pcm

PROMPT = "A job interview for a Backend Engineer role. The candidate answers the interviewer's question."
SETTINGS = [(None, None), (3.0, 8.0), (1.0, 3.0), (0.5, 2.0)]  # (margin s, minimum s); None: 30 s


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]", " ", text.lower().replace("-", " ")).split()


def edits(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (r != h))
    return row[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=None, help="decode only the first N chunks")
    args = parser.parse_args()
    texts = ANSWERS + [f"{a} {c}" for a, _, c in MID_THOUGHT] + [a for a, _, _ in MID_THOUGHT] + REQUESTS
    texts = texts[: args.chunks]
    audio = [pcm_to_float(speech_pcm(t, lead_s=0.4, tail_s=0.25)) for t in texts]
    transcriber = stt.Transcriber()
    summary = []
    for margin, minimum in SETTINGS:
        transcriber.window = None if margin is None else (margin, minimum)
        errors = total = 0
        times = []
        for text, pcm in zip(texts, audio, strict=True):
            t0 = time.perf_counter()
            heard = transcriber.transcribe(pcm, PROMPT)
            times.append((time.perf_counter() - t0) * 1000)
            errors += edits(words(text), words(heard))
            total += len(words(text))
        name = "full 30 s" if margin is None else f"chunk + {margin:g} s (min {minimum:g} s)"
        line = f"{name}: WER {errors / total * 100:.1f} %, decode median {statistics.median(times):.0f} ms"
        print(f"{line}, p90 {float(np.percentile(times, 90)):.0f} ms over {len(texts)} chunks", flush=True)
        summary.append((margin, errors / total, statistics.median(times)))
    full, ours = summary[0], next(s for s in summary if s[0] == stt.WINDOW_MARGIN_S)
    print(
        f"stt_window: WER {ours[1] * 100:.1f} % vs {full[1] * 100:.1f} % full, "
        f"decode median {ours[2]:.0f} ms vs {full[2]:.0f} ms ({full[2] / ours[2]:.1f}× faster)"
    )


if __name__ == "__main__":
    main()
