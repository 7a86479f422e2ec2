"""Recovering when the interviewer misjudged the end of the candidate's turn.

However good the end-of-turn judgement, a candidate sometimes pauses long enough, on words
that sound finished, to be taken as done. A person who then hears the other side go on
stops at once and lets them finish. So here: if the candidate goes on within
:data:`WINDOW_S` of the interviewer starting to speak (or before it said anything), the
interviewer stops, its unfinished line is withdrawn from the transcript (``Retracted``), its
dialogue state goes back to before that reply, and the answer continues as one turn: what
the candidate says next is appended to their line, and the interviewer replies to the whole.

:class:`Recovery` keeps what that needs about the last end of turn; the backend acts on it.
Holding the floor in the same window (Space, "Thinking…") is the same signal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from preppal.live.base import ScorecardEvent
from preppal.live.offline.interviewer import Interviewer

WINDOW_S = 1.5  # the candidate's speech starting this soon after the interviewer's: not a barge-in


@dataclass(slots=True)
class Answered:
    """The reply in flight: the interviewer as it was before replying, and what it replied to."""

    before: Interviewer
    answer: str
    scorecard_number: int = 0  # the scorecard's position before the reply
    scorecard: list[ScorecardEvent] = field(default_factory=list)  # its notes, held back until it stands


class Recovery:
    """One interview's last end of turn, while it can still be taken back."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self.open = False  # an answer's turn ended and the candidate has not started another
        self.ended_s = 0.0  # stream time of that end
        self.answered: Answered | None = None
        self.final_done = False  # the transcript of that turn's last chunk has been handled ...
        self.final_emitted = False  # ... and it closed a candidate line on the transcript
        self.keep_line_open = False  # recovered before that: the line is never closed

    def turn_ended(self, now_s: float) -> None:
        self.open, self.answered, self.ended_s = True, None, now_s
        self.final_done = self.final_emitted = False

    def replied(self, before: Interviewer, answer: str, scorecard_number: int) -> None:
        if self.open:
            self.answered = Answered(before, answer, scorecard_number)

    def hold_back(self, events: list[ScorecardEvent]) -> bool:
        """Keep the reply's scorecard events until the end of turn stands; False: nothing to keep them for."""
        if self.answered is None:
            return False
        self.answered.scorecard += events
        return True

    def final_handled(self, emitted: bool) -> None:
        self.final_done, self.final_emitted = True, emitted

    def misjudged(self, speech_started_s: float, interviewer_started_s: float | None) -> bool:
        """The candidate's speech starting at ``speech_started_s`` continues the turn that ended."""
        if not self.open:
            return False
        return interviewer_started_s is None or speech_started_s - interviewer_started_s <= self.window_s

    def stands(self, now_s: float, interviewer_started_s: float | None) -> bool:
        """The interviewer has been speaking longer than the window: the end of turn stands."""
        return self.open and interviewer_started_s is not None and now_s - interviewer_started_s > self.window_s

    def close(self) -> list[ScorecardEvent]:
        """The turn that ended stays ended (a new answer, a barge-in, or the interviewer moved on);
        returns the scorecard events held back for it, now to be kept."""
        held = self.answered.scorecard if self.answered is not None else []
        self.open, self.answered = False, None
        return held
