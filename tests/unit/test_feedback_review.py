"""Gemini's post-call review and the scorecard (services/feedback/review.py): the prompt carries
the rubric, the markers and the notes; the answer is held to them."""

from __future__ import annotations

from preppal.services.analysis.transcript_metrics import Segment, compute_metrics
from preppal.services.feedback.gemini import InterviewContext, build_prompt
from preppal.services.feedback.review import reconcile
from preppal.services.feedback.schema import CompetencyScore, FeedbackPoint, FeedbackResult
from preppal.services.feedback.scorecard_card import build_card
from preppal.services.interviews.scorecard_entries import EVIDENCE, QUESTION, Entry

LINES = [
    Segment("AI", "Hi, thanks for joining. Tell me about a deadline you nearly missed?", 0, 4_000, 1),
    Segment("USER", "Can you repeat the question?", 4_500, 5_500, 2),
    Segment("AI", "Of course. Tell me about a deadline you nearly missed?", 6_000, 8_000, 3),
    Segment(
        "USER",
        "I split the release and I shipped the core on time, which cut support tickets by half.",
        9_000,
        20_000,
        4,
    ),
    Segment("AI", "What would you do differently?", 21_000, 23_000, 5),
    Segment("USER", "I would plan the scope with the client in writing next time.", 24_000, 30_000, 6),
]
MARKS = [
    Entry(QUESTION, 100, 1, "situation_task", text="Tell me about a deadline you nearly missed?"),
    Entry(
        EVIDENCE,
        21_500,
        1,
        "result_measurement",
        strength="strong",
        text="which cut support tickets by half",
        why="A measured outcome.",
    ),
    Entry(QUESTION, 21_000, 1, "reflection", followup=True, text="What would you do differently?"),
]


def card():
    return build_card("behavioural", "standard", LINES, MARKS)


def test_the_prompt_carries_the_rubric_the_markers_and_the_notes() -> None:
    ctx = InterviewContext("behavioural", "Engineer", "standard", card=card())
    prompt = build_prompt(ctx, LINES, compute_metrics(LINES))
    assert "Rubric for this behavioural interview (standard)" in prompt
    assert "result_measurement (Result and measurement)" in prompt
    assert "Question 1 [Situation and task] at 0:00 (answered): Tell me about a deadline you nearly missed?" in prompt
    assert "follow-up at 0:21: What would you do differently?" in prompt
    assert "Q1 result_measurement strong: “which cut support tickets by half” — A measured outcome." in prompt
    assert "Scorecard scores: result_measurement 85." in prompt
    transcript = prompt[prompt.index("Transcript:") :]
    assert "--- Question 1 (main) ---\n[0:00] Interviewer:" in transcript
    assert "Candidate (request: not an answer): Can you repeat the question?" in transcript
    assert "--- Follow-up on question 1 ---\n[0:21] Interviewer: What would you do differently?" in transcript


def _point(title: str, quote: str, competency: str = "") -> FeedbackPoint:
    return FeedbackPoint(title=title, detail="d", quote=quote, competency=competency)


def test_reconcile_holds_the_review_to_the_rubric_and_the_scorecard() -> None:
    result = FeedbackResult(
        overall_score=70,
        summary="s",
        competencies=[
            CompetencyScore(key="result_measurement", score=40),  # 45 below the scorecard, no reason
            CompetencyScore(key="trade_offs", score=90),  # not in a behavioural rubric
            CompetencyScore(key="reflection", score=30, differs_because="No lesson was named."),
        ],
        strengths=[
            _point("A", "I shipped the core on time", "action_ownership"),
            _point("B", "I shipped the core on time"),
        ],
        improvements=[_point("C", "next time", "structure")],
    )
    out = reconcile(result, card())
    scores = {c.key: c.score for c in out.competencies}
    assert scores == {"result_measurement": 85, "reflection": 30}
    assert "without saying why" in out.competencies[0].comment
    assert [p.quote for p in out.strengths] == ["I shipped the core on time", ""]  # never the same quote twice
    assert out.improvements[0].competency == ""  # not a rubric key


def test_a_left_out_competency_is_filled_from_the_scorecard() -> None:
    out = reconcile(FeedbackResult(overall_score=60, summary="s"), card())
    assert [(c.key, c.score) for c in out.competencies] == [("result_measurement", 85)]
