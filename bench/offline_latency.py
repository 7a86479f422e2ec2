"""Offline interviewer latency: end of the candidate's speech → first interviewer audio chunk.

Runs real interviews through :class:`OfflineBackend` with spoken answers (espeak-ng, made
here), fed as 40 ms frames (the browser's default) *in real time* from the start of each answer until the
interviewer's first audio chunk arrives. The interviewer's own turns are skipped by feeding
their duration of silence at once (the backend listens on the stream clock), and each turn
is sent in one go (``send_ahead_s`` large): neither changes when the *first* chunk leaves.

Over half the answers pause mid-thought (0.5–1.5 s inside a sentence: "I would use a queue,
[900 ms] because the writes are bursty."), ten in the answer's first sentence and six after a
whole sentence ("We moved to Kubernetes last year. The hardest part was, [900 ms] …"); the
part before the pause is spoken with the voice's continuation intonation (a trailing comma),
as a person who is not finished sounds. A *premature cut-in* is a turn the interviewer ended
before such an answer was over. Three short requests ("Could you repeat the question,
please?") check that a short answer that hands the turn back is not kept waiting.

Reports, over the turns: latency from the last voiced sample to the first interviewer audio
(with the semantic end of turn that is the short acknowledgement; the reply's own first
audio is reported too) and from the end-of-turn decision; the end-of-turn model's cost;
CPU and memory idle and while decoding; the cost of one ``send_audio`` call (the relay's
hot path); start-up times. ``--baseline`` runs the old rule (700 ms of silence, no model,
no acknowledgement) for comparison.

    nice -n -10 .venv/bin/python bench/offline_latency.py [--turns 40] [--baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, replace
from itertools import zip_longest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from preppal.live.base import AIAudio, AITranscript, Ended, InterviewBrief, TurnComplete
from preppal.live.offline import OfflineBackend, load_engines
from preppal.live.offline.audio import pcm_to_float, silence
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.speculation import TurnStats
from preppal.live.offline.turn_policy import TurnPolicy
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
# (first part, pause in ms, the rest): the pause falls inside the sentence.
MID_THOUGHT = [
    ("I would use a queue,", 900, "because the writes are bursty."),
    ("At my last job the release process was slow,", 1200, "so I wrote a script that deployed every change."),
    ("I think the main reason was,", 700, "that nobody owned the database."),
    ("We split the service into two parts,", 1500, "and the pages got much faster."),
    ("I would start with,", 600, "a simple cache in front of the database."),
    ("My manager and I disagreed,", 1000, "but we agreed to measure both designs."),
    ("The tricky part was,", 800, "keeping the data consistent during the migration."),
    ("I learned to ask for help,", 1300, "before the deadline gets close."),
    ("We cut the hosting costs by,", 500, "about thirty percent in three months."),
    ("First I profiled the query, and", 1100, "then I added the missing index."),
    # ... and after a whole sentence, where the model hears more context
    ("I am a backend engineer. I mostly work on,", 800, "payment systems in Python."),
    ("We moved to Kubernetes last year. The hardest part was,", 900, "moving the databases without downtime."),
    ("I led a team of four people. We shipped the new billing service,", 1200, "and then we turned off the old one."),
    ("Our tests took forty minutes. I split them into groups, and", 700, "ran the groups in parallel."),
    ("The page was slow because of one query. I added an index,", 1000, "and it loaded in under a second."),
    ("The customer kept asking for changes. So I set up a weekly call,", 1300, "where we agreed on the next steps."),
]
# Short answers that hand the turn back: they must not wait for the pause cap.
REQUESTS = ["Could you repeat the question, please?", "Sorry, I don't know.", "Can we skip this one?"]


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


@dataclass
class Answer:
    text: str
    pcm: bytes
    speech_end_s: float  # last voiced sample, from the start of ``pcm``
    mid_thought: bool
    request: bool = False


def make_answers() -> list[Answer]:
    out = []
    for text in ANSWERS:
        pcm = speech_pcm(text, lead_s=0.2, tail_s=0.0)
        out.append(Answer(text, pcm, voiced_end_s(pcm), False))
    for first, pause_ms, rest in MID_THOUGHT:
        pcm = speech_pcm(first, lead_s=0.2, tail_s=pause_ms / 1000) + speech_pcm(rest, lead_s=0.0, tail_s=0.0)
        out.append(Answer(f"{first} [{pause_ms} ms] {rest}", pcm, voiced_end_s(pcm), True))
    for text in REQUESTS:
        pcm = speech_pcm(text, lead_s=0.2, tail_s=0.0)
        out.append(Answer(text, pcm, voiced_end_s(pcm), False, request=True))
    return out


class Session:
    def __init__(self, backend: OfflineBackend) -> None:
        self.backend = backend
        self.turns = 0
        self.turn_audio_s = 0.0
        self.first_audio_at: float | None = None
        self.reply_audio_at: float | None = None  # first audio of the reply itself (after any acknowledgement)
        self._in_reply = False
        self.replied = False  # the reply to the current answer has been sent completely
        self._acks = set(load_pack().phrases["acknowledgements"])
        self.ended = False
        self.frame_costs: list[float] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.backend.events():
            if isinstance(event, AIAudio):
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
                if self._in_reply and self.reply_audio_at is None:
                    self.reply_audio_at = time.monotonic()
                self.turn_audio_s += len(event.pcm) / 2 / event.sample_rate
            elif isinstance(event, AITranscript) and event.text.strip() and event.text.strip() not in self._acks:
                self._in_reply = True
            elif isinstance(event, TurnComplete):
                self.replied = self.replied or self._in_reply
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

    async def wait_reply(self, timeout: float = 30) -> None:
        """Until the reply to this answer is complete (an acknowledgement cut short does not count)."""
        deadline = time.monotonic() + timeout
        while not self.replied and not self.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def wait_turn(self, turns: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.turns < turns and not self.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


@dataclass
class Measured:
    from_voice: float  # end of speech → first audio
    to_reply: float  # end of speech → first audio of the reply itself
    from_turn_end: float  # end-of-turn decision → first audio
    cut_in: bool  # the turn ended before the answer did
    cpu: float
    wall: float
    mid_thought: bool = False
    request: bool = False
    ended_by: str = ""  # voice (the model) / words (the transcript arrived) / cap (or the silence rule)


async def answer_in_real_time(session: Session, answer: Answer) -> Measured | None:
    """Speak the answer then keep sending silence in real time until the interviewer's reply is heard."""
    step = FRAME_BYTES / 2 / 16_000
    session.first_audio_at = session.reply_audio_at = None
    session._in_reply = session.replied = False
    session.turn_audio_s = 0.0
    pcm = answer.pcm + silence(6.0, 16_000)  # enough trailing silence for any reply to arrive
    ended_before = session.backend.turn_ended_at
    cut_in = False
    cpu0, t0 = time.process_time(), time.monotonic()
    for i, at in enumerate(range(0, len(pcm), FRAME_BYTES)):
        await asyncio.sleep(max(0.0, t0 + (i + 1) * step - time.monotonic()))  # sent once captured
        answering = (i + 1) * step < answer.speech_end_s
        if answering and session.backend.turn_ended_at != ended_before:
            cut_in = True  # the turn ended while the candidate was still answering
        await session.send(pcm[at : at + FRAME_BYTES])
        if answering and session.first_audio_at is not None:  # spoken over the candidate: not the reply
            session.first_audio_at = session.reply_audio_at = None
            session._in_reply = session.replied = False
        if not answering and session.reply_audio_at is not None:
            break
    if session.first_audio_at is None or session.reply_audio_at is None:
        return None  # nothing heard (an empty transcript) or too slow: counted as a miss
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    turn_end = session.backend.turn_ended_at or float("nan")
    voice_end = t0 + answer.speech_end_s
    return Measured(
        session.first_audio_at - voice_end,
        session.reply_audio_at - voice_end,
        session.first_audio_at - turn_end,
        cut_in,
        cpu,
        wall,
    )


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


