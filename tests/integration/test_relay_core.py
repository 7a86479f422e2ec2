"""The relay end to end: browser socket → route → relay → real google-genai SDK → stand-in.

Spec 003 §7 (worker integration tests): invalid JWTs close with 4001, the status goes
IN_PROGRESS once the upstream is connected, transcript and audio are forwarded, and
EndRequest / the session cap / upstream errors end in COMPLETED (with transcript rows)
or ERROR.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from preppal.models import FeedbackStatus, InterviewStatus
from preppal.realtime.hub import RelayConfig
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.feedback import queue
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.worker_tokens import ALGORITHM, AUDIENCE
from preppal.settings import get_settings, reset_settings
from tests.support.relay_harness import wait_until

FRAME = 640  # 20 ms of 16 kHz PCM16


def status(interview_id: str) -> InterviewStatus:
    return lifecycle.get_interview_any(interview_id).status


def rows(interview_id: str) -> list[tuple[int, str, str]]:
    return [(e.sequence, e.speaker.value, e.text) for e in transcripts.get_transcript(interview_id)]


def forged(interview_id: str, user_id: int, *, key: str | None = None, exp_delta: int = 300, **extra) -> str:
    now = datetime.now(UTC)
    claims = {
        "userId": user_id,
        "interviewId": interview_id,
        "jti": extra.pop("jti", "forged-jti"),
        "iat": now,
        "exp": now + timedelta(seconds=exp_delta),
        "aud": AUDIENCE,
        "purpose": "connect",
        "client": "c",
        **extra,
    }
    return jwt.encode(claims, key or get_settings().secret_key, algorithm=ALGORITHM)


async def greet(conn):
    """Gemini greets (two fragments + audio), listens, then answers once."""
    await conn.wait_for(lambda: conn.texts, timeout=5)
    await conn.resumption("handle-1")
    await conn.ai_turn([" Hello,", " tell me about yourself."], pcm_per_word=b"\x10\x00" * 1200)
    await conn.wait_audio(FRAME * 10)
    await conn.input_transcript(" I build")
    await conn.input_transcript(" payment systems.")
    await conn.ai_turn([" Great,", " thanks."])
    await conn.hold()


async def test_invalid_tokens_are_refused_with_4001(relay_env, standin):
    env = relay_env
    iid = env.new_interview()
    other = env.new_interview()
    started = env.new_interview()
    lifecycle.update_status(started, InterviewStatus.ERROR, expected=InterviewStatus.PENDING)
    reused = env.token(iid)
    cases = {
        "missing": (iid, ""),
        "bad signature": (iid, forged(iid, env.user_id, key="not-the-secret-key-" * 3)),
        "expired": (iid, forged(iid, env.user_id, exp_delta=-10, jti="j-exp")),
        "other interview": (iid, env.token(other)),
        "other user": (iid, forged(iid, env.user_id + 1, jti="j-user")),
        "not pending": (started, forged(started, env.user_id, jti="j-state")),
    }
    for name, (target, token) in cases.items():
        candidate = await env.connect(target, token)
        assert await candidate.wait_closed() == 4001, name
        errors = candidate.of("error")
        assert [e.code for e in errors] == [4001], name
        assert errors[0].message and "Traceback" not in errors[0].message
    # A token opens one connection only: first use works, the replay is refused.
    first = await env.connect(iid, reused)
    await first.wait_kind("session_ready")
    replay = await env.connect(iid, reused)
    assert await replay.wait_closed() == 4001
    assert [e.code for e in replay.of("error")] == [4001]
    await first.end()
    assert await first.wait_closed() == 1000
    assert len(standin.connections) == 1  # no refused attempt opened an upstream session


@pytest.mark.parametrize("wire_fast_path", [True, False], ids=["wire", "sdk-models"])
async def test_full_session_forwards_transcript_and_audio_then_completes(
    relay_env, standin, sink, monkeypatch, wire_fast_path
):
    monkeypatch.setenv("PREPPAL_GEMINI_WIRE_FAST_PATH", "1" if wire_fast_path else "0")
    reset_settings()
    standin.behaviours = [greet]
    env = relay_env
    iid = env.new_interview(job_description="Payments team, Python and Postgres.", resume_text="Ten years at Acme.")
    assert status(iid) == InterviewStatus.PENDING
    candidate = await env.connect(iid, env.token(iid, "tab-42"))

    ready = (await candidate.wait_kind("session_ready"))[0]
    assert (ready.interviewer, ready.output_sample_rate) == ("gemini", 24000)
    assert status(iid) == InterviewStatus.IN_PROGRESS
    assert lifecycle.get_interview_any(iid).interviewer == "gemini"

    # What the SDK sent upstream: a full setup built from the interview brief.
    conn = standin.connections[0]
    assert conn.api_key == "test-key"
    settings = get_settings()
    assert "BidiGenerateContent" in conn.path and f".{settings.api_version}." in conn.path
    assert conn.setup_value("model").rsplit("/", 1)[-1] == settings.gemini_model
    assert ("aiplatform" in conn.path) == settings.gemini_vertex
    assert conn.setup_value("generation_config", "response_modalities") == ["AUDIO"]
    instruction = conn.setup_value("system_instruction", "parts")[0]["text"]
    assert "Backend engineer" in instruction and "Payments team" in instruction and "Acme" in instruction
    for key in ("input_audio_transcription", "output_audio_transcription", "context_window_compression"):
        assert conn.setup_value(key) is not None, key
    assert conn.setup_value("session_resumption") is not None
    voice = conn.setup_value("generation_config", "speech_config", "voice_config", "prebuilt_voice_config")
    assert (voice.get("voiceName") or voice.get("voice_name")) == get_settings().gemini_voice

    # AI greeting: transcript deltas assembled into one segment, audio at 24 kHz.
    await candidate.wait_for(lambda: any(t.is_final for t in candidate.of("transcript_update")))
    finals = [t for t in candidate.of("transcript_update") if t.is_final]
    assert (finals[0].speaker, finals[0].text) == ("AI", "Hello, tell me about yourself.")
    audio = await candidate.wait_kind("audio_response", 2)
    assert all(a.sample_rate == 24000 for a in audio)
    assert audio[0].audio_content == b"\x10\x00" * 1200
    partials = [t for t in candidate.of("transcript_update") if t.segment_id == finals[0].segment_id]
    assert partials[0].text == "Hello," and not partials[0].is_final

    # Candidate speaks 0.4 s in 20 ms frames: every byte reaches Gemini, in fewer messages.
    sent = bytes(range(256)) * 5 * 2  # 2560 bytes pattern
    speech = (sent * 4)[: FRAME * 20]
    for i in range(0, len(speech), FRAME):
        await candidate.send_audio(speech[i : i + FRAME])
        await asyncio.sleep(0.02)
    await conn.wait_audio(len(speech))
    assert bytes(conn.audio_in[: len(speech)]) == speech
    assert conn.audio_messages <= 8  # 60 ms batches: 6 full + the trailing 40 ms (+1 for jitter)

    await candidate.wait_for(lambda: len([t for t in candidate.of("transcript_update") if t.is_final]) >= 3)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]

    done = lifecycle.get_interview_any(iid)
    assert done.status == InterviewStatus.COMPLETED and done.end_reason == "USER_INITIATED"
    assert done.lease_owner is None  # let go when it ended
    assert queue.get_feedback_any(iid).status == FeedbackStatus.PENDING  # the feedback is queued
    assert [(s, t) for _, s, t in rows(iid)] == [
        ("AI", "Hello, tell me about yourself."),
        ("USER", "I build payment systems."),
        ("AI", "Great, thanks."),
    ]
    assert [r[0] for r in rows(iid)] == sorted({r[0] for r in rows(iid)})  # sequence = segment ids

    # The meeting page got the transcript, addressed to the client token from the JWT (the
    # session's last pushes are delivered before it is forgotten). Its phase is the browser's.
    await wait_until(lambda: relay_env.hub.session(iid) is None)
    assert {token for token, _, _ in sink.pushes} == {"tab-42"}
    assert {i for _, i, _ in sink.pushes} == {iid}
    pushed_finals = [(u.speaker, u.text) for _, _, u in sink.pushes if u.final]
    assert pushed_finals == [(s, t) for _, s, t in rows(iid)]


async def test_session_cap_ends_with_timeout(relay_env, standin, monkeypatch):
    monkeypatch.setenv("PREPPAL_MAX_SESSION_S", "1")
    reset_settings()

    async def talk(conn):
        await conn.ai_turn([" Welcome."])
        await conn.hold()

    standin.behaviours = [talk]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert (await candidate.wait_kind("session_ready"))[0].max_duration_s == 1
    assert await candidate.wait_closed(timeout=5) == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.TIMEOUT]
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.end_reason) == (InterviewStatus.COMPLETED, "TIMEOUT")
    assert [t for _, _, t in rows(iid)] == ["Welcome."]


@pytest.mark.parametrize("wire_fast_path", [True, False], ids=["wire", "sdk-models"])
@pytest.mark.parametrize("close_code", [1008, 1011])
async def test_upstream_error_marks_error_and_keeps_transcript(
    relay_env, standin, monkeypatch, close_code, wire_fast_path
):
    monkeypatch.setenv("PREPPAL_GEMINI_WIRE_FAST_PATH", "1" if wire_fast_path else "0")
    reset_settings()

    async def fail(conn):
        await conn.ai_turn([" First question:", " why us?"])
        await conn.output_transcript(" And also")  # an open segment when the upstream dies
        await asyncio.sleep(0.1)
        await conn.close(close_code, "upstream trouble")

    standin.behaviours = [fail]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed() == 4002
    errors = candidate.of("error")
    assert [e.code for e in errors] == [4002]
    assert "upstream trouble" not in errors[0].message  # plain message, no upstream detail
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.error_code) == (InterviewStatus.ERROR, 4002)
    assert [t for _, _, t in rows(iid)] == ["First question: why us?", "And also"]
    assert len(standin.connections) == 1  # no resumption without a handle


async def test_setup_that_never_completes_times_out(relay_env, standin, monkeypatch):
    monkeypatch.setenv("GEMINI_CONNECT_TIMEOUT_S", "0.5")
    reset_settings()
    standin.complete_setup = lambda index: False
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed(timeout=5) == 4002
    assert [e.code for e in candidate.of("error")] == [4002]
    assert not candidate.of("session_ready")
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.error_code) == (InterviewStatus.ERROR, 4002)


async def test_second_connection_is_refused_with_4009(relay_env, standin):
    iid = relay_env.new_interview()
    first_token, second_token = relay_env.token(iid), relay_env.token(iid)
    first = await relay_env.connect(iid, first_token)
    await first.wait_kind("session_ready")
    second = await relay_env.connect(iid, second_token)
    assert await second.wait_closed() == 4009
    assert [e.code for e in second.of("error")] == [4009]
    assert first.close_code is None  # the live session is untouched
    await first.end()
    assert await first.wait_closed() == 1000
    assert len(standin.connections) == 1


async def test_ai_can_end_the_interview(relay_env, standin):
    async def conclude(conn):
        await conn.output_transcript(" Thanks, that is all.")
        await conn.tool_call("end_interview")
        await asyncio.sleep(0.05)
        await conn.turn_complete()
        await conn.hold()

    standin.behaviours = [conclude]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed() == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.GEMINI_ENDED]
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.end_reason) == (InterviewStatus.COMPLETED, "GEMINI_ENDED")
    assert standin.connections[0].tool_responses  # the SDK answered the tool call


async def test_barge_in_forwards_interrupted_and_closes_the_ai_segment(relay_env, standin):
    async def barge_in(conn):
        await conn.audio(b"\x01\x00" * 480)
        await conn.output_transcript(" Let me explain the")
        await conn.input_transcript(" Sorry, quick question")
        await conn.interrupted()
        await conn.turn_complete()
        await conn.ai_turn([" Sure, go ahead."])
        await conn.hold()

    standin.behaviours = [barge_in]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_for(lambda: "Sure, go ahead." in candidate.finals())
    kinds = [m.WhichOneof("payload") for m in candidate.messages]
    cut = kinds.index("interrupted")
    assert "Let me explain the" in candidate.finals()  # the cut-off AI segment was closed
    closing = [t for t in candidate.of("transcript_update") if t.is_final and t.text == "Let me explain the"][0]
    assert candidate.messages.index(next(m for m in candidate.messages if m.transcript_update == closing)) < cut
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [(s, t) for _, s, t in rows(iid)] == [
        ("AI", "Let me explain the"),
        ("USER", "Sorry, quick question"),
        ("AI", "Sure, go ahead."),
    ]


@pytest.mark.parametrize("relay_config", [RelayConfig(grace_s=1.0, lease_ttl_s=1.0)])
async def test_lease_is_taken_live_and_renewed(relay_env, standin):
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    first = lifecycle.get_interview_any(iid)
    assert first.lease_owner == relay_env.hub.worker_id
    await wait_until(lambda: lifecycle.get_interview_any(iid).lease_until > first.lease_until, timeout=5)
    assert lifecycle.get_interview_any(iid).heartbeat_at > first.heartbeat_at
    await candidate.end()
    assert await candidate.wait_closed() == 1000
