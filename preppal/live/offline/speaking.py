"""The offline interviewer's side of the call: replies spoken sentence by sentence, paced.

Two clocks, on purpose: whether the interviewer is still *audible* runs on the candidate's
audio stream (the browser sends mic frames in real time; tests and the benchmark may feed
them faster), while *sending* is paced on the wall clock, at most ``send_ahead_s`` ahead of
playback, so a barge-in leaves little queued audio to drop.

An acknowledgement ("I see.") can start a turn before its reply exists: it plays at once and
the reply is handed to it (:meth:`Speaker.hand_over`) when the candidate's words are in. Its
caption waits for the reply: shown at once it would open the interviewer's transcript line
before the candidate's words arrive, and the answer would appear *after* "I see.".
"""

from __future__ import annotations

import asyncio
import functools
import random
import time
from collections.abc import Awaitable, Callable

from preppal.live.base import AIAudio, AITranscript, BackendEvent, Checkpoint, EndReason, Interrupted, TurnComplete
from preppal.live.offline.engines import Engines
from preppal.live.offline.interviewer import Reply
from preppal.live.offline.tts import OUTPUT_RATE, SPEAKER
from preppal.live.offline.vad import TurnStats

Planned = tuple[Reply, bytes | None]  # a reply and its first piece's audio, if synthesised ahead
_MAKING_KEPT = 6  # pieces whose synthesis is remembered (a speculation's, then the reply's)


class Synthesis:
    """Each sentence's audio at the interview's pace, made once off the event loop (on ``SPEAKER``).

    Called with a sentence, it returns a future of its audio. The reply prepared during a pause
    (:mod:`.speculation`) starts its first sentences early; the same future is what plays if
    the turn ends there. Short fixed leads were made at load (:meth:`.Engines.made`).
    """

    def __init__(self) -> None:
        self._engines: Engines | None = None
        self._pace = 1.0
        self._making: dict[str, asyncio.Future[bytes]] = {}  # piece → its synthesis (started or done)

    def start(self, engines: Engines, pace: float) -> None:
        self._engines, self._pace = engines, pace

    def __call__(self, sentence: str) -> asyncio.Future[bytes]:
        assert self._engines is not None
        loop = asyncio.get_running_loop()
        made = self._engines.made(sentence, self._pace)
        if made is not None:  # a fixed lead, synthesised at load
            ready: asyncio.Future[bytes] = loop.create_future()
            ready.set_result(made)
            return ready
        making = self._making.get(sentence)
        if making is None or making.cancelled():
            speak = functools.partial(self._engines.speak, sentence, OUTPUT_RATE, self._pace)
            making = self._making[sentence] = loop.run_in_executor(SPEAKER, speak)
            while len(self._making) > _MAKING_KEPT:
                self._making.pop(next(iter(self._making)))
        return making


