"""Delivery metrics measured from the recorded audio (the second pass after the call).

The live transcript stays as it is; it still says *which* turns are answers and what was
asked. The audio says *how* they were spoken:

- **Silero VAD** over the candidate's whole track gives speech spans (faster-whisper's own
  ``get_speech_timestamps``, the same Silero file the live turn-taking streams); silences of
  ``PAUSE_MIN_MS`` or more inside an answer are its pauses (with positions), the rest is
  speaking time; the first span after a question gives the time to the first word.
- **faster-whisper with word timestamps**, primed with a disfluent prompt (without it Whisper
  writes "Um, so" as "So"), gives the words and where each filler was said. Each decode is a
  ≤ 28 s chunk of speech with long silences shortened (Whisper applies the prompt to its first
  30 s window only, and invents words in long silences); words outside speech are dropped.
- **Pace** = words ÷ speaking time (pauses excluded), per answer and overall.

Input: float32 16 kHz arrays whose sample 0 is the interview's t=0 (the clock of
``TranscriptEntry.start_ms``). Output: the transcript metrics' shape (``InterviewMetrics``)
with the audio's numbers, plus ``source`` and a ``timeline`` of pauses and fillers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Optional, Protocol

import numpy as np

from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.models import Speaker
from preppal.rubric import is_request
from preppal.services.analysis.fillers import disfluent_prompt, find_filler_hits
from preppal.services.analysis.speech_spans import RATE, Span, track_spans
from preppal.services.analysis.transcript_metrics import (
    AnswerMetrics,
    EntryLike,
    InterviewMetrics,
    compute_metrics,
    word_count,
)

PAUSE_MIN_MS = 1000  # a silence this long inside an answer is a pause
CHUNK_MAX_S = 28.0  # per Whisper decode (its window is 30 s)
JOIN_GAP_S = 0.4  # long silences inside a chunk are shortened to this
WORD_SLACK_MS = 250  # a word counts if it is this close to speech
# More than anyone says: words a second (spaced languages), characters a second (ja/zh), plus a
# few at the edges. A decode past this is stuck in a loop ("de la familia de la familia …").
MAX_UNITS_PER_S = {True: 6.0, False: 12.0}
MAX_UNITS_SLACK = 4


class WordModel(Protocol):
    def words(self, audio: np.ndarray, prompt: str = "", language: str = "en") -> list[Any]: ...  # text/start_s/end_s


@dataclass(frozen=True)
class SpeechModels:
    """The recogniser of the second pass (live/offline loads it: the same files, offline). The
    VAD is faster-whisper's own Silero session (:mod:`~preppal.services.analysis.speech_spans`)."""

    words: WordModel  # stt.Transcriber
    multilingual: bool = False  # ``words`` hears every interview language (Whisper base), not English only


@dataclass(frozen=True)
class HeardWord:
    text: str
    start_ms: int
    end_ms: int


def _chunks(spans: Sequence[Span]) -> list[list[Span]]:
    """Group an answer's spans into decodes of at most ``CHUNK_MAX_S`` (silences shortened)."""
    out: list[list[Span]] = []
    length = 0.0
    for span in spans:
        # a single span longer than a chunk (no silence for 28 s) is cut into pieces
        pieces = [
            Span(at, min(span.end_ms, at + int(CHUNK_MAX_S * 1000)))
            for at in range(span.start_ms, span.end_ms, int(CHUNK_MAX_S * 1000))
        ]
        for piece in pieces:
            add = piece.ms / 1000 + JOIN_GAP_S
            if out and length + add <= CHUNK_MAX_S:
                out[-1].append(piece)
                length += add
            else:
                out.append([piece])
                length = add
    return out