async def main(turns_wanted: int, rules: TurnRules, policy: TurnPolicy, baseline: bool, verbose: bool) -> None:
    cut_ms = rules.cut_silence_ms
    t = time.monotonic()
    engines = await asyncio.to_thread(load_engines)
    cold_load = time.monotonic() - t
    rss_loaded, _ = rss_mb()
    answers = make_answers()
    plain = [a for a in answers if not a.mid_thought and not a.request]
    mids = [a for a in answers if a.mid_thought]
    order = [a for pair in zip_longest(plain, mids) for a in pair if a]  # plain and mid-thought take turns
    for i, request in enumerate(a for a in answers if a.request):  # a request now and then
        order.insert(6 + i * 9, request)
    decode_wall, decode_cpu_s = [], []
    for answer in plain:  # one whole answer per decode: Whisper's cost on this machine right now
        c0, w0 = time.process_time(), time.perf_counter()
        engines.transcriber.transcribe(pcm_to_float(answer.pcm))
        decode_wall.append(time.perf_counter() - w0)
        decode_cpu_s.append(time.process_time() - c0)
    judge_ms = []
    if engines.smart_turn is not None:  # the end-of-turn model on 8 s of audio
        for answer in plain:
            w0 = time.perf_counter()
            engines.smart_turn.probability(pcm_to_float(answer.pcm))
            judge_ms.append((time.perf_counter() - w0) * 1000)

    results: list[Measured] = []
    stats: list[TurnStats] = []
    starts: list[float] = []
    frame_costs: list[float] = []
    idle = None
    misses = 0
    interview = 0
    while len(results) < turns_wanted:
        interview += 1
        brief = InterviewBrief(f"bench-{interview}", "behavioural", "Backend Engineer", "intense")
        backend = OfflineBackend(
            brief,
            send_ahead_s=1e9,
            turn_rules=rules,
            turn_policy=policy,
            semantic_turns=not baseline,
            acknowledge=not baseline,
        )
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
            while not session.ended and len(results) < turns_wanted:
                await session.feed_fast(silence(session.turn_audio_s + 0.2, 16_000))  # let the AI's turn play
                answer = order[(len(results) + misses) % len(order)]
                before = (backend.stats.complete, backend.stats.by_words)
                measured = await answer_in_real_time(session, answer)
                if measured is None:
                    misses += 0 if session.ended else 1  # after the closing nobody answers
                    continue
                complete, by_words = backend.stats.complete - before[0], backend.stats.by_words - before[1]
                ended_by = "words" if by_words else "voice" if complete else "silence" if baseline else "cap"
                measured = replace(measured, mid_thought=answer.mid_thought, request=answer.request, ended_by=ended_by)
                results.append(measured)
                await session.wait_reply()
                if verbose:
                    print(
                        f"  {measured.from_voice * 1000:6.0f} ms (reply {measured.to_reply * 1000:5.0f} ms) "
                        f"{measured.ended_by:7}{' CUT-IN' if measured.cut_in else ''}  {answer.text}",
                        flush=True,
                    )
        finally:
            frame_costs += session.frame_costs
            stats.append(backend.stats)
            await backend.close()
            session.reader.cancel()
    rss_now, rss_peak = rss_mb()
    worker_cpu = child_cpu_s(engines.voice._proc.pid) - worker0

    heard = [r for r in results if not r.cut_in]  # a cut-in's "latency" would be negative: not a reply
    ms = [r.from_voice * 1000 for r in heard]
    ms_reply = [r.to_reply * 1000 for r in heard]
    ms_eot = [r.from_turn_end * 1000 for r in heard]
    us = [v * 1e6 for v in frame_costs]
    mid = [r for r in results if r.mid_thought]
    cut_ins = sum(r.cut_in for r in mid)
    plain_cut_ins = sum(r.cut_in for r in results if not r.mid_thought)
    n_plain = len(results) - len(mid)
    total = TurnStats(*(sum(getattr(s, f) for s in stats) for f in TurnStats.__slots__))
    rule = "700 ms silence rule (baseline)" if baseline else "Smart Turn + acknowledgement"
    if engines.smart_turn is None and not baseline:
        rule = "silence rule (end-of-turn model NOT loaded)"
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; turns: {len(results)} "
        f"({len(mid)} with a mid-thought pause) over {interview} interviews; turn-taking: {rule}; "
        f"early-decode pause {cut_ms} ms; answers with no reply within 6 s: {misses}"
    )
    print(
        f"cold model load: {cold_load * 1000:.0f} ms; start() per interview (cached): "
        f"median {statistics.median(starts) * 1000:.1f} ms"
    )
    print(
        f"end of speech → first audio chunk: median {statistics.median(ms):.0f} ms, p90 {pct(ms, 90):.0f} ms "
        f"(over {len(ms)} turns that were not cut-ins)"
    )
    print(
        f"end of speech → first audio of the reply itself: median {statistics.median(ms_reply):.0f} ms, "
        f"p90 {pct(ms_reply, 90):.0f} ms"
    )
    print(
        f"end-of-turn decision → first audio chunk: median {statistics.median(ms_eot):.0f} ms, "
        f"p90 {pct(ms_eot, 90):.0f} ms"
    )
    print(
        f"answers whose turn ended before they did: mid-thought pause {cut_ins}/{len(mid)}, "
        f"other answers (pauses between sentences; requests) {plain_cut_ins}/{n_plain}"
    )
    requests = [r.from_voice * 1000 for r in heard if r.request]
    if requests:
        print(
            f"short requests (repeat/skip), end of speech → first audio: {', '.join(f'{v:.0f}' for v in requests)} ms"
        )
    ended = {how: sum(r.ended_by == how for r in heard) for how in ("voice", "words", "cap", "silence")}
    print("turns ended by: " + ", ".join(f"{how} {n}" for how, n in ended.items() if n))
    print(
        f"turn-taking: model verdicts {total.checks} ({total.complete} ended a turn, {total.by_words} when "
        f"the words arrived), acknowledgements "
        f"{total.acknowledgements}, speculative replies {total.speculations} (used {total.used}, "
        f"dropped {total.dropped})"
    )
    if judge_ms:
        print(f"end-of-turn model per call (8 s of audio): median {statistics.median(judge_ms):.0f} ms")
    print(
        f"one whole-answer decode ({statistics.mean(len(a.pcm) for a in plain) / 32_000:.1f} s of speech): "
        f"median {statistics.median(decode_wall) * 1000:.0f} ms wall, "
        f"{statistics.median(decode_cpu_s) * 1000:.0f} ms CPU"
    )
    print(
        f"send_audio per {FRAME_BYTES // 32} ms frame: median {statistics.median(us):.0f} µs, p99 {pct(us, 99):.0f} µs"
    )
    print(
        f"CPU (process, % of one core): idle listening {idle * 100:.1f} %, "
        f"while answering+deciding+decoding {statistics.mean(r.cpu / r.wall for r in results) * 100:.0f} % "
        "(mean over turns)"
    )
    print(f"voice worker CPU over the run: {worker_cpu:.2f} s")
    print(f"memory: RSS after load {rss_loaded:.0f} MB, at end {rss_now:.0f} MB, peak {rss_peak:.0f} MB")
    print(
        f"offline_latency: end of speech → first audio p50 {statistics.median(ms):.0f} ms "
        f"p90 {pct(ms, 90):.0f} ms, premature cut-ins {cut_ins}/{len(mid)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument(
        "--cut-ms", type=int, default=TurnRules().cut_silence_ms, help="pause that starts an early decode"
    )
    parser.add_argument("--frame-ms", type=int, default=40, help="length of each candidate audio frame")
    parser.add_argument("--baseline", action="store_true", help="the old turn-taking: 700 ms of silence, no model")
    parser.add_argument("--recheck-ms", type=int, default=TurnRules().recheck_ms, help="ask the model again this often")
    parser.add_argument("--cap-ms", type=int, default=TurnRules().cap_silence_ms, help="longest pause in a turn")
    parser.add_argument(
        "--with-words", type=float, default=TurnPolicy.with_words, help="model threshold when the words end a sentence"
    )
    parser.add_argument(
        "--short-answer-ms", type=int, default=TurnRules.short_answer_ms, help="less speech waits for the cap"
    )
    parser.add_argument("--verbose", action="store_true", help="one line per answer")
    args = parser.parse_args()
    FRAME_BYTES = 32 * args.frame_ms
    rules = TurnRules(
        cut_silence_ms=args.cut_ms,
        recheck_ms=args.recheck_ms,
        cap_silence_ms=args.cap_ms,
        short_answer_ms=args.short_answer_ms,
    )
    policy = TurnPolicy(with_words=args.with_words)
    asyncio.run(main(args.turns, rules, policy, args.baseline, args.verbose))
