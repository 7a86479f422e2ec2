"""The candidate's side of an offline call: audio in; turn events, transcripts and the end of the turn out.

One :class:`Listener` per interview. Its steps, each off the event loop where it costs:

1. **Speech or not** (:meth:`Listener.hear`): each frame's Silero VAD windows are scored by
   :class:`~.vad.StreamingVad` on the ``LISTENER`` thread (the model stalled the loop under
   load); the per-window bookkeeping (:class:`~.vad.TurnDetector`, cheap) stays on the loop,
   where the verdicts that end a turn also land, and turns them into events: speech started,
   confirmed, a pause, a chunk to transcribe, the end of the turn.
2. **The words** (:meth:`Listener.transcribe`, a task): chunks cut at pauses are transcribed in
   order, one at a time, on Whisper's ``DECODER`` thread; each transcript goes to the owner
   (:class:`Heard`), which puts it on the candidate's line. A chunk that was speech but gave
   no words (Whisper often hears nothing in a short phrase alone: "He might [pause]") is
   decoded again at the head of the next one, so its words are not lost when the rest of the
   sentence gives Whisper the context.
3. **Has the candidate finished?** At a pause the voice model (:class:`~.smart_turn.TurnJudge`)
   and, once the pause's words are in, the text judge (:mod:`.text_judge`) give their
   verdicts to :class:`~.turn_policy.EndOfTurn`, which ends the turn when they agree.

The owner (the backend) reacts to the events (barge-in, acknowledgement, recovery) and
decides what the interviewer says; this module only hears.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import numpy as np

from preppal.live.base import INPUT_SAMPLE_RATE, BackendEvent, InterviewBrief, UserTranscript
from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.engines import Engines
from preppal.live.offline.smart_turn import TurnJudge
from preppal.live.offline.speculation import answer_text
from preppal.live.offline.text_judge import join_chunks
from preppal.live.offline.turn_policy import EndOfTurn, TurnPolicy
from preppal.live.offline.vad import (
    LISTENER,
    Chunk,
    EarlyLook,
    PauseCheck,
    StreamingVad,
    TurnDetector,
    TurnEvent,
    TurnRules,
    TurnStats,
)
from preppal.patience import patience_for
from preppal.speech.stt import DECODER

log = logging.getLogger(__name__)
# Speech that gave no words is decoded again with the next chunk, this much of it at most
# (the newest): a long stretch Whisper could not read is noise, not a lost phrase.
UNHEARD_MAX_S = 4.0


@dataclass(frozen=True, slots=True)
class Heard:
    """One chunk's transcript, handed to the owner in the order the chunks were spoken."""

    chunk: Chunk
    text: str  # "" when nothing was said (or Whisper heard only noise)
    end_s: float  # stream time when the chunk was cut
    at_pause: bool  # the candidate is still silent in the pause the chunk was cut at


class CandidateLine:
    """The candidate's line on the transcript: each chunk's words as they are transcribed, closed
    when the turn ends and dated by when the speech ended (its transcript comes a decode later)."""

    def __init__(self, emit: Callable[[BackendEvent], None]) -> None:
        self._emit = emit
        self.open = False  # words are on the line and it is not closed yet
        self.words: list[str] = []  # this utterance's chunks, in order
        self._spoken_ms = 0  # voiced audio on the line (the transcript's timing)

    def add(self, heard: Heard) -> None:
        if heard.text:
            self._emit(UserTranscript(f" {heard.text}" if self.open else heard.text))
            self.open = True
            self.words.append(heard.text)
        if heard.chunk.voiced:  # the silence that ended the turn was not spoken
            chunk = heard.chunk
            self._spoken_ms += len(chunk.audio) * 1000 // INPUT_SAMPLE_RATE - chunk.trailing_ms

    def close(self, ended_ms_ago: int) -> bool:
        """The turn ended: close the line (True if one was open); the next answer starts a new one."""
        emitted = self.open
        if emitted:
            self._emit(UserTranscript("", final=True, spoken_ms=self._spoken_ms, ended_ms_ago=ended_ms_ago))
            self.open = False
        self._spoken_ms = 0
        return emitted

    def take_words(self) -> str:
        """This utterance's words as one text, and a fresh start for the next."""
        text, self.words = " ".join(self.words), []
        return text


