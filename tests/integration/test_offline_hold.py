"""Holding the floor and recovering from a misjudged end of turn, in the offline interviewer.

Real models, audio fed faster than real time (the backend listens on the stream clock): where
a test needs something to happen *during* a pause it stops feeding, which freezes the clock.
"""

from __future__ import annotations

import pytest

from preppal.live.base import AIAudio, AITranscript, Checkpoint, Interrupted, Retracted, TurnComplete
from preppal.live.offline.audio import silence
from preppal.live.offline.recovery import WINDOW_S
from tests.integration.test_offline_backend import TAIL_S, fuzzy_has, started
from tests.integration.test_offline_turns import RULES, past_the_opening, settle, until
from tests.support.speech import feed, speech

pytestmark = pytest.mark.model
FINISHED = "We finished the project two weeks early and saved about twenty thousand dollars in hosting costs."


async def test_while_the_floor_is_held_a_long_silence_never_ends_the_turn_and_release_hands_it_back() -> None:
    call = await started(interview_id="hold-offline")
    try:
        await past_the_opening(call)
        await call.backend.hold_floor(True)
        await feed(call.backend, await speech(FINISHED, tail_s=0.0))
        for _ in range(40):  # 4 s of silence, far past the 2 s cap
            await feed(call.backend, silence(0.1, 16_000))
        await until(lambda: call.backend._decoding == 0)
        assert call.backend.turn_ended_at is None
        assert sum(isinstance(e, TurnComplete) for e in call.events) == 1  # only the opening
        await call.backend.hold_floor(False)
        await feed(call.backend, silence(RULES.cap_silence_ms / 1000 + 0.2, 16_000))  # the pause counts from here
        reply = await call.ai_turn(2)
        assert call.backend.turn_ended_at is not None and len(reply) > 10
    finally:
        await call.backend.close()


async def test_a_hold_before_speaking_keeps_the_silence_prompt_away() -> None:
    call = await started(interview_id="hold-quiet")
    call.backend._silence_prompt_s = 1.0
    try:
        await past_the_opening(call)
        await call.backend.hold_floor(True)
        for _ in range(30):
            await feed(call.backend, silence(0.1, 16_000))
            await settle(call)
        assert sum(isinstance(e, TurnComplete) for e in call.events) == 1
        await call.backend.hold_floor(False)
        await feed(call.backend, silence(1.5, 16_000))
        await call.ai_turn(2)  # "Take your time…" once the hold is let go
    finally:
        await call.backend.close()


async def ended_turn_and_reply_started(call, text: str) -> int:
    """Speak ``text``, pause until the turn ends, then wait for the reply's first audio (the clock stands)."""
    await past_the_opening(call)
    opened = len(call.events)
    await feed(call.backend, await speech(text, tail_s=0.0))
    for _ in range(RULES.cap_silence_ms // 100 + 2):
        if call.backend.turn_ended_at is not None:
            break
        await feed(call.backend, silence(0.1, 16_000))
        await until(lambda: call.backend._decoding == 0)
        await settle(call)
    assert call.backend.turn_ended_at is not None
    await call.wait_for(lambda evs: any(isinstance(e, AIAudio) for e in evs[opened:]))
    return opened


async def test_going_on_right_after_the_interviewer_starts_takes_its_line_back_and_keeps_one_answer() -> None:
    call = await started(interview_id="recover-offline", difficulty="intense")
    try:
        opened = await ended_turn_and_reply_started(call, "In my last job I led the move of our billing service.")
        rest = await speech(
            "It took four months and cut our hosting bill by thirty percent.", lead_s=0.0, tail_s=TAIL_S
        )
        await feed(call.backend, rest)
        reply = await call.ai_turn(3)
        events = call.events[opened:]
        retracted = [e for e in events if isinstance(e, Retracted)]
        assert call.backend.stats.recoveries == 1 and len(retracted) == 1
        assert retracted[0].reopen_user
        assert any(isinstance(e, Interrupted) for e in events)  # the queued audio is dropped at once
        first = next(i for i, e in enumerate(events) if isinstance(e, Retracted))
        assert any(isinstance(e, Checkpoint) for e in events[first:])  # the dialogue state is taken back
        (answer,) = call.user_segments()  # one answer, both parts
        assert fuzzy_has(answer, "job") and fuzzy_has(answer, "months"), answer
        assert "bring it back" not in reply and "steer" not in reply, reply
    finally:
        await call.backend.close()


async def test_going_on_later_is_a_barge_in_and_starts_a_new_answer() -> None:
    call = await started(interview_id="recover-late")
    try:
        opened = await ended_turn_and_reply_started(call, "In my last job I led the move of our billing service.")
        await feed(call.backend, silence(WINDOW_S + 0.5, 16_000))  # the interviewer has been talking a while
        await feed(call.backend, await speech("Sorry, could you say that again?", lead_s=0.0, tail_s=TAIL_S))
        await call.wait_for(lambda evs: any(isinstance(e, Interrupted) for e in evs[opened:]))
        assert call.backend.stats.recoveries == 0
        assert not any(isinstance(e, Retracted) for e in call.events)
        assert any(isinstance(e, AITranscript) and e.text.strip() for e in call.events[opened:])
    finally:
        await call.backend.close()


async def test_a_patient_interview_lets_a_pause_run_past_the_steady_cap() -> None:
    """Patience (from Warm-up here) feeds the offline end of turn: a 2.4 s pause is not the end."""
    call = await started(interview_id="patient-offline", difficulty="warmup", patience="")  # unset: Warm-up's
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech("At my last job I wrote a deployment script, and", tail_s=0.0))
        for _ in range(24):
            await feed(call.backend, silence(0.1, 16_000))
            await settle(call)
        assert call.backend.turn_ended_at is None  # steady would have ended it at 2.0 s
        await feed(call.backend, silence(0.8, 16_000))  # patient's 3 s cap
        assert call.backend.turn_ended_at is not None
    finally:
        await call.backend.close()
