"""The offline interviewer's conversation: pure rules over text, no audio, no clocks.

It opens, asks a set number of questions per difficulty, decides on each answer between a
follow-up and the next question, and closes. Follow-ups are rule-based (no language model
ships in a package small enough): off-topic → steer back; too short → ask for an example;
a story without its result → ask for the outcome; no numbers → ask to quantify. With the
code editor (technical rounds bring coding questions): the code changed since the last
question or follow-up → ask for a walk-through; a coding question answered without code →
ask to write it in the editor. The interviewer never judges or runs the code.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

from preppal.live.base import InterviewBrief
from preppal.live.offline.questions import Question, load_bank, normalise_difficulty, normalise_type, pick_questions

_WORD = re.compile(r"[a-z0-9][a-z0-9'+#.]*")
_STOP = frozenset(
    "the and for are but not you your yours with this that those these have has had was were will would could "
    "should can cannot just about into from they them their there then than what when where which who whom why "
    "how its it's i'm i've i'd we're we've our ours out over very really also some any all been being did does "
    "doing done don't didn't yes yeah okay well like think know mean kind sort lot lots get got going one thing "
    "things much many more most maybe because so she her him his hers she's he's let's us me my mine".split()
)
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred hundreds thousand thousands million millions billion percent per cent half double "
    "twice triple dozen dozens".split()
)
_STORY = re.compile(
    r"\b(when i was|at my (last|previous|current|old)|there was a time|one time|we had|we needed|my task|"
    r"i was (responsible|asked|tasked|working)|my role|the (situation|problem|challenge) was|i (decided|led|built|"
    r"organi[sz]ed|started|worked|proposed|wrote|set up|created|talked|spoke|noticed))\b"
)
_RESULT = re.compile(
    r"\b(result(ed|s)?|outcome|in the end|ended up|end result|led to|so that|finally|eventually|improv(ed|ing)|"
    r"reduc(ed|ing)|increas(ed|ing)|sav(ed|ing)|shipped|launched|delivered|succe(ss|ssful|eded)|learn(ed|t)|"
    r"lesson|impact|achiev(ed|ing)|went from|cut|grew|on time|fixed|solved|resolved|worked out|paid off|promoted)\b"
)
_REPEAT = re.compile(r"\b(repeat|say that again|pardon|didn't (catch|hear)|what was the question)\b")
_SKIP = re.compile(r"\b(i don't know|i do not know|no idea|skip|pass on this|next question)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ers", "er", "ied", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in _STOP]


def has_numbers(text: str) -> bool:
    lowered = text.lower()
    return bool(re.search(r"\d", lowered)) or any(w in _NUMBER_WORDS for w in _WORD.findall(lowered))


def is_request(answer: str) -> bool:
    """A short answer that asks to hear the question again or to skip it: acted on at once."""
    lowered = answer.lower()
    return len(_WORD.findall(lowered)) <= 12 and bool(_REPEAT.search(lowered) or _SKIP.search(lowered))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


@dataclass(frozen=True, slots=True)
class Reply:
    """What the interviewer says next and why (``rule`` names the decision, for tests and logs)."""

    text: str
    # opening | steer | example | outcome | quantify | walkthrough | write | repeat | next | close | silence | timeout
    rule: str
    ended: bool = False

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)


class Interviewer:
    """One interview's conversation state; every method returns the next :class:`Reply`."""

    def __init__(self, brief: InterviewBrief, bank: dict | None = None) -> None:
        self.bank = bank or load_bank()
        self.brief = brief
        self.difficulty = normalise_difficulty(brief.difficulty)
        self.kind = normalise_type(brief.interview_type)
        self._rng = random.Random(brief.interview_id)
        self.questions, self.skill = pick_questions(brief, self.bank, brief.interview_id)
        self.index = -1  # the question being discussed
        self.followups_used: list[str] = []
        self._answers: list[str] = []
        self._silences = 0
        self._last_prompt = ""
        self._code = ""  # the editor's text as last reported
        self._code_seen = ""  # ... as it was when the interviewer last spoke
        self.finished = False
        role_words = " ".join((brief.role, brief.job_description, brief.resume_text))
        self._context_words = set(content_words(role_words)) | {_stem(w) for w in self.bank["work_words"]}

    # --- texts -------------------------------------------------------------------------------
    def _fill(self, text: str) -> str:
        name = self.brief.candidate_name.strip().split(" ")[0] if self.brief.candidate_name.strip() else ""
        return text.format(
            name=f" {name}" if name else "",
            role=self.brief.role.strip() or "this",
            type=self.bank["type_names"][self.kind],
            skill=self.skill,
        )

    def _pick(self, options: list[str]) -> str:
        return self._fill(self._rng.choice(options))

    @property
    def question(self) -> Question | None:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else None

    @property
    def questions_asked(self) -> int:
        return self.index + 1

    def note_code(self, code: str, language: str = "") -> None:
        """The candidate's code editor changed (the whole text)."""
        self._code = code

    @property
    def code_changed(self) -> bool:
        """New code since the interviewer last spoke (whitespace-only edits don't count)."""
        return self._code.split() != self._code_seen.split() and bool(self._code.strip())

    def _say(self, text: str, rule: str, ended: bool = False) -> Reply:
        self._last_prompt = text
        self._code_seen = self._code
        if ended:
            self.finished = True
        return Reply(text, rule, ended)

    def _advance(self, lead: str) -> Reply:
        self.index += 1
        self.followups_used, self._answers, self._silences = [], [], 0
        if self.question is None:
            return self._say(self._fill(self.bank["closing"]), "close", ended=True)
        return self._say(f"{lead} {self._fill(self.question.text)}".strip(), "next")

    # --- the conversation ----------------------------------------------------------------------
    def opening(self) -> Reply:
        greeting = self._fill(self.bank["opening"][self.difficulty])
        first = self._advance(self._pick(self.bank["first_question_lead"]))
        return self._say(f"{greeting} {first.text}", "opening")

    def respond(self, answer: str) -> Reply:
        """The reply to the candidate's answer (a whole turn's transcript)."""
        if self.finished:
            return self._say(self._fill(self.bank["closing"]), "close", ended=True)
        self._silences = 0
        question = self.question
        assert question is not None
        if is_request(answer):
            if _REPEAT.search(answer.lower()):
                return self._say(f"{self.bank['repeat_lead']} {self._fill(question.text)}", "repeat")
            return self._advance(self._fill(self.bank["skip_lead"]))
        self._answers.append(answer)
        limit = self.bank["followups_per_question"][self.difficulty]
        rule = self._code_rule(question) or (
            self._followup_rule(question, answer) if len(self.followups_used) < limit else ""
        )
        if not rule:
            return self._advance(self._pick(self.bank["next_question_lead"]))
        self.followups_used.append(rule)
        followups = self.bank["followups"]
        if rule == "steer":
            return self._say(f"{self._pick(followups['steer'])} {self._fill(question.text)}", rule)
        if rule == "quantify" and question.kind == "design":
            return self._say(self._pick(followups["quantify_design"]), rule)
        return self._say(self._pick(followups[rule]), rule)

    def _code_rule(self, question: Question) -> str:
        """Editor follow-ups, once each per question and outside the follow-up budget."""
        used = set(self.followups_used)
        if "walkthrough" not in used and self.code_changed:
            return "walkthrough"
        if question.kind == "code" and not used & {"walkthrough", "write"} and not self._code.strip():
            return "write"
        return ""

    def _followup_rule(self, question: Question, answer: str) -> str:
        used = set(self.followups_used)
        if "steer" not in used and self.is_off_topic(question, answer):
            return "steer"
        first_answer = len(self._answers) == 1 or used == {"steer"}
        words = len(_WORD.findall(answer.lower()))
        if first_answer and "example" not in used and words < self.bank["short_answer_words"][self.difficulty]:
            return "example"
        story = " ".join(self._answers).lower()
        if question.kind == "star" and "outcome" not in used and _STORY.search(story) and not _RESULT.search(story):
            return "outcome"
        if question.kind in ("star", "design") and "quantify" not in used and not has_numbers(story):
            return "quantify"
        return ""

    def is_off_topic(self, question: Question, answer: str) -> bool:
        """No overlap with the question, the role or everyday work vocabulary, over several words."""
        words = content_words(answer)
        if len(words) < 5:
            return False
        related = self._context_words | set(content_words(self._fill(question.text))) | set(question.tags)
        hits = sum(1 for w in words if w in related)
        return hits == 0 or (len(words) >= 12 and hits <= 1)

    def silence_prompt(self) -> Reply:
        """A gentle nudge after a long silence; the third one moves on to another question."""
        prompts = self.bank["silence"]
        self._silences += 1
        question = self.question
        if self._silences == 1 or question is None:
            return self._say(prompts[0], "silence")
        if self._silences == 2:
            return self._say(f"{prompts[1]} {self._fill(question.text)}", "silence")
        moved = self._advance(prompts[2])
        return Reply(moved.text, "silence" if not moved.ended else "close", moved.ended)

    # --- hand-over between processes -------------------------------------------------------------
    def snapshot(self) -> dict:
        """The dialogue state as JSON-able data (persisted each turn; see :meth:`restore`)."""
        return {
            "questions": [asdict(q) for q in self.questions],
            "skill": self.skill,
            "index": self.index,
            "followups_used": list(self.followups_used),
            "answers": list(self._answers),
            "silences": self._silences,
            "last_prompt": self._last_prompt,
            "finished": self.finished,
        }

    @classmethod
    def restore(cls, brief: InterviewBrief, state: dict, bank: dict | None = None) -> Interviewer:
        """The interviewer another process left at ``state``: same plan, position and follow-ups."""
        self = cls(brief, bank)
        self.questions = [Question(**{**q, "tags": tuple(q.get("tags", ()))}) for q in state["questions"]]
        self.skill = state.get("skill", self.skill)
        self.index = int(state["index"])
        self.followups_used = list(state.get("followups_used", ()))
        self._answers = list(state.get("answers", ()))
        self._silences = int(state.get("silences", 0))
        self._last_prompt = state.get("last_prompt", "")
        self.finished = bool(state.get("finished", False))
        # Variety only: a fresh stream per position, so a restored interview stays deterministic.
        self._rng = random.Random(f"{brief.interview_id}/{self.index}/{len(self.followups_used)}")
        return self

    def timeout(self) -> Reply:
        return self._say(self._fill(self.bank["timeout_closing"]), "timeout", ended=True)
