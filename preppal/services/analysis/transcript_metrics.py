"""Delivery metrics from a transcript: pace, filler words, talk time, pauses, answer length.

Pure functions over transcript entries (anything with ``speaker``, ``text``, ``start_ms``,
``end_ms``), so they run the same on database rows, relay lines and hand-written test
transcripts. Timing is per segment (the relay stores one row per final transcription
segment), so a "pause" is a silence *between* segments of one answer, and words per minute
is measured over an answer's span from its first word to its last.

An *answer* is a run of consecutive candidate segments; the interviewer turn(s) before it
are its question. A request to repeat or skip the question (``rubric.is_request``) is not an
answer: it is left out of the answers (and so of pace, fillers and answer lengths).

Per language (``preppal.languages``): fillers come from ``services.analysis.fillers``; length and
pace are counted in words where words are separated by spaces, and in characters for
Japanese and Chinese (kana/kanji/hanzi count one each, a Latin word or number inside counts
one). The figure keeps its key names (``wpm``, ``avg_answer_words``, ``words``) for stored
rows and charts; ``unit`` says what they count, and every label reads it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Optional, Protocol

import numpy as np

from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.models import Speaker
from preppal.rubric import is_request
from preppal.services.analysis.fillers import find_fillers as _language_fillers

MIN_ANSWER_WORDS = 3  # fewer words ("Yes.", "Okay") does not count as answering a question
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|[.!?;:,—–-]")
# Spaced languages other than English: a word is a run between spaces and punctuation that
# holds a letter or digit (Devanagari vowel signs stay inside their word).
_SPACED_WORD = re.compile(r"[^\s.,!?;:()\[\]\"“”«»¿¡।॥…—–]+")
# Unspaced (ja, zh): each kana/kanji/hanzi is one unit, a Latin word or number is one unit.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK_UNIT = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")


class EntryLike(Protocol):
    speaker: Speaker | str
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Segment:
    """A transcript segment as the metrics see it (also handy for tests)."""

    speaker: str
    text: str
    start_ms: int = 0
    end_ms: int = 0
    sequence: int = 0


@dataclass
class AnswerMetrics:
    index: int  # 1-based answer number
    question: str  # the interviewer's words before this answer
    text: str
    sequences: list[int]  # transcript sequences in this answer (to align in the page)
    start_ms: int
    end_ms: int
    words: int
    duration_s: Optional[float]  # None without usable timing
    wpm: Optional[float]
    fillers: int
    filler_words: dict[str, int]
    fillers_per_min: Optional[float]
    longest_pause_ms: int  # longest silence between segments inside the answer
    response_delay_ms: Optional[int]  # from the end of the question to the first word
    speaking_s: Optional[float] = None  # speech time without pauses (audio analysis only)
    pauses: Optional[int] = None  # silences ≥ 1 s inside the answer (audio analysis only)
    heard: Optional[str] = None  # the audio pass's own words (disfluencies kept), for the record


@dataclass
class InterviewMetrics:
    questions_asked: int
    questions_answered: int
    answers: int
    candidate_words: int
    interviewer_words: int
    candidate_talk_s: float
    interviewer_talk_s: float
    talk_ratio: Optional[float]  # candidate talk time / interviewer talk time
    candidate_share: Optional[float]  # candidate talk time / all talk time
    wpm: Optional[float]
    fillers: int
    filler_words: dict[str, int]
    fillers_per_min: Optional[float]
    longest_pause_ms: int
    avg_answer_words: Optional[float]
    avg_answer_s: Optional[float]
    answer_list: list[AnswerMetrics] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE  # BCP-47 tag of the interview
    unit: str = "words"  # what words/wpm/avg_answer_words count: "words" | "characters"

    def to_dict(self) -> dict:
        """JSON-ready: the interview figures plus ``answers_detail`` per answer."""
        data = asdict(self)
        data["answers_detail"] = data.pop("answer_list")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> InterviewMetrics:
        """Back from :meth:`to_dict` (extra keys such as ``source``/``timeline`` are ignored)."""
        names = {f.name for f in fields(cls)} - {"answer_list"}
        answer_names = {f.name for f in fields(AnswerMetrics)}
        answers = [AnswerMetrics(**{k: v for k, v in a.items() if k in answer_names}) for a in data["answers_detail"]]
        return cls(**{k: v for k, v in data.items() if k in names}, answer_list=answers)


def tokenize(text: str) -> list[str]:
    """Lower-cased words (apostrophes kept) and the punctuation marks that bound clauses."""
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text or "")]


def word_count(text: str, language: str = DEFAULT_LANGUAGE) -> int:
    """Length of ``text`` in the language's unit: words, or characters for ja/zh."""
    lang = get_language(language)
    if lang.code == DEFAULT_LANGUAGE:
        return sum(1 for t in tokenize(text) if t[0].isalnum())
    if not lang.spaced:
        return len(_CJK_UNIT.findall(text or ""))
    return sum(1 for w in _SPACED_WORD.findall(text or "") if any(ch.isalnum() for ch in w))


def find_fillers(text: str, language: str = DEFAULT_LANGUAGE) -> Counter[str]:
    """Filler words in ``text`` for ``language`` (the lists and rules: services.analysis.fillers)."""
    return _language_fillers(text, language)


def _speaker(entry: EntryLike) -> str:
    value = entry.speaker
    return value.value if isinstance(value, Speaker) else str(value).upper()


MAX_PLAUSIBLE_WPM = 400  # fast talkers reach ~250; anything far above is a timing artefact


