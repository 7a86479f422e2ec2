"""What the feedback page's scorecard card, the listen-back timeline and the history charts
show of the scorecard: pure functions of the stored Feedback row, tested without a browser.

The row's ``scorecard`` (``services.feedback.scorecard_card.Card.to_dict()`` plus the review's
comments) holds the competencies, the questions as the interviewer marked them and the
evidence notes with where they were said (ms on the recording's clock, -1 = not found).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from preppal import display, rubric

SOURCES = {
    "live": "Noted by the interviewer as you spoke.",
    "heuristic": "No notes were kept during this call: the built-in analyzer read them from your answers.",
}


@dataclass
class CompetencyRow:
    key: str
    label: str
    value: int  # 0-100; -1 = no evidence heard
    comment: str = ""
    differs: str = ""  # why the AI review departs from the scorecard ("" = it agrees)


@dataclass
class EvidenceRow:
    competency: str  # its label
    strong: bool
    quote: str
    why: str
    at_ms: int  # -1: not found in the transcript (no "play from here")
    at: str  # m:ss
    question: int  # the question it belongs to (0 = none)


@dataclass
class QuestionRow:
    number: int
    text: str
    competency: str  # label ("" when unmarked)
    at_ms: int
    at: str
    followups: list[str]  # "m:ss · text"
    answered: bool


@dataclass
class ScoreMark:
    """A scorecard mark on the listen-back timeline: a question (flag) or a note (dot)."""

    kind: str  # question | strong | weak
    left: str  # CSS percentage
    at_ms: int
    title: str


def _int(value: Any, default: int = -1) -> int:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def competency_rows(scores: dict[str, Any], card: Optional[dict[str, Any]]) -> list[CompetencyRow]:
    """Every rubric competency (scored or "not heard"); rows from before the rubric: their categories."""
    card = card or {}
    review = {c.get("key"): c for c in card.get("review") or [] if isinstance(c, dict)}
    listed = [c for c in card.get("competencies", []) if isinstance(c, dict) and c.get("key")]
    if not listed:
        return [CompetencyRow(k, rubric.label(k), _int(v)) for k, v in (scores or {}).items() if _int(v) >= 0]
    rows = []
    for c in listed:
        key = c["key"]
        said = review.get(key, {})
        value = _int((scores or {}).get(key, said.get("score", c.get("score"))))
        label = c.get("label") or rubric.label(key)
        rows.append(CompetencyRow(key, label, value, said.get("comment", ""), said.get("differs_because", "")))
    return rows


def evidence_rows(card: Optional[dict[str, Any]]) -> list[EvidenceRow]:
    rows = []
    for n in (card or {}).get("notes", []):
        if not isinstance(n, dict) or not n.get("quote"):
            continue
        at = _int(n.get("at_ms"))
        rows.append(
            EvidenceRow(
                competency=n.get("label") or rubric.label(n.get("competency", "")),
                strong=n.get("strength") == rubric.STRONG,
                quote=str(n["quote"]),
                why=str(n.get("why", "")),
                at_ms=at,
                at=display.clock(at) if at >= 0 else "",
                question=_int(n.get("number"), 0),
            )
        )
    return rows


def question_rows(card: Optional[dict[str, Any]]) -> list[QuestionRow]:
    rows = []
    for q in (card or {}).get("questions", []):
        if not isinstance(q, dict):
            continue
        at = max(0, _int(q.get("at_ms"), 0))
        follow = [
            f"{display.clock(max(0, _int(f.get('at_ms'), 0)))} · {f.get('text', '')}"
            for f in q.get("followups", [])
            if isinstance(f, dict)
        ]
        label = rubric.label(q["competency"]) if q.get("competency") else ""
        rows.append(
            QuestionRow(
                _int(q.get("number"), 0),
                str(q.get("text", "")),
                label,
                at,
                display.clock(at),
                follow,
                bool(q.get("answered")),
            )
        )
    return rows


def source_note(card: Optional[dict[str, Any]]) -> str:
    return SOURCES.get((card or {}).get("source", ""), "")


def score_marks(questions: list[QuestionRow], evidence: list[EvidenceRow], length_ms: int) -> list[ScoreMark]:
    """Questions and evidence notes on the timeline (a click plays from there)."""
    length = max(1, length_ms)

    def pct(ms: int) -> str:
        return f"{max(0.0, min(100.0, 100.0 * ms / length)):.3f}%"

    marks = [ScoreMark("question", pct(q.at_ms), q.at_ms, f"Question {q.number} · {q.at}: {q.text}") for q in questions]
    marks += [
        ScoreMark(
            "strong" if e.strong else "weak",
            pct(e.at_ms),
            e.at_ms,
            f"{'Strong' if e.strong else 'Weak'} · {e.competency} · {e.at}: “{e.quote}”",
        )
        for e in evidence
        if e.at_ms >= 0
    ]
    return marks


def competency_history(points: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """History chart data per interview type: one point per interview, a value per competency
    of that type's rubric (interviews scored before the rubric are left out)."""
    out: dict[str, list[dict[str, Any]]] = {kind: [] for kind in rubric.TYPES}
    for p in points:
        kind = p.get("type", "")
        scores = p.get("competencies") or {}
        if kind not in out:
            continue
        keys = set(rubric.rubric_for(kind, "standard").keys) | {"jd_1", "jd_2"}
        row = {k: v for k, v in scores.items() if k in keys and isinstance(v, (int, float))}
        if row:
            out[kind].append({"date": p.get("date", ""), **row})
    return out
