"""The scorecard of a finished interview: its questions, evidence notes and rubric scores.

Built from what was recorded live (``services.interviews.scorecard_entries``: question markers and evidence
notes) and the transcript. When the interviewer left no notes (interviews from before the
scorecard, or a model that never called its note tool), the rubric's heuristics
(``Rubric.assess``) read each answer instead, so every interview gets the same shape;
``source`` says which ("live" or "heuristic"), and the page and exports say so too.

Every note is placed on the recording's clock at the start of the candidate's line that
holds its quote (when found), so "play from here" starts where it was said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional

from preppal import rubric
from preppal.languages import DEFAULT_LANGUAGE
from preppal.rubric import Rubric
from preppal.services.analysis.answers import QuestionSpan, segment
from preppal.services.analysis.transcript_metrics import EntryLike
from preppal.services.interviews.scorecard_entries import EVIDENCE, Entry

LIVE, HEURISTIC = "live", "heuristic"
_WORDS = re.compile(r"[\w']+")


@dataclass
class Note:
    competency: str
    strength: str
    quote: str
    why: str
    at_ms: int = -1  # where it was said (-1: not found in the transcript)
    number: int = 0  # the question it belongs to (0: none)


@dataclass
class Card:
    source: str  # LIVE | HEURISTIC
    rubric: Rubric
    questions: list[QuestionSpan]
    notes: list[Note]

    @property
    def scores(self) -> dict[str, Optional[int]]:
        return self.rubric.score(self.notes)

    @property
    def overall(self) -> Optional[int]:
        return self.rubric.overall(self.scores)

    @property
    def answered(self) -> int:
        return sum(q.answered for q in self.questions)

    def notes_for(self, number: int) -> list[Note]:
        return [n for n in self.notes if n.number == number]

    def to_dict(self) -> dict[str, Any]:
        """The stored form (``Feedback.scorecard``): what the page, exports and history read."""
        scores = self.scores
        return {
            "source": self.source,
            "interview_type": self.rubric.interview_type,
            "difficulty": self.rubric.difficulty,
            "competencies": [
                {"key": c.key, "label": c.label, "score": scores[c.key]} for c in self.rubric.competencies
            ],
            "questions": [
                {
                    "number": q.number,
                    "text": q.text,
                    "at_ms": q.at_ms,
                    "end_ms": q.end_ms,
                    "competency": q.competency,
                    "followups": [asdict(f) for f in q.followups],
                    "answered": q.answered,
                    "answer_ms": q.answer_ms,
                    "requests": q.requests,
                }
                for q in self.questions
            ],
            "notes": [{**asdict(n), "label": self.rubric.label(n.competency)} for n in self.notes],
        }


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall((text or "").lower().replace("’", "'")))


def locate(quote: str, entries: Sequence[EntryLike]) -> int:
    """The start of the candidate's line that holds ``quote`` (-1 when none does)."""
    wanted = _normal(quote.rstrip("…"))
    if not wanted:
        return -1
    for e in entries:
        if str(getattr(e.speaker, "value", e.speaker)).upper() == "USER" and wanted in _normal(e.text):
            return int(e.start_ms or 0)
    return -1


def _question_at(questions: list[QuestionSpan], at_ms: int) -> int:
    current = 0
    for q in questions:
        if q.at_ms <= at_ms:
            current = q.number
    return current


def build_card(
    interview_type: str,
    difficulty: str,
    entries: Sequence[EntryLike],
    marks: Sequence[Entry] = (),
    *,
    job_description: str = "",
    role: str = "",
    language: str = DEFAULT_LANGUAGE,
) -> Card:
    """The interview's scorecard from its transcript and its recorded markers and notes."""
    r = rubric.rubric_for(interview_type, difficulty, job_description=job_description, role=role)
    questions = segment(entries, marks, language)
    numbers = {q.number for q in questions}
    notes: list[Note] = []
    for m in marks:
        if m.kind != EVIDENCE or r.competency(m.competency) is None:
            continue
        found = locate(m.text, entries)
        at = found if found >= 0 else m.at_ms
        number = m.number if m.number in numbers else _question_at(questions, at)
        notes.append(Note(m.competency, m.strength, m.text, m.why, at, number))
    if notes:
        return Card(LIVE, r, questions, notes)
    if language.split("-")[0].lower() == "en":  # the cues read English only
        for q in questions:
            if not q.answered:
                continue
            for s in r.assess(q.answer, target=q.competency or None):
                notes.append(Note(s.competency, s.strength, s.quote, s.why, locate(s.quote, entries), q.number))
    return Card(HEURISTIC, r, questions, notes)
