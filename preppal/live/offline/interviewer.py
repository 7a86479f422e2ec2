"""The offline interviewer's conversation: pure rules over text, no audio, no clocks.

It opens, asks the plan's questions (:mod:`.questions`: the role, the job description and the
résumé shape them), decides on each answer between a follow-up and the next question, and
closes. Follow-ups are grounded in the answer (:mod:`.followups`: rules propose, evidence from
the answer, the rubric and what was already asked decides); the code editor is part of the
conversation (:mod:`.editor_followups`); difficulty is felt (Intense presses on vague answers
and never praises a non-answer, Warm-up is encouraging and slower). Every word it says or
reads comes from the interview language's pack (:mod:`.language_pack`).
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from preppal import rubric as rubrics
from preppal.live.base import InterviewBrief
from preppal.live.offline.code_view import CodeView
from preppal.live.offline.editor_followups import EDITOR_RULES, editor_followup, question_line, recap_line
from preppal.live.offline.followups import Candidate, Turn, candidates, choose
from preppal.live.offline.language_pack import LanguagePack, load_pack
from preppal.live.offline.questions import Question, normalise_difficulty, normalise_type, plan_interview
from preppal.live.offline.reading import Reading, read

# A sentence ends at . ! ? and a space, or at the full stops of Japanese/Chinese (。！？, no
# space follows) and Hindi's danda (।): each sentence is synthesised and captioned on its own.
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？।])\s*")
FIRST_PIECE_WORDS = 8  # a longer first sentence is spoken in two pieces (Reply.pieces)
Ranker = Callable[[Turn, list[Candidate]], list[Candidate]]  # reorders the rules' candidates


def is_request(answer: str, pack: LanguagePack | None = None) -> bool:
    """A short answer that asks to hear the question again or to skip it: acted on at once."""
    lexicon = (pack or load_pack()).lexicon
    short = lexicon.count(answer) <= lexicon.data["request_max_words"]
    return short and (lexicon.matches("repeat", answer) or lexicon.matches("skip", answer))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


# Rules whose replies move the interview on (or keep it where it is) rather than ask about an answer.
NOT_FOLLOWUPS = frozenset({"opening", "next", "close", "repeat", "silence", "not_caught", "timeout"})


@dataclass(frozen=True, slots=True)
class Reply:
    """What the interviewer says next and why (``rule`` names the decision, for tests and logs).

    ``rule``: opening | next | close | repeat | silence | timeout, or the follow-up's rule (steer,
    example, outcome, quantify, own_role, tradeoff, failure, reflection, approach, testing,
    components, requirements, probe, jd, pushback; editor: write, walkthrough, complexity,
    edge_cases, tests). ``subject``: what a follow-up is about (a concept, a technology, the
    function on screen); ``competency``: the rubric key it gathers evidence for.
    """

    text: str
    rule: str
    ended: bool = False
    subject: str = ""
    competency: str = ""

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    @property
    def pieces(self) -> list[str]:
        """What is synthesised and played in turn: the sentences, with a long first sentence cut
        after its first clause ("Hi Sam," / "thanks for joining…"), so that its audio is ready
        sooner; the rest is made while that plays (a natural voice takes ≈ 0.1 s of CPU per
        second of speech)."""
        sentences = self.sentences
        if not sentences:
            return []
        first, _, rest = sentences[0].partition(", ")
        if not rest or len(first.split()) < 2 or len(sentences[0].split()) <= FIRST_PIECE_WORDS:
            return sentences
        return [f"{first},", rest, *sentences[1:]]

    @property
    def followup(self) -> bool:
        """A question about the answer (a scorecard marker of its own), not a move of the interview."""
        return self.rule not in NOT_FOLLOWUPS


class Interviewer:
    """One interview's conversation state; every method returns the next :class:`Reply`."""

    def __init__(self, brief: InterviewBrief, pack: LanguagePack | None = None, ranker: Ranker | None = None) -> None:
        self.pack = pack or load_pack(brief.language)
        self.brief = brief
        self.difficulty = normalise_difficulty(brief.difficulty)
        self.kind = normalise_type(brief.interview_type)
        self.rubric = rubrics.rubric_for(self.kind, self.difficulty, brief.job_description, brief.role)
        self.ranker = ranker  # reorders the candidates (None: the rules' own order)
        self._rng = random.Random(brief.interview_id)
        plan = plan_interview(brief, self.pack, brief.interview_id)
        self.questions, self.skill, self.jd_techs = plan.questions, plan.skill, plan.jd_techs
        self.index = -1  # the question being discussed
        self.asked: list[tuple[str, str]] = []  # (rule, subject) of the follow-ups on this question
        self.probed: set[str] = set()  # subjects probed anywhere in this interview
        self.mentioned: set[str] = set()  # concepts the candidate named anywhere
        self._answers: list[str] = []
        self._silences = 0
        self._not_caught = 0  # answers in a row that came with speech but no words
        self._last_prompt = ""
        self._code = CodeView("")  # the editor as last reported
        self._code_seen = CodeView("")  # ... as it was when the interviewer last spoke
        self.finished = False
        lexicon = self.pack.lexicon
        role_words = " ".join((brief.role, brief.job_description, brief.resume_text))
        self._context_words = set(lexicon.content_words(role_words)) | lexicon.stems(lexicon.data["work_words"])

    def __deepcopy__(self, memo: dict) -> Interviewer:
        """A fork (speculation): its own conversation state; the pack, rubric, brief and plan's
        questions are shared and never changed (copying the rubric's patterns cost most of a reply)."""
        fork = copy.copy(self)
        fork.questions = list(self.questions)
        fork.asked, fork.probed, fork.mentioned = list(self.asked), set(self.probed), set(self.mentioned)
        fork._answers = list(self._answers)
        fork._rng = copy.deepcopy(self._rng, memo)
        return fork

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
        return self._fill(self._rng.choice(options)) if options else ""

    @property
    def question(self) -> Question | None:
        return self.questions[self.index] if 0 <= self.index < len(self.questions) else None

    @property
    def questions_asked(self) -> int:
        return self.index + 1

    @property
    def followups_used(self) -> list[str]:
        return [rule for rule, _ in self.asked]

    def without_lead(self, reply: Reply) -> Reply:
        """``reply`` without its opening lead ("Thanks.", "That's a good start."), when it has one
        and more after it: said after an acknowledgement, the lead would be a second filler."""
        first, *rest = reply.sentences or [""]
        by_quality = self.pack.phrases["next_question_lead"].values()
        leads = {line for quality in by_quality for lines in quality.values() for line in lines}
        leads |= {line for lines in self.pack.followups["lead"].values() for line in lines}
        return replace(reply, text=" ".join(rest)) if rest and first in leads else reply

    def note_code(self, code: str, language: str = "") -> None:
        """The candidate's code editor changed (the whole text)."""
        self._code = CodeView(code)

    @property
    def code_changed(self) -> bool:
        """New code since the interviewer last spoke (whitespace-only edits don't count)."""
        return self._code.changed_from(self._code_seen)

    def _say(self, text: str, rule: str, ended: bool = False, subject: str = "", competency: str = "") -> Reply:
        self._last_prompt = text
        self._code_seen = self._code
        if ended:
            self.finished = True
        return Reply(text, rule, ended, subject, competency)

    def _question_text(self, question: Question) -> str:
        """A question as asked now: a coding question with code on screen asks about that code."""
        return self._fill(question_line(self.pack, question, self._code) or question.text)

    def _restated(self, question: Question) -> str:
        return self._fill(recap_line(self.pack, question, self._code) or question.text)

    def _advance(self, lead: str) -> Reply:
        self.index += 1
        self.asked, self._answers, self._silences = [], [], 0
        question = self.question
        if question is None:
            return self._say(self._fill(self.pack.phrases["closing"][self.difficulty]), "close", ended=True)
        if question_line(self.pack, question, self._code) and self._code.answers(question.code_words):
            self.asked.append(("walkthrough", ""))  # it asks about the code on screen: that is the walk-through
        return self._say(f"{lead} {self._question_text(question)}".strip(), "next")

    # --- the conversation ----------------------------------------------------------------------
    def opening(self) -> Reply:
        greeting = self._fill(self.pack.phrases["opening"][self.difficulty])
        first = self._advance(self._pick(self.pack.phrases["first_question_lead"]))
        return self._say(f"{greeting} {first.text}", "opening")

    def respond(self, answer: str) -> Reply:
        """The reply to the candidate's answer (a whole turn's transcript)."""
        if self.finished:
            return self._say(self._fill(self.pack.phrases["closing"][self.difficulty]), "close", ended=True)
        self._silences = self._not_caught = 0
        question = self.question
        assert question is not None
        if is_request(answer, self.pack):
            if self.pack.lexicon.matches("repeat", answer):
                return self._say(f"{self.pack.phrases['repeat_lead']} {self._restated(question)}", "repeat")
            return self._advance(self._fill(self.pack.phrases["skip_lead"][self.difficulty]))
        self._answers.append(answer)
        turn = self._turn(question, answer)
        self.mentioned |= {m.concept.id for m in turn.answer.mentions}
        chosen = self._steer(question, answer) or self._editor(question, turn.answer) or self._spoken(turn)
        if chosen is None:
            quality = "weak" if turn.story.vague or turn.answer.vague else "good"
            lead = self._pick(self.pack.phrases["next_question_lead"][quality][self.difficulty])
            return self._advance(lead)
        self.asked.append((chosen.rule, chosen.subject))
        if chosen.rule == "probe" or chosen.rule == "jd":
            self.probed.add(chosen.subject)
        return self._say(chosen.text, chosen.rule, subject=chosen.subject, competency=chosen.competency)

    def _turn(self, question: Question, answer: str) -> Turn:
        story = " ".join(self._answers)
        target = self.rubric.target(question.kind).key
        notes = self.rubric.assess(story, target=target) if self.pack.code == "en" else []
        return Turn(
            pack=self.pack,
            rubric=self.rubric,
            interview_type=self.kind,
            difficulty=self.difficulty,
            question_kind=question.kind,
            question_text=self._fill(question.text),
            answer=self._read(answer, question),
            story=self._read(story, question),
            asked=[(rule, subject) for rule, subject in self.asked if rule not in EDITOR_RULES],
            probed=set(self.probed),
            jd_techs=self.jd_techs,
            mentioned=set(self.mentioned),
            lacking={c.key for c in self.rubric.lacking(notes, kind=question.kind)},
            first=len(self._answers) == 1,
            pick=self._rng.randrange(1000),
        )

    def _read(self, text: str, question: Question) -> Reading:
        """The answer's reading; a capitalised word the role or the question used ("Backend") is no name."""
        reading = read(self.pack, text)
        known = f"{self.brief.role} {self.brief.job_description} {question.text}".lower()
        return replace(reading, names=tuple(n for n in reading.names if n.lower() not in known))

    def _steer(self, question: Question, answer: str) -> Candidate | None:
        if "steer" in self.followups_used or not self.is_off_topic(question, answer):
            return None
        line = self._pick(self.pack.followups["steer"])
        return Candidate("steer", f"{line} {self._restated(question)}")

    def _editor(self, question: Question, answer: Reading) -> Candidate | None:
        later = self.questions[self.index + 1 :]
        if question.kind != "code" and any(q.kind == "code" and self._code.answers(q.code_words) for q in later):
            return None  # written ahead for a coding question still to come: asked about there, not now
        pick = self._rng.randrange(1000)
        return editor_followup(self.pack, question, self.followups_used, self._code, self._code_seen, answer, pick)

    def _spoken(self, turn: Turn) -> Candidate | None:
        budget = self.pack.pacing["followups_per_question"][self.difficulty]
        if len(turn.asked) >= budget:
            return None
        found = candidates(turn)
        if self.ranker is not None and found:
            found = self.ranker(turn, found)
        return choose(turn, budget, found)

    def is_off_topic(self, question: Question, answer: str) -> bool:
        """No word in common with the question, the role or everyday work vocabulary, over eight
        words or more. Naming anything work-related, or the candidate's own actions, is on topic;
        so is filler ("and stuff like that": pressed for detail instead)."""
        lexicon = self.pack.lexicon
        words = lexicon.content_words(answer)
        size = len(words) / lexicon.data["units_per_word"]  # ja/zh: character pairs, not words
        if size < 8:
            return False  # a short generality is vague, not off topic
        reading = read(self.pack, answer)
        if reading.mentions or reading.has("own_action", "vague", "nonanswer"):
            return False
        on_screen = f"{question.topic} {' '.join(question.code_words)} {self._code.text}"
        asked = f"{self._fill(question.text)} {on_screen}"  # a coding answer talks about the code
        related = self._context_words | set(lexicon.content_words(asked)) | lexicon.tag_terms(question.tags)
        hits = sum(1 for w in words if w in related)
        return hits == 0  # one word in common is enough: steering a real answer away is worse

    def silence_prompt(self) -> Reply:
        """A gentle nudge after a long silence; the third one moves on to another question."""
        prompts = self.pack.phrases["silence"]
        self._silences += 1
        question = self.question
        if self._silences == 1 or question is None:
            return self._say(prompts[0], "silence")
        if self._silences == 2:
            return self._say(f"{prompts[1]} {self._restated(question)}", "silence")
        moved = self._advance(prompts[2])
        return Reply(moved.text, "silence" if not moved.ended else "close", moved.ended)

    def not_caught(self) -> Reply:
        """The candidate spoke but no words came of it (noise, a mumble, a voice Whisper could not
        read): ask again rather than go silent, and from the second time in a row point at the
        microphone. The question stays where it is."""
        prompts = self.pack.phrases["not_caught"]
        self._not_caught += 1
        return self._say(prompts[min(self._not_caught, len(prompts)) - 1], "not_caught")

    # --- hand-over between processes -------------------------------------------------------------
    def snapshot(self) -> dict:
        """The dialogue state as JSON-able data (persisted each turn; see :meth:`restore`)."""
        return {
            "questions": [asdict(q) for q in self.questions],
            "skill": self.skill,
            "jd_techs": list(self.jd_techs),
            "index": self.index,
            "followups_used": self.followups_used,
            "asked": [list(pair) for pair in self.asked],
            "probed": sorted(self.probed),
            "mentioned": sorted(self.mentioned),
            "answers": list(self._answers),
            "silences": self._silences,
            "not_caught": self._not_caught,
            "last_prompt": self._last_prompt,
            "code_seen": self._code_seen.text,
            "finished": self.finished,
        }

    @classmethod
    def restore(cls, brief: InterviewBrief, state: dict, pack: LanguagePack | None = None) -> Interviewer:
        """The interviewer another process left at ``state``: same plan, position and follow-ups."""
        self = cls(brief, pack)
        self.questions = [Question.from_data(q) for q in state["questions"]]
        self.skill = state.get("skill", self.skill)
        self.jd_techs = tuple(state.get("jd_techs", self.jd_techs))
        self.index = int(state["index"])
        pairs = state.get("asked") or [[rule, ""] for rule in state.get("followups_used", ())]
        self.asked = [(str(rule), str(subject)) for rule, subject in pairs]
        self.probed = set(state.get("probed", ()))
        self.mentioned = set(state.get("mentioned", ()))
        self._answers = list(state.get("answers", ()))
        self._silences = int(state.get("silences", 0))
        self._not_caught = int(state.get("not_caught", 0))
        self._last_prompt = state.get("last_prompt", "")
        self._code = self._code_seen = CodeView(state.get("code_seen", ""))
        self.finished = bool(state.get("finished", False))
        # Variety only: a fresh stream per position, so a restored interview stays deterministic.
        self._rng = random.Random(f"{brief.interview_id}/{self.index}/{len(self.asked)}")
        return self

    def timeout(self) -> Reply:
        return self._say(self._fill(self.pack.phrases["timeout_closing"]), "timeout", ended=True)