@dataclass(frozen=True, slots=True)
class Hearing:
    """How one interview listens: given by the backend's constructor (tests and the benchmark
    pass rules or a policy; None picks the defaults at the interview's patience)."""

    rules: TurnRules | None = None
    policy: TurnPolicy | None = None
    semantic: bool = True  # False: the silence rule only (the benchmark's baseline)
    text_turns: bool = True  # False: no text judge, the word list (the benchmark's comparison)


@dataclass(frozen=True, slots=True)
class _Look:
    """A decode started ahead of a cut (:class:`~.vad.EarlyLook`): it stands for the chunk cut in the same pause."""

    pause: int
    words: asyncio.Future[str]


class Listener:
    """Hears one candidate: frames in (:meth:`hear`), :class:`~.vad.TurnEvent` and :class:`Heard` out."""

    def __init__(
        self,
        engines: Engines,
        brief: InterviewBrief,
        hearing: Hearing,
        *,
        prompt: str,  # primes Whisper with the interview's setting
        stats: TurnStats,
        on_event: Callable[[TurnEvent], None],
        on_heard: Callable[[Heard], None],
        answer_so_far: Callable[[], list[str]],  # the answer's transcribed parts (for the text judge)
        guard: Callable[[Awaitable[None]], Awaitable[None]],
    ) -> None:
        self._engines = engines
        self._prompt = prompt
        self._stats = stats
        self._on_event = on_event
        self._on_heard = on_heard
        self._answer_so_far = answer_so_far
        self._vad = StreamingVad(engines.vad_session)
        self._in_order = asyncio.Lock()  # one frame at a time through the VAD (its state is the stream's)
        self._jobs: asyncio.Queue[tuple[Chunk, float]] = asyncio.Queue()  # chunk, stream time at its end
        self._odd_byte = b""
        self.stream_s = 0.0  # seconds of candidate audio received (the listening clock)
        self.decoding = 0  # chunks queued or being transcribed
        self._look: _Look | None = None  # the newest early decode, until a chunk takes it or another replaces it
        self._unheard = np.zeros(0, np.float32)  # this utterance's speech that gave no words yet
        # Turn-taking at the interview's patience, with the models that loaded.
        level = patience_for(brief.patience, brief.difficulty)
        model = engines.smart_turn if hearing.semantic else None
        self._text_judge = engines.text_judge if hearing.text_turns else None
        rules = hearing.rules or replace(TurnRules(), cap_silence_ms=level.cap_ms)
        self.turns = TurnDetector(rules, semantic=model is not None, words_at_every_pause=self._text_judge is not None)
        self.end_of_turn: EndOfTurn | None = None  # weighs the models' verdicts and the words so far
        self.judge: TurnJudge | None = None  # None: no voice model, the silence rule decides
        if model is not None:
            policy = hearing.policy or TurnPolicy().scaled(level.bar)
            policy = replace(policy, wait_for_words=self._text_judge is not None, language=brief.language)
            self.end_of_turn = EndOfTurn(self.turns, self._events, stats, policy)
            self.judge = TurnJudge(model, self.turns, self.end_of_turn, guard, stats)

    async def hear(self, pcm16k: bytes) -> None:
        """One frame of the candidate's audio (any length; an odd byte waits for the next frame).

        The frame is scored off the loop, then its windows go through the turn detector and the
        clock moves, all at once on the loop: a frame is heard whole or not at all, as before."""
        async with self._in_order:
            if self._odd_byte or len(pcm16k) % 2:
                pcm16k = self._odd_byte + pcm16k
                cut = len(pcm16k) - len(pcm16k) % 2
                pcm16k, self._odd_byte = pcm16k[:cut], pcm16k[cut:]
            samples = pcm_to_float(pcm16k)
            scored = await asyncio.get_running_loop().run_in_executor(LISTENER, self._vad.push, samples)
            self.stream_s += samples.size / INPUT_SAMPLE_RATE
            self.turns.hold_cuts = self.decoding > 0
            for window, prob in scored:
                self._events(self.turns.push(window, prob))
            if self.end_of_turn is not None and self.turns.pausing:
                self.end_of_turn.tick()  # the longer the pause, the lower the bar (turn_policy)

    def hold(self, held: bool) -> None:
        self.turns.hold(held)

    def _events(self, events: list[TurnEvent]) -> None:
        for event in events:
            if isinstance(event, Chunk):
                self.decoding += 1
                self._jobs.put_nowait((event, self.stream_s))
            elif isinstance(event, EarlyLook):
                self._early_look(event)
            elif isinstance(event, PauseCheck) and self.judge is not None:
                self.judge.ask(event)
            self._on_event(event)

    def _early_look(self, look: EarlyLook) -> None:
        """Start decoding the chunk ahead of its cut, if Whisper's thread is free (if not, the
        cut's own decode would wait for it anyway)."""
        if self.decoding:
            return
        audio = self._with_unheard(look.audio)  # no decode is running: the unheard speech is settled
        words = asyncio.get_running_loop().run_in_executor(DECODER, self._engines.transcribe, audio, self._prompt)
        words.add_done_callback(_consume)  # a look nobody takes still has its error read
        self._look = _Look(look.pause, words)
        self._stats.early_looks += 1

    async def _words_of(self, chunk: Chunk) -> str:
        """The chunk's transcript: the early look's, when it was taken in the same pause (the audio
        since is silence), else a decode now."""
        look, self._look = self._look, None
        if look is not None and not chunk.final and look.pause == chunk.pause:
            self._stats.early_used += 1
            return await look.words
        return await asyncio.get_running_loop().run_in_executor(
            DECODER, self._engines.transcribe, self._with_unheard(chunk.audio), self._prompt
        )

    def _with_unheard(self, audio: np.ndarray) -> np.ndarray:
        """``audio`` after the speech before it that gave no words (the two were spoken together)."""
        return np.concatenate((self._unheard, audio)) if self._unheard.size else audio

    def _heard(self, chunk: Chunk, text: str) -> None:
        """Keep a voiced chunk that gave no words for the next decode; drop it once words come
        or the utterance ends."""
        if text or chunk.final:
            self._unheard = np.zeros(0, np.float32)
        elif chunk.voiced:
            unheard = self._with_unheard(chunk.audio)
            self._unheard = unheard[max(0, unheard.size - int(UNHEARD_MAX_S * INPUT_SAMPLE_RATE)) :]

    async def transcribe(self) -> None:
        """Chunks in order, one decode at a time, off the event loop; partials then a final."""
        while True:
            chunk, chunk_end_s = await self._jobs.get()
            at_pause = False
            answer, verdict = "", None
            try:
                text = ""
                if chunk.voiced:
                    text = await self._words_of(chunk)
                self._heard(chunk, text)
                at_pause = not chunk.final and self.turns.pausing and chunk.pause == self.turns.pause
                self._on_heard(Heard(chunk, text, chunk_end_s, at_pause))
                if at_pause and self.end_of_turn is not None:
                    parts = self._answer_so_far()
                    answer, verdict = answer_text(parts), await self._judge_text(parts)
            finally:
                self.decoding -= 1
            if at_pause and self.end_of_turn is not None:  # the words may end the turn now
                self.end_of_turn.words(chunk.pause, answer, self.turns.voiced_ms, verdict)
            if self.decoding == 0:
                self.turns.hold_cuts = False
                self._events(self.turns.release_held_cut())

    async def _judge_text(self, parts: list[str]) -> float | None:
        """The text judge's P(the answer ends here), on the decoder's thread; None: no judge (or it failed)."""
        answer = join_chunks(parts)
        if self._text_judge is None or not answer:
            return None
        try:
            verdict = await asyncio.get_running_loop().run_in_executor(DECODER, self._text_judge.probability, answer)
        except Exception:
            log.exception("text end-of-turn judge failed; this pause is judged without it")
            return None
        self._stats.text_checks += 1
        return verdict

    async def close(self) -> None:
        if self.judge is not None:
            await self.judge.close()


def _consume(future: asyncio.Future[str]) -> None:
    if not future.cancelled():
        future.exception()
