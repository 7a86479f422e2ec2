"""An evidence note's vocabulary and limits: one home for the words every layer uses.

The live backends' ``EvidenceNote`` events, the scorecard table, the analyzer and the page
all speak in these terms: a note is about one competency, ``strong`` or ``weak``, carries a
short quote of the candidate's words and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

STRONG, WEAK = "strong", "weak"
STRENGTHS = (STRONG, WEAK)
MAX_QUOTE_CHARS = 200  # an evidence note's quote (longer ones are cut at a word, with "…")
MAX_WHY_CHARS = 300  # an evidence note's reason
MAX_QUESTION_CHARS = 600  # a question marker's text (the heading on the feedback page)


class Evidence(Protocol):
    """Anything that counts as a note: a :class:`Signal`, a live event, a stored row."""

    competency: str
    strength: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence heard in an answer (the offline paths' evidence note)."""

    competency: str
    strength: str  # STRONG | WEAK
    quote: str  # the candidate's words, ≤ MAX_QUOTE_CHARS
    why: str  # ≤ MAX_WHY_CHARS


def clip_quote(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """``text`` on one line, cut at a word boundary to ``limit`` characters (with "…")."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
