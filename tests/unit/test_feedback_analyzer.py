"""The built-in analyzer: Gemini's shape from the scorecard, deterministic, grounded in quotes,
scored on the interview's rubric (no STAR for a coding round)."""

from __future__ import annotations

import re

import pytest

from preppal import rubric
from preppal.services.analysis.transcript_metrics import Segment, compute_metrics
from preppal.services.feedback.analyzer import analyze
from preppal.services.feedback.schema import FeedbackResult
from preppal.services.feedback.scorecard_card import HEURISTIC, LIVE, build_card
from preppal.services.interviews.scorecard_entries import EVIDENCE, QUESTION, Entry

GREETING = "Hi Sam, thanks for joining. I'm your Preppal interviewer. Let's begin. "
STRONG = [
    Segment("AI", GREETING + "Tell me about a time you improved a system?", 0, 3_000, 1),
    Segment(
        "USER",
        "At my previous company our billing close took five days. My role was to shorten it. "
        "I designed a new reconciliation pipeline and I wrote the migration with tests for every edge case. "
        "As a result we cut the close from five days to one and saved forty hours a month.",
        4_000,
        30_000,
        2,
    ),
    Segment("AI", "What did you learn from it?", 31_000, 34_000, 3),
    Segment(
        "USER",
        "I learned to measure each stage before changing it, and since then I always agree the target first.",
        35_000,
        48_000,
        4,
    ),
]
WEAK = [
    Segment("AI", GREETING + "Tell me about a time you improved a system?", 0, 3_000, 1),
    Segment("USER", "Can you repeat the question?", 3_500, 4_500, 2),
    Segment("AI", "Of course. Tell me about a time you improved a system?", 5_000, 7_000, 3),
    Segment("USER", "Um, so, like, we kind of, uh, maybe fixed some stuff I think.", 8_000, 14_000, 4),
    Segment("AI", "What was the impact?", 15_000, 17_000, 5),
    Segment("USER", "Basically, uh, it went well. The team handled most of it. I guess.", 18_000, 24_000, 6),
]


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def _analyze(transcript, kind: str = "behavioural", marks=()):
    return analyze(compute_metrics(transcript), build_card(kind, "standard", transcript, marks))


@pytest.mark.parametrize("transcript", [STRONG, WEAK])
def test_same_shape_and_each_point_quotes_its_own_evidence(transcript) -> None:
    result = _analyze(transcript)
    FeedbackResult.model_validate(result.model_dump())  # passes the schema Gemini must pass
    said = _norm(" ".join(s.text for s in transcript if s.speaker == "USER"))
    quotes = [p.quote for p in [*result.strengths, *result.improvements] if p.quote]
    assert len(quotes) == len(set(quotes)), "one quote never backs two points"
    for q in quotes:
        assert _norm(q.rstrip("…")) in said, q
    for point in [*result.strengths, *result.improvements]:
        assert "practice run" not in point.title and "stayed in the conversation" not in point.title
    assert set(result.scores) <= set(rubric.rubric_for("behavioural", "standard").keys)
    assert "analyzer" in result.summary


def test_question_headings_are_the_questions_and_requests_are_not_answers() -> None:
    result = _analyze(WEAK)
    assert [n.question for n in result.question_notes] == [
        "Tell me about a time you improved a system?",
        "What was the impact?",
    ]
    assert "repeat" not in result.question_notes[0].answer_quote.lower()
    for point in result.improvements:
        assert "repeat the question" not in point.quote.lower() and "too brief" not in point.detail


def test_strong_answers_outscore_weak_ones() -> None:
    strong, weak = _analyze(STRONG), _analyze(WEAK)
    assert strong.overall_score > weak.overall_score
    assert strong.scores["result_measurement"] > weak.scores["result_measurement"]
    assert {p.competency for p in strong.strengths} >= {"result_measurement", "action_ownership", "reflection"}
    assert any(p.competency == "result_measurement" for p in weak.improvements)


