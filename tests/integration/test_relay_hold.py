"""Holding the floor and taking back a misjudged end of turn, through the relay (offline interviewer).

A scripted browser speaks the protobuf contract in real time (the relay refuses audio faster
than real time). The candidate answers over the interviewer's greeting (a barge-in), so a
test does not have to sit through it.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from preppal.realtime import codec
from preppal.services.interviews import transcripts
from tests.integration.test_relay_offline import offline  # noqa: F401  (fixture)
from tests.support.speech import speech

pytestmark = pytest.mark.model


@pytest.fixture
def gemini_model() -> str:
    """The offline interviewer answers here: the relay fixture needs no run per Gemini model."""
    return "gemini-3.8-live"


FRAME = 640  # 20 ms


async def speak(candidate, pcm: bytes) -> None:
    """Send ``pcm`` as 20 ms frames at the pace a microphone produces them."""
    start = time.monotonic()
    for i, at in enumerate(range(0, len(pcm), FRAME)):
        await candidate.send_audio(pcm[at : at + FRAME])
        await asyncio.sleep(max(0.0, start + (i + 1) * 0.02 - time.monotonic()))


def quiet(seconds: float) -> bytes:
    return b"\x00\x00" * int(16_000 * seconds)


def ai_texts_after(candidate, index: int) -> list[str]:
    return [
        m.transcript_update.text
        for m in candidate.messages[index:]
        if m.WhichOneof("payload") == "transcript_update" and m.transcript_update.speaker == "AI"
    ]


async def greeted(relay_env) -> tuple[str, object]:
    iid = relay_env.new_interview(interview_type="behavioural", difficulty="intense")
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready", timeout=60)
    await candidate.wait_kind("audio_response", timeout=30)  # the greeting is playing
    return iid, candidate


async def test_a_held_floor_keeps_the_interviewer_silent_through_a_long_pause(relay_env, offline):  # noqa: F811
    iid, candidate = await greeted(relay_env)
    await candidate.ws.send(codec.client_hold(True))
    await speak(candidate, await speech("I led the move of our billing service to a new cloud provider.", tail_s=0.0))
    seen = len(candidate.messages)
    await speak(candidate, quiet(4.0))  # holding through 4 s of silence, twice the pause cap
    assert ai_texts_after(candidate, seen) == []
    assert all(m.WhichOneof("payload") != "audio_response" for m in candidate.messages[seen:])
    await candidate.ws.send(codec.client_hold(False))
    await speak(candidate, quiet(3.0))
    await candidate.wait_for(lambda: ai_texts_after(candidate, seen), timeout=20)  # it answers
    await candidate.end()
    await candidate.wait_closed(timeout=15)
    rows = await asyncio.to_thread(transcripts.get_transcript, iid)
    users = [row for row in rows if row.speaker.value == "USER"]
    assert len(users) == 1 and "cloud" in users[0].text.lower(), users


async def test_going_on_as_the_interviewer_starts_withdraws_its_line_everywhere(relay_env, offline, sink):  # noqa: F811
    iid, candidate = await greeted(relay_env)
    await speak(candidate, await speech("In my last job I led the move of our billing service.", tail_s=0.0))
    seen = len(candidate.messages)
    silence = quiet(0.02)
    async with asyncio.timeout(20):  # pause until the interviewer starts its reply
        while not any(m.WhichOneof("payload") == "audio_response" for m in candidate.messages[seen:]):
            await candidate.send_audio(silence)
            await asyncio.sleep(0.02)
    await speak(
        candidate, await speech("It took four months and cut our hosting bill by a third.", lead_s=0.0, tail_s=0.0)
    )
    retracted = await candidate.wait_kind("transcript_retracted", timeout=10)
    gone = retracted[0].segment_id
    await speak(candidate, quiet(3.0))  # the end of the (one) answer
    await candidate.end()
    await candidate.wait_closed(timeout=15)
    rows = await asyncio.to_thread(transcripts.get_transcript, iid)
    assert gone not in [row.sequence for row in rows]  # not stored, so feedback never sees it
    users = [row for row in rows if row.speaker.value == "USER"]
    assert len(users) == 1 and "last job" in users[0].text.lower() and "month" in users[0].text.lower(), users
    assert any(getattr(push, "removed", False) and push.segment_id == gone for _token, _iid, push in sink.pushes)
