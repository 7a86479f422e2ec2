"""Whisper's encoder window for live decodes: word error rate and decode time per window.

faster-whisper pads every chunk to 30 s; ``preppal.speech.stt`` encodes only the chunk
plus a margin. This decodes the offline-latency bench's answers, their mid-thought parts and
three short requests (espeak-ng, as the tests speak) with each window setting, through
:meth:`Transcriber.transcribe` (the prompt and guards the interview uses), and prints the word
error rate and the median / p90 decode time.

``--language`` measures another interview language instead, with its own model (the
multilingual base for all but English) and prompt, on :mod:`bench.turn_sets.languages`'
answers: the ``dev`` set (choose on it) and the ``held`` set (report it), each line per set;
word error rate, or character error rate for Japanese and Chinese.

    .venv/bin/python -m bench.stt_window [--chunks N]      # the suite runs --chunks 2
    .venv/bin/python -m bench.stt_window --language fr-FR

The last line compares the live window (``stt.WINDOW_MARGIN_S``) with the full 30 s, on the
held set with ``--language`` (and in characters, CER, for Japanese and Chinese):

    stt_window: WER W % vs F % full, decode median D ms vs E ms (R× faster)
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import unicodedata

import numpy as np

from bench.turn_sets.languages import DEV, HELD
from bench.turn_sets.legacy import ANSWERS, MID_THOUGHT, REQUESTS
from preppal.languages import get_language
from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.language_pack import load_pack
from preppal.speech import stt
from preppal.speech.whisper_models import for_language
from tests.support.speech import speech_pcm

PROMPT = "A job interview for a Backend Engineer role. The candidate answers the interviewer's question."
ROLE = "Backend Engineer"
SETTINGS = [(None, None), (3.0, 8.0), (1.0, 3.0), (0.5, 2.0)]  # (margin s, minimum s); None: 30 s


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]", " ", text.lower().replace("-", " ")).split()


def units(text: str, spaced: bool) -> list[str]:
    """Words (lower-case, no punctuation) or, for ja/zh, characters."""
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in unicodedata.normalize("NFKC", text))
    if spaced:
        return kept.lower().split()
    return [c for c in kept.lower() if not c.isspace()]


def language_chunks(code: str) -> list[tuple[str, str, str]]:
    """(set, written, spoken) for every chunk a live interview in ``code`` decodes: finished
    answers, mid-thought answers whole, and their first parts (the chunk cut at the pause)."""
    out = []
    for name, sets in (("dev", DEV), ("held", HELD)):
        finished, mids = sets[code]
        for item in finished:
            written, said = item if isinstance(item, tuple) else (item, item)
            out.append((name, written, said))
        out += [(name, f"{a} {c}", f"{a} {c}") for a, _, c in mids] + [(name, a, a) for a, _, _ in mids]
    return out


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
    parser.add_argument("--language", default="", help="an interview language (es-US, fr-FR, …): its model and answers")
    args = parser.parse_args()
    if args.language:
        lang = get_language(args.language)
        chunks = language_chunks(lang.code)[: args.chunks]
        prompt = load_pack(lang.code).lexicon.data["transcription_prompt"].format(role=ROLE)
        transcriber = stt.Transcriber(model=for_language(lang.code))
    else:
        lang, prompt, transcriber = get_language("en-US"), PROMPT, stt.Transcriber()
        texts = ANSWERS + [f"{a} {c}" for a, _, c in MID_THOUGHT] + [a for a, _, _ in MID_THOUGHT] + REQUESTS
        chunks = [("all", t, t) for t in texts[: args.chunks]]
    audio = [pcm_to_float(speech_pcm(said, lead_s=0.4, tail_s=0.25, language=lang.code)) for _, _, said in chunks]
    unit = "WER" if lang.spaced else "CER"
    summary = []
    for margin, minimum in SETTINGS:
        transcriber.window = None if margin is None else (margin, minimum)
        errors: dict[str, list[int]] = {}
        times = []
        for (which, written, _), pcm in zip(chunks, audio, strict=True):
            t0 = time.perf_counter()
            heard = transcriber.transcribe(pcm, prompt, lang.whisper)
            times.append((time.perf_counter() - t0) * 1000)
            ref = units(written, lang.spaced) if args.language else words(written)
            hyp = units(heard, lang.spaced) if args.language else words(heard)
            counts = errors.setdefault(which, [0, 0])
            counts[0] += edits(ref, hyp)
            counts[1] += len(ref)
        name = "full 30 s" if margin is None else f"chunk + {margin:g} s (min {minimum:g} s)"
        label = {"all": unit, "dev": f"{unit} dev", "held": f"{unit} held"}
        rates = ", ".join(f"{label[which]} {e / max(1, n) * 100:.1f} %" for which, (e, n) in errors.items())
        line = f"{name}: {rates}, decode median {statistics.median(times):.0f} ms"
        print(f"{line}, p90 {float(np.percentile(times, 90)):.0f} ms over {len(chunks)} chunks", flush=True)
        e, n = errors.get("held", errors.get("all", [0, 1]))
        summary.append((margin, e / max(1, n), statistics.median(times)))
    full, ours = summary[0], next(s for s in summary if s[0] == stt.WINDOW_MARGIN_S)
    print(
        f"stt_window: {unit} {ours[1] * 100:.1f} % vs {full[1] * 100:.1f} % full, "
        f"decode median {ours[2]:.0f} ms vs {full[2]:.0f} ms ({full[2] / ours[2]:.1f}× faster)"
    )


if __name__ == "__main__":
    main()
