"""Choosing a follow-up: candidates from rules, chosen on evidence from the answer itself.

Each rule proposes a :class:`Candidate` when the answer lacks something its kind of question
needs (a story's outcome, a design's numbers, the candidate's own part, a trade-off, a failure
mode, a lesson) or names something worth a deeper question (a cache, Kafka, the deadline).
Every candidate is scored on evidence:

- what the answer said: a candidate that can quote the candidate's words back ("You said the
  pages got a lot faster. By how much?") beats one that cannot; specific things (a technology,
  a name said twice) beat everyday words;
- what the rubric still lacks (:mod:`preppal.rubric`): a rule that asks for what a competency
  with no strong evidence yet on this question needs counts more (a probe deepens on what was
  said; it is not a gap of its own);
- the difficulty: Intense presses on vague or unquantified answers, Warm-up leaves failure
  modes and trade-offs for later;
- what was already asked: never the same rule twice on one question, never the same thing
  probed twice in an interview, and every follow-up already spent lowers the urge for another.

The best candidate is asked if it clears the difficulty's bar; otherwise the interviewer moves
on. Pure functions over data: no clocks, no I/O, no language of their own (the lines come from
the pack's ``followups.json``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from preppal.live.offline.language_pack import LanguagePack
from preppal.live.offline.reading import Mention, Reading, flip_person
from preppal.rubric import Rubric

# Base weight of each rule: how much an interviewer wants to ask it when it applies.
WEIGHTS = {
    "pushback": 5.0,
    "example": 4.0,
    "outcome": 3.5,
    "own_role": 3.0,
    "components": 3.0,
    "approach": 3.0,
    "quantify": 2.6,
    "quantify_design": 3.2,  # a design without numbers is the first thing an interviewer asks about
    "jd": 3.0,
    "probe": 2.2,
    "tradeoff": 2.0,
    "failure": 2.0,
    "testing": 1.8,
    "reflection": 1.5,
}
# Added per difficulty (rules left out are unchanged).
DIFFICULTY_SHIFT = {
    "warmup": {"failure": -1.0, "tradeoff": -0.8, "quantify": -0.5, "reflection": -0.3, "pushback": -99.0},
    "standard": {"pushback": -99.0},
    "intense": {"quantify": 0.7, "tradeoff": 0.5, "failure": 0.5, "example": -1.0},
}
BAR = {"warmup": 2.6, "standard": 2.4, "intense": 2.0}  # a follow-up must score this much to be asked
QUOTED = 0.7  # it says the candidate's own words back (a thing they named)
QUOTED_CLAUSE = 0.4  # ... a whole clause of theirs (less pointed than naming the thing)
SPECIFIC = 0.5  # it is about a technology or a name (not an everyday word)
REPEATED = 0.3  # the answer named it more than once
RUBRIC_GAP = 0.6  # its competency has no strong evidence on this question yet
SPENT = 0.6  # per follow-up already asked on this question
JD_TECH = 0.5  # a probe on a technology the job description lists

# Which rubric competency each rule gathers evidence for, per interview type.
COMPETENCY = {
    "behavioural": {
        "example": "situation_task",
        "outcome": "result_measurement",
        "quantify": "result_measurement",
        "own_role": "action_ownership",
        "reflection": "reflection",
        "pushback": "situation_task",
        "probe": "action_ownership",
        "tradeoff": "action_ownership",
        "jd": "action_ownership",
    },
    "technical": {
        "approach": "approach",
        "probe": "approach",
        "tradeoff": "approach",
        "failure": "testing",
        "testing": "testing",
        "example": "communication",
        "pushback": "approach",
        "quantify": "approach",
        "outcome": "approach",
        "reflection": "communication",
        "jd": "approach",
        "own_role": "communication",
    },
    "system_design": {
        "quantify": "data_and_scale",
        "requirements": "requirements",
        "components": "high_level_design",
        "tradeoff": "trade_offs",
        "failure": "trade_offs",
        "probe": "trade_offs",
        "pushback": "high_level_design",
        "jd": "high_level_design",
    },
    "role_specific": {
        "example": "domain_knowledge",
        "outcome": "impact",
        "quantify": "impact",
        "probe": "tools_and_craft",
        "jd": "tools_and_craft",
        "reflection": "judgement",
        "tradeoff": "judgement",
        "own_role": "impact",
        "pushback": "domain_knowledge",
        "approach": "judgement",
    },
}


@dataclass(frozen=True)
class Candidate:
    """One follow-up the interviewer could ask, and why."""

    rule: str
    text: str
    subject: str = ""  # the concept, technology or name it is about
    score: float = 0.0
    competency: str = ""
    why: tuple[str, ...] = ()  # the evidence that scored it (tests, logs)


@dataclass
class Turn:
    """Everything a follow-up is chosen on, for one answer."""

    pack: LanguagePack
    rubric: Rubric
    interview_type: str
    difficulty: str
    question_kind: str  # star | design | explain | open | code
    question_text: str
    answer: Reading  # the latest answer
    story: Reading  # every answer on this question so far, joined
    asked: list[tuple[str, str]] = field(default_factory=list)  # (rule, subject) on this question
    probed: set[str] = field(default_factory=set)  # subjects probed anywhere in the interview
    jd_techs: tuple[str, ...] = ()  # concept ids the job description lists, in its order
    mentioned: set[str] = field(default_factory=set)  # concept ids the candidate named so far
    lacking: set[str] = field(default_factory=set)  # rubric keys with no strong evidence on this question
    first: bool = True  # the first answer to this question (not an answer to a follow-up)
    pick: int = 0  # which line variant to use (variety, deterministic per interview)


def _line(turn: Turn, rule: str, quote: str = "", **fill: str) -> str:
    """A line for ``rule``: one that quotes when there is a quote, else one that does not."""
    lines = turn.pack.followups[rule]
    fitting = [t for t in lines if ("{quote}" in t) == bool(quote)] or [t for t in lines if "{quote}" not in t]
    if not fitting:
        return ""
    template = fitting[turn.pick % len(fitting)]
    return template.format(quote=quote, **fill)


def _quote(turn: Turn, words: str) -> str:
    return flip_person(turn.pack, words) if words else ""


def _rule_candidates(turn: Turn) -> Iterable[tuple[str, str, str]]:
    """(rule, quote, subject) for each gap the answer leaves, by kind of question."""
    a, s, kind = turn.answer, turn.story, turn.question_kind
    # Filler is vague anywhere; a short generality only as a first answer, or when the story
    # so far is no more concrete (a brief reply to a follow-up on a real story is not).
    vague = (a.has("vague", "nonanswer") and not a.numbers) or (a.vague and (turn.first or not s.concrete))
    unquantified = ("quantify", "") in turn.asked and not s.numbers  # asked for a number, still none
    if turn.difficulty == "intense" and (vague or unquantified):
        if s.has("vague_result") and not s.numbers and (s.concrete or unquantified):
            yield "pushback_numbers", "", ""  # the story is there, the number is not
        else:
            yield "pushback", _quote(turn, a.quotes.get("vague") or a.quotes.get("first", "")), ""
    short = a.words < turn.pack.pacing["short_answer_words"][turn.difficulty]
    if turn.first and not a.concrete and not vague and short:
        yield "example", "", ""
    if vague and turn.difficulty != "intense":
        yield ("approach" if kind == "explain" else "example"), "", ""
    if kind in ("star", "open"):
        told = s.has("story", "example_marker") or (kind == "star" and (s.has("own_action") or s.concrete))
        if told and not s.has("result", "vague_result"):
            subject = (s.names or ("",))[0]
            yield "outcome", subject, subject
        if s.has("result", "vague_result") and not s.numbers and kind == "star":
            yield "quantify", _quote(turn, s.quotes.get("vague_result", "")), ""
        if s.has("we") and not s.has("own_action"):
            yield "own_role", "", ""
        if s.has("result") and not s.has("reflection") and kind == "star":
            yield "reflection", "", ""
        if s.has("decision") and not s.has("tradeoff"):
            yield "tradeoff", "", ""
    if kind == "design":
        if not s.numbers:
            yield "quantify_design", "", ""
        if a.words < 20 and not a.mentions:
            yield "components", "", ""
        if not s.has("tradeoff"):
            chosen = next((m for m in a.mentions if m.said), None)
            yield "tradeoff", _quote(turn, chosen.said) if chosen else "", chosen.concept.id if chosen else ""
        if not s.has("failure"):
            part = next((m for m in a.mentions if m.said and m.concept.part), None)
            yield "failure", _quote(turn, part.said) if part else "", part.concept.id if part else ""
    if kind == "explain" and a.mentions:
        if not s.has("testing"):
            yield "testing", "", ""
        if not s.has("tradeoff") and turn.difficulty != "warmup":
            yield "tradeoff", "", ""
        part = next((m for m in a.mentions if m.said and m.concept.part), None)
        if part is not None and not s.has("failure") and turn.difficulty != "warmup":
            yield "failure", _quote(turn, part.said), part.concept.id


def _probe(turn: Turn, mention: Mention) -> tuple[str, float, tuple[str, ...]]:
    """A probe on something the answer named, its bonus and why."""
    concept = mention.concept
    probe = concept.probes[turn.pick % len(concept.probes)]
    jd = concept.id in turn.jd_techs
    if mention.said:
        lead, bonus = _line(turn, "probe_jd" if jd else "probe", quote=_quote(turn, mention.said)), QUOTED
    else:
        lead, bonus = _line(turn, "probe_clause", quote=_quote(turn, mention.clause)), QUOTED_CLAUSE
    why = ["quotes the answer"]
    if concept.tech:
        bonus += SPECIFIC
        why.append("names something specific")
    if mention.count > 1:
        bonus += REPEATED
        why.append("named more than once")
    if jd:
        bonus += JD_TECH
        why.append("the role lists it")
    return f"{lead} {probe}".strip(), bonus, tuple(why)


def _jd_link(turn: Turn, tech_names: dict[str, str]) -> tuple[str, str] | None:
    """A technology the role lists that the candidate has not named, of the same kind as one
    they did name ("The role lists Go" after an answer about Java)."""
    said = {m.concept.category for m in turn.answer.mentions}
    named = turn.mentioned | {m.concept.id for m in turn.answer.mentions}
    for concept_id in turn.jd_techs:
        concept = next((c for c in turn.pack.concepts if c.id == concept_id), None)
        if concept is None or concept_id in named or concept_id in turn.probed:
            continue
        if concept.category in said:
            return concept_id, _line(turn, "jd", skill=tech_names.get(concept_id, concept.name))
    return None


def candidates(turn: Turn) -> list[Candidate]:
    """Every follow-up the rules propose for this answer, scored (best first)."""
    asked_rules = {rule for rule, _ in turn.asked}
    shift = DIFFICULTY_SHIFT.get(turn.difficulty, {})
    competencies = COMPETENCY.get(turn.interview_type, {})
    found: list[Candidate] = []

    def add(rule: str, text: str, subject: str, bonus: float, why: tuple[str, ...]) -> None:
        family = "quantify" if rule == "quantify_design" else "pushback" if rule == "pushback_numbers" else rule
        if not text or family in asked_rules or (subject and subject in turn.probed and rule == "probe"):
            return
        competency = competencies.get(family, "")
        base = WEIGHTS["quantify_design"] if rule == "quantify_design" else WEIGHTS[family]
        score = base + shift.get(family, 0.0) + bonus - SPENT * len(turn.asked)
        if competency and competency in turn.lacking and family not in ("probe", "jd"):
            score += RUBRIC_GAP
            why += ("the rubric still lacks it",)
        found.append(Candidate(family, text, subject, round(score, 3), competency, why))

    for rule, quote, subject in _rule_candidates(turn):
        text = _line(turn, rule, quote=quote)
        add(rule, text, subject, QUOTED if quote else 0.0, ("quotes the answer",) if quote else ())
    in_question = turn.question_text.lower()
    talk_about_people = turn.interview_type in ("behavioural", "role_specific")
    for mention in turn.answer.mentions:
        concept = mention.concept
        if concept.triggers.search(in_question) or (not mention.said and not mention.clause):
            continue  # the question named it first: probing it is not grounded in the answer
        if concept.category == "people" and not talk_about_people:
            continue  # "the client" in a design is software, not a person
        text, bonus, why = _probe(turn, mention)
        add("probe", text, concept.id, bonus, why)
    if not talk_about_people:
        for name in turn.answer.names[:1]:  # a product or tool no concept covers ("Vault")
            add("probe", _line(turn, "probe_name", quote=name), name, QUOTED + SPECIFIC, ("names something specific",))
    tech_names = {c.id: c.name for c in turn.pack.concepts if c.tech}
    link = _jd_link(turn, tech_names)
    if link is not None:
        add("jd", link[1], link[0], SPECIFIC, ("the role lists it; the answer used something like it",))
    found.sort(key=lambda c: -c.score)
    return found


def choose(turn: Turn, budget: int, ranked: list[Candidate] | None = None) -> Candidate | None:
    """The follow-up to ask, or None to move on (budget spent, or nothing clears the bar)."""
    if len(turn.asked) >= budget:
        return None
    pool = ranked if ranked is not None else candidates(turn)
    if not pool or pool[0].score < BAR.get(turn.difficulty, BAR["standard"]):
        return None
    best = pool[0]
    lead = turn.pack.followups["lead"].get(turn.difficulty, [])
    if lead and not turn.answer.vague and best.rule not in ("pushback", "steer"):
        return replace(best, text=f"{lead[turn.pick % len(lead)]} {best.text}")
    return best
