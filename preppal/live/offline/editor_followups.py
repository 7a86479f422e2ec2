"""The editor as part of the conversation: what the interviewer asks about the code on screen.

- A coding question answered without code → ask to write it in the editor (once).
- New code since the interviewer last spoke, or code on screen that answers the coding question
  (written before it was asked) → ask for a walk-through of it (once per question).
- After the walk-through, a coding question gets one question about what is on screen at a
  time: its complexity, an input it does not guard against, its tests, each at most once and
  only when the answer has not covered it already.
- Never ask for code that is already written: a coding question asked while code that answers
  it is on screen asks about that code instead (:func:`question_line`), and restating a coding
  question with code on screen names the problem without asking to write it again.

Editor follow-ups have their own small budget (``code_followups_per_question``), outside the
spoken follow-ups' budget, as before.
"""

from __future__ import annotations

from preppal.live.offline.code_view import CodeView
from preppal.live.offline.followups import Candidate
from preppal.live.offline.language_pack import LanguagePack
from preppal.live.offline.questions import Question
from preppal.live.offline.reading import Reading

EDITOR_RULES = ("write", "walkthrough", "complexity", "edge_cases", "tests")
ON_SCREEN = ("complexity", "edge_cases", "tests")  # questions about the code, in the order they are asked
COMPETENCY = {"write": "code_quality", "walkthrough": "communication", "complexity": "approach",
              "edge_cases": "testing", "tests": "testing"}  # fmt: skip


def function_name(pack: LanguagePack, code: CodeView) -> str:
    """What to call the code on screen: its main function's name, else "your query"/"your code"."""
    names = pack.followups["code_names"]
    return code.main_name() or (names["query"] if code.is_query else names["code"])


def _line(pack: LanguagePack, rule: str, pick: int, **fill: str) -> str:
    """A line for ``rule`` whose placeholders are all filled; one that uses the most of them."""
    lines = [t for t in pack.followups[rule] if all(f"{{{k}}}" not in t or v for k, v in fill.items())]
    if not lines:
        return ""
    most = max(sum(f"{{{k}}}" in t for k in fill) for t in lines)
    lines = [t for t in lines if sum(f"{{{k}}}" in t for k in fill) == most]
    return lines[pick % len(lines)].format(**fill)


def editor_followup(
    pack: LanguagePack,
    question: Question,
    asked: list[str],
    code: CodeView,
    seen: CodeView,
    answer: Reading,
    pick: int = 0,
) -> Candidate | None:
    """The editor follow-up for this answer, if any (``asked``: rules already asked on this question)."""
    used = set(asked)
    if sum(1 for rule in asked if rule in EDITOR_RULES) >= pack.pacing["code_followups_per_question"]:
        return None
    name = function_name(pack, code)
    changed = code.changed_from(seen)
    written = question.kind == "code" and code.answers(question.code_words)  # perhaps before it was asked
    if (changed or written) and "walkthrough" not in used:
        fill = {"function": code.main_name()}
        return _candidate("walkthrough", _line(pack, "walkthrough", pick, **fill), name)
    if question.kind != "code":
        return None
    if code.empty:
        return None if used & {"write", "walkthrough"} else _candidate("write", _line(pack, "write", pick), "")
    if "walkthrough" not in used or not (changed or asked[-1:] == ["walkthrough"]):
        return None  # talk about the code on screen once it has been walked through, or when it changes
    said = {"complexity": answer.has("complexity"), "edge_cases": answer.has("edge_cases"), "tests": code.has_tests}
    for rule in ON_SCREEN:
        if rule in used or said[rule]:
            continue
        edge = pack.followups["edge_inputs"]["empty"] if rule == "edge_cases" and code.unguarded_empty else ""
        return _candidate(rule, _line(pack, rule, pick, function=name, edge=edge), name)
    return None


def _candidate(rule: str, text: str, subject: str) -> Candidate | None:
    return Candidate(rule, text, subject, competency=COMPETENCY[rule]) if text else None


def question_line(pack: LanguagePack, question: Question, code: CodeView) -> str | None:
    """How to ask a coding question when the editor already holds code (None: ask it as written)."""
    if question.kind != "code" or code.empty:
        return None
    if code.answers(question.code_words):
        return _line(pack, "code_on_screen", 0, function=function_name(pack, code))
    return _line(pack, "code_alongside", 0, topic=question.topic) if question.topic else None


def recap_line(pack: LanguagePack, question: Question, code: CodeView) -> str | None:
    """Restating a coding question while code is on screen: the problem, not "please write…"."""
    if question.kind != "code" or code.empty or not question.topic:
        return None
    return _line(pack, "code_recap", 0, topic=question.topic)
