"""Which lines answer which question: the split every kind of feedback is built on.

With the interviewer's question markers (the scorecard, recorded live) the split is theirs:
a main question runs from its marker to the next one; follow-ups belong to the question they
name; the candidate's lines in between are its answer. Without markers (interviews from
before the scorecard, or a model that never called its tool) it falls back to the turns:
each interviewer turn followed by an answer is a question.

Either way a request to repeat or to skip the question ("Can you repeat the question?") is
never an answer: it is kept aside as a request, and the question it interrupted goes on.
Headings are the questions themselves: the marker's text, or the question sentence(s) out of
the interviewer's turn — never the greeting in front of the first one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from preppal.rubric import is_request, split_sentences
from preppal.rubric.heuristics import is_repeat_request
from preppal.services.analysis.transcript_metrics import MIN_ANSWER_WORDS, EntryLike, word_count
from preppal.services.interviews.scorecard_entries import Entry

AI, USER = "AI", "USER"


@dataclass
class Followup:
    text: str
    at_ms: int
    competency: str = ""


@dataclass
class QuestionSpan:
    """One main question and what answered it."""

    number: int
    text: str  # the heading: the question as asked
    at_ms: int  # when it was asked (the player seeks here)
    competency: str = ""  # the rubric key it tests ("" when unmarked)
    followups: list[Followup] = field(default_factory=list)
    sequences: list[int] = field(default_factory=list)  # the answer's transcript lines
    answer: str = ""
    answer_ms: int = -1  # where the answer starts (-1: no answer)
    end_ms: int = 0  # where the next question starts (the last: the interview's end)
    requests: list[int] = field(default_factory=list)  # lines that asked to repeat or skip it
    words: int = 0

    @property
    def answered(self) -> bool:
        return self.words >= MIN_ANSWER_WORDS


def _who(entry: EntryLike) -> str:
    return str(getattr(entry.speaker, "value", entry.speaker)).upper()


def _turns(entries: Sequence[EntryLike]) -> list[tuple[str, list[EntryLike]]]:
    turns: list[tuple[str, list[EntryLike]]] = []
    for e in entries:
        if not (e.text or "").strip():
            continue
        if turns and turns[-1][0] == _who(e):
            turns[-1][1].append(e)
        else:
            turns.append((_who(e), [e]))
    return turns


def question_of(turn_text: str) -> str:
    """The question in an interviewer's turn: from its last sentence that asks something
    (a greeting and "Thanks, got it." in front are left out), else its last sentence."""
    sentences = split_sentences(" ".join(turn_text.split()))
    if not sentences:
        return ""
    asking = [i for i, s in enumerate(sentences) if s.endswith("?")]
    start = asking[-1] if asking else len(sentences) - 1
    # A lead-in that belongs to the question ("Let's write some code. In the editor, …") stays
    # out; one that sets it up in the same breath ("Imagine you run a shop. How would …?") too.
    return sentences[start]


def _add_answer(span: QuestionSpan, parts: list[EntryLike], language: str) -> None:
    text = " ".join(p.text.strip() for p in parts)
    if is_request(text):
        span.requests += [int(getattr(p, "sequence", 0) or 0) for p in parts]
        return
    if span.answer_ms < 0:
        span.answer_ms = int(parts[0].start_ms or 0)
    span.sequences += [int(getattr(p, "sequence", 0) or 0) for p in parts]
    span.answer = f"{span.answer} {text}".strip()
    span.words += word_count(text, language)


def from_turns(entries: Sequence[EntryLike], language: str = "en-US") -> list[QuestionSpan]:
    """Questions from the turns alone (no markers): each interviewer turn then an answer."""
    spans: list[QuestionSpan] = []
    asked: list[EntryLike] | None = None
    repeat_pending = False  # the last candidate turn asked to hear the question again
    for who, parts in _turns(entries):
        if who == AI:
            if not repeat_pending or not spans:
                asked = parts
            repeat_pending = False
            continue
        text = " ".join(p.text.strip() for p in parts)
        if asked is not None:
            heading = question_of(" ".join(p.text for p in asked))
            spans.append(QuestionSpan(len(spans) + 1, heading, int(asked[0].start_ms or 0)))
            asked = None
        if not spans:
            continue  # the candidate spoke before any question
        _add_answer(spans[-1], parts, language)
        repeat_pending = is_repeat_request(text)  # the next interviewer turn asks the same question
    _close(spans, entries)
    return spans


def from_markers(entries: Sequence[EntryLike], marks: Sequence[Entry], language: str = "en-US") -> list[QuestionSpan]:
    """Questions from the interviewer's markers (main ones open a question; follow-ups and
    the candidate's lines join the question open at their time)."""
    mains: dict[int, QuestionSpan] = {}
    for m in sorted((m for m in marks if m.is_main_question), key=lambda m: m.at_ms):
        if m.number not in mains:
            mains[m.number] = QuestionSpan(m.number, m.text, m.at_ms, m.competency)
    spans = sorted(mains.values(), key=lambda s: s.at_ms)
    if not spans:
        return from_turns(entries, language)

    def open_at(ms: int, *, strictly: bool = False) -> QuestionSpan | None:
        """The question open at ``ms``; ``strictly`` for the candidate's lines: nobody answers
        a question in the very millisecond it is marked (a tie is the question before)."""
        current = None
        for span in spans:
            if span.at_ms < ms or (span.at_ms == ms and not strictly):
                current = span
        return current

    for m in marks:
        if m.kind == "question" and m.followup:
            span = mains.get(m.number) or open_at(m.at_ms)  # a follow-up on an unknown question: by time
            if span is not None:
                span.followups.append(Followup(m.text, m.at_ms, m.competency))
    asked: dict[int, list[EntryLike]] = {}
    for who, parts in _turns(entries):
        # The interviewer's turn belongs to the question marked while it spoke; the
        # candidate's to the question open when they started.
        if who == AI:
            span = open_at(int(parts[-1].end_ms or parts[0].start_ms or 0))
        else:
            span = open_at(int(parts[0].start_ms or 0), strictly=True)
        if span is None:
            continue  # small talk before the first question
        if who == AI:
            asked.setdefault(span.number, parts)
        else:
            _add_answer(span, parts, language)
    for span in spans:
        if not span.text and span.number in asked:
            span.text = question_of(" ".join(p.text for p in asked[span.number]))
    _close(spans, entries)
    return spans


def _close(spans: list[QuestionSpan], entries: Sequence[EntryLike]) -> None:
    end = max((int(e.end_ms or e.start_ms or 0) for e in entries), default=0)
    for i, span in enumerate(spans):
        span.end_ms = spans[i + 1].at_ms if i + 1 < len(spans) else max(end, span.at_ms)


def segment(entries: Sequence[EntryLike], marks: Sequence[Entry] = (), language: str = "en-US") -> list[QuestionSpan]:
    """The interview's questions and answers: from the markers when there are any."""
    if any(m.is_main_question for m in marks):
        return from_markers(entries, marks, language)
    return from_turns(entries, language)
