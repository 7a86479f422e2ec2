"""The interview's plan: questions picked from the bank (``data/<lang>/questions.json``) for the
role, and shaped by the job description and the résumé.

Each question carries a *kind* that decides which follow-up rules apply (``star`` stories
need an outcome and numbers, ``design`` answers need scale estimates, ``explain`` and
``open`` only need substance, ``code`` asks for code in the editor and a walk-through)
and *tags* matched against the role, job description and résumé so that a data engineer
is not asked about front-end rendering.

Technologies named in the job description become questions ("The role lists Kafka,
PostgreSQL and React. Tell me about a project where you used one of them…") and, later,
follow-ups; those named in the résumé fill the résumé questions ("Your background mentions
Kubernetes…"). How many such questions an interview has is the difficulty's pacing
(``data/pacing.json``), within the same total number of questions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, fields

from preppal.live.base import InterviewBrief
from preppal.live.offline.language_pack import LanguagePack

TYPES = ("behavioural", "technical", "system_design", "role_specific")
DIFFICULTIES = ("warmup", "standard", "intense")
MAX_BRIEF_CHARS = 20_000  # of a job description or résumé read for technologies (they are capped upstream too)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    kind: str  # star | design | explain | open | code (write it in the editor)
    tags: tuple[str, ...] = ()
    opener: bool = False
    needs: str = ""  # "jd": a technology the job description lists; "resume": one the résumé lists
    topic: str = ""  # code questions: the problem in a few words (said again when code is on screen)
    code_words: tuple[str, ...] = ()  # code questions: words the code for it would use (names, calls)

    @classmethod
    def from_data(cls, data: dict) -> Question:
        """From the bank or a saved dialogue state (older states said ``needs_skill``)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if data.get("needs_skill"):
            values["needs"] = "resume"
        for name in ("tags", "code_words"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Plan:
    """The questions of one interview and the technologies that shaped them."""

    questions: list[Question]
    jd_techs: tuple[str, ...]  # concept ids the job description names, in its order
    resume_techs: tuple[str, ...]  # concept ids the résumé names, most mentioned first
    skill: str  # the résumé technology its questions use ("Kubernetes"), or ""


def normalise_type(value: str) -> str:
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    key = {"behavioral": "behavioural", "design": "system_design", "role": "role_specific"}.get(key, key)
    return key if key in TYPES else "behavioural"


def normalise_difficulty(value: str) -> str:
    key = value.strip().lower()
    return key if key in DIFFICULTIES else "standard"


def _mentions(text: str, term: str) -> int:
    """How often ``term`` starts a word in ``text`` (so "learn" finds "learning")."""
    return len(re.findall(r"(?<![\w+#.])" + re.escape(term.lower()) + r"(?![+#])", text))


def techs_in(pack: LanguagePack, text: str, by_count: bool = False) -> tuple[str, ...]:
    """Technologies ``text`` names (concept ids): in order of first mention, or most named first."""
    lowered = text[:MAX_BRIEF_CHARS].lower()
    found = []
    for concept in pack.concepts:
        if not concept.tech:
            continue
        hits = [m.start() for m in concept.triggers.finditer(lowered)]
        if hits:
            found.append((-len(hits) if by_count else hits[0], hits[0], concept.id))
    return tuple(cid for *_, cid in sorted(found))


def tech_name(pack: LanguagePack, concept_id: str) -> str:
    return next((c.name for c in pack.concepts if c.id == concept_id), concept_id)


def name_list(pack: LanguagePack, names: list[str]) -> str:
    """ "Kafka, PostgreSQL and React" in the pack's language."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + pack.phrases["list_and"] + names[-1]


def plan_interview(brief: InterviewBrief, pack: LanguagePack, seed: str) -> Plan:
    """The interview's questions: opener first, then coding questions (technical rounds), then
    the job description's and the résumé's questions, then the most role-relevant of the rest."""
    kind = normalise_type(brief.interview_type)
    difficulty = normalise_difficulty(brief.difficulty)
    pacing = pack.pacing
    count = pacing["questions_per_interview"][difficulty]
    jd_techs = techs_in(pack, brief.job_description)
    resume_techs = techs_in(pack, brief.resume_text, by_count=True)
    skill = tech_name(pack, resume_techs[0]) if resume_techs else ""
    jd_names = [tech_name(pack, t) for t in jd_techs[:3]]
    fill = {"skill": jd_names[0] if jd_names else "", "skills": name_list(pack, jd_names)}
    pool = [Question.from_data(q) for q in pack.questions[kind][difficulty]]
    context = " ".join((brief.role, brief.role, brief.job_description, brief.resume_text))[:MAX_BRIEF_CHARS].lower()
    rng = random.Random(seed)
    openers = [q for q in pool if q.opener][:1]
    rest = [q for q in pool if not q.opener]
    rng.shuffle(rest)  # variety among equally relevant questions
    rest.sort(key=lambda q: -sum(min(2, _mentions(context, t)) for t in q.tags if t not in ("jd", "skill")))
    coding = [q for q in rest if q.kind == "code"][: pacing["coding_questions"][difficulty]]
    from_jd = [_filled(q, fill) for q in rest if q.needs == "jd" and jd_names][: pacing["jd_questions"][difficulty]]
    from_resume = [q for q in rest if q.needs == "resume" and skill][:1]
    talk = [q for q in rest if q.kind != "code" and not q.needs]
    chosen = (openers + coding + from_jd + from_resume + talk)[:count]
    return Plan(chosen, jd_techs, resume_techs, skill)


def _filled(question: Question, fill: dict[str, str]) -> Question:
    """A job-description question with the technologies written in (they are in no other text)."""
    return Question(
        question.text.format(name="{name}", role="{role}", type="{type}", **fill),
        question.kind,
        question.tags,
        question.opener,
        question.needs,
    )


def pick_questions(brief: InterviewBrief, pack: LanguagePack, seed: str) -> tuple[list[Question], str]:
    """The interview's questions and the résumé skill they use (see :func:`plan_interview`)."""
    plan = plan_interview(brief, pack, seed)
    return plan.questions, plan.skill
