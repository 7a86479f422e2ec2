"""Gemini's scorecard tools (live/scorecard_tools.py): declarations per model profile, the
prompt's part, and the checks and answers of each call (no I/O)."""

from __future__ import annotations

from preppal.live.base import EvidenceNote, InterviewBrief, QuestionMarker
from preppal.live.gemini_profiles import GEMINI_25_NATIVE_AUDIO, GEMINI_31_FLASH_LIVE, GEMINI_38_LIVE
from preppal.live.prompt import system_instruction
from preppal.live.scorecard_tools import MARK_TOOL, NOTE_TOOL, ScorecardTools, declarations, rubric_of

BRIEF = InterviewBrief("i-1", "system_design", "Backend engineer", "warmup")


def test_declarations_follow_the_models_call_semantics_and_the_rubric() -> None:
    r = rubric_of(BRIEF)
    for profile, behavior in (
        (GEMINI_38_LIVE, "NON_BLOCKING"),
        (GEMINI_25_NATIVE_AUDIO, "NON_BLOCKING"),
        (GEMINI_31_FLASH_LIVE, None),
    ):
        mark, note = declarations(profile, r)
        assert (mark.name, note.name) == (MARK_TOOL, NOTE_TOOL)
        assert (mark.behavior.value if mark.behavior else None) == behavior
        assert note.parameters.properties["competency"].enum == list(r.keys)
        assert note.parameters.required == ["competency", "strength", "quote", "why"]


def test_the_prompt_carries_the_rubric_and_the_plan() -> None:
    text = system_instruction(BRIEF)
    assert "Rubric for this system design interview (warmup)" in text and "trade_offs (Trade-offs)" in text
    assert f"Call {MARK_TOOL}" in text and "Plan 4 main questions" in text and "then call end_interview" in text


def tools() -> ScorecardTools:
    return ScorecardTools(BRIEF, GEMINI_38_LIVE)


def mark(n: int, follow_up: bool = False) -> dict:
    return {"number": n, "competency": "requirements", "follow_up": follow_up, "question": f"Question {n}?"}


def test_the_plan_is_tracked_and_its_end_announced() -> None:
    t = tools()
    for n in range(1, 4):
        event, answer = t.handle(MARK_TOOL, f"q{n}", mark(n))
        assert event == QuestionMarker(n, "requirements", False, f"Question {n}?") and "plan" not in answer
    event, answer = t.handle(MARK_TOOL, "q4", mark(4))
    assert answer["main_questions_asked"] == 4 and "say goodbye and call end_interview" in answer["plan"]


def test_follow_ups_and_notes_on_unknown_questions() -> None:
    t = tools()
    event, answer = t.handle(MARK_TOOL, "f0", mark(2, follow_up=True))
    assert event is None and "main question before its follow-ups" in answer["error"]
    t.handle(MARK_TOOL, "q1", mark(1))
    event, answer = t.handle(MARK_TOOL, "f1", mark(7, follow_up=True))
    assert event == QuestionMarker(1, "requirements", True, "Question 7?") and "never marked" in answer["note"]
    args = {
        "competency": "trade_offs",
        "strength": "weak",
        "quote": "it scales",
        "why": "No cost.",
        "question_number": 3,
    }
    event, answer = t.handle(NOTE_TOOL, "n1", args)
    assert event == EvidenceNote("trade_offs", "weak", "it scales", "No cost.", 0)  # the relay's current question
    assert "never marked" in answer["note"]


def test_retried_calls_and_unknown_tools_are_answered_without_recording() -> None:
    t = tools()
    t.handle(MARK_TOOL, "q1", mark(1))
    event, answer = t.handle(MARK_TOOL, "q1", mark(1))
    assert event is None and answer["result"] == "already recorded"
    event, reply = t.call({"id": "x", "name": "delete_everything", "args": {}})
    assert event is None and "no tool called" in reply.response["error"] and reply.scheduling.value == "SILENT"
    _event, blocking = ScorecardTools(BRIEF, GEMINI_31_FLASH_LIVE).call({"id": "y", "name": MARK_TOOL, "args": {}})
    assert blocking.scheduling is None and blocking.response["result"] == "not recorded"
