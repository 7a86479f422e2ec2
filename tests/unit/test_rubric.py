"""The rubric table and its heuristics (preppal.rubric)."""

from __future__ import annotations

import pytest

from preppal import rubric
from preppal.rubric import STRONG, WEAK, Signal

STAR_ANSWER = (
    "At my last job our release slipped twice, and my task was to get it out in a week. "
    "I split the work and I wrote the migration myself. "
    "As a result we shipped on Friday and support tickets fell by 30 percent. "
    "I learned to agree the scope in writing before I start."
)


@pytest.mark.parametrize("kind", rubric.TYPES)
@pytest.mark.parametrize("level", rubric.DIFFICULTIES)
def test_every_type_and_difficulty_has_a_complete_rubric(kind: str, level: str) -> None:
    r = rubric.rubric_for(kind, level)
    assert r.interview_type == kind and r.difficulty == level and r.bar
    assert len(r.competencies) >= 4
    for c in r.competencies:
        assert c.label and c.asks and c.strong and c.weak and c.probe.endswith("?") and c.kinds
    assert len(set(r.keys)) == len(r.keys)
    assert r.prompt_text().count("\n- ") == len(r.competencies)


def test_the_issue_competencies_per_type() -> None:
    assert rubric.rubric_for("behavioural", "standard").keys == (
        "situation_task",
        "action_ownership",
        "result_measurement",
        "reflection",
    )
    assert rubric.rubric_for("technical", "standard").keys == (
        "problem_framing",
        "approach",
        "code_quality",
        "testing",
        "communication",
    )
    assert rubric.rubric_for("system_design", "standard").keys == (
        "requirements",
        "high_level_design",
        "data_and_scale",
        "trade_offs",
    )
    # No STAR for a coding round: none of the behavioural keys appear in a technical rubric.
    assert not set(rubric.rubric_for("technical", "intense").keys) & {"situation_task", "result_measurement"}


def test_unknown_type_and_difficulty_fall_back() -> None:
    r = rubric.rubric_for("Behavioral", "nonsense")
    assert (r.interview_type, r.difficulty) == ("behavioural", "standard")


def test_role_specific_adds_requirements_from_the_job_description() -> None:
    jd = (
        "We are hiring a data analyst.\nRequirements:\n- 3+ years of experience with SQL and dbt\n"
        "- Experience building dashboards in Looker or Tableau\n- Strong communication skills\n- Python"
    )
    r = rubric.rubric_for("role_specific", "standard", jd, "Data analyst")
    jd_keys = [c for c in r.competencies if c.key.startswith("jd_")]
    assert [c.label for c in jd_keys] == [
        "From the job: 3+ years of experience with SQL and dbt",
        "From the job: experience building dashboards in Looker or Tableau",
    ]
    notes = r.assess("I built our sales dashboards in Looker, and I modelled them in dbt with SQL tests.")
    assert {n.competency for n in notes if n.strength == STRONG} >= {"jd_1", "jd_2", "domain_knowledge"}
    assert rubric.rubric_for("role_specific", "standard").keys == (
        "domain_knowledge",
        "tools_and_craft",
        "judgement",
        "impact",
    )


def test_assess_quotes_the_sentence_that_shows_each_competency() -> None:
    r = rubric.rubric_for("behavioural", "standard")
    notes = {n.competency: n for n in r.assess(STAR_ANSWER, target="result_measurement")}
    assert {k: n.strength for k, n in notes.items()} == dict.fromkeys(r.keys, STRONG)
    result = "As a result we shipped on Friday and support tickets fell by 30 percent."
    assert notes["result_measurement"].quote == result
    assert notes["action_ownership"].quote == "I split the work and I wrote the migration myself."
    for n in notes.values():
        assert n.quote in STAR_ANSWER and len(n.quote) <= rubric.MAX_QUOTE_CHARS and n.why


def test_a_story_without_its_result_is_weak_evidence_for_the_target() -> None:
    r = rubric.rubric_for("behavioural", "standard")
    notes = {n.competency: n for n in r.assess("I think it went well overall, the team handled most of it.")}
    assert notes["result_measurement"].strength == WEAK and notes["action_ownership"].strength == WEAK
    # Nothing at all about the target: weak, quoting where the answer stopped.
    missing = r.assess("At my last job my task was to fix the release process for the team.", target="reflection")
    assert (
        Signal(
            "reflection", WEAK, "At my last job my task was to fix the release process for the team.", missing[-1].why
        )
        in missing
    )


def test_code_quality_is_never_heard_in_speech() -> None:
    r = rubric.rubric_for("technical", "standard")
    said = "This function returns none for an empty string and I loop once over the characters."
    assert rubric.EDITOR_COMPETENCY not in {n.competency for n in r.assess(said)}


def test_target_prefers_the_kind_and_moves_on() -> None:
    r = rubric.rubric_for("technical", "standard")
    assert r.target("code").key == "code_quality"
    assert r.target("explain").key == "problem_framing"
    assert r.target("explain", covered={"problem_framing"}).key == "approach"
    d = rubric.rubric_for("system_design", "standard")
    assert [d.target("design", covered=d.keys[:i]).key for i in range(4)] == list(d.keys)


def test_lacking_is_what_has_no_strong_evidence_heaviest_first() -> None:
    r = rubric.rubric_for("behavioural", "intense")
    notes = [Signal("situation_task", STRONG, "q", "w"), Signal("reflection", WEAK, "q", "w")]
    gaps = [c.key for c in r.lacking(notes)]
    assert gaps == ["result_measurement", "action_ownership", "reflection"]  # intense weighs results more
    assert r.lacking(notes, kind="open") == [r.competency("reflection")]
    assert r.lacking(r.assess(STAR_ANSWER)) == []


def test_scores_follow_the_notes_and_the_difficulty() -> None:
    notes = [Signal("action_ownership", STRONG, "q", "w"), Signal("result_measurement", WEAK, "q", "w")]
    standard = rubric.rubric_for("behavioural", "standard").score(notes)
    assert standard == {"situation_task": None, "action_ownership": 85, "result_measurement": 20, "reflection": None}
    intense = rubric.rubric_for("behavioural", "intense").score(notes)
    assert intense["action_ownership"] == 80
    mixed = rubric.rubric_for("behavioural", "standard").score([*notes, Signal("result_measurement", STRONG, "", "")])
    assert 20 < mixed["result_measurement"] < 85
    r = rubric.rubric_for("behavioural", "standard")
    assert r.overall(standard) == round((85 + 20) / 2) and r.overall(dict.fromkeys(r.keys)) is None


def test_requests_are_never_answers() -> None:
    for text in ("Can you repeat the question?", "Sorry, could you say that again?", "Can we skip this one?"):
        assert rubric.is_request(text), text
    assert not rubric.is_request(
        "I would skip the cache here because reads are cheap and the data changes every second anyway."
    )
    assert not rubric.is_request("I led the migration to Postgres.")


def test_labels_cover_old_feedback_categories() -> None:
    assert rubric.label("structure") == "Structure (STAR)"
    assert rubric.label("trade_offs") == "Trade-offs"
    assert rubric.clip_quote("word " * 100).endswith("…") and len(rubric.clip_quote("word " * 100)) <= 200
