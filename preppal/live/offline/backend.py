"""The offline interviewer as a :class:`~preppal.live.base.LiveBackend` (no API key needed).

Candidate audio → Silero VAD + Smart Turn end of turn → Whisper (tiny.en; base for other
languages) → rule-based interviewer → espeak-ng → 24 kHz audio chunks, with the same events as
the Gemini backend. Everything follows the interview's language (``brief.language``).

This module is the glue between the parts, each in its own module:
- hearing the candidate (audio → turn events, transcripts, the end of the turn):
  :mod:`.listening`; the candidate's transcript line is its :class:`~.listening.CandidateLine`;
- what the interviewer says: :mod:`.interviewer`; replies prepared during a pause:
  :mod:`.speculation`; speaking them, paced, and their synthesis: :mod:`.speaking`;
- taking back a misjudged end of turn: :mod:`.recovery` (the state) and ``_recover`` here.

Answering like a person: at a short pause the chunk so far is transcribed and the end-of-turn
models are asked (all off the event loop); the reply is prepared on a fork of the interviewer
while the candidate is silent. When the turn ends, the prepared reply starts at once if the
whole answer is transcribed, else a short acknowledgement plays first and the reply follows
when the words are in. If the candidate goes on, the prepared reply is dropped. An answer
that was spoken (a second or more) but gave no words (noise, a mumble, Whisper's own stock
phrases dropped) is asked for again ("Sorry, I didn't catch that."), never met with silence.

Why one module of ~460 lines: it is where the parts' events meet (turn events, transcripts,
timers, the reply being spoken, a recovery) and each handler is a few lines over the one
shared state of the turn; every part with a job of its own already lives in its module above.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

from preppal import codes
from preppal.live.base import (
    AITranscript,
    BackendError,
    BackendEvent,
    Checkpoint,
    Ended,
    EndReason,
    Failed,
    InterviewBrief,
    LiveBackend,
    Ready,
    Retracted,
    UserTranscript,
)
from preppal.live.offline.engines import LOADER, Engines, load_engines
from preppal.live.offline.interviewer import Interviewer, Reply
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.listening import CONTEXT_S, CandidateLine, Heard, Hearing, Listener
from preppal.live.offline.recovery import Recovery
from preppal.live.offline.scorecard import OfflineScorecard
from preppal.live.offline.speaking import Planned, Speaker, Synthesis
from preppal.live.offline.speculation import Speculator, answer_text, fork
from preppal.live.offline.tts import OUTPUT_RATE
from preppal.live.offline.turn_policy import TurnPolicy
from preppal.live.offline.vad import (
    Chunk,
    SpeechConfirmed,
    SpeechResumed,
    SpeechStarted,
    TurnEvent,
    TurnRules,
    TurnStats,
    UtteranceDropped,
)
from preppal.speech.errors import ModelUnavailable

log = logging.getLogger(__name__)
_TICK_S = 0.25
_TIMEOUT_LEAD_S = 10.0  # start the time-limit closing this long before the cap
_ACK_MIN_SPOKEN_MS = 1000  # shorter utterances (a cough, "yes") get no acknowledgement first
# An answer with this much speech that gave no words is asked for again (a cough or a click
# gives less, and is let pass as before); the same bar as the acknowledgement, which would
# otherwise be left hanging ("I see." and then nothing).
_NOT_CAUGHT_MIN_SPOKEN_MS = _ACK_MIN_SPOKEN_MS


class OfflineBackend(LiveBackend):
    """One offline interview. ``start()`` loads the shared models (cached per process)."""

    name = "offline"

    def __init__(
        self,
        brief: InterviewBrief,
        *,
        stt_model_dir: Path | None = None,
        send_ahead_s: float = 1.0,
        chunk_ms: int = 200,
        silence_prompt_s: float | None = None,  # None: the difficulty's pacing (warm-up waits longest)
        turn_rules: TurnRules | None = None,
        turn_policy: TurnPolicy | None = None,
        semantic_turns: bool = True,
        text_turns: bool = True,
        context_s: float = CONTEXT_S,  # 0: each chunk decoded alone (the benchmark's comparison)
        acknowledge: bool = True,
        resume: dict | None = None,
    ) -> None:
        self.brief = brief
        self._resume = resume  # dialogue state from another process: continue, don't open again
        self._stt_model_dir = stt_model_dir
        self._silence_prompt_s = silence_prompt_s or 10.0  # set from the pacing in start()
        self._silence_prompt_from_pacing = silence_prompt_s is None
        self._events: asyncio.Queue[BackendEvent | None] = asyncio.Queue()
        self._inbox: asyncio.Queue[str | None] = asyncio.Queue()  # final answers; None = re-check
        self._tasks: list[asyncio.Task[None]] = []
        self._engines: Engines | None = None
        self._interviewer: Interviewer | None = None
        self._scorecard: OfflineScorecard | None = None  # question markers and evidence notes
        self._hearing = Hearing(turn_rules, turn_policy, semantic_turns, text_turns, context_s)
        self.listener: Listener | None = None  # the candidate's side (listening.py), made in start()
        self._acknowledge = acknowledge
        self.stats = TurnStats()
        self._synthesise = Synthesis()  # each sentence's audio, made once (engines and pace set in start())
        self._speculator = Speculator(self.stats, self._synthesise)
        self._speaker = Speaker(
            emit=self._emit,
            stream_clock=lambda: self._stream_s,
            synthesise=self._synthesise,
            checkpoint=lambda: self._interviewer.snapshot() if self._interviewer else {},
            finish=self._finish,
            guard=self._guard,
            stats=self.stats,
            seed=brief.interview_id,
            send_ahead_s=send_ahead_s,
            chunk_ms=chunk_ms,
        )
        self._recovery = Recovery()  # the last end of turn, while it can be taken back
        self._held = False  # the candidate holds the floor (hold_floor)
        self._speech_started_s = 0.0  # stream time the candidate's current speech began
        self._quiet_since = 0.0  # stream time of the last speech by either side
        self._started_at = 0.0
        self._line = CandidateLine(self._emit)  # the candidate's words on the transcript
        self._pending_answer: list[str] = []  # answers heard, not yet replied to (joined into one)
        self._unheard_ms = 0  # speech in those answers that Whisper made no words of
        self._closing = False
        self._ended = self._closed = False
        lexicon = load_pack(brief.language).lexicon.data  # primes Whisper with the setting, in the language
        self._stt_prompt = lexicon["transcription_prompt"].format(role=brief.role.strip() or lexicon["default_role"])
        self.turn_ended_at: float | None = None  # monotonic time of the last end of turn (benchmark)

    # --- LiveBackend ---------------------------------------------------------------------------
    async def start(self) -> Ready:
        try:
            loop = asyncio.get_running_loop()
            self._engines = await loop.run_in_executor(LOADER, load_engines, self._stt_model_dir, self.brief.language)
            if self._resume and self._resume.get("dialogue"):
                self._interviewer = Interviewer.restore(self.brief, self._resume["dialogue"])
            else:
                self._interviewer = Interviewer(self.brief)
            if self._silence_prompt_from_pacing:
                pacing = self._interviewer.pack.pacing["silence_prompt_s"]
                self._silence_prompt_s = pacing[self._interviewer.difficulty]
            self._scorecard = OfflineScorecard(self._interviewer)
            pacing = self._interviewer.pack.pacing["speech_pace"]  # Warm-up speaks a little more slowly
            self._synthesise.start(self._engines, pacing[self._interviewer.difficulty])
        except ModelUnavailable as exc:  # the install, not the interview: it stays PENDING
            raise BackendError(codes.UPSTREAM, str(exc), keeps_pending=True) from exc
        except Exception as exc:
            log.exception("offline interviewer failed to start")
            raise BackendError(
                codes.UPSTREAM, f"The offline interviewer could not start ({type(exc).__name__})."
            ) from exc
        self.listener = Listener(
            self._engines,
            self.brief,
            self._hearing,
            prompt=self._stt_prompt,
            stats=self.stats,
            on_event=self._on_turn_event,
            on_heard=self._on_heard,
            answer_so_far=lambda: self._pending_answer + self._line.words,
            guard=self._guard,
        )
        self._started_at = time.monotonic()
        self._tasks = [
            asyncio.create_task(self._guard(self._conduct())),
            asyncio.create_task(self._guard(self.listener.transcribe())),
        ]
        return Ready(interviewer="offline", output_sample_rate=OUTPUT_RATE)

    async def send_audio(self, pcm16k: bytes) -> None:
        if not self._ended and self.listener is not None:
            await self.listener.hear(pcm16k)

    async def send_code(self, code: str, language: str) -> None:
        """The editor changed: the interviewer asks for a walk-through on the next answer."""
        if self._interviewer is not None:
            self._interviewer.note_code(code, language)
            self._speculator.drop()  # a reply prepared before this code may now be the wrong one

    async def hold_floor(self, held: bool) -> None:
        """While held no pause ends the turn and the interviewer does not speak up (a reply
        already playing goes on, unless the hold comes so soon it means "I wasn't done")."""
        if self._ended or held == self._held:
            return
        self._held = held
        if self.listener is not None:
            self.listener.hold(held)
        self._quiet_since = self._stream_s  # no "take your time" nudge right after a hold
        if held and self._recovery.misjudged(self._stream_s, self._interviewer_started()):
            self._recover()

    async def end(self) -> None:
        if self._ended:
            return
        self._settle_recovery()
        self._speaker.stop()
        if self._speaker.line_open:
            self._emit(AITranscript("", final=True))
        if self._line.open:
            self._emit(UserTranscript("", final=True))
        self._finish(EndReason.USER_INITIATED)

    async def events(self) -> AsyncIterator[BackendEvent]:
        while True:
            event = await self._events.get()
            if event is None:
                return
            yield event
            if isinstance(event, Ended | Failed):
                return

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = self._ended = True
        if self.listener is not None:
            await self.listener.close()
        tasks = [t for t in (*self._tasks, self._speaker.task) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._events.put_nowait(None)  # wakes a reader that never saw Ended

    # --- what the listener hears (listening.py) -----------------------------------------------
    @property
    def _stream_s(self) -> float:
        """Seconds of candidate audio received: the clock turn-taking and playback run on."""
        return self.listener.stream_s if self.listener is not None else 0.0

    def _on_turn_event(self, event: TurnEvent) -> None:
        if isinstance(event, SpeechStarted):
            self._quiet_since = self._stream_s
            assert self.listener is not None
            self._speech_started_s = self._stream_s - self.listener.turns.rules.start_ms / 1000
        elif isinstance(event, SpeechConfirmed):
            if self._recovery.misjudged(self._speech_started_s, self._interviewer_started()):
                self._recover()  # the candidate was not done: same answer, the interviewer backs off
            else:
                self._settle_recovery()
                if self._speaker.talking() and not self._closing:
                    self._speaker.cut_off(always=True)  # barge-in: the relay drops what is queued
        elif isinstance(event, Chunk):
            self._quiet_since = self._stream_s
            if event.final:
                self.turn_ended_at = time.monotonic()
                self._recovery.turn_ended(self._stream_s)
                # Nothing left to transcribe and the reply's first audio made during the pause: the
                # reply itself can start now, no filler needed (a natural voice may still be making it).
                transcribed = not event.voiced and self._decoding == 1
                ready = transcribed and self._speculator.audio_ready()
                if self._acknowledge and event.spoken_ms >= _ACK_MIN_SPOKEN_MS and not ready:
                    self._start_acknowledgement()
        elif isinstance(event, SpeechResumed):
            self._speculator.drop()
        elif isinstance(event, UtteranceDropped):
            self._inbox.put_nowait(None)  # an answer held back for this blip can go now

    def _on_heard(self, heard: Heard) -> None:
        """A chunk's transcript, in order: onto the candidate's line; during a pause, prepare the
        reply; at the end of the turn, close the line and hand the answer to the conversation."""
        self._line.add(heard)
        if heard.at_pause and heard.text:  # the whole answer up to this pause is in: prepare the reply
            self._speculate()
        if not heard.chunk.final:
            return
        emitted = False
        if self._recovery.keep_line_open:  # the candidate already went on: one line
            self._recovery.keep_line_open = False
        else:  # the speech ended before the silence that ended the turn
            emitted = self._line.close(int((self._stream_s - heard.end_s) * 1000) + heard.chunk.trailing_ms)
        self._recovery.final_handled(emitted)
        words = self._line.take_words()
        if not words:
            self._unheard_ms += heard.chunk.spoken_ms
        self._inbox.put_nowait(words)

    @property
    def _decoding(self) -> int:
        """Chunks queued or being transcribed."""
        return self.listener.decoding if self.listener is not None else 0

    def _in_speech(self) -> bool:
        return self.listener is not None and self.listener.turns.in_speech

    # --- the conversation ----------------------------------------------------------------------
    async def _conduct(self) -> None:
        assert self._interviewer is not None
        if self._resume is None:
            self._commit(self._interviewer.opening())
        while not self._ended:
            try:
                answer = await asyncio.wait_for(self._inbox.get(), timeout=_TICK_S)
            except TimeoutError:
                answer = None
            if self._closing:
                continue
            if answer is not None:
                self._pending_answer.append(answer)
            if self._pending_answer and not (self._in_speech() or self._held) and self._decoding == 0:
                text = answer_text(self._pending_answer)
                self._pending_answer.clear()
                if text:
                    self._quiet_since = self._stream_s
                    self._reply_to(text)
                elif self._unheard_ms >= _NOT_CAUGHT_MIN_SPOKEN_MS:
                    self._quiet_since = self._stream_s
                    self._ask_again()
                else:
                    self._hand_to_acknowledgement(None)
                self._unheard_ms = 0
                continue
            self._check_timers()

    def _check_timers(self) -> None:
        assert self._interviewer is not None
        if self._recovery.stands(self._stream_s, self._interviewer_started()):
            self._settle_recovery()
        elapsed = time.monotonic() - self._started_at
        if elapsed >= max(0.0, self.brief.max_duration_s - _TIMEOUT_LEAD_S):
            self._settle_recovery()
            self._commit(self._interviewer.timeout(), reason=EndReason.TIMEOUT)
            return
        busy = self._speaker.talking() or self._in_speech() or self._decoding or self._pending_answer
        quiet_for = self._stream_s - max(self._quiet_since, self._speaker.audible_until)
        if not (busy or self._held) and quiet_for >= self._silence_prompt_s:
            self._quiet_since = self._stream_s
            self._settle_recovery()
            self._commit(self._interviewer.silence_prompt())

    # --- replying ahead of time ----------------------------------------------------------------
    def _speculate(self) -> None:
        """The transcript so far arrived during a pause: prepare the reply in case the turn ends here."""
        if self._closing or self._interviewer is None or not self._inbox.empty():
            return
        text = answer_text(self._pending_answer + self._line.words)
        if text:
            self._speculator.start(self._interviewer, text)

    def _reply_to(self, text: str) -> None:
        assert self._interviewer is not None
        if self._recovery.open and self._scorecard is not None:  # to go back to if the candidate was not done
            self._recovery.replied(fork(self._interviewer), text, self._scorecard.number)
        self._interviewer, reply, first_audio = self._speculator.reply(self._interviewer, text)
        self._commit(reply, text, first_audio=first_audio)

    def _ask_again(self) -> None:
        """The candidate spoke but Whisper made no words of it: say so, after the acknowledgement
        if one is playing, instead of leaving the candidate waiting for a reply that never comes."""
        assert self._interviewer is not None
        reply = self._interviewer.not_caught()
        if not self._hand_to_acknowledgement((reply, None)):
            self._say(reply)

    def _commit(
        self, reply: Reply, answer: str = "", reason: EndReason = EndReason.AI_ENDED, first_audio: bytes | None = None
    ) -> None:
        """A reply is decided: note it on the scorecard (silently), then speak it, after a
        waiting acknowledgement when the candidate just answered."""
        assert self._interviewer is not None and self._scorecard is not None
        events = self._scorecard.on_reply(self._interviewer, reply, answer)
        if not (answer and self._recovery.hold_back(events)):  # an answer's notes wait until the turn stands
            for event in events:
                self._emit(event)
        if not (answer and self._hand_to_acknowledgement((reply, first_audio))):
            self._say(reply, reason, first_audio)

    # --- recovering from a misjudged end of turn (.recovery) ----------------------------------
    def _interviewer_started(self) -> float | None:
        """When the interviewer's speech since the last end of turn began (None: not yet)."""
        started = self._speaker.started_s
        return started if started is not None and started >= self._recovery.ended_s else None

    def _settle_recovery(self) -> None:
        """The last end of turn stands: its reply's scorecard notes are kept."""
        for event in self._recovery.close():
            self._emit(event)

    def _recover(self) -> None:
        """The candidate went on: stop, withdraw the interviewer's line, continue the same answer."""
        recovery = self._recovery
        if recovery.final_done:
            self._emit(Retracted(interviewer=self._speaker.captioned, reopen_user=recovery.final_emitted))
            self._line.open = self._line.open or recovery.final_emitted
        else:
            recovery.keep_line_open = True  # the answer's line is not closed yet: it never will be
        self._speaker.cut_off(always=True)  # Interrupted; its line is already withdrawn
        if recovery.answered is not None and self._interviewer is not None:
            self._interviewer = recovery.answered.before
            self._pending_answer.insert(0, recovery.answered.answer)
            if self._scorecard is not None:  # its notes were held back: they are dropped
                self._scorecard.number = recovery.answered.scorecard_number
            self._closing = False
            self._emit(Checkpoint({"dialogue": self._interviewer.snapshot()}))
        self._speculator.drop()
        self.stats.recoveries += 1
        recovery.close()

    # --- speaking (pacing and playback: .speaking) -----------------------------------------
    def _say(self, reply: Reply, reason: EndReason = EndReason.AI_ENDED, first_audio: bytes | None = None) -> None:
        self._speaker.cut_off()
        self._closing = reply.ended
        self._speaker.say(reply, reason, first_audio)

    def _start_acknowledgement(self) -> None:
        """The turn just ended with words still being decoded, or the reply's first audio still being
        made: "I see." now, the reply after."""
        assert self._engines is not None
        if not (self._closing or self._speaker.talking()):
            self._speaker.acknowledge(self._engines.spoken)

    def _hand_to_acknowledgement(self, planned: Planned | None) -> bool:
        """Give the reply (None: nothing to reply to) to a waiting acknowledgement; False if none waits.
        A reply that opens with a lead ("Okay, that's helpful.") drops it: "All right." was just said."""
        if planned is not None and self._interviewer is not None and self._speaker.waiting():
            shorter = self._interviewer.without_lead(planned[0])
            planned = (shorter, None) if shorter is not planned[0] else planned
        if not self._speaker.hand_over(planned):
            return False
        if planned is not None:
            self._closing = planned[0].ended
        return True

    # --- plumbing ------------------------------------------------------------------------------
    def _emit(self, event: BackendEvent) -> None:
        if not self._ended:
            self._events.put_nowait(event)

    def _finish(self, reason: EndReason) -> None:
        if not self._ended:
            self._events.put_nowait(Ended(reason))
            self._ended = True

    async def _guard(self, work: object) -> None:
        """Any unexpected error ends the interview with ``Failed`` instead of dying silently."""
        try:
            await work  # type: ignore[misc]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("offline interviewer failed")
            if not self._ended:
                self._events.put_nowait(
                    Failed(codes.UPSTREAM, "The offline interviewer stopped unexpectedly.", repr(exc))
                )
                self._ended = True