def _span_s(start_ms: int, end_ms: int) -> Optional[float]:
    return (end_ms - start_ms) / 1000.0 if end_ms > start_ms else None


def _per_min(count: float, seconds: Optional[float]) -> Optional[float]:
    return round(count * 60.0 / seconds, 1) if seconds else None


def _turns(entries: Sequence[EntryLike]) -> list[tuple[str, list[EntryLike]]]:
    """Group consecutive entries of the same speaker into turns."""
    turns: list[tuple[str, list[EntryLike]]] = []
    for entry in entries:
        who = _speaker(entry)
        if not (entry.text or "").strip():
            continue
        if turns and turns[-1][0] == who:
            turns[-1][1].append(entry)
        else:
            turns.append((who, [entry]))
    return turns


def _answer_metrics(index: int, question: list[EntryLike], parts: list[EntryLike], language: str) -> AnswerMetrics:
    lang = get_language(language)
    text = (" " if lang.spaced else "").join(p.text.strip() for p in parts)  # no spaces added in ja/zh
    words = word_count(text, language)
    start, end = parts[0].start_ms, max(p.end_ms for p in parts)
    duration = _span_s(start, end)
    # Implausibly fast for this language (scaled from English's 400 by its normal pace): unknown.
    if duration and words * 60.0 / duration > MAX_PLAUSIBLE_WPM * lang.pace_range[1] / 165:
        duration = None  # timing did not cover the speech (text arrived after it): unknown, not "fast"
    starts = np.array([p.start_ms for p in parts], dtype=np.int64)
    ends = np.array([p.end_ms for p in parts], dtype=np.int64)
    gaps = starts[1:] - np.maximum.accumulate(ends)[:-1]
    longest_pause = int(max(0, gaps.max())) if gaps.size else 0
    fillers = find_fillers(text, language)
    delay = None
    if question and question[-1].end_ms > 0:
        delay = max(0, start - question[-1].end_ms)
    return AnswerMetrics(
        index=index,
        question=" ".join(q.text.strip() for q in question),
        text=text,
        sequences=[int(getattr(p, "sequence", 0) or 0) for p in parts],
        start_ms=int(start),
        end_ms=int(end),
        words=words,
        duration_s=round(duration, 1) if duration else None,
        wpm=round(words * 60.0 / duration, 1) if duration else None,
        fillers=sum(fillers.values()),
        filler_words=dict(fillers),
        fillers_per_min=_per_min(sum(fillers.values()), duration),
        longest_pause_ms=longest_pause,
        response_delay_ms=delay,
    )


def _talk_s(entries: Iterable[EntryLike]) -> float:
    spans = np.array([max(0, e.end_ms - e.start_ms) for e in entries], dtype=np.float64)
    return float(spans.sum() / 1000.0) if spans.size else 0.0


def compute_metrics(entries: Sequence[EntryLike], language: str = DEFAULT_LANGUAGE) -> InterviewMetrics:
    """Per-answer and whole-interview delivery metrics for one transcript in ``language``."""
    lang = get_language(language)
    turns = _turns(entries)
    answers: list[AnswerMetrics] = []
    question: list[EntryLike] = []
    for who, parts in turns:
        if who == Speaker.AI.value:
            question = parts
        elif not is_request(" ".join(p.text for p in parts)):  # "Can you repeat the question?" is no answer
            answers.append(_answer_metrics(len(answers) + 1, question, parts, lang.code))
            question = []
    user = [e for e in entries if _speaker(e) == Speaker.USER.value and (e.text or "").strip()]
    ai = [e for e in entries if _speaker(e) == Speaker.AI.value and (e.text or "").strip()]
    user_s, ai_s = _talk_s(user), _talk_s(ai)
    timed = [a for a in answers if a.duration_s]
    timed_s = float(np.sum([a.duration_s for a in timed])) if timed else 0.0
    timed_words = int(np.sum([a.words for a in timed])) if timed else 0
    fillers: Counter[str] = Counter()
    for a in answers:
        fillers.update(a.filler_words)
    total_fillers = sum(fillers.values())
    words = np.array([a.words for a in answers], dtype=np.float64)
    durations = np.array([a.duration_s for a in timed], dtype=np.float64)
    return InterviewMetrics(
        questions_asked=sum(1 for who, _ in turns if who == Speaker.AI.value),
        questions_answered=sum(1 for a in answers if a.question and a.words >= MIN_ANSWER_WORDS),
        answers=len(answers),
        candidate_words=int(words.sum()) if words.size else 0,
        interviewer_words=sum(word_count(e.text, lang.code) for e in ai),
        candidate_talk_s=round(user_s, 1),
        interviewer_talk_s=round(ai_s, 1),
        talk_ratio=round(user_s / ai_s, 2) if ai_s > 0 else None,
        candidate_share=round(user_s / (user_s + ai_s), 3) if user_s + ai_s > 0 else None,
        wpm=round(timed_words * 60.0 / timed_s, 1) if timed_s else None,
        fillers=total_fillers,
        filler_words=dict(fillers.most_common()),
        fillers_per_min=_per_min(sum(a.fillers for a in timed), timed_s or None),
        longest_pause_ms=max((a.longest_pause_ms for a in answers), default=0),
        avg_answer_words=round(float(words.mean()), 1) if words.size else None,
        avg_answer_s=round(float(durations.mean()), 1) if durations.size else None,
        answer_list=answers,
        language=lang.code,
        unit=lang.unit,
    )
