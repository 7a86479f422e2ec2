"""The candidate's side of an offline call: audio in; turn events, transcripts and the end of the turn out.

One :class:`Listener` per interview. Its steps, each off the event loop where it costs:

1. **Speech or not** (:meth:`Listener.hear`): each frame's Silero VAD windows are scored by
   :class:`~.vad.StreamingVad` on the ``LISTENER`` thread (the model stalled the loop under
   load); the per-window bookkeeping (:class:`~.vad.TurnDetector`, cheap) stays on the loop,
   where the verdicts that end a turn also land, and turns them into events: speech started,
   confirmed, a pause, a chunk to transcribe, the end of the turn.
2. **The words** (:meth:`Listener.transcribe`, a task): chunks cut at pauses are transcribed in
   order, one at a time, on Whisper's ``DECODER`` thread, each **together with the speech
   before it** in the utterance (:class:`Context`: the stretch since its words were last
   settled, :data:`CONTEXT_S`). A chunk cut at a pause inside a sentence, decoded alone,
   loses the sentence ("Had he married a more [pause]" then "in the evil woman"), and a short
   phrase alone often gives no words at all ("He might [pause]"); with the speech before it
   Whisper reads the sentence whole. On the benchmark's human answers with a pause inside a
   sentence the stored transcript's word error rate fell from 19 % to 14 %
   (docs/performance.md). The utterance's transcript so far, revised by each decode, goes to
   the owner (:class:`Heard`), which puts it on the candidate's line.
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
# The utterance's speech decoded with each chunk: once the stretch before the chunk has words
# and is this long, its words are settled and the next chunk starts a new stretch. Each decode
# grows with it (tiny.en here: 2 s of audio ≈ 135 ms, 4 s ≈ 142, 6 s ≈ 176, 8 s ≈ 195 ms); on
# the human set 6 s cost ≈ 70 ms of p50 in one run, 3 s nothing measurable (docs/performance.md).
CONTEXT_S = 3.0
# Speech that gave no words is carried this much at most (the newest): a long stretch Whisper
# could not read is noise, not a lost phrase.
UNHEARD_MAX_S = 4.0


class Context:
    """The utterance so far, for the next decode: the speech since its words were last settled
    (decoded again with each chunk) and the words of the stretches before (settled)."""

    def __init__(self, limit_s: float = CONTEXT_S) -> None:
        self.limit_s = limit_s  # 0: every chunk with words is decoded alone (before issue 19 round 5)
        self._reset()

    def _reset(self) -> None:
        self.audio = np.zeros(0, np.float32)
        self.words = ""  # the newest decode of ``audio``
        self.settled: list[str] = []

    def before(self, chunk_audio: np.ndarray) -> np.ndarray:
        """What to decode for a chunk: the stretch so far, then the chunk (spoken together)."""
        return np.concatenate((self.audio, chunk_audio)) if self.audio.size else chunk_audio

    def heard(self, chunk: Chunk, words: str) -> tuple[str, ...]:
        """The decode of the stretch with ``chunk`` gave ``words``: the utterance's transcript so
        far, in parts (the settled stretches', then the newest decode), so the text judge can
        smooth their seams (``text_judge.join_chunks``) as it did chunk by chunk.

        An empty decode never erases words already heard. The utterance ends with a final
        chunk; a stretch with no words keeps only its newest :data:`UNHEARD_MAX_S`; a stretch
        with words that reached ``limit_s`` is settled."""
        if chunk.voiced:
            self.audio = self.before(chunk.audio)
            self.words = words or self.words
        parts = tuple(w for w in (*self.settled, self.words) if w)
        if chunk.final:
            self._reset()
        elif not self.words:
            self.audio = self.audio[max(0, self.audio.size - int(UNHEARD_MAX_S * INPUT_SAMPLE_RATE)) :]
        elif self.audio.size >= self.limit_s * INPUT_SAMPLE_RATE:
            self.settled.append(self.words)
            self.audio, self.words = np.zeros(0, np.float32), ""
        return parts


@dataclass(frozen=True, slots=True)
class Heard:
    """One chunk's transcript, handed to the owner in the order the chunks were spoken."""

    chunk: Chunk
    parts: tuple[str, ...]  # the utterance's words so far, as decoded with this chunk (Context.heard)
    end_s: float  # stream time when the chunk was cut
    at_pause: bool  # the candidate is still silent in the pause the chunk was cut at

    @property
    def text(self) -> str:
        """The utterance's words so far as one text ("": none yet)."""
        return " ".join(self.parts)


class CandidateLine:
    """The candidate's line on the transcript: the utterance's words as they are transcribed (each
    decode revises what this utterance put on the line), closed when the turn ends and dated by
    when the speech ended (its transcript comes a decode later)."""

    def __init__(self, emit: Callable[[BackendEvent], None]) -> None:
        self._emit = emit
        self.open = False  # words are on the line and it is not closed yet
        self._utterance: tuple[str, ...] = ()  # this utterance's words so far, in parts (Context.heard)
        self._shown = ""  # what this utterance put on the line (replaced by its next revision)
        self._lead = ""  # " " when the utterance continues a line that already had words
        self._spoken_ms = 0  # voiced audio on the line (the transcript's timing)

    @property
    def words(self) -> list[str]:
        """This utterance's words so far, in parts."""
        return list(self._utterance)

    def add(self, heard: Heard) -> None:
        if heard.parts and heard.parts != self._utterance:
            if not self._shown:  # the utterance's first words: after what is on the line already
                self._lead = " " if self.open else ""
            shown = self._lead + heard.text
            self._emit(UserTranscript(shown, replaces=len(self._shown)))
            self.open, self._utterance, self._shown = True, heard.parts, shown
        if heard.chunk.voiced:  # the silence that ended the turn was not spoken
            chunk = heard.chunk
            self._spoken_ms += len(chunk.audio) * 1000 // INPUT_SAMPLE_RATE - chunk.trailing_ms

    def close(self, ended_ms_ago: int) -> bool:
        """The turn ended: close the line (True if one was open); the next answer starts a new one."""
        emitted = self.open
        if emitted:
            self._emit(UserTranscript("", final=True, spoken_ms=self._spoken_ms, ended_ms_ago=ended_ms_ago))
            self.open = False
        self._spoken_ms, self._shown = 0, ""
        return emitted

    def take_words(self) -> str:
        """This utterance's words as one text, and a fresh start for the next (on the same line,
        if it is still open, after what this one put there)."""
        text, self._utterance, self._shown = " ".join(self._utterance), (), ""
        return text


@dataclass(frozen=True, slots=True)
class Hearing:
    """How one interview listens: given by the backend's constructor (tests and the benchmark
    pass rules or a policy; None picks the defaults at the interview's patience)."""

    rules: TurnRules | None = None
    policy: TurnPolicy | None = None
    semantic: bool = True  # False: the silence rule only (the benchmark's baseline)
    text_turns: bool = True  # False: no text judge, the word list (the benchmark's comparison)
    context_s: float = CONTEXT_S  # 0: each chunk decoded alone (the benchmark's comparison)


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
        self._context = Context(hearing.context_s)  # the utterance so far, decoded again with each chunk
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
        audio = self._context.before(look.audio)  # no decode is running: the context is settled
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
            DECODER, self._engines.transcribe, self._context.before(chunk.audio), self._prompt
        )

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
                parts = self._context.heard(chunk, text)
                at_pause = not chunk.final and self.turns.pausing and chunk.pause == self.turns.pause
                self._on_heard(Heard(chunk, parts, chunk_end_s, at_pause))
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
