"""Holding the floor with Gemini, through the relay and the real SDK, on every supported Live model.

"I'll hold a key while I think" (``hands_free=False``): automatic activity detection is off
and the candidate's hold is sent as ``activity_start`` / ``activity_end`` around their audio.
Hands-free: Gemini's own detection decides; a hold sends nothing upstream (Google refuses
activity signals while its detection is on, and so does the stand-in).
"""

from __future__ import annotations

import asyncio

import pytest
from google.genai import types

from preppal.live.gemini_profiles import profile_for
from preppal.realtime import codec
from tests.integration.test_gemini_profiles import open_session
from tests.integration.test_relay_core import FRAME
from tests.support.live_api_rules import INVALID
from tests.support.relay_harness import point_gemini_at


async def speak(candidate, frames: int) -> None:
    for _ in range(frames):
        await candidate.send_audio(b"\x02\x00" * (FRAME // 2))


async def test_holding_a_key_marks_the_candidates_turn(relay_env, standin, gemini_model):
    if not profile_for(gemini_model).client_activity_signals:
        pytest.skip(f"{gemini_model} takes no client activity signals: hands-free only")
    iid = relay_env.new_interview(hands_free=False)
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    assert conn.setup_value("realtime_input_config", "automatic_activity_detection", "disabled") is True
    await speak(candidate, 4)  # before the hold (not the candidate's turn)
    await conn.wait_audio(FRAME * 4)
    await candidate.ws.send(codec.client_hold(True))
    await conn.wait_for(lambda: conn.activity == ["start"])
    before = len(conn.audio_in)
    await speak(candidate, 6)
    await conn.wait_audio(before + FRAME * 6)
    await candidate.ws.send(codec.client_hold(False))
    await conn.wait_for(lambda: conn.activity == ["start", "end"])
    assert conn.refused is None
    await candidate.end()
    await candidate.wait_closed()


async def test_hands_free_a_hold_sends_nothing_upstream(relay_env, standin, gemini_model):
    iid = relay_env.new_interview()  # hands-free, the default
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    assert conn.setup_value("realtime_input_config", "automatic_activity_detection", "disabled") is not True
    await candidate.ws.send(codec.client_hold(True))
    await speak(candidate, 6)
    await candidate.ws.send(codec.client_hold(False))
    await speak(candidate, 6)
    await conn.wait_audio(FRAME * 12)
    assert conn.activity == [] and conn.refused is None
    await candidate.end()
    await candidate.wait_closed()


async def test_the_stand_in_refuses_activity_signals_while_detection_is_on(db, standin, monkeypatch):
    """As Google does: the rule the hands-free path relies on can fail."""
    point_gemini_at(monkeypatch, standin, "gemini-3.8-live")
    session, manager = await open_session(types.LiveConnectConfig(response_modalities=[types.Modality.AUDIO]))
    try:
        await session.send_realtime_input(activity_start=types.ActivityStart())
        await standin.connections[0].wait_for(lambda: standin.connections[0].refused is not None)
        assert standin.connections[0].refused == (1007, INVALID[:123])
    finally:
        await manager.__aexit__(None, None, None)


async def test_a_hold_in_progress_is_sent_again_to_a_new_connection(relay_env, standin, gemini_model):
    """GoAway while the candidate holds: the next connection hears activity_start too."""
    if not profile_for(gemini_model).client_activity_signals:
        pytest.skip(f"{gemini_model} takes no client activity signals: hands-free only")

    async def first(conn):
        await conn.resumption("h1")
        await conn.wait_for(lambda: conn.activity == ["start"], timeout=10)
        await conn.go_away("1s")
        await conn.hold()

    async def second(conn):
        await conn.hold()

    standin.behaviours = [first, second]
    iid = relay_env.new_interview(hands_free=False)
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    await candidate.ws.send(codec.client_hold(True))
    await speak(candidate, 4)
    for _ in range(200):  # up to 10 s for the GoAway, the new connection and its signal
        if len(standin.connections) == 2 and standin.connections[1].activity == ["start"]:
            break
        await speak(candidate, 1)
        await asyncio.sleep(0.05)
    assert standin.connections[1].activity == ["start"] and standin.connections[1].refused is None
    await candidate.ws.send(codec.client_hold(False))
    await standin.connections[1].wait_for(lambda: standin.connections[1].activity == ["start", "end"])
    await candidate.end()
    await candidate.wait_closed()
