"""The built-in analyzer: same shape as Gemini's feedback, deterministic, grounded in quotes."""

from __future__ import annotations

import re

import pytest

from preppal.services.feedback_analyzer import analyze
from preppal.services.feedback_schema import FeedbackResult
from preppal.services.metrics import Segment, compute_metrics

STRONG = [
    Segment("AI", "Tell me about a time you improved a system?", 0, 3_000),
    Segment(
        "USER",
        "At my previous company our billing close took five days. My role was to shorten it. "
        "I designed a new reconciliation pipeline and I wrote the migration with tests for every edge case. "
        "As a result we cut the close from five days to one and saved forty hours a month.",
        4_000,
        30_000,
    ),
    Segment("AI", "How did you measure the improvement in the system?", 31_000, 34_000),
    Segment(
        "USER",
        "I measured the latency of each pipeline stage with metrics and alerts, and I compared the database "
        "load before and after the release, which reduced errors by 30 percent.",
        35_000,
        48_000,
    ),
]
WEAK = [
    Segment("AI", "Tell me about a time you improved a system?", 0, 3_000),
    Segment("USER", "Um, so, like, we kind of, uh, maybe fixed some stuff I think.", 4_000, 12_000),
    Segment("AI", "What was the impact?", 13_000, 15_000),
    Segment("USER", "Basically, uh, it was, like, better. I guess.", 16_000, 22_000),
]


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


@pytest.mark.parametrize("transcript", [STRONG, WEAK])
def test_same_shape_and_quotes_are_the_candidates_words(transcript) -> None:
    result = analyze(compute_metrics(transcript), interview_type="behavioural", role="Backend engineer")
    FeedbackResult.model_validate(result.model_dump())  # passes the schema Gemini must pass
    assert 3 <= len(result.strengths) <= 5 and 3 <= len(result.improvements) <= 5
    said = _norm(" ".join(s.text for s in transcript if s.speaker == "USER"))
    for point in [*result.strengths, *result.improvements]:
        assert point.quote, point.title
        assert _norm(point.quote.rstrip("…")) in said, point.quote
    assert len(result.question_notes) == 2
    assert result.question_notes[1].question == transcript[2].text
    assert "analyzer" in result.summary


def test_deterministic() -> None:
    m = compute_metrics(STRONG)
    assert analyze(m).model_dump() == analyze(m).model_dump()


def test_strong_answers_outscore_weak_ones() -> None:
    strong = analyze(compute_metrics(STRONG), role="Backend engineer")
    weak = analyze(compute_metrics(WEAK), role="Backend engineer")
    assert strong.overall_score > weak.overall_score
    for key in ("structure", "technical_depth", "confidence", "communication"):
        assert getattr(strong.scores, key) > getattr(weak.scores, key), key
    assert any("filler" in p.title.lower() for p in weak.improvements)
    assert any("hedge" in p.title.lower() for p in weak.improvements)
    assert any("quantified" in p.title.lower() for p in strong.strengths)


def test_better_answer_names_the_missing_star_parts() -> None:
    note = analyze(compute_metrics(WEAK)).question_notes[0]
    assert "Result (add this)" in note.better_answer
    assert "Missing:" in note.assessment


def test_refuses_a_transcript_without_answers() -> None:
    with pytest.raises(ValueError):
        analyze(compute_metrics([Segment("AI", "Hello?", 0, 1_000)]))


def test_an_answer_the_interviewer_cut_off_mid_sentence_is_not_called_too_brief() -> None:
    """The offline interviewer took the turn at "…and the hardest part was"; the answer is short
    through no fault of the candidate."""
    cut = [
        Segment("AI", "Tell me about a project you are proud of.", 0, 3_000),
        Segment("USER", "We moved our billing service to a new cloud provider and the hardest part was,", 4_000, 9_000),
        Segment("AI", "What was the outcome?", 11_000, 13_000),
        Segment("USER", "It went well.", 14_000, 15_500),
    ]
    brief = [p for p in analyze(compute_metrics(cut)).improvements if "too brief" in p.detail]
    assert brief and brief[0].quote.startswith("It went well")  # the whole short answer still is
    only_cut = cut[:2] + [Segment("AI", "What was the outcome?", 11_000, 13_000)]
    assert not any("too brief" in p.detail for p in analyze(compute_metrics(only_cut)).improvements)


def test_gemini_is_told_where_the_interviewer_cut_in() -> None:
    from preppal.services.feedback_gemini import CUT_IN_MARK, InterviewContext, build_prompt

    cut = [
        Segment("AI", "Tell me about a project.", 0, 3_000),
        Segment("USER", "The first thing we had to do was...", 4_000, 7_000),
        Segment("AI", "Thanks. Next question.", 8_000, 10_000),
        Segment("USER", "We shipped it in May.", 11_000, 13_000),
    ]
    fields = InterviewContext.__dataclass_fields__
    ctx = InterviewContext(**{name: "" for name in fields if fields[name].default is fields[name].default_factory})
    prompt = build_prompt(ctx, cut, compute_metrics(cut))
    assert f"do was... {CUT_IN_MARK}" in prompt and f"in May. {CUT_IN_MARK}" not in prompt
