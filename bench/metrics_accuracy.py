"""Accuracy of the delivery metrics measured from audio (services/analysis/audio_metrics.py).

Builds a labelled set of spoken answers with the offline interviewer's espeak-ng voice
(several voices and speeds), with known filler words spoken in them and known silences
(0.5–4 s, numpy zeros) inserted between phrases, lays them out as one interview (an
interviewer question on its own track before each answer), runs the analysis and compares:

- fillers: matched by label within ±``FILLER_TOLERANCE_MS`` of where the filler phrase starts
  (recall over labelled fillers, precision over detected ones);
- pauses: every inserted silence ≥ 1 s must be found with both edges within ±150 ms;
- pace: words (as scripted, fillers included) ÷ speaking time (the answer's span minus its
  labelled pauses ≥ 1 s), error per answer relative to the label, averaged;
- time to first word after the question (mean absolute error, reported only).

Each phrase is synthesised alone and trimmed to its first/last non-silent sample, so a label's
times are the audio's own; phrases are joined by ``JOIN_MS`` of silence unless a labelled
silence is inserted. Also reports the cost: CPU seconds (this process, all threads) per
minute of answer audio.

    .venv/bin/python -m bench.metrics_accuracy [--threads 1] [--answers 24]   # the suite: --answers 2

Last line: ``metrics_accuracy: filler recall R precision P, pause recall Q (±150 ms), pace error E %``.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from dataclasses import dataclass, field

import numpy as np

from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.tts import Voice
from preppal.services.analysis import audio_metrics
from preppal.services.analysis.transcript_metrics import Segment
from preppal.speech.stt import Transcriber

RATE = 16_000
JOIN_MS = 90  # silence between phrases of one sentence run (natural inter-word gap)
PAUSE_TOLERANCE_MS = 150
FILLER_TOLERANCE_MS = 700
VOICES = ["en-us", "en", "en-gb-x-rp", "en-us-nyc"]
SPEEDS = [135, 160, 185]

# Answers as phrases; "{um}" etc. mark a filler phrase of its own; "|" marks a place for a
# silence. Non-filler uses of like/so/you know are there on purpose (precision).
SCRIPTS = [
    "I would start by clarifying the requirements. | {um} {basically} the system needs to handle a lot of traffic. "
    "| {so} {like} I would put a load balancer in front. | {uh} we measured the latency first.",
    "The main problem was the database. | {uh} we added an index on the orders table, | and the slow queries "
    "went away. | {um} after that we watched the error rate for a week.",
    "I led the migration to the new billing service. | {um} it took three months, | and {you know} the hard "
    "part was keeping both systems in sync.",
    "When I joined the team, the release process was manual. | {so} I wrote a pipeline that ran the tests "
    "on every change. | {uh} releases went from monthly to weekly.",
    "I would like to talk about a conflict with a colleague. | {um} we disagreed about the design of the "
    "cache. | {uh} in the end we built a small prototype and measured both options.",
    "My strongest skill is debugging. | {like} I read the logs first, | then I try to reproduce the problem "
    "locally. | {um} most bugs show up in the first hour.",
    "We had a customer who was unhappy with our response times. | {uh} I set up a rota so that someone "
    "answered within an hour. | {basically} the complaints stopped.",
    "I think the trade off is between consistency and availability. | {um} for a payment system I would "
    "choose consistency. | {so} writes go through a single leader.",
    "Do you know what I enjoy most? | Teaching new engineers. | {uh} I run a weekly session on our "
    "architecture, | {and} people ask good questions.",
    "The project was late because the scope kept growing. | {um} I met the product manager and we cut "
    "three features. | {uh} we shipped on the new date.",
    "For a rate limiter I would use a token bucket per user. | {um} the buckets live in a shared store, | "
    "{like} a key value database with expiry.",
    "I made a mistake once that deleted test data. | {uh} I told my lead straight away. | {um} then I "
    "wrote a script to restore it from the backup.",
]
FILLER_LABELS = {"um": "um", "uh": "uh", "like": "like", "so": "so", "you know": "you know", "basically": "basically"}
QUESTIONS = [
    "Tell me about a recent project.",
    "How would you design this system?",
    "Describe a difficult situation at work.",
    "What would you do differently?",
]


@dataclass
class Answer:
    voice: str
    wpm: int
    pcm: np.ndarray
    words: int
    fillers: list[tuple[str, int]] = field(default_factory=list)  # (label, at ms within the answer)
    silences: list[tuple[int, int]] = field(default_factory=list)  # inserted silences (ms within the answer)


def _trim(x: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > floor)
    return x[loud[0] : loud[-1] + 1] if loud.size else x[:0]


def _phrases(script: str) -> list[tuple[str, str | None, bool]]:
    """(text, filler label or None, silence before) per phrase."""
    out: list[tuple[str, str | None, bool]] = []
    pause_next = False
    for part in re.split(r"(\{[^}]+\}|\|)", script):
        part = part.strip()
        if not part:
            continue
        if part == "|":
            pause_next = True
            continue
        if part.startswith("{"):
            word = part[1:-1]
            label = FILLER_LABELS.get(word)
            out.append((word.capitalize() + "," if label else word, label, pause_next))
        else:
            out.append((part, None, pause_next))
        pause_next = False
    return out


def build_answer(voice: Voice, script: str, rng: random.Random) -> Answer:
    pieces: list[np.ndarray] = []
    answer = Answer(voice.voice, voice.words_per_minute, np.zeros(0, np.float32), 0)
    at = 0
    for text, label, pause_before in _phrases(script):
        audio = _trim(pcm_to_float(voice.speak(text, RATE)))
        if pieces:
            gap_ms = int(rng.choice([0.5, 0.8, 1.0, 1.3, 1.7, 2.2, 3.0, 4.0]) * 1000) if pause_before else JOIN_MS
            if pause_before:
                answer.silences.append((at, at + gap_ms))
            pieces.append(np.zeros(gap_ms * RATE // 1000, np.float32))
            at += gap_ms
        if label:
            answer.fillers.append((label, at))
        answer.words += len(re.findall(r"[A-Za-z']+", text))
        pieces.append(audio)
        at += len(audio) * 1000 // RATE
    answer.pcm = np.concatenate(pieces)
    return answer


def build_interview(answers: list[Answer], question_voice: Voice) -> tuple[np.ndarray, np.ndarray, list, list]:
    """Candidate and interviewer tracks on one clock, the transcript, and answer offsets."""
    cand: list[np.ndarray] = []
    ai: list[np.ndarray] = []
    entries: list[Segment] = []
    starts: list[tuple[int, int]] = []  # (answer onset ms, question end ms)
    at = 0
    seq = 0
    for i, ans in enumerate(answers):
        q = _trim(pcm_to_float(question_voice.speak(QUESTIONS[i % len(QUESTIONS)], RATE)))
        lead = np.zeros(RATE // 2, np.float32)
        think = np.zeros(int(RATE * (0.6 + 0.3 * (i % 4))), np.float32)
        tail = np.zeros(RATE, np.float32)
        q_start = at + 500
        q_end = q_start + len(q) * 1000 // RATE
        a_start = q_end + len(think) * 1000 // RATE
        a_end = a_start + len(ans.pcm) * 1000 // RATE
        seq += 1
        entries.append(Segment("AI", QUESTIONS[i % len(QUESTIONS)], q_start, q_end, seq))
        seq += 1
        # the live transcript's one segment per answer (its text does not matter to the audio pass)
        entries.append(Segment("USER", "answer " * max(3, ans.words), a_start, a_end, seq))
        ai += [lead, q, np.zeros(len(think) + len(ans.pcm) + len(tail), np.float32)]
        cand += [np.zeros(len(lead) + len(q) + len(think), np.float32), ans.pcm, tail]
        starts.append((a_start, q_end))
        at = a_end + 1000
    return np.concatenate(cand), np.concatenate(ai), entries, starts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=24)
    parser.add_argument("--threads", type=int, default=1, help="Whisper CPU threads (the worker uses 1)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--noise-db", type=float, default=-55.0, help="room noise added to both tracks (dBFS RMS)")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    voices = {name: Voice(voice=name) for name in VOICES}
    answers = []
    for i in range(args.answers):
        voice = voices[VOICES[i % len(VOICES)]]
        voice.words_per_minute = SPEEDS[(i // len(VOICES)) % len(SPEEDS)]
        answers.append(build_answer(voice, SCRIPTS[i % len(SCRIPTS)], rng))
    question_voice = Voice(voice="en-gb-x-rp", words_per_minute=170)
    candidate, interviewer, entries, starts = build_interview(answers, question_voice)
    noise = np.random.default_rng(args.seed)
    level = 10 ** (args.noise_db / 20)  # a microphone is never digitally silent; labels stay the clean edges
    candidate = candidate + noise.normal(0, level, candidate.shape).astype(np.float32)
    interviewer = interviewer + noise.normal(0, level, interviewer.shape).astype(np.float32)
    for v in [*voices.values(), question_voice]:
        v.close()

    models = audio_metrics.SpeechModels(words=Transcriber(threads=args.threads))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    metrics = audio_metrics.analyze(candidate, entries, models, interviewer=interviewer)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    answer_min = sum(len(a.pcm) for a in answers) / RATE / 60

    detected_f = metrics["timeline"]["fillers"]
    detected_p = metrics["timeline"]["pauses"]
    f_hit = f_lab = 0
    used: set[int] = set()
    p_hit = p_lab = 0
    pace_errors, delay_errors = [], []
    edge_errors: list[int] = []
    for ans, (a_start, q_end), detail in zip(answers, starts, metrics["answers_detail"], strict=True):
        for label, at in ans.fillers:
            f_lab += 1
            for k, d in enumerate(detected_f):
                if k not in used and d["word"] == label and abs(d["at_ms"] - (a_start + at)) <= FILLER_TOLERANCE_MS:
                    used.add(k)
                    f_hit += 1
                    break
        long_silences = [(s, e) for s, e in ans.silences if e - s >= audio_metrics.PAUSE_MIN_MS]
        for s, e in long_silences:
            p_lab += 1
            best = min(
                (max(abs(p["start_ms"] - (a_start + s)), abs(p["end_ms"] - (a_start + e))) for p in detected_p),
                default=10**9,
            )
            edge_errors.append(best)
            p_hit += best <= PAUSE_TOLERANCE_MS
        speaking_s = (len(ans.pcm) * 1000 // RATE - sum(e - s for s, e in long_silences)) / 1000
        label_wpm = ans.words * 60 / speaking_s
        if detail["wpm"]:
            pace_errors.append(abs(detail["wpm"] - label_wpm) / label_wpm)
        else:
            pace_errors.append(1.0)
        if detail["response_delay_ms"] is not None:
            delay_errors.append(abs(detail["response_delay_ms"] - (a_start - q_end)))
        print(
            f"{ans.voice:>11} {ans.wpm} wpm | fillers {len(ans.fillers)} found {detail['fillers']} | "
            f"words {ans.words} heard {detail['words']} | pace {label_wpm:.0f} → {detail['wpm']} | "
            f"pauses {len(long_silences)} found {detail['pauses']} | delay {a_start - q_end} → "
            f"{detail['response_delay_ms']}"
        )
        if abs(pace_errors[-1]) > 0.1 or detail["fillers"] != len(ans.fillers):
            print(f"    heard: {detail.get('heard')}")
    recall = f_hit / f_lab if f_lab else 1.0
    precision = f_hit / len(detected_f) if detected_f else 1.0
    pause_recall = p_hit / p_lab if p_lab else 1.0
    pace = 100 * float(np.mean(pace_errors))
    extra_pauses = len(detected_p) - p_hit
    print(
        f"answers {len(answers)} ({answer_min:.1f} min of answer audio); fillers labelled {f_lab}, detected "
        f"{len(detected_f)}, matched {f_hit}; pauses ≥ 1 s labelled {p_lab}, found {p_hit}, other detected "
        f"{extra_pauses}; pause edge error median {np.median(edge_errors):.0f} ms, max {max(edge_errors)} ms; "
        f"pace error max {100 * max(pace_errors):.1f} %; time-to-first-word error mean "
        f"{np.mean(delay_errors):.0f} ms"
    )
    print(
        f"cost: {cpu:.1f} CPU s, {wall:.1f} s wall for {answer_min:.2f} min of answers "
        f"({len(candidate) / RATE / 60:.1f} min of track) = {cpu / answer_min:.1f} CPU s per minute of answer "
        f"(whisper threads {args.threads}, noise {args.noise_db:.0f} dBFS)"
    )
    print(
        f"metrics_accuracy: filler recall {recall:.2f} precision {precision:.2f}, "
        f"pause recall {pause_recall:.2f} (±150 ms), pace error {pace:.1f} %"
    )


if __name__ == "__main__":
    main()
