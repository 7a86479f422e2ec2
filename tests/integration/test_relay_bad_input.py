"""Bad input from the browser side: each case gets its ErrorResponse code, the connection is
kept or closed on purpose, nothing reaches Gemini, no traceback is logged and no upstream
session leaks (the fixture checks every stand-in connection is closed at the end)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from preppal.models import InterviewStatus
from preppal.realtime import codec
from preppal.realtime.client_pump import MAX_STRIKES
from preppal.realtime.limits import MAX_FRAME_BYTES
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import lifecycle
from tests.integration.test_relay_core import FRAME
from tests.support.relay_harness import wait_until


def no_tracebacks(caplog) -> None:
    for record in caplog.records:
        assert record.exc_info is None, record.getMessage()
        assert "Traceback" not in record.getMessage()


async def live(relay_env, standin):
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    return iid, candidate, standin.connections[0]


def unknown_payload() -> bytes:
    return bytes([(7 << 3) | 2, 3]) + b"abc"  # field 7, length-delimited: not in the oneof


@pytest.mark.parametrize(
    ("name", "frame", "code"),
    [
        ("text frame", "hello", 4003),
        ("undecodable protobuf", b"\xff\xff\xff\xff\x0f", 4003),
        ("empty message", b"", 4003),
        ("unknown payload", unknown_payload(), 4003),
        ("odd-length pcm", codec.client_audio(b"\x01\x02\x03"), 4004),
    ],
)
async def test_bad_frame_gets_an_error_and_the_connection_stays(relay_env, standin, caplog, name, frame, code):
    caplog.set_level(logging.DEBUG, "preppal")  # ours only: websockets would log every frame on the loop
    iid, candidate, upstream = await live(relay_env, standin)
    await candidate.ws.send(frame)
    errors = await candidate.wait_kind("error")
    assert [e.code for e in errors] == [code], name
    # Still connected and working: good audio after the bad frame reaches Gemini intact.
    good = b"\x05\x00" * (FRAME // 2) * 5
    for i in range(0, len(good), FRAME):
        await candidate.send_audio(good[i : i + FRAME])
    await upstream.wait_audio(len(good))
    assert bytes(upstream.audio_in) == good  # the bad chunk was not forwarded
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED
    no_tracebacks(caplog)


async def test_repeated_malformed_frames_close_the_connection(relay_env, standin, caplog):
    caplog.set_level(logging.DEBUG, "preppal")  # ours only: websockets would log every frame on the loop
    iid, candidate, _ = await live(relay_env, standin)
    for _ in range(MAX_STRIKES + 5):
        try:
            await candidate.ws.send(b"\xff\xff")
        except Exception:
            break
    assert await candidate.wait_closed() == 4003
    assert all(e.code == 4003 for e in candidate.of("error"))
    # The relay waits through the grace period, then finishes the interview (nothing said: ERROR).
    await wait_until(lambda: lifecycle.get_interview_any(iid).status == InterviewStatus.ERROR, timeout=5)
    no_tracebacks(caplog)


async def test_oversized_frame_closes_with_4005(relay_env, standin, caplog):
    caplog.set_level(logging.DEBUG, "preppal")  # ours only: websockets would log every frame on the loop
    iid, candidate, upstream = await live(relay_env, standin)
    await candidate.ws.send(codec.client_audio(b"\x00\x00" * (MAX_FRAME_BYTES // 2 + 1)))
    assert await candidate.wait_closed() == 4005
    assert [e.code for e in candidate.of("error")] == [4005]
    assert len(upstream.audio_in) == 0
    await wait_until(lambda: lifecycle.get_interview_any(iid).status != InterviewStatus.IN_PROGRESS, timeout=5)
    no_tracebacks(caplog)


async def test_audio_faster_than_real_time_is_dropped_with_4006(relay_env, standin, caplog):
    caplog.set_level(logging.DEBUG, "preppal")  # ours only: websockets would log every frame on the loop
    iid, candidate, upstream = await live(relay_env, standin)
    flood_s = 6
    for _ in range(flood_s * 50):  # six seconds of audio in one burst
        await candidate.send_audio(b"\x07\x00" * (FRAME // 2))
    errors = await candidate.wait_kind("error")
    assert errors[0].code == 4006
    await asyncio.sleep(0.5)
    assert candidate.close_code is None  # a flood is throttled, not fatal
    accepted = len(upstream.audio_in)
    assert 0 < accepted < flood_s * 32_000 * 0.6, accepted  # ≈ the 2 s burst allowance got through
    assert len([e for e in candidate.of("error") if e.code == 4006]) <= 2  # errors are rate-limited too
    # Real-time audio afterwards is accepted again.
    await asyncio.sleep(1.0)
    before = len(upstream.audio_in)
    for _ in range(10):
        await candidate.send_audio(b"\x08\x00" * (FRAME // 2))
        await asyncio.sleep(0.02)
    await upstream.wait_audio(before + 10 * FRAME)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]
    no_tracebacks(caplog)


async def test_empty_audio_chunk_is_ignored(relay_env, standin, caplog):
    caplog.set_level(logging.DEBUG, "preppal")  # ours only: websockets would log every frame on the loop
    iid, candidate, upstream = await live(relay_env, standin)
    await candidate.send_audio(b"")
    await candidate.send_audio(b"\x09\x00" * (FRAME // 2))
    await upstream.wait_audio(FRAME)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert not candidate.of("error")
    assert bytes(upstream.audio_in) == b"\x09\x00" * (FRAME // 2)
    no_tracebacks(caplog)


async def test_flood_of_tiny_frames_is_cut_by_frame_count(relay_env, standin, caplog, monkeypatch):
    """Issue 9: the limiter counted only audio bytes, so empty or 2-byte chunks could be sent
    as fast as the socket allows, each one parsed. Frames over the frame budget are now
    dropped before the parse, with at most one 4006 a second; the call goes on."""
    from preppal.realtime import client_pump
    from preppal.realtime.limits import FrameLimiter

    parsed = 0
    real_decode = client_pump.decode_client

    def counting_decode(data):
        nonlocal parsed
        parsed += 1
        return real_decode(data)

    monkeypatch.setattr(client_pump, "decode_client", counting_decode)
    caplog.set_level(logging.INFO)  # not DEBUG: websockets would log each of the 3,000 frames
    iid, candidate, upstream = await live(relay_env, standin)
    flood = 3_000
    tiny = codec.client_audio(b"")
    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(flood):
        await candidate.ws.send(tiny)
        if n % 50 == 49:
            await asyncio.sleep(0)  # the relay shares this loop in the test: let it read
    errors = await candidate.wait_kind("error")
    assert errors[0].code == 4006 and candidate.close_code is None
    elapsed = loop.time() - started + 1.0
    budget = FrameLimiter()
    assert parsed <= budget._capacity + budget._rate * elapsed < flood, (parsed, elapsed)
    await asyncio.sleep(1.5)  # the budget refills: ordinary audio flows again
    for _ in range(5):
        await candidate.send_audio(b"\x0a\x00" * (FRAME // 2))
        await asyncio.sleep(0.02)
    await upstream.wait_audio(5 * FRAME)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    no_tracebacks(caplog)


async def test_end_is_honoured_in_the_middle_of_a_frame_flood(relay_env, standin, caplog):
    """After a stall the browser's backlog arrives at once and overruns the frame budget; the
    candidate's End in that burst must still end the interview (it was dropped with the audio)."""
    caplog.set_level(logging.INFO)
    iid, candidate, upstream = await live(relay_env, standin)
    tiny = codec.client_audio(b"")
    for n in range(1_000):
        await candidate.ws.send(tiny)
        if n % 50 == 49:
            await asyncio.sleep(0)
    await candidate.end()  # right behind the flood: the budget is still spent
    assert await candidate.wait_closed() == 1000
    status = (await asyncio.to_thread(lifecycle.get_interview_any, iid)).status
    assert status == InterviewStatus.COMPLETED
    no_tracebacks(caplog)


async def test_a_second_live_interview_of_the_same_user_is_refused_with_4011(relay_env, standin, caplog):
    """Issue 9: one live interview per user. The token for the second was minted while the
    first was still pending; the relay refuses it once the first is live, with its own code
    (the call page says "You already have another interview in progress")."""
    from preppal import codes

    first = await asyncio.to_thread(relay_env.new_interview)
    second = await asyncio.to_thread(relay_env.new_interview)
    token = await asyncio.to_thread(relay_env.token, second)
    candidate = await relay_env.connect(first, await asyncio.to_thread(relay_env.token, first))
    await candidate.wait_kind("session_ready")
    other = await relay_env.connect(second, token)
    assert await other.wait_closed() == codes.ANOTHER_LIVE
    assert [e.code for e in other.of("error")] == [codes.ANOTHER_LIVE]
    status = (await asyncio.to_thread(lifecycle.get_interview_any, second)).status
    assert status == InterviewStatus.PENDING  # untouched: it can start once the first is over
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    no_tracebacks(caplog)
