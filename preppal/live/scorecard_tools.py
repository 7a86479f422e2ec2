"""Gemini keeps the scorecard as it goes: two Live API function tools and their answers.

- ``mark_question`` (number, competency, follow_up, question): the interviewer moves to a main
  question of its plan, or asks a follow-up on one;
- ``note_evidence`` (competency, strength, quote, why, question_number): a silent note that
  what the candidate just said is strong or weak evidence for a rubric competency.

Both are declared with the model profile's call semantics (asynchronous NON_BLOCKING where
the model has it, so a note never holds up the voice; blocking where it has nothing else),
and every call gets an informative answer — what was recorded, what was wrong with the call,
what the rubric still lacks and where the plan stands — because an empty answer makes a
model retry and sweep (Google's 3.8 migration guide). Answers to asynchronous calls are
scheduled SILENT: recorded, no new reply.

Checking a call is pure and cheap (no I/O): :meth:`ScorecardTools.handle` turns it into a
:class:`~preppal.live.base.QuestionMarker` / :class:`~preppal.live.base.EvidenceNote` for the
relay (which dates, keys and stores it) and the answer to send back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.genai import types

from preppal import rubric
from preppal.live.base import EvidenceNote, InterviewBrief, QuestionMarker, ScorecardEvent
from preppal.live.gemini_profiles import LiveProfile
from preppal.rubric.evidence import MAX_QUESTION_CHARS

MARK_TOOL = "mark_question"
NOTE_TOOL = "note_evidence"
TOOLS = frozenset({MARK_TOOL, NOTE_TOOL})
MAX_NUMBER = 50
QUOTE_WORDS = 30  # what the declaration asks for; MAX_QUOTE_CHARS is what is kept
PLANNED = {"warmup": 4, "standard": 5, "intense": 6}  # main questions per difficulty (the prompt says so)


def rubric_of(brief: InterviewBrief) -> rubric.Rubric:
    return rubric.rubric_for(
        brief.interview_type, brief.difficulty, job_description=brief.job_description, role=brief.role
    )


def tool_reply(profile: LiveProfile, call_id: str | None, name: str, answer: dict) -> types.FunctionResponse:
    """The answer to one call: SILENT where the model schedules answers (recorded, no new
    reply); a model without scheduling gets a plain answer (a blocking one waits for it)."""
    silent = types.FunctionResponseScheduling.SILENT if profile.function_calls.scheduling else None
    return types.FunctionResponse(id=call_id, name=name[:64], response=answer, scheduling=silent)


def _schema(kind: types.Type, description: str, **extra: Any) -> types.Schema:
    return types.Schema(type=kind, description=description, **extra)


def declarations(profile: LiveProfile, r: rubric.Rubric) -> list[types.FunctionDeclaration]:
    """The two tools for this interview's rubric, with the model's call behaviour."""
    behavior = profile.function_calls.declared_behavior()
    keys = list(r.keys)
    mark = types.FunctionDeclaration(
        name=MARK_TOOL,
        description="Record that you are asking a question: call it as you ask each new main question of your "
        "plan (follow_up false, number = its place in the plan, 1 first) and each follow-up (follow_up true, "
        "number = the main question it follows). Silent: the candidate never hears it.",
        parameters=_schema(
            types.Type.OBJECT,
            "The question.",
            properties={
                "number": _schema(types.Type.INTEGER, "The main question's number in your plan (1 first)."),
                "competency": _schema(types.Type.STRING, "The rubric competency it mainly tests.", enum=keys),
                "follow_up": _schema(types.Type.BOOLEAN, "True for a follow-up on main question `number`."),
                "question": _schema(types.Type.STRING, "The question as you ask it, in one sentence."),
            },
            required=["number", "competency", "follow_up", "question"],
        ),
        behavior=types.Behavior(behavior) if behavior else None,
    )
    note = types.FunctionDeclaration(
        name=NOTE_TOOL,
        description="Silently note evidence while the candidate answers: what they said is strong or weak "
        "evidence for one rubric competency. Quote their exact words (at most "
        f"{QUOTE_WORDS} words) and say why in one sentence. Never mention the notes to the candidate.",
        parameters=_schema(
            types.Type.OBJECT,
            "One piece of evidence.",
            properties={
                "competency": _schema(types.Type.STRING, "The rubric competency.", enum=keys),
                "strength": _schema(types.Type.STRING, "strong or weak.", enum=list(rubric.STRENGTHS)),
                "quote": _schema(types.Type.STRING, "The candidate's exact words."),
                "why": _schema(types.Type.STRING, "Why this is strong or weak evidence, in one sentence."),
                "question_number": _schema(types.Type.INTEGER, "The main question it answers (optional)."),
            },
            required=["competency", "strength", "quote", "why"],
        ),
        behavior=types.Behavior(behavior) if behavior else None,
    )
    return [mark, note]


def instruction(brief: InterviewBrief) -> str:
    """The prompt's scorecard part: the rubric, the plan's size and how to use the tools."""
    r = rubric.rubric_for(
        brief.interview_type, brief.difficulty, job_description=brief.job_description, role=brief.role
    )
    planned = PLANNED.get(r.difficulty, 5)
    return (
        f"{r.prompt_text()}\n\n"
        f"Keep a scorecard as you go, silently, with your tools. Plan {planned} main questions that cover the "
        f"rubric. Call {MARK_TOOL} each time you ask a main question or a follow-up. While the candidate answers, "
        f"call {NOTE_TOOL} whenever they give strong or weak evidence for a competency, quoting their exact words. "
        "Never say that you are taking notes and never read a note aloud. When your plan is done, say a short, warm "
        "goodbye first, and then call end_interview."
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


@dataclass
class ScorecardTools:
    """One interview's tool calls: checks them, keeps what the answers report."""

    brief: InterviewBrief
    profile: LiveProfile
    rubric: rubric.Rubric = field(init=False)
    marked: list[int] = field(default_factory=list)  # main question numbers, in order
    notes: list[rubric.Signal] = field(default_factory=list)
    _calls: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rubric = rubric_of(self.brief)

    @property
    def current(self) -> int:
        return self.marked[-1] if self.marked else 0

    def call(self, call: dict) -> tuple[ScorecardEvent | None, types.FunctionResponse]:
        """One ``functionCalls`` entry (wire JSON) → (the event to record or None, the answer)."""
        name, call_id = str(call.get("name") or ""), call.get("id")
        if name in TOOLS:
            event, answer = self.handle(name, call_id, call.get("args"))
        else:
            event, answer = None, {"result": "not recorded", "error": f"there is no tool called {name[:40]!r}"}
        return event, tool_reply(self.profile, call_id, name, answer)

    def handle(self, name: str, call_id: str | None, args: Any) -> tuple[ScorecardEvent | None, dict]:
        """One call → (the event to record or None, the answer to send back)."""
        if call_id and call_id in self._calls:
            return None, {"result": "already recorded", "note": "This call was answered before; nothing changed."}
        if call_id:
            self._calls.add(call_id)
        if not isinstance(args, dict):
            return None, self._refuse("the arguments must be an object")
        if name == MARK_TOOL:
            return self._mark(args)
        return self._note(args)

    def _refuse(self, why: str) -> dict:
        return {
            "result": "not recorded",
            "error": why,
            "competencies": list(self.rubric.keys),
            "hint": "Fix the call and send it again, or carry on with the interview.",
        }

    def _status(self) -> dict:
        planned = PLANNED.get(self.rubric.difficulty, 5)
        lacking = [c.key for c in self.rubric.lacking(self.notes)]
        status: dict[str, Any] = {
            "main_questions_asked": len(self.marked),
            "planned": planned,
            "still_lacking_strong_evidence": lacking,
        }
        if len(self.marked) >= planned:
            status["plan"] = (
                "This is the last main question of your plan: after it, say goodbye and call end_interview."
            )
        return status

    def _competency(self, args: dict) -> str | None:
        value = args.get("competency")
        return value if isinstance(value, str) and self.rubric.competency(value) is not None else None

    def _mark(self, args: dict) -> tuple[ScorecardEvent | None, dict]:
        number = _int(args.get("number"))
        competency = self._competency(args)
        question = args.get("question")
        if number is None or not 1 <= number <= MAX_NUMBER:
            return None, self._refuse(f"number must be a whole number from 1 to {MAX_NUMBER}")
        if competency is None:
            return None, self._refuse("competency must be one of the rubric's keys")
        if not isinstance(question, str) or not question.strip():
            return None, self._refuse("question must be the question as you asked it")
        follow_up = args.get("follow_up") is True or str(args.get("follow_up")).lower() == "true"
        answer: dict[str, Any] = {"result": "recorded"}
        if follow_up and number not in self.marked:
            if not self.marked:
                return None, self._refuse("mark the main question before its follow-ups")
            answer["note"] = f"Question {number} was never marked; recorded as a follow-up on question {self.current}."
            number = self.current
        if not follow_up and number not in self.marked:
            self.marked.append(number)
        text = rubric.clip_quote(question, MAX_QUESTION_CHARS)
        return QuestionMarker(number, competency, follow_up, text), answer | self._status()

    def _note(self, args: dict) -> tuple[ScorecardEvent | None, dict]:
        competency = self._competency(args)
        strength = args.get("strength")
        quote, why = args.get("quote"), args.get("why", "")
        if competency is None:
            return None, self._refuse("competency must be one of the rubric's keys")
        if strength not in rubric.STRENGTHS:
            return None, self._refuse("strength must be 'strong' or 'weak'")
        if not isinstance(quote, str) or not quote.strip():
            return None, self._refuse("quote must be the candidate's exact words")
        answer: dict[str, Any] = {"result": "recorded"}
        kept = rubric.clip_quote(quote)
        if kept != " ".join(quote.split()):
            answer["note"] = f"The quote was cut to {rubric.MAX_QUOTE_CHARS} characters: keep quotes short."
        number = _int(args.get("question_number")) or 0
        if number and number not in self.marked:
            answer["note"] = f"Question {number} was never marked; noted against question {self.current}."
            number = 0
        why_text = rubric.clip_quote(why if isinstance(why, str) else "", rubric.MAX_WHY_CHARS)
        self.notes.append(rubric.Signal(competency, strength, kept, why_text))
        return EvidenceNote(competency, strength, kept, why_text, number), answer | self._status()