class Speaker:
    """Plays one interview's replies and acknowledgements; one at a time, cancellable."""

    def __init__(
        self,
        *,
        emit: Callable[[BackendEvent], None],
        stream_clock: Callable[[], float],  # seconds of candidate audio received
        synthesise: Callable[[str], Awaitable[bytes]],
        checkpoint: Callable[[], dict],  # the dialogue state as of the reply about to be spoken
        finish: Callable[[EndReason], None],
        guard: Callable[[Awaitable[None]], Awaitable[None]],
        stats: TurnStats,
        seed: str,
        send_ahead_s: float,
        chunk_ms: int,
    ) -> None:
        self._emit = emit
        self._now = stream_clock
        self._synthesise = synthesise
        self._checkpoint = checkpoint
        self._finish = finish
        self._guard = guard
        self._stats = stats
        self._rng = random.Random(seed)
        self._send_ahead_s = send_ahead_s
        self._chunk_bytes = 2 * OUTPUT_RATE * chunk_ms // 1000
        self._task: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[Planned | None] | None = None
        self._last_ack = ""
        self.line_open = False  # an AI transcript line is open (not yet final)
        # Since the last say()/acknowledge(): when its first audio left (stream time; None: not
        # yet) and whether it put words on the transcript (recovery, .recovery, needs both).
        self.started_s: float | None = None
        self.captioned = False
        self.audible_until = 0.0  # stream time when the audio sent so far has finished playing
        self._wall_play_end = 0.0  # the same on the wall clock (for pacing)

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def talking(self) -> bool:
        return (self._task is not None and not self._task.done()) or self._now() < self.audible_until

    def say(self, reply: Reply, reason: EndReason = EndReason.AI_ENDED, first_audio: bytes | None = None) -> None:
        self.started_s, self.captioned = None, False
        self._task = asyncio.create_task(self._guard(self._speak(reply, reason, first_audio)))

    def acknowledge(self, spoken: dict[str, bytes]) -> None:
        """Say a short acknowledgement now (never the same twice running); the reply follows it."""
        phrases = [p for p in spoken if p != self._last_ack] or list(spoken)
        if not phrases:
            return
        phrase = self._last_ack = self._rng.choice(phrases)
        self.started_s, self.captioned = None, False
        self._waiter = asyncio.get_running_loop().create_future()
        self._stats.acknowledgements += 1
        self._task = asyncio.create_task(self._guard(self._speak_after(phrase, spoken[phrase], self._waiter)))

    def waiting(self) -> bool:
        """An acknowledgement is playing and waits for the reply."""
        return self._waiter is not None and not self._waiter.done()

    def hand_over(self, planned: Planned | None) -> bool:
        """Give the reply (None: nothing to reply to) to a waiting acknowledgement; False if none waits."""
        waiter, self._waiter = self._waiter, None
        if waiter is None or waiter.done():
            return False
        waiter.set_result(planned)
        return True

    def stop(self) -> bool:
        """Cancel what is being said; True if something was."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.cancel()
        task, self._task = self._task, None
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def cut_off(self, always: bool = False) -> None:
        """Stop mid-turn (if speaking): queued audio is dropped (``Interrupted``) and the turn closed."""
        was_speaking = self.stop()
        if not (was_speaking or always):
            return
        self.audible_until = self._now()
        self._wall_play_end = time.monotonic()
        self._emit(Interrupted())
        if was_speaking:
            self.close_line()

    def close_line(self) -> None:
        self.line_open = False
        self._emit(AITranscript("", final=True))
        self._emit(TurnComplete())

    async def _speak_after(self, phrase: str, audio: bytes, waiter: asyncio.Future[Planned | None]) -> None:
        await self._play(phrase, audio, caption=False)
        planned = await waiter  # the candidate's words are in (and on screen)
        self._caption(phrase)
        if planned is None:
            self.close_line()
            return
        await self._speak(planned[0], EndReason.AI_ENDED, planned[1])

    async def _speak(self, reply: Reply, reason: EndReason, first_audio: bytes | None = None) -> None:
        """Sentence by sentence: the first plays as soon as it is made, and each next sentence is
        synthesised while the one before it plays (a natural voice takes ≈ 0.1 s of CPU per
        second of speech: made one after the other, long replies would stall between sentences)."""
        # The dialogue state as of this reply: another process resumes from here (each turn).
        self._emit(Checkpoint({"dialogue": self._checkpoint()}))
        sentences = reply.pieces
        upcoming: asyncio.Future[bytes] | None = None  # the next sentence's audio, being made
        try:
            for i, sentence in enumerate(sentences):
                if upcoming is not None:
                    pcm = await upcoming
                elif i == 0 and first_audio:
                    pcm = first_audio
                else:
                    pcm = await self._synthesise(sentence)
                if i + 1 < len(sentences):
                    upcoming = asyncio.ensure_future(self._synthesise(sentences[i + 1]))
                else:
                    upcoming = None
                await self._play(sentence, pcm)
        finally:
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()  # cut off: a sentence not yet started is never made
        self.close_line()
        if reply.ended:
            # Let the closing words play out: whichever clock says so first (bounded).
            deadline = time.monotonic() + 60
            while self._now() < self.audible_until and time.monotonic() < min(self._wall_play_end, deadline):
                await asyncio.sleep(0.05)
            self._finish(reason)

    def _caption(self, sentence: str) -> None:
        self._emit(AITranscript(f" {sentence}" if self.line_open else sentence))
        self.line_open = self.captioned = True

    async def _play(self, sentence: str, pcm: bytes, caption: bool = True) -> None:
        if caption:
            self._caption(sentence)
        for at in range(0, len(pcm), self._chunk_bytes):
            piece = pcm[at : at + self._chunk_bytes]
            ahead = self._wall_play_end - time.monotonic() - self._send_ahead_s
            if ahead > 0:
                await asyncio.sleep(ahead)
            if self.started_s is None:
                self.started_s = self._now()
            self._emit(AIAudio(piece, OUTPUT_RATE))
            seconds = len(piece) / (2 * OUTPUT_RATE)
            self._wall_play_end = max(self._wall_play_end, time.monotonic()) + seconds
            self.audible_until = max(self.audible_until, self._now()) + seconds
