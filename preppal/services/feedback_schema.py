"""The shape of interview feedback, shared by the Gemini path and the built-in analyzer.

Gemini is asked for exactly this schema (structured output) and its answer is validated
against it; the analyzer builds the same objects, so the page and the export never care
which one produced them.
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

CATEGORIES: dict[str, str] = {
    "communication": "Communication",
    "structure": "Structure (STAR)",
    "technical_depth": "Technical depth",
    "relevance": "Relevance to the role",
    "confidence": "Confidence",
    "code_quality": "Code (editor)",  # only when the candidate wrote code and an AI reviewed it
}


class CategoryScores(BaseModel):
    model_config = ConfigDict(extra="ignore")

    communication: int = Field(ge=0, le=100, description="Clarity, pace and concision of the spoken answers.")
    structure: int = Field(ge=0, le=100, description="Situation, task, action, result: are answers structured?")
    technical_depth: int = Field(ge=0, le=100, description="Concrete, specific, technically sound detail.")
    relevance: int = Field(ge=0, le=100, description="How well answers address the question and the role.")
    confidence: int = Field(ge=0, le=100, description="Ownership and assurance, little hedging.")
    code_quality: Optional[int] = Field(
        default=None,
        ge=0,
        le=100,
        description="The code written in the editor, judged by reading it: correctness, clarity, edge cases, "
        "complexity. null when no code was written.",
    )


class FeedbackPoint(BaseModel):
    """A strength or an improvement, grounded in the candidate's own words."""

    model_config = ConfigDict(extra="ignore")

    title: str = Field(min_length=1, max_length=120, description="A short headline.")
    detail: str = Field(min_length=1, max_length=800, description="Why it matters and what to keep or change.")
    quote: str = Field(default="", max_length=600, description="The candidate's words, verbatim from the transcript.")


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

    overall_score: int = Field(ge=0, le=100, description="Overall interview performance, 0–100.")
    summary: str = Field(min_length=1, max_length=2000, description="Two to four sentences for the candidate.")
    scores: CategoryScores
    strengths: list[FeedbackPoint] = Field(min_length=3, max_length=5)
    improvements: list[FeedbackPoint] = Field(min_length=3, max_length=5)
    question_notes: list[QuestionNote] = Field(default_factory=list, max_length=20)
