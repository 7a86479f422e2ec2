"""The scorecard in exports: the competencies, the questions as asked, the evidence notes.

Reads the Feedback row's stored scorecard (``Card.to_dict()`` plus the review's comments),
so the Markdown and the PDF say what the page says. Rows from before the scorecard have
none: the export then shows their old category scores only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from preppal import display, rubric

SOURCES = {
    "live": "Kept by the interviewer during the call",
    "heuristic": "Read from your answers by the built-in heuristics (no notes were kept during the call)",
}


def score_rows(fb: Any) -> list[tuple[str, int]]:
    """(label, score) per scored competency, in the rubric's order when the row has a scorecard."""
    scores = fb.scores or {}
    order = [c["key"] for c in (fb.scorecard or {}).get("competencies", [])] or list(scores)
    keys = [k for k in order if scores.get(k) is not None] + [k for k in scores if k not in order]
    return [(rubric.label(k), int(scores[k])) for k in keys if scores.get(k) is not None]


def _review(card: dict[str, Any]) -> dict[str, dict]:
    return {c.get("key", ""): c for c in card.get("review") or [] if isinstance(c, dict)}


def scorecard_lines(fb: Any) -> list[tuple[str, str]]:
    """The scorecard as (style, text) lines: "h" a heading, "b" bold, "i" italic, "" plain."""
    card = fb.scorecard or {}
    if not card.get("questions") and not card.get("notes"):
        return []
    review = _review(card)
    out: list[tuple[str, str]] = [("h", "Scorecard"), ("i", SOURCES.get(card.get("source", ""), ""))]
    for c in card.get("competencies", []):
        score = c.get("score")
        said = review.get(c.get("key", ""), {})
        shown = said.get("score", score)
        line = f"{c.get('label', '')}: {'not heard' if shown is None else f'{shown} / 100'}"
        if said.get("comment"):
            line += f" — {said['comment']}"
        if said.get("differs_because"):
            line += f" (differs from the scorecard's {score}: {said['differs_because']})"
        out.append(("", line))
    out.append(("b", "Questions"))
    for q in card.get("questions", []):
        label = rubric.label(q["competency"]) if q.get("competency") else ""
        tail = f" · {label}" if label else ""
        state = "" if q.get("answered") else " (not answered)"
        out.append(("", f"{q.get('number')}. [{display.clock(q.get('at_ms', 0))}] {q.get('text', '')}{tail}{state}"))
        for f in q.get("followups", []):
            out.append(("", f"    follow-up [{display.clock(f.get('at_ms', 0))}]: {f.get('text', '')}"))
    if card.get("notes"):
        out.append(("b", "Evidence"))
        for n in card["notes"]:
            at = n.get("at_ms", -1)
            when = f"[{display.clock(at)}] " if isinstance(at, int) and at >= 0 else ""
            strength = "Strong" if n.get("strength") == rubric.STRONG else "Weak"
            out.append(("", f"{when}{strength} · {n.get('label', '')}: “{n.get('quote', '')}” — {n.get('why', '')}"))
    return out


def scorecard_markdown(fb: Any, escape: Callable[[str], str]) -> list[str]:
    """``escape``: the export's Markdown escaping (quotes and questions are the candidate's and
    the interviewer's words: they must print as written)."""
    out: list[str] = []
    for style, text in scorecard_lines(fb):
        if style == "h":
            out += ["", f"## {text}", ""]
        elif style == "b":
            out += ["", f"### {text}", ""]
        elif style == "i":
            out += [f"_{escape(text)}_", ""]
        else:
            out.append(f"- {escape(text)}")
    return out
