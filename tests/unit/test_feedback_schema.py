"""The feedback schema: what Gemini's answer must satisfy before it is stored."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from preppal.services.feedback.gemini import keep_verbatim_quotes
from preppal.services.feedback.schema import FeedbackResult


def valid() -> dict:
    point = {"title": "Clear example", "detail": "You named the system.", "quote": "I led the billing migration"}
    return {
        "overall_score": 72,
        "summary": "Solid answers.",
        "competencies": [
            {"key": "action_ownership", "score": 80, "comment": "First person.", "evidence": ["I led"]},
            {"key": "result_measurement", "score": 60},
        ],
        "strengths": [point] * 3,
        "improvements": [point] * 4,
        "question_notes": [
            {"question": "Why?", "answer_quote": "because", "assessment": "Brief.", "better_answer": "Say more."}
        ],
    }


def test_valid_result_parses_from_json() -> None:
    result = FeedbackResult.model_validate_json(json.dumps(valid()))
    assert result.overall_score == 72 and result.scores == {"action_ownership": 80, "result_measurement": 60}
    assert len(result.strengths) == 3 and len(result.improvements) == 4


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.update(overall_score=101),
        lambda d: d["competencies"][0].update(score=-1),
        lambda d: d["competencies"][1].pop("key"),
        lambda d: d["competencies"][0].update(evidence=["a", "b", "c", "d"]),
        lambda d: d.update(improvements=d["improvements"] * 2),
        lambda d: d.update(summary=""),
        lambda d: d["question_notes"][0].pop("better_answer"),
    ],
)
def test_out_of_shape_results_are_rejected(breakage) -> None:
    data = valid()
    breakage(data)
    with pytest.raises(ValidationError):
        FeedbackResult.model_validate(data)


def test_malformed_json_is_rejected() -> None:
    with pytest.raises(ValidationError):
        FeedbackResult.model_validate_json('{"overall_score": 70, "summary": "cut off')


def test_unknown_keys_are_ignored() -> None:
    data = valid() | {"extra": 1}
    assert FeedbackResult.model_validate(data).overall_score == 72


def test_paraphrased_quotes_are_blanked() -> None:
    result = FeedbackResult.model_validate(valid())
    result.strengths[0].quote = "I LED the billing migration!"  # same words, other case/punctuation
    result.strengths[1].quote = "I heroically rebuilt everything"  # never said
    keep_verbatim_quotes(result, "Um, I led the billing migration last year.")
    assert result.strengths[0].quote == "I LED the billing migration!"
    assert result.strengths[1].quote == ""
    assert result.question_notes[0].answer_quote == ""  # "because" was never said
    assert result.competencies[0].evidence == ["I led"]
