"""The two ways bench/scorecard.py plays a scripted interview (a helper, not a bench).

- offline: the real offline interviewer (text in, replies out) and its scorecard
  (live/offline/scorecard.py); the relay's ScorecardRecorder dates and stores the events
  in a real database; the transcript is timed as spoken (≈ 300 ms a word). Gold question
  boundaries come from the interviewer's own position, not from its markers.
- standin: "Gemini" is the Live-API stand-in playing the script (its questions, a marker per
  question, a note per planted evidence: a perfect note-taker), through the real SDK, the
  relay and the database; it measures the pipeline, not a model's judgement.

Both return the interview id and, per candidate turn in order, its gold question number
(None for a request to repeat or skip) and its planted evidence.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

from preppal.live.base import InterviewBrief
from preppal.models import InterviewStatus, Speaker
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine

MS_PER_WORD = 300
FRAME = 1280  # 40 ms of 16 kHz PCM16


@dataclass
class Turn:
    """One candidate turn as the bench judges it."""

    say: str
    gold: int | None  # the main question it answers (None: a request, never an answer)
    evidence: list[tuple[str, str, str]] = field(default_factory=list)  # (competency, strength, phrase)


def turns_of(script: dict) -> list[tuple[dict, dict]]:
    return [(ex, ans) for ex in script["exchanges"] for ans in ex["answers"]]


def _brief(script: dict, interview_id: str) -> InterviewBrief:
    return InterviewBrief(
        interview_id=interview_id,
        interview_type=script["type"],
        role=script.get("role", ""),
        difficulty=script["difficulty"],
        job_description=script.get("job_description", ""),
    )


def _create(user_id: int, script: dict) -> str:
    return lifecycle.create_interview(
        user_id,
        interview_type=script["type"],
        role=script.get("role", "Engineer"),
        difficulty=script["difficulty"],
        job_description=script.get("job_description", ""),
    ).id


# ---- offline ------------------------------------------------------------------------------


async def _offline(user_id: int, script: dict) -> tuple[str, list[Turn]]:
    from preppal.live.offline.interviewer import Interviewer
    from preppal.live.offline.scorecard import OfflineScorecard
    from preppal.realtime.scorecard import ScorecardRecorder

    iid = await asyncio.to_thread(_create, user_id, script)
    await asyncio.to_thread(lifecycle.update_status, iid, InterviewStatus.IN_PROGRESS)
    brief = _brief(script, iid)
    interviewer = Interviewer(brief)
    card = OfflineScorecard(interviewer)
    lines: list[TranscriptLine] = []
    clock = [0]
    recorder = ScorecardRecorder(brief, None, lambda: clock[0], lambda: lines)
    recorder.start()

    def line(speaker: Speaker, text: str) -> None:
        length = MS_PER_WORD * max(1, len(text.split()))
        lines.append(TranscriptLine(len(lines) + 1, speaker, text, clock[0], clock[0] + length))
        clock[0] += length + 500

    def commit(reply, answer: str = "") -> None:
        for event in card.on_reply(interviewer, reply, answer):
            recorder.offer(event)  # dated now: notes by the line that holds their quote
        line(Speaker.AI, reply.text)

    commit(interviewer.opening())
    turns: list[Turn] = []
    for _ex, ans in turns_of(script):
        if interviewer.finished:
            break
        gold = None if ans.get("request") else interviewer.index + 1
        turns.append(Turn(ans["say"], gold, [tuple(e) for e in ans.get("evidence", [])]))
        line(Speaker.USER, ans["say"])
        commit(interviewer.respond(ans["say"]), ans["say"])
    await recorder.drain()
    await asyncio.to_thread(transcripts.submit_transcript, iid, lines)
    return iid, turns


def run_offline(user_id: int, script: dict) -> tuple[str, list[Turn]]:
    return asyncio.run(_offline(user_id, script))


# ---- the stand-in ---------------------------------------------------------------------------


async def _standin(user_id: int, script: dict, model: str) -> tuple[str, list[Turn]]:
    from preppal.live.scorecard_tools import MARK_TOOL, NOTE_TOOL
    from preppal.realtime.hub import RelayConfig, RelayHub
    from preppal.rubric import is_request
    from preppal.rubric.heuristics import is_repeat_request
    from preppal.services.interviews.worker_tokens import generate_worker_token
    from preppal.settings import reset_settings
    from tests.support.live_api_standin import LiveApiStandin
    from tests.support.relay_harness import RecordingSink, gemini_env, served_relay

    calls = [0]

    async def call(conn: Any, name: str, args: dict) -> None:
        calls[0] += 1
        count = len(conn.tool_responses)
        await conn.tool_call(name, f"c{calls[0]}", args)
        if conn.blocks_on(name):
            await conn.wait_tool_response(count + 1)

    async def play(conn: Any) -> None:
        await conn.wait_for(lambda: conn.texts, timeout=10)
        heard = 0
        for ex in script["exchanges"]:
            main = "main" in ex
            number = ex["main"] if main else ex["follow_up"]
            args = {"number": number, "competency": ex["competency"], "follow_up": not main, "question": ex["ask"]}
            await call(conn, MARK_TOOL, args)
            await conn.ai_turn([f" {w}" for w in ex["ask"].split()])
            for i, ans in enumerate(ex["answers"]):
                heard += FRAME * 8
                await conn.wait_audio(heard, timeout=20)
                await conn.input_transcript(ans["say"])
                for competency, strength, phrase in ans.get("evidence", []):
                    note = {"competency": competency, "strength": strength, "quote": phrase, "why": "planted"}
                    await call(conn, NOTE_TOOL, note)
                if is_request(ans["say"]) and is_repeat_request(ans["say"]):
                    await conn.ai_turn([" Of", " course."] + [f" {w}" for w in ex["ask"].split()])
                elif i + 1 < len(ex["answers"]):
                    await conn.ai_turn([" Go", " on."])
        await conn.ai_turn([" Thank", " you,", " goodbye."])
        await conn.tool_call("end_interview", "end")
        await conn.hold()

    turns = [
        Turn(
            a["say"],
            None if a.get("request") else ex.get("main", ex.get("follow_up")),
            [tuple(e) for e in a.get("evidence", [])],
        )
        for ex, a in turns_of(script)
    ]
    async with LiveApiStandin([play]) as standin:
        os.environ.update(gemini_env(standin, model))
        reset_settings()
        iid = await asyncio.to_thread(_create, user_id, script)
        hub = RelayHub(RecordingSink(), config=RelayConfig(grace_s=1.0))
        async with hub.running(), served_relay(hub) as server:
            import websockets

            from preppal.realtime import codec

            token = await asyncio.to_thread(generate_worker_token, user_id, iid, "bench")
            ws = await websockets.connect(f"{server.url}/ws/interview/{iid}?token={token}", max_size=None)
            frame = 0
            try:
                async with asyncio.timeout(120):
                    while True:  # the candidate talks in real time until the interviewer ends the call
                        await ws.send(codec.client_audio(bytes([frame % 251, 1]) * (FRAME // 2)))
                        frame += 1
                        await asyncio.sleep(0.04)
            except websockets.ConnectionClosed:
                pass
        for _ in range(200):
            if (await asyncio.to_thread(lifecycle.get_interview_any, iid)).status == InterviewStatus.COMPLETED:
                break
            await asyncio.sleep(0.05)
    return iid, turns


def run_standin(user_id: int, script: dict, model: str) -> tuple[str, list[Turn]]:
    return asyncio.run(_standin(user_id, script, model))
