"""Offline interviewer turn-taking: end of the candidate's speech → first interviewer audio, and cut-ins.

Runs real interviews through :class:`OfflineBackend` (:mod:`bench.offline_driver`) with
spoken answers fed in real time as 40 ms frames. Answer sets (:mod:`bench.turn_sets`):

- ``espeak`` voice: ``legacy`` (issue 13's answers, tuned on then), ``dev`` (issue 19's
  tuning set), ``held`` (issue 19's held-back set: never tuned on) and ``openers`` (a short
  finished first sentence, a pause, the rest: what the short-answer rule guards; never tuned
  on; not in the default ``--sets``, as its pauses are between sentences);
- ``human`` voice: LibriVox read speech from Debian's ``pocketsphinx-testdata``, whole and
  cut mid-sentence at Whisper word boundaries with a pause inserted (never tuned on).

Over half the answers pause mid-thought (0.5–1.5 s inside a sentence). A *premature cut-in*
is a turn the interviewer ended before such an answer was over. Latency is measured at the
end of every answer that was not cut in (each one ends on a finished sentence). The
*transcript WER* is the candidate's line as the relay would store it (revisions applied)
against what was said (the human clips: their shipped transcription), answers with a
mid-thought pause and whole ones apart.

``--judge`` compares end-of-turn judges in the same run: ``both`` (voice model + text
judge, the default), ``voice`` (Smart Turn and the word list: the rules before issue 19),
``text`` (the text judge decides alone; the voice is not consulted), ``silence`` (700 ms),
``fixed`` (both judges with bars that do not fall as the pause grows: issue 19's first round,
the rules before dynamic endpointing), ``no-look`` (both judges, the pause's words decoded only
once the chunk is cut: the rules before the early look, ``vad.EarlyLook``), ``chunks`` (both
judges, each chunk decoded alone, not after the utterance's speech before it: the listening
before ``listening.Context``).

    nice -n -10 .venv/bin/python bench/offline_latency.py --voices espeak,human [--judge both,voice]
    .venv/bin/python bench/offline_latency.py --smoke       # a few answers of each set, for the test suite

The human set needs Debian's ``pocketsphinx-testdata`` (scripts/test.sh installs it).

The last line is the human set (``--voices`` with human), the line before it the espeak set:
``offline_latency: end of speech → first audio p50 X ms p90 Y ms, premature cut-ins C/T``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import offline_driver as driver
from bench.offline_driver import Measured, Session, answer_in_real_time
from bench.stt_window import edits, units
from bench.turn_sets import dev, held_back, legacy, openers
from bench.turn_sets.voices import Answer, espeak_answers, human_answers, human_available
from preppal.live.base import InterviewBrief
from preppal.live.offline import OfflineBackend, load_engines
from preppal.live.offline.audio import silence
from preppal.live.offline.listening import CONTEXT_S
from preppal.live.offline.turn_policy import TurnPolicy
from preppal.live.offline.vad import TurnRules

ESPEAK_SETS = {"legacy": legacy, "dev": dev, "held": held_back, "openers": openers}
TEXT_ONLY = TurnPolicy(complete=1.01, voice_floor=0.0)  # the voice never decides
SESSIONS: list[Session] = []


@dataclass
class Run:
    """One answer set under one judge."""

    voice: str
    name: str
    judge: str
    results: list[Measured] = field(default_factory=list)
    misses: int = 0
    looks: int = 0  # early decodes started ahead of a cut (vad.EarlyLook) ...
    looks_used: int = 0  # ... and those whose words stood for the chunk's
    # The transcript's word errors and reference words, answers with a mid-thought pause and
    # whole ones apart (answers the interviewer cut in on are left out: their line is split).
    errors: dict[bool, list[int]] = field(default_factory=lambda: {True: [0, 0], False: [0, 0]})

    def wer(self, mid_thought: bool) -> str:
        errors, words = self.errors[mid_thought]
        return f"{100 * errors / words:.1f} %" if words else "-"

    def summary(self) -> tuple[float, float, int, int]:
        heard = [r.from_voice * 1000 for r in self.results if not r.cut_in]
        mid = [r for r in self.results if r.mid_thought]
        p50 = statistics.median(heard) if heard else float("nan")
        p90 = float(np.percentile(heard, 90)) if heard else float("nan")
        return p50, p90, sum(r.cut_in for r in mid), len(mid)

    def line(self) -> str:
        p50, p90, cuts, mids = self.summary()
        kinds = ("voice", "words", "wait", "cap")
        ended = {how: sum(r.ended_by == how for r in self.results if not r.cut_in) for how in kinds}
        how = ", ".join(f"{k} {v}" for k, v in ended.items() if v)
        return (
            f"  {self.voice}/{self.name} [{self.judge}]: p50 {p50:.0f} ms p90 {p90:.0f} ms, "
            f"cut-ins {cuts}/{mids}, answers {len(self.results)} (no reply: {self.misses}); ended by {how}; "
            f"early looks used {self.looks_used}/{self.looks}; transcript WER {self.wer(True)} mid-thought, "
            f"{self.wer(False)} whole"
        )


def interleave(answers: list[Answer]) -> list[Answer]:
    """Finished and mid-thought answers take turns; requests now and then."""
    plain = [a for a in answers if not a.mid_thought and not a.request]
    mids = [a for a in answers if a.mid_thought]
    order = [a for pair in zip_longest(plain, mids) for a in pair if a]
    for i, request in enumerate(a for a in answers if a.request):
        order.insert(min(len(order), 6 + i * 9), request)
    return order


def backend_for(judge: str, n: int, rules: TurnRules, policy: TurnPolicy) -> OfflineBackend:
    brief = InterviewBrief(f"bench-{judge}-{n}", "behavioural", "Backend Engineer", "intense")
    if judge == "no-look":
        rules = replace(rules, early_look_ms=rules.cut_silence_ms)
    if judge == "text":
        policy = TEXT_ONLY
    elif judge == "fixed":  # round 1: no bar falls, no clear-words rule (clear out of reach)
        policy = replace(policy, relaxed=1.0, voice_relaxed=1.0, clear=1.01)
    return OfflineBackend(
        brief,
        send_ahead_s=1e9,
        turn_rules=rules,
        turn_policy=policy,
        semantic_turns=judge != "silence",
        text_turns=judge in ("both", "fixed", "text", "no-look", "chunks"),
        context_s=0.0 if judge == "chunks" else CONTEXT_S,
        acknowledge=judge != "silence",
    )


def trace(backend: OfflineBackend, log: dict[int, list], longest: dict[int, int]) -> None:
    """Record each pause's evidence as the policy sees it, in order, and how long the pause
    lasted (``--verbose``, ``--evidence``)."""
    eot = backend.listener.end_of_turn if backend.listener else None
    if eot is None:
        return
    decide = eot._decide

    def traced(evidence, by_words: bool, by_wait: bool = False) -> None:
        if not by_wait:  # a verdict or the words arrived (not the same evidence again, a frame later)
            seen = (evidence.probability, evidence.text_probability, evidence.text, eot._detector.silence_ms, by_words)
            log.setdefault(evidence.pause, []).append(seen)
        decide(evidence, by_words, by_wait)

    eot._decide = traced  # type: ignore[method-assign]
    tick = eot.tick

    def ticked() -> None:  # how long each pause lasted: the longest silence heard in it
        longest[eot._detector.pause] = eot._detector.silence_ms
        tick()

    eot.tick = ticked  # type: ignore[method-assign]


def show(log: dict[int, list]) -> str:
    """One line per pause: the voice's verdicts in order, then the text judge's and the words,
    each ``@`` the silence (ms) the pause had lasted when it arrived."""
    lines = []
    for pause, seen in log.items():
        voices = " ".join(f"{p:.2f}@{ms}" for p, _t, _x, ms, words in seen if not words and p is not None)
        words = next((e for e in reversed(seen) if e[4]), None)
        text = "-" if words is None else f"{'-' if words[1] is None else f'{words[1]:.3f}'}@{words[3]} {words[2]!r}"
        lines.append(f"      pause {pause}: voice {voices or '-'} | text {text}")
    return "\n".join(lines)


async def run_set(
    run: Run, answers: list[Answer], rules: TurnRules, policy: TurnPolicy, verbose: bool, evidence: list[dict] | None
) -> None:
    order = interleave(answers)
    n = 0
    while len(run.results) + run.misses < len(order):
        n += 1
        backend = backend_for(run.judge, n, rules, policy)
        await backend.start()
        session = Session(backend)
        SESSIONS.append(session)
        log: dict[int, list] = {}
        longest: dict[int, int] = {}
        if verbose or evidence is not None:
            trace(backend, log, longest)
        try:
            await session.wait_turn(1)
            while not session.ended and len(run.results) + run.misses < len(order):
                await session.feed_fast(silence(session.turn_audio_s + 0.2, 16_000))  # let the AI's turn play
                answer = order[len(run.results) + run.misses]
                before = (backend.stats.complete, backend.stats.by_words, backend.stats.by_wait)
                log.clear()
                longest.clear()
                lines = len(session.lines)
                measured = await answer_in_real_time(session, answer)
                if measured is None:
                    run.misses += 0 if session.ended else 1
                    continue
                complete, by_words = backend.stats.complete - before[0], backend.stats.by_words - before[1]
                by_wait = backend.stats.by_wait - before[2]  # the bar fell to the evidence already in
                how = "words" if by_words else "wait" if by_wait else "voice" if complete else "cap"
                run.results.append(
                    replace(measured, mid_thought=answer.mid_thought, request=answer.request, ended_by=how)
                )
                await session.wait_reply()
                if not measured.cut_in:  # the answer's line (none: nothing was heard, all errors)
                    said = units(answer.said, True)
                    heard = session.lines[-1] if len(session.lines) > lines else ""
                    run.errors[answer.mid_thought][0] += edits(said, units(heard, True))
                    run.errors[answer.mid_thought][1] += len(said)
                if evidence is not None:  # each pause's evidence as it arrived, to replay other rules on
                    pauses = [{"pause": k, "longest_ms": longest.get(k, 0), "seen": v} for k, v in log.items()]
                    row = {"set": f"{run.voice}/{run.name}", "judge": run.judge, "answer": answer.text}
                    row |= {"mid_thought": answer.mid_thought, "from_voice_ms": round(measured.from_voice * 1000)}
                    row |= {"cut_in": measured.cut_in, "ended_by": how, "pauses": pauses}
                    evidence.append(row)
                if verbose:
                    cut = " CUT-IN" if measured.cut_in else ""
                    after = f"(decided +{(measured.from_voice - measured.from_turn_end) * 1000:.0f})"
                    print(
                        f"    {measured.from_voice * 1000:6.0f} ms {after:16} {how:5}{cut}  {answer.text}", flush=True
                    )
                    print(show(log), flush=True)
        finally:
            run.looks += backend.stats.early_looks
            run.looks_used += backend.stats.early_used
            await backend.close()
            session.reader.cancel()


def final_line(runs: list[Run]) -> str:
    heard = [r.from_voice * 1000 for run in runs for r in run.results if not r.cut_in]
    mids = [r for run in runs for r in run.results if r.mid_thought]
    return (
        f"offline_latency: end of speech → first audio p50 {statistics.median(heard):.0f} ms "
        f"p90 {np.percentile(heard, 90):.0f} ms, premature cut-ins {sum(r.cut_in for r in mids)}/{len(mids)}"
    )


async def main(args: argparse.Namespace) -> None:
    rules = TurnRules(
        cut_silence_ms=args.cut_ms, early_look_ms=args.early_ms, recheck_ms=args.recheck_ms, cap_silence_ms=args.cap_ms
    )
    relax_from, relax_to = (int(ms) for ms in args.relax_ms.split(","))
    policy = TurnPolicy(
        unfinished=args.unfinished,
        finished=args.finished,
        voice_floor=args.voice_floor,
        relax_from_ms=relax_from,
        relax_to_ms=relax_to,
        relaxed=args.relaxed,
        voice_relaxed=args.voice_relaxed,
    )
    t = time.monotonic()
    engines = await asyncio.to_thread(load_engines)
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; models loaded in "
        f"{time.monotonic() - t:.1f} s (text judge {'on' if engines.text_judge else 'NOT loaded'}, "
        f"voice model {'on' if engines.smart_turn else 'NOT loaded'})",
        flush=True,
    )
    if engines.text_judge is not None:  # the text judge's cost per call, on this machine now
        costs = []
        for text in dev.FINISHED + [before for before, _pause, _after in dev.MID_THOUGHT]:
            t = time.perf_counter()
            await asyncio.to_thread(engines.text_judge.probability, text)
            costs.append((time.perf_counter() - t) * 1000)
        print(
            f"text judge per call: median {statistics.median(costs):.0f} ms, max {max(costs):.0f} ms "
            f"over {len(costs)} answers (cold prompt cache)",
            flush=True,
        )
    voices = args.voices.split(",")
    sets: list[tuple[str, str, list[Answer]]] = []
    if "espeak" in voices:
        for name in args.sets.split(","):
            answers = await asyncio.to_thread(espeak_answers, ESPEAK_SETS[name])
            sets.append(("espeak", name, interleave(answers)[: args.turns] if args.turns else answers))
    if "human" in voices:
        if human_available():
            answers = await asyncio.to_thread(human_answers, engines.transcriber, args.clips)
            sets.append(("human", "librivox", interleave(answers)[: args.turns] if args.turns else answers))
        else:
            print("human set skipped: apt-get install pocketsphinx-testdata", flush=True)
    runs: list[Run] = []
    evidence: list[dict] | None = [] if args.evidence else None  # written at the end, off the live loop
    for judge in args.judge.split(","):
        for voice, name, answers in sets:
            run = Run(voice, name, judge)
            if args.verbose:
                print(f"{voice}/{name} [{judge}]", flush=True)
            await run_set(run, answers, rules, policy, args.verbose, evidence)
            runs.append(run)
            print(run.line(), flush=True)
    if evidence is not None:
        Path(args.evidence).write_text("".join(json.dumps(row) + "\n" for row in evidence), encoding="utf-8")
    costs = [c * 1e6 for s in SESSIONS for c in s.frame_costs]
    cpu = [r.cpu / r.wall for run in runs for r in run.results]
    print(
        f"send_audio per frame: median {statistics.median(costs):.0f} µs, p99 {np.percentile(costs, 99):.0f} µs; "
        f"CPU while answering {statistics.mean(cpu) * 100:.0f} % of a core; peak RSS {peak_rss_mb():.0f} MB; "
        f"load average at the end {os.getloadavg()[0]:.1f}"
    )
    first = args.judge.split(",")[0]
    lines = {}
    for voice in ("espeak", "human"):
        mine = [r for r in runs if r.voice == voice and r.judge == first and r.results]
        if mine:
            lines[voice] = final_line(mine)
    if len(lines) == 2:  # the espeak set on the line before the last, the human set last
        print(lines["espeak"].replace("offline_latency:", "offline_latency (espeak):"))
    print(lines.get("human") or lines["espeak"])


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voices", default="espeak", help="espeak,human")
    parser.add_argument("--sets", default="legacy,dev,held", help="espeak sets: legacy,dev,held,openers")
    parser.add_argument(
        "--judge", default="both", help="both,no-look,fixed,chunks,voice,text,silence (the first is reported last)"
    )
    parser.add_argument("--turns", type=int, default=0, help="at most this many answers per set (0: all)")
    parser.add_argument("--clips", type=int, default=None, help="human set: at most this many recordings")
    parser.add_argument("--smoke", action="store_true", help="a few answers per set (the test suite)")
    parser.add_argument("--frame-ms", type=int, default=40, help="length of each candidate audio frame")
    parser.add_argument(
        "--cut-ms", type=int, default=TurnRules.cut_silence_ms, help="pause that starts an early decode"
    )
    parser.add_argument(
        "--early-ms", type=int, default=TurnRules.early_look_ms, help="pause that starts that decode ahead of the cut"
    )
    parser.add_argument("--recheck-ms", type=int, default=TurnRules.recheck_ms, help="ask the voice model this often")
    parser.add_argument("--cap-ms", type=int, default=TurnRules.cap_silence_ms, help="longest pause in a turn")
    parser.add_argument("--unfinished", type=float, default=TurnPolicy.unfinished, help="text judge veto bar")
    parser.add_argument("--finished", type=float, default=TurnPolicy.finished, help="text judge 'ends here' bar")
    parser.add_argument("--voice-floor", type=float, default=TurnPolicy.voice_floor, help="voice bar with it")
    parser.add_argument(
        "--relax-ms",
        default=f"{TurnPolicy.relax_from_ms},{TurnPolicy.relax_to_ms}",
        help="silence over which the 'ends here' bars fall: FROM,TO",
    )
    parser.add_argument("--relaxed", type=float, default=TurnPolicy.relaxed, help="share of the text bar left at TO")
    parser.add_argument(
        "--voice-relaxed", type=float, default=TurnPolicy.voice_relaxed, help="share of the voice bar left at TO"
    )
    parser.add_argument("--verbose", action="store_true", help="one line per answer, with the evidence")
    parser.add_argument("--evidence", default="", help="a file: each answer's pauses and their evidence, as JSON lines")
    args = parser.parse_args()
    if args.smoke:  # a few answers of the held-back espeak set, and of the human set when installed
        args.turns, args.clips, args.sets = args.turns or 3, args.clips or 1, "held"
        args.voices = "espeak,human" if human_available() else "espeak"
    driver.FRAME_BYTES = 32 * args.frame_ms
    asyncio.run(main(args))
