"""When the candidate going on means the interviewer misjudged the end of their turn."""

from __future__ import annotations

from preppal.live.base import EvidenceNote
from preppal.live.offline.recovery import WINDOW_S, Recovery


def test_nothing_to_take_back_before_a_turn_has_ended() -> None:
    assert not Recovery().misjudged(10.0, None)


def test_going_on_before_the_interviewer_speaks_or_soon_after_is_the_same_answer() -> None:
    r = Recovery()
    r.turn_ended(10.0)
    assert r.misjudged(10.8, None)  # it has not said a word yet
    assert r.misjudged(11.0 + WINDOW_S, 11.0)  # just inside the window
    assert not r.misjudged(11.1 + WINDOW_S, 11.0)  # later: a barge-in, a new answer


def test_the_replys_notes_wait_until_the_turn_stands() -> None:
    r = Recovery()
    note = EvidenceNote("impact", "strong", "we cut costs", "a number", 1)
    r.turn_ended(10.0)
    assert not r.hold_back([note])  # no reply recorded: nothing to hold them for
    r.replied(before=object(), answer="We cut costs.", scorecard_number=1)  # type: ignore[arg-type]
    assert r.hold_back([note])
    assert not r.stands(11.0 + WINDOW_S, 11.0) and r.stands(11.1 + WINDOW_S, 11.0)
    assert r.close() == [note] and not r.open  # the turn stands: its notes are kept
    assert r.close() == []


def test_a_reply_before_the_turn_ended_is_not_kept() -> None:
    r = Recovery()
    r.replied(before=object(), answer="x", scorecard_number=0)  # type: ignore[arg-type]
    assert r.answered is None
