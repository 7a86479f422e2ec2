"""The question bank (``data/<lang>/questions.json``) and picking role-relevant questions from it.

Each question carries a *kind* that decides which follow-up rules apply (``star`` stories
need an outcome and numbers, ``design`` answers need scale estimates, ``explain`` and
``open`` only need substance, ``code`` asks for code in the editor and a walk-through)
and *tags* matched against the role, job description and résumé so that a data engineer
is not asked about front-end rendering.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from preppal.live.base import InterviewBrief
from preppal.live.offline.language_pack import LanguagePack

TYPES = ("behavioural", "technical", "system_design", "role_specific")
DIFFICULTIES = ("warmup", "standard", "intense")


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    kind: str  # star | design | explain | open | code (write it in the editor)
    tags: tuple[str, ...] = ()
    opener: bool = False
    needs_skill: bool = False


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


def find_skill(brief: InterviewBrief, skills: list[str]) -> str:
    """The skill the résumé (then the job description) mentions most, for ``{skill}`` questions."""
    for source in (brief.resume_text, brief.job_description):
        text = source.lower()
        found = [(n, -i, s) for i, s in enumerate(skills) if (n := len(re.findall(_skill_pattern(s), text)))]
        if found:
            return max(found)[2]
    return ""


def _skill_pattern(skill: str) -> str:
    return r"(?<![\w+#.])" + re.escape(skill) + r"(?![\w+#])"


def pick_questions(brief: InterviewBrief, pack: LanguagePack, seed: str) -> tuple[list[Question], str]:
    """The interview's questions, opener first, then the most role-relevant; and the skill used."""
    kind = normalise_type(brief.interview_type)
    difficulty = normalise_difficulty(brief.difficulty)
    count = pack.pacing["questions_per_interview"][difficulty]
    pool = [Question(**{**q, "tags": tuple(q.get("tags", ()))}) for q in pack.questions[kind][difficulty]]
    skill = find_skill(brief, pack.lexicon.data["skills"])
    context = " ".join((brief.role, brief.role, brief.job_description, brief.resume_text)).lower()
    rng = random.Random(seed)
    openers = [q for q in pool if q.opener][:1]
    rest = [q for q in pool if not q.opener and (skill or not q.needs_skill)]
    rng.shuffle(rest)  # variety among equally relevant questions
    scored = sorted(
        rest,
        key=lambda q: (
            -(sum(min(2, _mentions(context, t)) for t in q.tags if t != "skill") + (4 if q.needs_skill else 0))
        ),
    )
    # Rounds with coding questions get a fixed number of them, right after the opener.
    coding = [q for q in scored if q.kind == "code"][: pack.pacing["coding_questions"][difficulty]]
    talk = [q for q in scored if q.kind != "code"]
    chosen = (openers + coding + talk)[:count]
    return chosen, skill
