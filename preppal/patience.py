"""How long the interviewer waits before it takes the turn: one setting per interview, for both interviewers.

A candidate who thinks in pauses needs a patient listener; a brisk round wants a quick one.
The interview stores a :class:`Patience` (or none: then the difficulty's default, below).
What each level means, in one place:

- the offline interviewer (:mod:`preppal.live.offline.turn_policy`): the longest pause in an
  answer (``cap_ms``) and how clear the end-of-turn evidence must be (``bar``: every
  probability threshold is multiplied by it, and so is the silence over which the
  thresholds fall: ``TurnPolicy.scaled``);
- Gemini's automatic activity detection: how much silence ends speech, as a share of the
  configured ``GEMINI_SILENCE_MS`` (``gemini_silence_share``; preppal.live.gemini_config).

Separately, an interview is **hands-free** (the interviewer decides when the candidate is
done; holding Space only keeps the offline interviewer waiting) or not ("I'll hold a key
while I think": with Gemini, automatic activity detection is off and the hold itself marks
the candidate's turn). docs/turn-taking.md says what each can and cannot promise.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Patience(StrEnum):
    QUICK = "quick"
    STEADY = "steady"
    PATIENT = "patient"


@dataclass(frozen=True)
class PatienceLevel:
    patience: Patience
    label: str  # shown on the dashboard and the interview page
    hint: str
    cap_ms: int  # offline: a pause this long ends the turn whatever the evidence
    bar: float  # offline: end-of-turn thresholds × this (and the schedule over which they fall)
    gemini_silence_share: float  # Gemini: silence that ends speech, × the configured GEMINI_SILENCE_MS


LEVELS: dict[Patience, PatienceLevel] = {
    Patience.QUICK: PatienceLevel(Patience.QUICK, "Quick", "Answers promptly after you stop.", 1500, 0.85, 0.75),
    Patience.STEADY: PatienceLevel(Patience.STEADY, "Steady", "Waits for a clear end of your answer.", 2000, 1.0, 1.0),
    Patience.PATIENT: PatienceLevel(Patience.PATIENT, "Patient", "Gives you long pauses to think.", 3000, 1.3, 1.25),
}
DEFAULT_FOR_DIFFICULTY: dict[str, Patience] = {
    "warmup": Patience.PATIENT,
    "standard": Patience.STEADY,
    "intense": Patience.QUICK,
}


def patience_for(value: str | None, difficulty: str) -> PatienceLevel:
    """The interview's level: its own setting, else its difficulty's default (unknown values: steady)."""
    try:
        return LEVELS[Patience(value)]
    except ValueError:
        return LEVELS[DEFAULT_FOR_DIFFICULTY.get(difficulty, Patience.STEADY)]
