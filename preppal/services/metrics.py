"""Delivery metrics from a transcript: pace, filler words, talk time, pauses, answer length.

Pure functions over transcript entries (anything with ``speaker``, ``text``, ``start_ms``,
``end_ms``), so they run the same on database rows, relay lines and hand-written test
transcripts. Timing is per segment (the relay stores one row per final transcription
segment), so a "pause" is a silence *between* segments of one answer, and words per minute
is measured over an answer's span from its first word to its last.

An *answer* is a run of consecutive candidate segments; the interviewer turn(s) before it
are its question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Optional, Protocol

import numpy as np

from preppal.models import Speaker

MIN_ANSWER_WORDS = 3  # fewer words ("Yes.", "Okay") does not count as answering a question
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*|[.!?;:,—–-]")
_SENTENCE_END = {".", "!", "?", ";", ":"}
_CLAUSE_BREAK = _SENTENCE_END | {",", "—", "–", "-"}

# Always fillers (hesitation sounds and near-always-empty intensifiers).
_ALWAYS = {
    "um": "um",
    "umm": "um",
    "uhm": "um",
    "erm": "um",
    "uh": "uh",
    "uhh": "uh",
    "er": "uh",
    "basically": "basically",
    "actually": "actually",
}
# Before "like" these mean the verb/preposition ("I like", "would like", "looks like").
_LIKE_CONTENT_BEFORE = {
    "i",
    "we",
    "you",
    "they",
    "he",
    "she",
    "would",
    "i'd",
    "we'd",
    "really",
    "don't",
    "didn't",
    "feel",
    "feels",
    "felt",
    "look",
    "looks",
    "looked",
    "seem",
    "seems",
    "sound",
    "sounds",
    "something",
    "anything",
    "nothing",
    "more",
    "just",
    "much",
}
# "you know what/how/that ..." and "do/if/as you know" are meaningful, not filler.
_YOU_KNOW_CONTENT_AFTER = {"what", "how", "that", "the", "why", "where", "when", "who", "if", "whether", "a", "about"}
_YOU_KNOW_CONTENT_BEFORE = {"do", "did", "don't", "if", "as", "would", "you'd", "to"}
# "so that", "so far", "so much" ... are not the discourse-marker "so".
_SO_CONTENT_AFTER = {"that", "far", "much", "many", "long", "on", "forth", "few", "little"}


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

    def to_dict(self) -> dict:
        """JSON-ready: the interview figures plus ``answers_detail`` per answer."""
        data = asdict(self)
        data["answers_detail"] = data.pop("answer_list")
        return data


def tokenize(text: str) -> list[str]:
    """Lower-cased words (apostrophes kept) and the punctuation marks that bound clauses."""
    return [t.lower().replace("’", "'") for t in _TOKEN.findall(text or "")]


def word_count(text: str) -> int:
    return sum(1 for t in tokenize(text) if t[0].isalnum())


def find_fillers(text: str) -> Counter[str]:
    """Filler words in ``text``, with cheap context rules for the ambiguous ones.

    - um/uh (and spellings), basically, actually: always.
    - like: only when set off as a discourse marker (after a clause break or at the start,
      or followed by a comma) and not after words that make it a verb/preposition.
    - you know: not in "you know what/how/that…" nor "do/if/as you know".
    - so: only opening a sentence ("So, …", "Um, so …"), not "…, so I …" (= therefore), nor
      "so that", "so far", ….
    """
    tokens = tokenize(text)
    found: Counter[str] = Counter()
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else "."
        nxt = tokens[i + 1] if i + 1 < len(tokens) else "."
        if tok in _ALWAYS:
            found[_ALWAYS[tok]] += 1
        elif tok == "like":
            marker = prev in _CLAUSE_BREAK or prev in {"um", "uh"} or nxt == ","
            if marker and prev not in _LIKE_CONTENT_BEFORE:
                found["like"] += 1
        elif tok == "you" and nxt == "know":
            after = tokens[i + 2] if i + 2 < len(tokens) else "."
            if prev not in _YOU_KNOW_CONTENT_BEFORE and after not in _YOU_KNOW_CONTENT_AFTER:
                found["you know"] += 1
        elif tok == "so" and nxt not in _SO_CONTENT_AFTER:
            before = tokens[i - 2] if i > 1 else "."
            if prev in _SENTENCE_END or prev == "," and (before in _SENTENCE_END or before in _ALWAYS):
                found["so"] += 1
    return found


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


def _answer_metrics(index: int, question: list[EntryLike], parts: list[EntryLike]) -> AnswerMetrics:
    text = " ".join(p.text.strip() for p in parts)
    words = word_count(text)
    start, end = parts[0].start_ms, max(p.end_ms for p in parts)
    duration = _span_s(start, end)
    if duration and words * 60.0 / duration > MAX_PLAUSIBLE_WPM:
        duration = None  # timing did not cover the speech (text arrived after it): unknown, not "fast"
    starts = np.array([p.start_ms for p in parts], dtype=np.int64)
    ends = np.array([p.end_ms for p in parts], dtype=np.int64)
    gaps = starts[1:] - np.maximum.accumulate(ends)[:-1]
    longest_pause = int(max(0, gaps.max())) if gaps.size else 0
    fillers = find_fillers(text)
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


def compute_metrics(entries: Sequence[EntryLike]) -> InterviewMetrics:
    """Per-answer and whole-interview delivery metrics for one transcript."""
    turns = _turns(entries)
    answers: list[AnswerMetrics] = []
    question: list[EntryLike] = []
    for who, parts in turns:
        if who == Speaker.AI.value:
            question = parts
        else:
            answers.append(_answer_metrics(len(answers) + 1, question, parts))
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
        interviewer_words=sum(word_count(e.text) for e in ai),
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
    )
