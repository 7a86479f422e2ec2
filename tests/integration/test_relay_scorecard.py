"""Gemini keeps the scorecard through Live function calls, per supported model, against the
stand-in that keeps each model's call semantics (asynchronous NON_BLOCKING + SILENT answers,
or blocking): a call while the candidate speaks, a malformed call, a call for an unknown
question, an over-long quote and a retried call are each answered informatively and stored
once, fenced by the lease, without a loop stall (the loop guard watches every test here) and
without losing one frame of the candidate's audio."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from preppal import rubric
from preppal.db import session_scope
from preppal.live.scorecard_tools import MARK_TOOL, NOTE_TOOL
from preppal.models import Interview, InterviewStatus, utcnow
from preppal.services.interviews import lifecycle, scorecard_entries
from tests.support.relay_harness import wait_until

FRAME = 1280  # 40 ms of 16 kHz PCM16
QUESTION = {"number": 1, "competency": "approach", "follow_up": False, "question": "How would you find a slow query?"}
NOTE = {
    "competency": "approach",
    "strength": "strong",
    "quote": "I would start with the slow query log",
    "why": "Starts from measurement.",
}


def responses(conn) -> list[dict]:
    out = []
    for tr in conn.tool_responses:
        out += tr.get("functionResponses") or tr.get("function_responses") or []
    return out


async def call(conn, name: str, call_id: str, args) -> None:
    """One call the way the model makes it: a blocking model waits for its answer."""
    count = len(conn.tool_responses)
    await conn.tool_call(name, call_id, args)
    if conn.blocks_on(name):
        await conn.wait_tool_response(count + 1)


async def speak(candidate, frames: int, stop: asyncio.Event) -> int:
    """The candidate talks in real time (40 ms frames) until ``frames`` or ``stop``."""
    sent = 0
    while sent < frames and not stop.is_set():
        await candidate.send_audio(bytes([sent % 251, 1]) * (FRAME // 2))
        sent += 1
        await asyncio.sleep(0.04)
    return sent * FRAME


async def test_the_interviewer_records_questions_and_evidence_while_the_candidate_speaks(
    relay_env, standin, gemini_model
):
    calls_done = asyncio.Event()

    async def interviewer(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)  # the greeting cue
        await call(conn, MARK_TOOL, "q1", QUESTION)
        await conn.ai_turn([" How would you find", " a slow query?"])
        await conn.wait_audio(FRAME * 5)  # the candidate is speaking
        await conn.input_transcript(" I would start with the slow query log")
        await call(conn, NOTE_TOOL, "n1", NOTE)  # while the candidate speaks
        await call(conn, NOTE_TOOL, "bad-1", {"competency": "charisma", "strength": "great", "quote": ""})
        await call(conn, MARK_TOOL, "bad-2", {"number": "three", "competency": "approach", "question": "?"})
        await call(conn, NOTE_TOOL, "bad-3", ["not", "an", "object"])
        weak = NOTE | {"strength": "weak", "quote": "and then guess", "why": "No plan.", "question_number": 9}
        await call(conn, NOTE_TOOL, "n2", weak)  # a question that was never marked
        await call(conn, NOTE_TOOL, "n3", NOTE | {"competency": "testing", "quote": "then I test " * 80})
        await call(conn, NOTE_TOOL, "n1", NOTE)  # the same call again (a retry): answered, not stored twice
        await call(conn, NOTE_TOOL, "n4", NOTE)  # the same note under a new id: stored once
        await conn.input_transcript(" and then guess, then I test it.")
        calls_done.set()
        await conn.ai_turn([" Thanks,", " that is all. Goodbye."])
        await conn.hold()

    standin.behaviours = [interviewer]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    await candidate.wait_for(lambda: "How would you find a slow query?" in candidate.finals())
    sent = await speak(candidate, 200, calls_done)  # talks until every call has been made
    sent += await speak(candidate, 5, asyncio.Event())
    conn = standin.connections[0]
    await conn.wait_audio(sent, timeout=10)
    assert len(conn.audio_in) == sent  # not one frame of the candidate's audio was dropped
    await candidate.wait_for(lambda: "Thanks, that is all. Goodbye." in candidate.finals())
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    await wait_until(lambda: lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED)

    answers = responses(conn)
    assert [a["id"] for a in answers] == ["q1", "n1", "bad-1", "bad-2", "bad-3", "n2", "n3", "n1", "n4"]
    for a in answers:  # every call answered informatively, never with an empty response
        assert a["response"]["result"] in ("recorded", "not recorded", "already recorded"), a
        assert (a.get("scheduling") == "SILENT") == (not conn.blocks_on(a["name"])), a
    by_id = {a["id"]: a["response"] for a in answers[:-2]}
    assert by_id["q1"]["main_questions_asked"] == 1 and by_id["q1"]["planned"] == 5
    assert "approach" in by_id["q1"]["still_lacking_strong_evidence"]
    assert "approach" not in by_id["n1"]["still_lacking_strong_evidence"]
    assert "competency" in by_id["bad-1"]["error"] and "approach" in by_id["bad-1"]["competencies"]
    assert "number" in by_id["bad-2"]["error"] and "object" in by_id["bad-3"]["error"]
    assert "never marked" in by_id["n2"]["note"] and "cut" in by_id["n3"]["note"]
    assert answers[7]["response"]["result"] == "already recorded"

    entries = await asyncio.to_thread(scorecard_entries.list_entries, iid)
    marks = [e for e in entries if e.kind == scorecard_entries.QUESTION]
    notes = [e for e in entries if e.kind == scorecard_entries.EVIDENCE]
    assert [(m.number, m.competency, m.text) for m in marks] == [(1, "approach", "How would you find a slow query?")]
    assert [(n.competency, n.strength, n.number) for n in notes] == [
        ("approach", "strong", 1),
        ("approach", "weak", 1),  # the unknown question 9 is noted against the one being asked
        ("testing", "strong", 1),
    ]
    assert len(notes[2].text) <= rubric.MAX_QUOTE_CHARS and notes[2].text.endswith("…")
    declared = {d["name"] for tool in conn.setup_value("tools") for d in tool["functionDeclarations"]}
    assert {MARK_TOOL, NOTE_TOOL} <= declared


async def test_notes_after_the_lease_is_lost_are_not_stored(relay_env, standin, gemini_model):
    taken = asyncio.Event()

    async def interviewer(conn):
        await conn.wait_for(lambda: conn.texts, timeout=5)
        await call(conn, MARK_TOOL, "q1", QUESTION)
        await conn.ai_turn([" How would you find a slow query?"])
        await taken.wait()
        await conn.tool_call(NOTE_TOOL, "late", NOTE)
        await conn.hold()

    standin.behaviours = [interviewer]
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_for(lambda: "How would you find a slow query?" in candidate.finals())
    await wait_until(lambda: len(scorecard_entries.list_entries(iid)) == 1)  # the marker, stored while the lease held

    def take_over() -> None:
        with session_scope() as session:
            row = session.get(Interview, iid)
            row.lease_owner, row.lease_until = "another-worker", utcnow() + timedelta(seconds=60)

    await asyncio.to_thread(take_over)
    taken.set()
    await candidate.wait_closed(timeout=15)  # this worker lets go of the interview
    entries = await asyncio.to_thread(scorecard_entries.list_entries, iid)
    assert [e.kind for e in entries] == [scorecard_entries.QUESTION]  # the late note was fenced out
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS  # the new holder's
