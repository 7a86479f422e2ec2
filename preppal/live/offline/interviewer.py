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
from preppal.live.offline.language_pack import LanguagePack, load_pack
from preppal.live.offline.questions import Question, normalise_difficulty, normalise_type, pick_questions

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def is_request(answer: str, pack: LanguagePack | None = None) -> bool:
    """A short answer that asks to hear the question again or to skip it: acted on at once."""
    lexicon = (pack or load_pack()).lexicon
    short = len(lexicon.words(answer)) <= lexicon.data["request_max_words"]
    return short and (lexicon.matches("repeat", answer) or lexicon.matches("skip", answer))


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

    def __init__(self, brief: InterviewBrief, pack: LanguagePack | None = None) -> None:
        self.pack = pack or load_pack(brief.language)
        self.brief = brief
        self.difficulty = normalise_difficulty(brief.difficulty)
        self.kind = normalise_type(brief.interview_type)
        self._rng = random.Random(brief.interview_id)
        self.questions, self.skill = pick_questions(brief, self.pack, brief.interview_id)
        self.index = -1  # the question being discussed
        self.followups_used: list[str] = []
        self._answers: list[str] = []
        self._silences = 0
        self._last_prompt = ""
        self._code = ""  # the editor's text as last reported
        self._code_seen = ""  # ... as it was when the interviewer last spoke
        self.finished = False
        role_words = " ".join((brief.role, brief.job_description, brief.resume_text))
        lexicon = self.pack.lexicon
        self._context_words = set(lexicon.content_words(role_words)) | {
            lexicon.stem(w) for w in lexicon.data["work_words"]
        }

    # --- texts -------------------------------------------------------------------------------
    def _fill(self, text: str) -> str:
        name = self.brief.candidate_name.strip().split(" ")[0] if self.brief.candidate_name.strip() else ""
        return text.format(
            name=f" {name}" if name else "",
            role=self.brief.role.strip() or "this",
            type=self.pack.phrases["type_names"][self.kind],
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
            return self._say(self._fill(self.pack.phrases["closing"]), "close", ended=True)
        return self._say(f"{lead} {self._fill(self.question.text)}".strip(), "next")

    # --- the conversation ----------------------------------------------------------------------
    def opening(self) -> Reply:
        greeting = self._fill(self.pack.phrases["opening"][self.difficulty])
        first = self._advance(self._pick(self.pack.phrases["first_question_lead"]))
        return self._say(f"{greeting} {first.text}", "opening")

    def respond(self, answer: str) -> Reply:
        """The reply to the candidate's answer (a whole turn's transcript)."""
        if self.finished:
            return self._say(self._fill(self.pack.phrases["closing"]), "close", ended=True)
        self._silences = 0
        question = self.question
        assert question is not None
        if is_request(answer, self.pack):
            if self.pack.lexicon.matches("repeat", answer):
                return self._say(f"{self.pack.phrases['repeat_lead']} {self._fill(question.text)}", "repeat")
            return self._advance(self._fill(self.pack.phrases["skip_lead"]))
        self._answers.append(answer)
        limit = self.pack.pacing["followups_per_question"][self.difficulty]
        rule = self._code_rule(question) or (
            self._followup_rule(question, answer) if len(self.followups_used) < limit else ""
        )
        if not rule:
            return self._advance(self._pick(self.pack.phrases["next_question_lead"]))
        self.followups_used.append(rule)
        followups = self.pack.followups
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
        lexicon = self.pack.lexicon
        first_answer = len(self._answers) == 1 or used == {"steer"}
        words = len(lexicon.words(answer))
        if first_answer and "example" not in used and words < self.pack.pacing["short_answer_words"][self.difficulty]:
            return "example"
        story = " ".join(self._answers)
        told = lexicon.matches("story", story) and not lexicon.matches("result", story)
        if question.kind == "star" and "outcome" not in used and told:
            return "outcome"
        if question.kind in ("star", "design") and "quantify" not in used and not lexicon.has_numbers(story):
            return "quantify"
        return ""

    def is_off_topic(self, question: Question, answer: str) -> bool:
        """No overlap with the question, the role or everyday work vocabulary, over several words."""
        words = self.pack.lexicon.content_words(answer)
        if len(words) < 5:
            return False
        related = (
            self._context_words | set(self.pack.lexicon.content_words(self._fill(question.text))) | set(question.tags)
        )
        hits = sum(1 for w in words if w in related)
        return hits == 0 or (len(words) >= 12 and hits <= 1)

    def silence_prompt(self) -> Reply:
        """A gentle nudge after a long silence; the third one moves on to another question."""
        prompts = self.pack.phrases["silence"]
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
    def restore(cls, brief: InterviewBrief, state: dict, pack: LanguagePack | None = None) -> Interviewer:
        """The interviewer another process left at ``state``: same plan, position and follow-ups."""
        self = cls(brief, pack)
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
        return self._say(self._fill(self.pack.phrases["timeout_closing"]), "timeout", ended=True)
