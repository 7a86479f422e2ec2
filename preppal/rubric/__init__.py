"""The interview rubric: what each round is scored on, and the evidence for each competency.

One table (``preppal/rubric/table.py``) per interview type and difficulty; everything that
judges an interview reads it from here, so a technical round is never graded on STAR:

- the Gemini Live prompt lists the rubric and the interviewer's note tools name its keys;
- the offline interviewer picks each main question's competency and its follow-ups from it;
- the relay clips scorecard events to its limits; the analyzer and Gemini's post-call review
  score its competencies; the feedback page, exports and history charts show its labels.

How to use it (the offline interviewer, for example)::

    from preppal import rubric

    r = rubric.rubric_for(brief.interview_type, brief.difficulty,
                          job_description=brief.job_description, role=brief.role)
    main = r.target(question.kind, covered=asked_so_far)   # the competency a main question tests
    signals = r.assess(answer_text, target=main.key)       # heuristic evidence notes in one answer
    gaps = r.lacking(signals, kind=question.kind)          # what this answer still lacks, most weight first
    if gaps:
        follow_up = gaps[0].probe                          # a question that asks for exactly that
    r.lacking(all_notes)                                   # what the whole interview still lacks
    r.score(notes)                                         # {competency: 0-100 or None (no evidence)}
    rubric.is_request("Can you repeat the question?")      # True: a request, never an answer

``notes`` are anything with ``competency`` and ``strength`` (``"strong"``/``"weak"``)
attributes: :class:`Signal`, the live ``EvidenceNote`` event, a stored scorecard row.
Cues are English; every other part (labels, probes, scoring) is language-neutral data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Optional

from preppal.rubric import table
from preppal.rubric.evidence import (
    MAX_QUOTE_CHARS,
    MAX_WHY_CHARS,
    STRENGTHS,
    STRONG,
    WEAK,
    Evidence,
    Signal,
    clip_quote,
)
from preppal.rubric.heuristics import assess, content_words, is_request, split_sentences

__all__ = [
    "MAX_QUOTE_CHARS",
    "MAX_WHY_CHARS",
    "STRONG",
    "WEAK",
    "EDITOR_COMPETENCY",
    "Competency",
    "Evidence",
    "Rubric",
    "Signal",
    "clip_quote",
    "is_request",
    "label",
    "rubric_for",
    "split_sentences",
]

TYPES = tuple(table.COMPETENCIES)
# Judged from the code editor, never from speech: Gemini reads the code; the offline paths
# only note a coding question answered without code (weak) and otherwise leave it unscored.
EDITOR_COMPETENCY = "code_quality"
DIFFICULTIES = tuple(table.DIFFICULTY)


@dataclass(frozen=True)
class Competency:
    key: str
    label: str
    asks: str  # what it assesses, one line
    strong: str  # what strong evidence sounds like
    weak: str  # what weak evidence sounds like
    probe: str  # the follow-up that asks for what is missing
    kinds: tuple[str, ...]  # question kinds whose main question targets it
    weight: float = 1.0
    strong_cues: tuple[re.Pattern[str], ...] = ()
    weak_cues: tuple[re.Pattern[str], ...] = ()
    terms: frozenset[str] = frozenset()  # words whose use counts as strong (job-description competencies)


@dataclass(frozen=True)
class Rubric:
    interview_type: str
    difficulty: str
    competencies: tuple[Competency, ...]
    bar: str  # what "strong" means at this difficulty
    offset: int = 0  # added to every competency score at this difficulty
    _by_key: dict[str, Competency] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({c.key: c for c in self.competencies})

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.competencies)

    def competency(self, key: str) -> Optional[Competency]:
        return self._by_key.get(key)

    def label(self, key: str) -> str:
        found = self._by_key.get(key)
        return found.label if found else label(key)

    def target(self, kind: str, covered: Iterable[str] = ()) -> Competency:
        """The competency a main question of ``kind`` tests: the first that fits the kind and
        is not ``covered`` yet (then the first that fits, then the rubric's first)."""
        covered = set(covered)
        fitting = [c for c in self.competencies if kind in c.kinds] or list(self.competencies)
        fitting.sort(key=lambda c: c.kinds[:1] != (kind,))  # its main kind first (a coding question: code)
        return next((c for c in fitting if c.key not in covered), fitting[0])

    def assess(self, text: str, *, target: Optional[str] = None) -> list[Signal]:
        """Heuristic evidence in one answer: at most one note per competency (strong beats
        weak); ``target`` (the question's competency) is noted weak when nothing strong for
        it was said. English cues; an empty list for an empty answer."""
        return assess(self, text, target)

    def lacking(self, notes: Iterable[Evidence], *, kind: Optional[str] = None) -> list[Competency]:
        """Competencies with no strong evidence yet (only those a ``kind`` of question tests,
        when given), the heaviest first, table order among equals."""
        strong = {n.competency for n in notes if n.strength == STRONG}
        found = [c for c in self.competencies if c.key not in strong and (kind is None or kind in c.kinds)]
        return sorted(found, key=lambda c: -c.weight)

    def score(self, notes: Iterable[Evidence]) -> dict[str, Optional[int]]:
        """0-100 per competency from its notes (None: no evidence). A plain count model the
        page can explain: one strong note ≈ 85, one weak ≈ 20, mixed in between; more
        strong notes add a little; the difficulty's offset shifts the bar."""
        counts = {c.key: [0, 0] for c in self.competencies}
        for n in notes:
            if n.competency in counts and n.strength in STRENGTHS:
                counts[n.competency][n.strength == WEAK] += 1
        scores: dict[str, Optional[int]] = {}
        for key, (s, w) in counts.items():
            if s + w == 0:
                scores[key] = None
                continue
            raw = 50 + 30 * (s - w) / (s + w) + 5 * min(s, 3) + self.offset
            scores[key] = int(round(min(100.0, max(0.0, raw))))
        return scores

    def overall(self, scores: dict[str, Optional[int]]) -> Optional[int]:
        """The weighted mean of the scored competencies (None when none was scored)."""
        pairs = [(v, self._by_key[k].weight) for k, v in scores.items() if v is not None and k in self._by_key]
        total = sum(w for _, w in pairs)
        return int(round(sum(v * w for v, w in pairs) / total)) if total else None

    def prompt_text(self) -> str:
        """The rubric as the interviewer's prompt and the post-call review read it."""
        kind = table.COMPETENCIES.get(self.interview_type) and self.interview_type.replace("_", " ")
        lines = [f"Rubric for this {kind} interview ({self.difficulty}). {self.bar}"]
        for c in self.competencies:
            lines.append(f"- {c.key} ({c.label}): {c.asks} Strong: {c.strong} Weak: {c.weak}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-able summary (exports, the page): keys, labels and the evidence descriptions."""
        return {
            "interview_type": self.interview_type,
            "difficulty": self.difficulty,
            "bar": self.bar,
            "competencies": [
                {"key": c.key, "label": c.label, "asks": c.asks, "strong": c.strong, "weak": c.weak}
                for c in self.competencies
            ],
        }


def label(key: str) -> str:
    """A competency's label from any rubric (or a legacy feedback category's)."""
    for comps in table.COMPETENCIES.values():
        if key in comps:
            return comps[key]["label"]
    return table.LEGACY_LABELS.get(key) or key.replace("_", " ").capitalize()


def normalise_type(value: str) -> str:
    key = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    key = {"behavioral": "behavioural", "design": "system_design", "role": "role_specific"}.get(key, key)
    return key if key in TYPES else "behavioural"


def normalise_difficulty(value: str) -> str:
    key = (value or "").strip().lower()
    return key if key in DIFFICULTIES else "standard"


def _compile(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _competency(key: str, spec: dict, weights: dict[str, float], **fmt: str) -> Competency:
    def text(name: str) -> str:
        return spec[name].format(**fmt) if fmt else spec[name]

    return Competency(
        key=key,
        label=text("label"),
        asks=text("asks"),
        strong=text("strong"),
        weak=text("weak"),
        probe=text("probe"),
        kinds=tuple(spec["kinds"]),
        weight=weights.get(key, 1.0),
        strong_cues=_compile(spec.get("strong_cues", ())),
        weak_cues=_compile(spec.get("weak_cues", ())),
    )


_BULLET = re.compile(r"^\s*(?:[-*•·▪‣–]|\d+[.)])\s*")
_REQUIREMENT = re.compile(table.JD_REQUIREMENT_WORDS)


def job_requirements(job_description: str, limit: int = table.JD_MAX) -> list[str]:
    """The first requirements a job description states (bullet lines, or lines that say
    "experience with…", "knowledge of…"), shortened to a label."""
    found: list[str] = []
    for raw in (job_description or "").splitlines()[:200]:
        bulleted = bool(_BULLET.match(raw))
        line = _BULLET.sub("", raw).strip().rstrip(".;:")
        words = line.split()
        if not 3 <= len(words) <= 40 or line.endswith("?"):
            continue
        if not (bulleted or _REQUIREMENT.search(line.lower())) or len(content_words(line)) < 2:
            continue
        short = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
        if short[0].isupper() and not short[1:2].isupper():
            short = short[0].lower() + short[1:]
        if short not in found:
            found.append(short)
        if len(found) >= limit:
            break
    return found


@lru_cache(maxsize=256)
def rubric_for(interview_type: str, difficulty: str, job_description: str = "", role: str = "") -> Rubric:
    """The rubric of one interview. Role-specific rounds add up to two competencies taken
    from the job description's requirements; their evidence is the requirement's own words."""
    kind, level = normalise_type(interview_type), normalise_difficulty(difficulty)
    spec = table.DIFFICULTY[level]
    weights = spec["weights"]
    comps = [_competency(key, c, weights) for key, c in table.COMPETENCIES[kind].items()]
    if kind == "role_specific":
        context = frozenset(content_words(f"{role} {job_description}"))
        comps = [replace(c, terms=context) if c.key == "domain_knowledge" and context else c for c in comps]
        for i, requirement in enumerate(job_requirements(job_description), start=1):
            jd = _competency(f"jd_{i}", table.JD_COMPETENCY, weights, requirement=requirement)
            comps.append(replace(jd, terms=frozenset(content_words(requirement))))
    return Rubric(kind, level, tuple(comps), spec["bar"], spec["offset"])
