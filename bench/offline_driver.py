"""Drives one offline interview in real time for the turn-taking benchmark (bench/offline_latency.py).

The interviewer's own turns are skipped by feeding their duration of silence at once (the
backend listens on the stream clock); each answer is then sent as 40 ms frames *in real
time* until the interviewer's reply is heard.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench.turn_sets.voices import Answer
from preppal.live.base import AIAudio, AITranscript, Ended, TurnComplete, UserTranscript
from preppal.live.offline import OfflineBackend
from preppal.live.offline.audio import silence
from preppal.live.offline.language_pack import load_pack

FRAME_BYTES = 1280  # 40 ms, the browser's default frame (PREPPAL_AUDIO_FRAME_MS)


class Session:
    def __init__(self, backend: OfflineBackend) -> None:
        self.backend = backend
        self.turns = 0
        self.turn_audio_s = 0.0
        self.first_audio_at: float | None = None
        self.reply_audio_at: float | None = None  # first audio of the reply itself (after any acknowledgement)
        self._in_reply = False
        self.replied = False  # the reply to the current answer has been sent completely
        phrases = load_pack(backend.brief.language).phrases  # in the interview's language
        self._acks = set(phrases["acknowledgements"])
        self._asks_again = set(phrases["not_caught"])
        self.asked_again = False  # the reply to this answer was "Sorry, I didn't catch that": it was lost
        self.ended = False
        self.lines: list[str] = []  # the candidate's closed lines, revisions applied as the relay does
        self._line = ""
        self.frame_costs: list[float] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.backend.events():
            if isinstance(event, AIAudio):
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
                if self._in_reply and self.reply_audio_at is None:
                    self.reply_audio_at = time.monotonic()
                self.turn_audio_s += len(event.pcm) / 2 / event.sample_rate
            elif isinstance(event, AITranscript) and event.text.strip() and event.text.strip() not in self._acks:
                self._in_reply = True
                self.asked_again = self.asked_again or event.text.strip() in self._asks_again
            elif isinstance(event, UserTranscript):
                self._line = self._line[: max(0, len(self._line) - event.replaces)] + event.text
                if event.final:
                    self.lines.append(self._line.strip())
                    self._line = ""
            elif isinstance(event, TurnComplete):
                self.replied = self.replied or self._in_reply
                self.turns += 1
            elif isinstance(event, Ended):
                self.ended = True

    async def send(self, pcm: bytes) -> None:
        t = time.perf_counter()
        await self.backend.send_audio(pcm)
        self.frame_costs.append(time.perf_counter() - t)

    async def feed_fast(self, pcm: bytes) -> None:
        for at in range(0, len(pcm), FRAME_BYTES):
            await self.send(pcm[at : at + FRAME_BYTES])
            await asyncio.sleep(0)

    async def wait_reply(self, timeout: float = 30) -> None:
        """Until the reply to this answer is complete (an acknowledgement cut short does not count)."""
        deadline = time.monotonic() + timeout
        while not self.replied and not self.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def wait_turn(self, turns: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.turns < turns and not self.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


@dataclass
class Measured:
    from_voice: float  # end of speech → first audio
    to_reply: float  # end of speech → first audio of the reply itself
    from_turn_end: float  # end-of-turn decision → first audio
    cut_in: bool  # the turn ended before the answer did
    cpu: float
    wall: float
    mid_thought: bool = False
    request: bool = False
    ended_by: str = ""  # voice (the model) / words (the transcript arrived) / cap (or the silence rule)


async def answer_in_real_time(session: Session, answer: Answer) -> Measured | None:
    """Speak the answer then keep sending silence in real time until the interviewer's reply is heard."""
    step = FRAME_BYTES / 2 / 16_000
    session.first_audio_at = session.reply_audio_at = None
    session._in_reply = session.replied = session.asked_again = False
    session.turn_audio_s = 0.0
    pcm = answer.pcm + silence(6.0, 16_000)  # enough trailing silence for any reply to arrive
    ended_before = session.backend.turn_ended_at
    cut_in = False
    cpu0, t0 = time.process_time(), time.monotonic()
    for i, at in enumerate(range(0, len(pcm), FRAME_BYTES)):
        await asyncio.sleep(max(0.0, t0 + (i + 1) * step - time.monotonic()))  # sent once captured
        answering = (i + 1) * step < answer.speech_end_s
        if answering and session.backend.turn_ended_at != ended_before:
            cut_in = True  # the turn ended while the candidate was still answering
        await session.send(pcm[at : at + FRAME_BYTES])
        if answering and session.first_audio_at is not None:  # spoken over the candidate: not the reply
            session.first_audio_at = session.reply_audio_at = None
            session._in_reply = session.replied = False
        if not answering and session.reply_audio_at is not None:
            break
    if session.first_audio_at is None or session.reply_audio_at is None or session.asked_again:
        return None  # nothing heard (no words, so asked again), or too slow: counted as a miss
    cpu, wall = time.process_time() - cpu0, time.monotonic() - t0
    turn_end = session.backend.turn_ended_at or float("nan")
    voice_end = t0 + answer.speech_end_s
    return Measured(
        session.first_audio_at - voice_end,
        session.reply_audio_at - voice_end,
        session.first_audio_at - turn_end,
        cut_in,
        cpu,
        wall,
    )
