"""The shape of interview feedback, shared by the Gemini path and the built-in analyzer.

Gemini is asked for exactly this schema (structured output) and its answer is validated
against it; the analyzer builds the same objects, so the page and the export never care
which one produced them. The categories are the interview's rubric competencies
(``preppal.rubric``): a coding round is scored on problem framing, approach, code, testing
and communication, never on STAR. Each competency's score comes with the evidence behind
it, and a score that departs from the interviewer's scorecard says why.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Quote = Annotated[str, StringConstraints(max_length=600)]
DIFFERS_BY = 15  # a review score further than this from the scorecard's must say why


class CompetencyScore(BaseModel):
    """One rubric competency, scored from its evidence."""

    model_config = ConfigDict(extra="ignore")

    key: str = Field(min_length=1, max_length=40, description="The competency's key, exactly as in the rubric.")
    score: int = Field(ge=0, le=100, description="0-100 from the evidence (50 = an average real candidate).")
    comment: str = Field(default="", max_length=600, description="What the evidence shows, in one or two sentences.")
    evidence: list[Quote] = Field(
        default_factory=list, max_length=3, description="The candidate's words behind the score, verbatim."
    )
    differs_because: str = Field(
        default="",
        max_length=600,
        description=f"Empty when your score is within {DIFFERS_BY} points of the scorecard's (or it has none); "
        "otherwise why you judge it differently.",
    )


class FeedbackPoint(BaseModel):
    """A strength or an improvement, grounded in the candidate's own words."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=120, description="A short headline.")
    detail: str = Field(min_length=1, max_length=800, description="Why it matters and what to keep or change.")
    quote: str = Field(
        default="", max_length=600, description="The candidate's words, verbatim; never the same quote twice."
    )
    competency: str = Field(default="", max_length=40, description="The rubric key it is about ('' for delivery).")


class QuestionNote(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str = Field(min_length=1, max_length=800, description="The interviewer's question.")
    answer_quote: str = Field(default="", max_length=600, description="A short verbatim excerpt of the answer.")
    assessment: str = Field(min_length=1, max_length=1200, description="How well the answer worked, and why.")
    better_answer: str = Field(min_length=1, max_length=1500, description="A sketch of a stronger answer.")
    code_note: str = Field(
        default="",
        max_length=1200,
        description="When code was written for this question: what works, what is wrong or missing. Else empty.",
    )


class FeedbackResult(BaseModel):
    """What one feedback run produces (stored in the Feedback row's columns)."""

    model_config = ConfigDict(extra="ignore")

    overall_score: int = Field(ge=0, le=100, description="Overall interview performance, 0-100.")
    summary: str = Field(min_length=1, max_length=2000, description="Two to four sentences for the candidate.")
    competencies: list[CompetencyScore] = Field(default_factory=list, max_length=10)
    strengths: list[FeedbackPoint] = Field(default_factory=list, max_length=5)
    improvements: list[FeedbackPoint] = Field(default_factory=list, max_length=5)
    question_notes: list[QuestionNote] = Field(default_factory=list, max_length=20)

    @property
    def scores(self) -> dict[str, int]:
        """Competency key → score (the Feedback row's ``scores`` column; history charts)."""
        return {c.key: c.score for c in self.competencies}
