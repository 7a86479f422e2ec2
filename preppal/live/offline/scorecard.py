"""The offline interviewer's scorecard: question markers from its plan, evidence from the rubric.

The same events as Gemini's note tools (:class:`~preppal.live.base.QuestionMarker`,
:class:`~preppal.live.base.EvidenceNote`), so the relay, the feedback and the page have one
path. Each planned question gets the rubric competency it tests (``Rubric.target`` over the
plan, in order); every answer that is not a request to repeat or skip is read with the
rubric's heuristics (``Rubric.assess``) and noted against the question it answers; a
follow-up is marked with the competency it asks about.

The backend calls :meth:`OfflineScorecard.on_reply` from one spot, once per decided reply.
It reads only the interviewer's plan and position (``questions``, ``index``, ``question``)
and the reply's ``rule`` and ``text`` (and a reply's ``competency``, when it names one).
"""

from __future__ import annotations

from typing import Any

from preppal import rubric
from preppal.live.base import EvidenceNote, QuestionMarker, ScorecardEvent

# Follow-up rule → the competencies it asks about (the first one the rubric has wins).
RULE_COMPETENCY: dict[str, tuple[str, ...]] = {
    "example": ("situation_task", "tools_and_craft", "approach"),
    "outcome": ("result_measurement", "impact"),
    "quantify": ("result_measurement", "data_and_scale", "impact"),
    "walkthrough": ("communication", "code_quality"),
    "write": ("code_quality",),
}
NO_CODE = "Answered a coding question without writing code in the editor."


class OfflineScorecard:
    """Built when the interviewer is (after a take-over: questions already asked count as marked)."""

    def __init__(self, interviewer: Any) -> None:
        brief = interviewer.brief
        self.rubric = rubric.rubric_for(
            brief.interview_type, brief.difficulty, job_description=brief.job_description, role=brief.role
        )
        self._plan: list[str] = []
        for question in interviewer.questions:
            self._plan.append(self.rubric.target(question.kind, covered=self._plan).key)
        self.number = interviewer.index + 1  # the main question being discussed (0 before the first)
        # The rubric's cues read English: other languages get markers only, never made-up notes.
        self._notes = brief.language.split("-")[0].lower() == "en"

    def competency(self, number: int) -> str:
        return self._plan[number - 1] if 0 < number <= len(self._plan) else self.rubric.keys[0]

    def on_reply(self, interviewer: Any, reply: Any, answer: str = "") -> list[ScorecardEvent]:
        """The events of one decided reply: notes on the answer it replies to, then its marker."""
        events: list[ScorecardEvent] = []
        if self._notes and answer.strip() and self.number >= 1 and not rubric.is_request(answer):
            events += self._evidence(answer, reply.rule)
        if interviewer.index + 1 > self.number and interviewer.question is not None:
            self.number = interviewer.index + 1
            text = _question_text(reply.text, interviewer.question.text)
            events.append(QuestionMarker(self.number, self.competency(self.number), False, text))
        elif reply.followup and self.number >= 1 and not reply.ended:
            events.append(QuestionMarker(self.number, self._followup_competency(reply), True, reply.text))
        return events

    def _evidence(self, answer: str, rule: str) -> list[ScorecardEvent]:
        notes: list[ScorecardEvent] = [
            EvidenceNote(s.competency, s.strength, s.quote, s.why, self.number)
            for s in self.rubric.assess(answer, target=self.competency(self.number))
        ]
        code = rubric.EDITOR_COMPETENCY
        if rule == "write" and self.rubric.competency(code) is not None:
            last = rubric.split_sentences(answer)[-1]
            notes.append(EvidenceNote(code, rubric.WEAK, rubric.clip_quote(last), NO_CODE, self.number))
        return notes

    def _followup_competency(self, reply: Any) -> str:
        named = getattr(reply, "competency", "") or ""
        if self.rubric.competency(named) is not None:
            return named
        for key in RULE_COMPETENCY.get(reply.rule, ()):
            if self.rubric.competency(key) is not None:
                return key
        return self.competency(self.number)


def _question_text(spoken: str, template: str) -> str:
    """The question itself out of what was said ("Thanks. <question>", a greeting before the
    first): as many closing sentences as the question has."""
    count = max(1, len(rubric.split_sentences(template)))
    return " ".join(rubric.split_sentences(spoken)[-count:])