def _decode(pcm: np.ndarray, pieces: list[Span], model: WordModel, prompt: str, language: str) -> list[HeardWord]:
    """Decode the pieces as one clip (joined by short silences) and map word times back."""
    gap = np.zeros(int(JOIN_GAP_S * RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    offsets: list[tuple[float, int]] = []  # (clip second where the piece starts, its source ms)
    at = 0.0
    for piece in pieces:
        audio = pcm[piece.start_ms * RATE // 1000 : piece.end_ms * RATE // 1000]
        offsets.append((at, piece.start_ms))
        parts += [audio, gap]
        at += (len(audio) + len(gap)) / RATE
    clip = np.concatenate(parts).astype(np.float32)
    clip_starts = np.array([o[0] for o in offsets])

    def source_ms(t: float) -> int:
        k = max(0, int(np.searchsorted(clip_starts, t, side="right")) - 1)
        return offsets[k][1] + int(round((t - offsets[k][0]) * 1000))

    return [
        HeardWord(w.text, source_ms(w.start_s), source_ms(max(w.start_s, w.end_s)))
        for w in model.words(clip, prompt, language)
    ]


def _listen(pcm: np.ndarray, pieces: list[Span], model: WordModel, prompt: str, language: str) -> list[HeardWord]:
    """Decode a chunk; speech the decode skipped is decoded again on its own, once.

    Whisper sometimes ends a window early (a final timestamp at the window's end after half
    the text), silently dropping the rest; a span of speech with no word in it is that.
    """
    words = _decode(pcm, pieces, model, prompt, language)
    missed = [
        p for p in pieces if p.ms >= 300 and not any(w.start_ms < p.end_ms and w.end_ms > p.start_ms for w in words)
    ]
    if missed and words:  # (nothing heard at all: the same input would decode the same)
        words += _decode(pcm, missed, model, prompt, language)
        words.sort(key=lambda w: w.start_ms)
    return words


def _near_speech(word: HeardWord, spans: Sequence[Span]) -> bool:
    return any(word.start_ms < s.end_ms + WORD_SLACK_MS and word.end_ms > s.start_ms - WORD_SLACK_MS for s in spans)


@dataclass
class _Heard:
    words: int
    fillers: list[tuple[str, int]]  # (label, at_ms)


def _count(words: Sequence[HeardWord], language: str) -> _Heard:
    """Word count and fillers (with times) of one answer's words, by the shared filler rules."""
    text, starts = "", []
    spaced = get_language(language).spaced  # ja/zh: Whisper's words are characters, not space-separated
    for word in words:
        starts.append(len(text))
        text += word.text if word.text.startswith(" ") or not text or not spaced else " " + word.text
    hits = find_filler_hits(text, language)
    at = [words[max(0, int(np.searchsorted(starts, h.start, side="right")) - 1)].start_ms for h in hits]
    return _Heard(word_count(text, language), [(h.label, t) for h, t in zip(hits, at, strict=True)])


def _speaker(entry: EntryLike) -> str:
    value = entry.speaker
    return value.value if isinstance(value, Speaker) else str(value).upper()


def _answer_windows(entries: Sequence[EntryLike], total_ms: int) -> list[tuple[int, int, Optional[int]]]:
    """Per candidate turn: (window start, window end, the question's end from the transcript).

    A window runs from the end of the interviewer's turn before (less a second: transcript
    times are approximate) to the start of the next interviewer turn.
    """
    turns: list[tuple[str, int, int]] = []
    texts: list[str] = []
    for e in entries:
        if not (e.text or "").strip():
            continue
        who = _speaker(e)
        if turns and turns[-1][0] == who:
            turns[-1] = (who, turns[-1][1], max(turns[-1][2], e.end_ms))
            texts[-1] += " " + e.text
        else:
            turns.append((who, e.start_ms, e.end_ms))
            texts.append(e.text)
    windows = []
    for i, (who, _start, _end) in enumerate(turns):
        if who == Speaker.AI.value or is_request(texts[i]):  # the same answers as compute_metrics
            continue
        q_end = turns[i - 1][2] if i > 0 else None
        lo = max(0, q_end - 1000) if q_end else (windows[-1][1] if windows else 0)
        hi = next((t[1] for t in turns[i + 1 :] if t[0] == Speaker.AI.value), total_ms)
        windows.append((lo, max(lo, hi), q_end))
    return windows


def _question_end(interviewer: list[Span], onset: int, fallback: Optional[int]) -> Optional[int]:
    """When the interviewer stopped talking before ``onset``: from its own track when recorded."""
    before = [s.end_ms for s in interviewer if s.start_ms < onset]
    if before and (fallback is None or before[-1] >= fallback - 5000):
        return min(before[-1], onset) if before[-1] <= onset + 500 else fallback
    return fallback


def analyze(
    candidate: np.ndarray,
    entries: Sequence[EntryLike],
    models: SpeechModels,
    *,
    interviewer: Optional[np.ndarray] = None,
    language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """Delivery metrics from the recorded audio, in the stored shape (``Feedback.metrics``).

    The second listen needs a recogniser for the language: tiny.en hears English only, so
    other languages are listened to with the multilingual model (``models.multilingual``);
    without it their words and fillers stay the live transcript's (fillers then have no
    position) while pauses, speaking time and pace still come from the audio.
    """
    base = compute_metrics(entries, language)  # structure (answers, questions, texts) from the transcript
    lang = get_language(language)
    listen = lang.code == DEFAULT_LANGUAGE or models.multilingual
    total_ms = len(candidate) * 1000 // RATE
    spans = track_spans(candidate)
    ai_spans = track_spans(interviewer) if interviewer is not None else []
    prompt = disfluent_prompt(language)
    windows = _answer_windows(entries, total_ms)
    answers: list[AnswerMetrics] = []
    pauses: list[Span] = []
    fillers: list[tuple[str, int]] = []
    for answer, (lo, hi, q_end) in zip(base.answer_list, windows, strict=False):
        mine = [Span(max(s.start_ms, lo), min(s.end_ms, hi)) for s in spans if s.end_ms > lo and s.start_ms < hi]
        if not mine:
            answers.append(replace(answer, words=0, duration_s=None, wpm=None, speaking_s=0.0))
            continue
        gaps = [Span(a.end_ms, b.start_ms) for a, b in zip(mine, mine[1:], strict=False)]
        answer_pauses = [g for g in gaps if g.ms >= PAUSE_MIN_MS]
        span_ms = mine[-1].end_ms - mine[0].start_ms
        speaking_ms = span_ms - sum(g.ms for g in answer_pauses)
        speaking_s = speaking_ms / 1000
        heard: Optional[list[HeardWord]] = None
        if listen:
            heard = [
                w for chunk in _chunks(mine) for w in _listen(candidate, chunk, models.words, prompt, lang.whisper)
            ]
            heard = [w for w in heard if _near_speech(w, mine)]
            counted = _count(heard, language)
            if counted.words > MAX_UNITS_SLACK + MAX_UNITS_PER_S[lang.spaced] * (span_ms / 1000):
                heard = None  # a runaway decode: the live transcript's words are nearer the truth
        if heard is None:
            labels = [label for label, n in answer.filler_words.items() for _ in range(n)]
            counted = _Heard(answer.words, [(label, -1) for label in labels])  # -1: position unknown
        q = _question_end(ai_spans, mine[0].start_ms, q_end)
        labels = Counter(label for label, _ in counted.fillers)
        answers.append(
            replace(
                answer,
                start_ms=mine[0].start_ms,
                end_ms=mine[-1].end_ms,
                words=counted.words,
                duration_s=round(span_ms / 1000, 1),
                wpm=round(counted.words * 60 / speaking_s, 1) if speaking_s > 0 and counted.words else None,
                fillers=len(counted.fillers),
                filler_words=dict(labels),
                fillers_per_min=round(len(counted.fillers) * 60 / speaking_s, 1) if speaking_s > 0 else None,
                longest_pause_ms=max((g.ms for g in gaps), default=0),
                response_delay_ms=max(0, mine[0].start_ms - q) if q is not None else None,
                speaking_s=round(speaking_s, 3),  # ms: the interview totals add these up
                pauses=len(answer_pauses),
                heard=None if heard is None else (" " if lang.spaced else "").join(w.text.strip() for w in heard),
            )
        )
        pauses += answer_pauses
        fillers += counted.fillers
    answers += base.answer_list[len(answers) :]  # (only if windows and turns disagree)
    return _interview(base, answers, ai_spans, pauses, fillers).to_dict() | {
        "source": "audio",
        "timeline": {
            "pauses": [{"start_ms": p.start_ms, "end_ms": p.end_ms} for p in pauses],
            "fillers": [{"word": w, "at_ms": at} for w, at in fillers if at >= 0],
        },
    }


def _interview(
    base: InterviewMetrics,
    answers: list[AnswerMetrics],
    ai_spans: list[Span],
    pauses: list[Span],
    fillers: list[tuple[str, int]],
) -> InterviewMetrics:
    timed = [a for a in answers if a.speaking_s]
    speaking = float(sum(a.speaking_s or 0 for a in timed))
    words = sum(a.words for a in timed)
    user_s = speaking
    ai_s = sum(s.ms for s in ai_spans) / 1000 if ai_spans else base.interviewer_talk_s
    labels = Counter(w for w, _ in fillers)
    durations = [a.duration_s for a in answers if a.duration_s]
    counts = [a.words for a in answers]
    return replace(
        base,
        answer_list=answers,
        candidate_words=sum(counts),
        candidate_talk_s=round(user_s, 1),
        interviewer_talk_s=round(ai_s, 1),
        talk_ratio=round(user_s / ai_s, 2) if ai_s > 0 else None,
        candidate_share=round(user_s / (user_s + ai_s), 3) if user_s + ai_s > 0 else None,
        wpm=round(words * 60 / speaking, 1) if speaking > 0 and words else None,
        fillers=len(fillers),
        filler_words=dict(labels.most_common()),
        fillers_per_min=round(len(fillers) * 60 / speaking, 1) if speaking > 0 else None,
        longest_pause_ms=max((a.longest_pause_ms for a in answers), default=0),
        avg_answer_words=round(sum(counts) / len(counts), 1) if counts else None,
        avg_answer_s=round(sum(durations) / len(durations), 1) if durations else None,
        questions_answered=sum(1 for a in answers if a.question and a.words >= 3),
    )


def transcript_metrics(entries: Sequence[EntryLike], language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The fallback without a recording: timing from transcript segments, labelled as such.

    Pauses are the silences between segments of one answer (only as good as the segments:
    one segment per answer shows none); filler positions are unknown.
    """
    pauses: list[dict[str, int]] = []
    previous: Optional[EntryLike] = None
    for e in entries:
        if not (e.text or "").strip():
            continue
        if previous is not None and _speaker(e) == _speaker(previous) == Speaker.USER.value:
            if e.start_ms - previous.end_ms >= PAUSE_MIN_MS:
                pauses.append({"start_ms": int(previous.end_ms), "end_ms": int(e.start_ms)})
        previous = e
    metrics = compute_metrics(entries, language).to_dict()
    return metrics | {"source": "transcript", "timeline": {"pauses": pauses, "fillers": []}}
