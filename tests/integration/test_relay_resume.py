"""Connections that come and go: Gemini's connection rotation (goAway, abrupt drops with a
resumption handle) and the candidate's network drop (grace period, resume token)."""

from __future__ import annotations

import asyncio

from preppal.models import InterviewStatus
from preppal.services.interviews import lifecycle
from preppal.services.interviews.worker_tokens import generate_worker_token
from tests.integration.test_relay_core import FRAME, forged, rows
from tests.support.relay_harness import wait_until


async def stream_audio(candidate, stop: asyncio.Event) -> int:
    """Send 20 ms frames in real time until ``stop``; returns bytes sent."""
    sent = 0
    while not stop.is_set():
        try:
            await candidate.send_audio(b"\x02\x00" * (FRAME // 2))
        except Exception:
            break
        sent += FRAME
        await asyncio.sleep(0.02)
    return sent


async def test_go_away_rotates_the_connection_without_losing_transcript(relay_env, standin):
    async def first(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await conn.resumption("h1")
        await conn.ai_turn([" Part", " one."])
        await conn.wait_audio(FRAME * 5)
        await conn.input_transcript(" My answer")
        await conn.resumption("h2")
        await conn.go_away("5s")
        await conn.hold()

    async def second(conn):
        await conn.wait_audio(FRAME * 5)  # candidate audio now flows here
        await conn.output_transcript(" After rotation.")
        await conn.turn_complete()
        await conn.hold()

    standin.behaviours = [first, second]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    stop = asyncio.Event()
    streamer = asyncio.create_task(stream_audio(candidate, stop))
    await candidate.wait_for(
        lambda: any(t.text == "After rotation." and t.is_final for t in candidate.of("transcript_update"))
    )
    stop.set()
    await streamer

    old, new = standin.connections
    assert new.setup_value("session_resumption", "handle") == "h2"
    assert new.texts == []  # the opening cue is not repeated on a resumed session
    await wait_until(lambda: old.closed.is_set(), timeout=5)  # the retired connection is closed
    assert not candidate.of("error")
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS

    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [(s, t) for _, s, t in rows(iid)] == [("AI", "Part one."), ("USER", "My answer"), ("AI", "After rotation.")]


async def test_abrupt_upstream_drop_with_a_handle_is_resumed(relay_env, standin):
    async def drop(conn):
        await conn.resumption("h-drop")
        await conn.ai_turn([" Before the drop."])
        await asyncio.sleep(0.05)
        await conn.close(1011, "internal error")

    async def resumed(conn):
        await conn.ai_turn([" Still here."])
        await conn.hold()

    standin.behaviours = [drop, resumed]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_for(
        lambda: any(t.text == "Still here." and t.is_final for t in candidate.of("transcript_update"))
    )
    assert standin.connections[1].setup_value("session_resumption", "handle") == "h-drop"
    assert not candidate.of("error")
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [t for _, _, t in rows(iid)] == ["Before the drop.", "Still here."]


async def test_candidate_network_drop_then_resume(relay_env, standin, sink):
    speak_now = asyncio.Event()

    async def script(conn):
        await conn.ai_turn([" Question", " one."])
        await speak_now.wait()
        await conn.audio(b"\x33\x00" * 2400)
        await conn.output_transcript(" While you were away.")
        await conn.turn_complete()
        await conn.wait_audio(FRAME * 5)
        await conn.input_transcript(" I am back.")
        await conn.ai_turn([" Welcome back."])
        await conn.hold()

    standin.behaviours = [script]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid, "tab-1"))
    await candidate.wait_for(lambda: any(t.is_final for t in candidate.of("transcript_update")))

    candidate.ws.transport.abort()  # the network goes away, no close handshake
    await wait_until(lambda: not relay_env.hub.session(iid).link.attached)
    speak_now.set()
    await wait_until(lambda: any(t == "While you were away." for _, _, t in rows(iid)))  # persisted while detached
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS

    back = await relay_env.connect(iid, relay_env.token(iid, "tab-1", resume=True))
    await back.wait_kind("session_ready")
    replayed = await back.wait_for(lambda: [t for t in back.of("transcript_update") if t.is_final])
    assert replayed[0].text == "While you were away."
    audio = await back.wait_kind("audio_response")
    assert audio[0].audio_content == b"\x33\x00" * 2400  # the AI audio spoken during the drop
    stop = asyncio.Event()
    streamer = asyncio.create_task(stream_audio(back, stop))
    await back.wait_for(lambda: "Welcome back." in back.finals())
    stop.set()
    await streamer
    await back.end()
    assert await back.wait_closed() == 1000
    assert [t for _, _, t in rows(iid)] == ["Question one.", "While you were away.", "I am back.", "Welcome back."]
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED
    assert len(standin.connections) == 1  # the upstream session survived the drop


async def test_resume_takes_over_a_stale_socket(relay_env, standin):
    iid = relay_env.new_interview()
    old = await relay_env.connect(iid, relay_env.token(iid))
    await old.wait_kind("session_ready")
    new = await relay_env.connect(iid, relay_env.token(iid, resume=True))
    await new.wait_kind("session_ready")
    assert await old.wait_closed() == 4009
    await new.end()
    assert await new.wait_closed() == 1000


async def test_another_tab_takes_the_call_over_with_the_transcript_and_the_clock(relay_env, standin, sink):
    """Issue 24: a second tab that rejoins gets the transcript so far on its page, then what
    follows; the first tab gets nothing more; both sockets' SessionReady count from the same
    first live moment."""
    more = asyncio.Event()

    async def talk(conn):
        await conn.ai_turn([" Welcome.", " Tell me about a project."])
        await conn.output_transcript(" Take your")  # a line under way when the other tab joins
        await more.wait()
        await conn.output_transcript(" time.")
        await conn.turn_complete()
        await conn.hold()

    standin.behaviours = [talk]
    iid = relay_env.new_interview()
    first = await relay_env.connect(iid, relay_env.token(iid, "tab-a"))
    ready_a = (await first.wait_kind("session_ready"))[0]
    await wait_until(lambda: any(u.text == "Take your" for t, _, u in sink.pushes if t == "tab-a"))
    await asyncio.sleep(0.3)
    second = await relay_env.connect(iid, relay_env.token(iid, "tab-b", resume=True))
    ready_b = (await second.wait_kind("session_ready"))[0]
    assert await first.wait_closed() == 4009
    assert ready_b.elapsed_ms >= ready_a.elapsed_ms + 300  # one clock: the interview's, not the socket's
    await wait_until(lambda: sink.finals("tab-b") == [("AI", "Welcome. Tell me about a project.")])
    assert any(u.text == "Take your" and not u.final for t, _, u in sink.pushes if t == "tab-b")
    pushed_to_a = len([1 for t, _, _ in sink.pushes if t == "tab-a"])
    more.set()
    await wait_until(lambda: ("AI", "Take your time.") in sink.finals("tab-b"))
    assert len([1 for t, _, _ in sink.pushes if t == "tab-a"]) == pushed_to_a
    await second.end()
    assert await second.wait_closed() == 1000


async def test_a_tabs_automatic_reconnect_never_takes_the_call_back(relay_env, standin):
    """Tab A's call was taken over by tab B; if A missed its 4009 and reconnects by itself, it
    is refused 4009 (B keeps the call). A person's Rejoin in A would move it back."""
    iid = relay_env.new_interview()
    first = await relay_env.connect(iid, relay_env.token(iid, "tab-a"))
    await first.wait_kind("session_ready")
    second = await relay_env.connect(iid, relay_env.token(iid, "tab-b", resume=True))
    await second.wait_kind("session_ready")
    assert await first.wait_closed() == 4009
    retry = generate_worker_token(relay_env.user_id, iid, "tab-a", resume=True, retry=True)
    again = await relay_env.connect(iid, retry)
    assert await again.wait_closed() == 4009
    assert [e.code for e in again.of("error")] == [4009]
    assert second.of("error") == []  # B still has the call
    own = generate_worker_token(relay_env.user_id, iid, "tab-b", resume=True, retry=True)
    back = await relay_env.connect(iid, own)  # B's own reconnect replaces its own socket
    await back.wait_kind("session_ready")
    assert await second.wait_closed() == 4009
    await back.end()
    assert await back.wait_closed() == 1000


async def test_no_resume_within_grace_finishes_the_interview(relay_env, standin):
    async def talk(conn):
        await conn.ai_turn([" Hello there."])
        await conn.hold()

    standin.behaviours = [talk]
    spoken = relay_env.new_interview()
    candidate = await relay_env.connect(spoken, relay_env.token(spoken))
    await candidate.wait_for(lambda: any(t.is_final for t in candidate.of("transcript_update")))
    await candidate.close()  # tab closed
    await wait_until(lambda: lifecycle.get_interview_any(spoken).status == InterviewStatus.COMPLETED, timeout=5)
    assert lifecycle.get_interview_any(spoken).end_reason == "DISCONNECTED"
    assert [t for _, _, t in rows(spoken)] == ["Hello there."]

    standin.behaviours = [lambda conn: conn.hold()]
    silent = relay_env.new_interview()
    candidate = await relay_env.connect(silent, relay_env.token(silent))
    await candidate.wait_kind("session_ready")
    candidate.ws.transport.abort()
    await wait_until(lambda: lifecycle.get_interview_any(silent).status == InterviewStatus.ERROR, timeout=5)
    assert lifecycle.get_interview_any(silent).error_code == 4010
    # Too late to come back now.
    late = await relay_env.connect(silent, forged(silent, relay_env.user_id, jti="late", purpose="resume"))
    assert await late.wait_closed() == 4001
    assert [e.code for e in late.of("error")] == [4001]
    assert not late.of("session_ended")