def test_a_technical_round_is_scored_on_the_technical_rubric() -> None:
    transcript = [
        Segment("AI", "How would you find the first character that does not repeat?", 0, 3_000, 1),
        Segment(
            "USER",
            "So the input can be empty, right? I would use a hash map of counts, one pass, so linear time. "
            "An empty string returns nothing, and I would unit test the all-repeating case.",
            4_000,
            30_000,
            2,
        ),
    ]
    result = _analyze(transcript, "technical")
    keys = set(rubric.rubric_for("technical", "standard").keys)
    assert set(result.scores) <= keys and {"problem_framing", "approach", "testing"} <= set(result.scores)
    assert not {"structure", "situation_task", "result_measurement"} & set(result.scores)
    assert "STAR" not in " ".join(n.better_answer for n in result.question_notes)


def test_live_notes_are_the_evidence_when_the_interviewer_kept_them() -> None:
    marks = [
        Entry(QUESTION, 0, 1, "result_measurement", text="Tell me about a time you improved a system?"),
        Entry(EVIDENCE, 5_000, 1, "result_measurement", strength="weak", text="it went well", why="No outcome."),
    ]
    card = build_card("behavioural", "standard", WEAK, marks)
    assert card.source == LIVE and card.questions[0].text == "Tell me about a time you improved a system?"
    assert card.notes[0].at_ms == 18_000  # placed where the candidate said it
    assert build_card("behavioural", "standard", WEAK).source == HEURISTIC
    result = analyze(compute_metrics(WEAK), card)
    assert result.scores == {"result_measurement": 20}


def test_deterministic() -> None:
    assert _analyze(STRONG).model_dump() == _analyze(STRONG).model_dump()


def test_refuses_a_transcript_without_answers() -> None:
    with pytest.raises(ValueError):
        _analyze([Segment("AI", "Hello?", 0, 1_000)])


def test_an_answer_the_interviewer_cut_off_mid_sentence_is_not_called_too_brief() -> None:
    """The offline interviewer took the turn at "…and the hardest part was"; the answer is short
    through no fault of the candidate (and is no evidence of a gap in its question's competency)."""
    cut = [
        Segment("AI", "Tell me about a project you are proud of.", 0, 3_000, 1),
        Segment(
            "USER", "We moved our billing service to a new cloud provider and the hardest part was,", 4_000, 9_000, 2
        ),
        Segment("AI", "What was the outcome?", 11_000, 13_000, 3),
        Segment("USER", "We finished it in the end.", 14_000, 15_500, 4),
    ]
    brief = [p for p in _analyze(cut).improvements if "too brief" in p.detail]
    assert brief and brief[0].quote.startswith("We finished")  # the whole short answer still is
    only_cut = [*cut[:2], Segment("AI", "What was the outcome?", 11_000, 13_000, 3)]
    assert not any("too brief" in p.detail for p in _analyze(only_cut).improvements)
    marks = [Entry(QUESTION, 0, 1, "result_measurement", text="Tell me about a project you are proud of.")]
    assert build_card("behavioural", "standard", only_cut, marks).notes == []


def test_gemini_is_told_where_the_interviewer_cut_in() -> None:
    from preppal.services.feedback.gemini import CUT_IN_MARK, InterviewContext, build_prompt

    cut = [
        Segment("AI", "Tell me about a project.", 0, 3_000),
        Segment("USER", "The first thing we had to do was...", 4_000, 7_000),
        Segment("AI", "Thanks. Next question.", 8_000, 10_000),
        Segment("USER", "We shipped it in May.", 11_000, 13_000),
    ]
    ctx = InterviewContext("behavioural", "Engineer", "standard", card=build_card("behavioural", "standard", cut))
    prompt = build_prompt(ctx, cut, compute_metrics(cut))
    assert f"do was... {CUT_IN_MARK}" in prompt and f"in May. {CUT_IN_MARK}" not in prompt
