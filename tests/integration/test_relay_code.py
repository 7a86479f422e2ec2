"""The code editor through the relay: CodeSnapshot frames → the real google-genai SDK →
the Live-API stand-in as context — ``client_content`` that does not end the candidate's
turn, or realtime text for a model that takes client content only as initial history —
held while the interviewer speaks; stored with their time; 4007 above 64 KiB without a close."""

from __future__ import annotations

import asyncio

from preppal.editor import MAX_CODE_BYTES
from preppal.live.prompt import CODE_LABEL
from preppal.models import InterviewStatus
from preppal.realtime import code_channel
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import code_snapshots, lifecycle
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings
from tests.support.relay_harness import wait_until

CODE_V1 = "def first_unique(s):\n    return None\n"
CODE_V2 = "def first_unique(s):\n    counts = Counter(s)\n    return next((c for c in s if counts[c] == 1), None)\n"


def snapshot(code: str, language: str = "python") -> bytes:
    return pb.ClientToServerMessage(code_snapshot=pb.CodeSnapshot(code=code, language=language)).SerializeToString()


def code_messages(conn) -> list[tuple[object, str]]:
    """(turn_complete, text) of the texts that carry the editor (not the opening cue)."""
    return [(t.turn_complete, t.text) for t in conn.texts if t.text.startswith(CODE_LABEL)]


def expected_channel(conn) -> str:
    """Where the service takes text mid-session (the stand-in's rule book, not our profile)."""
    return "client_content" if conn.rules.mid_session_client_content else "realtime_text"


async def test_snapshots_reach_gemini_as_context_and_are_stored(relay_env, standin, monkeypatch):
    monkeypatch.setattr(code_channel, "MIN_INTERVAL_S", 0.2)
    speaking = asyncio.Event()
    finish_turn = asyncio.Event()

    async def interviewer(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)  # the opening cue
        await conn.audio(b"\x01\x00" * 480)  # the model starts speaking …
        await conn.output_transcript("Please write a function.")
        speaking.set()
        await finish_turn.wait()
        await conn.turn_complete()  # … and finishes: held code may go now
        await conn.hold()

    standin.behaviours = [interviewer]
    env = relay_env
    iid = env.new_interview(interview_type="technical")
    candidate = await env.connect(iid, env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    instruction = conn.setup_value("system_instruction", "parts")[0]["text"]
    assert "shared code editor" in instruction and CODE_LABEL in instruction

    # While the interviewer speaks, a snapshot is held (client_content would interrupt it).
    await asyncio.wait_for(speaking.wait(), 5)
    await candidate.wait_kind("audio_response")
    await candidate.ws.send(snapshot(CODE_V1))
    await wait_until(lambda: len(code_snapshots.list_snapshots(iid)) == 1, timeout=5)
    await asyncio.sleep(0.3)
    assert code_messages(conn) == [], "code was sent while the interviewer was speaking"
    finish_turn.set()
    await conn.wait_for(lambda: len(code_messages(conn)) == 1, timeout=5)

    # After the turn: the newest snapshot goes up at once, labelled, without a turn end.
    await candidate.ws.send(snapshot(CODE_V2, "typescript"))
    await conn.wait_for(lambda: len(code_messages(conn)) == 2, timeout=5)
    channel = expected_channel(conn)
    assert [t.channel for t in conn.texts] == [channel] * 3  # the opening cue and two snapshots
    for (done, text), code in zip(code_messages(conn), (CODE_V1, CODE_V2), strict=True):
        if channel == "client_content":
            assert done is False, "turn_complete must be sent explicitly as false"
        assert "current code" in text and code.strip() in text
    assert "(TypeScript)" in code_messages(conn)[1][1]
    if channel == "client_content":
        assert conn.texts[0].turn_complete is True  # the opening cue does end its turn

    # A repeat (reconnect, turn-end flush with no change) is neither sent nor stored again.
    await candidate.ws.send(snapshot(CODE_V2, "typescript"))
    await asyncio.sleep(0.5)
    assert len(code_messages(conn)) == 2

    # Over the cap: a plain 4007 error, the snapshot is ignored, the socket stays open.
    await candidate.ws.send(snapshot("x" * (MAX_CODE_BYTES + 1)))
    errors = await candidate.wait_kind("error")
    assert [e.code for e in errors] == [4007] and "64 KiB" in errors[0].message
    assert candidate.close_code is None
    final = "# final\n" + CODE_V2
    await candidate.ws.send(snapshot(final))  # still accepted after the refusal
    await candidate.end()
    assert await candidate.wait_closed() == 1000

    stored = code_snapshots.list_snapshots(iid)
    assert [(s.language, s.code) for s in stored] == [("python", CODE_V1), ("typescript", CODE_V2), ("python", final)]
    assert all(b.at_ms >= a.at_ms for a, b in zip(stored, stored[1:], strict=False))
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED
    assert code_snapshots.final_snapshot(iid).code == final

    # Deleted with the interview.
    lifecycle.delete_interview(env.user_id, iid, open_store(get_settings()))
    assert code_snapshots.list_snapshots(iid) == []


async def test_a_snapshot_per_keystroke_is_throttled(relay_env, standin):
    async def listening(conn):
        await conn.hold()

    standin.behaviours = [listening]
    env = relay_env
    iid = env.new_interview(interview_type="technical")
    candidate = await env.connect(iid, env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    text = ""
    for ch in "print('hello world')":  # 20 snapshots in ~0.4 s
        text += ch
        await candidate.ws.send(snapshot(text))
        await asyncio.sleep(0.02)
    await conn.wait_for(lambda: any(text in sent for _, sent in code_messages(conn)), timeout=5)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    stored = code_snapshots.list_snapshots(iid)
    assert len(code_messages(conn)) <= 3 and len(stored) <= 3, (len(code_messages(conn)), len(stored))
    assert stored[-1].code == text  # the newest always wins


async def test_behavioural_rounds_have_no_editor_instruction(relay_env, standin):
    env = relay_env
    iid = env.new_interview(interview_type="behavioural")
    candidate = await env.connect(iid, env.token(iid))
    await candidate.wait_kind("session_ready")
    instruction = standin.connections[0].setup_value("system_instruction", "parts")[0]["text"]
    assert "code editor" not in instruction
    await candidate.end()
    assert await candidate.wait_closed() == 1000
