"""Turn-taking: Silero VAD streamed over the candidate's 16 kHz audio.

:class:`StreamingVad` runs Silero's ONNX model (shipped inside faster-whisper) on
onnxruntime alone, 512 samples at a time, carrying the model's recurrent state and its
64-sample context between windows the way Silero was trained. :class:`TurnDetector` turns
the per-window speech probabilities into turn events. It counts samples, not wall time,
so it behaves the same whether audio arrives in real time or faster (tests, benchmark).

With a semantic end-of-turn model (``semantic=True``) a pause does not end the turn by
itself: at ``check_silence_ms`` (and every ``recheck_ms`` after) the detector emits a
:class:`PauseCheck` carrying the utterance's last seconds; the owner asks the model off the
event loop and calls :meth:`TurnDetector.end_turn` when it says "complete". A pause of
``cap_silence_ms`` ends the turn anyway. Without the model, ``end_silence_ms`` of silence does.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from preppal.speech.errors import ModelUnavailable

RATE = 16_000
WINDOW = 512  # samples per VAD window (32 ms)
WINDOW_MS = WINDOW * 1000 // RATE
_CONTEXT = 64  # samples of the previous window the model sees before each window
# Every interview's VAD windows are scored here, never on the event loop carrying live audio:
# a window costs ≈ 0.1 ms on a quiet machine but the loop stalled 85–238 ms on it under load
# (docs/performance.md, issue 19). One thread: windows of a stream must run in order, and it
# is apart from Whisper's and Smart Turn's threads so a frame never queues behind a decode.
LISTENER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-vad")


def load_vad_session():  # -> onnxruntime.InferenceSession
    """Silero v6 from faster-whisper's assets; one session serves every stream (state is per call)."""
    try:
        import faster_whisper
        import onnxruntime
    except ImportError as exc:
        raise ModelUnavailable(
            "The offline interviewer's voice-activity model needs faster-whisper and onnxruntime. "
            "Run: pip install faster-whisper==1.2.1 onnxruntime==1.31.1"
        ) from exc
    path = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"
    options = onnxruntime.SessionOptions()
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.log_severity_level = 4
    try:
        return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"], sess_options=options)
    except Exception as exc:
        raise ModelUnavailable(
            f"The voice-activity model {path} could not be loaded. "
            "Reinstall it with: pip install --force-reinstall faster-whisper==1.2.1"
        ) from exc


class StreamingVad:
    """Speech probability per 512-sample window of one audio stream.

    :meth:`push` blocks while the model runs: call it on :data:`LISTENER`, one call at a time
    per stream (it carries the stream's recurrent state)."""

    def __init__(self, session: Any) -> None:  # an onnxruntime.InferenceSession
        self._session = session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, samples: np.ndarray) -> list[tuple[np.ndarray, float]]:
        """Feed float32 samples of any length; returns ``(window, probability)`` per full window."""
        self._pending = np.concatenate([self._pending, samples]) if self._pending.size else samples
        out: list[tuple[np.ndarray, float]] = []
        while self._pending.size >= WINDOW:
            window, self._pending = self._pending[:WINDOW], self._pending[WINDOW:]
            batch = np.concatenate([self._context, window])[np.newaxis, :]
            probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
            self._context = window[-_CONTEXT:]
            out.append((window, float(probs.reshape(-1)[0])))
        return out


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The candidate began speaking (≈ 100 ms of speech seen)."""


@dataclass(frozen=True, slots=True)
class SpeechConfirmed:
    """Enough speech (≈ 250 ms) that it is not a cough or echo: barge-in is warranted."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Audio to transcribe. ``final`` closes the utterance (end of turn); a final chunk also says
    how much of the utterance was voiced and how much silence ends the chunk."""

    audio: np.ndarray
    final: bool
    voiced: bool = True
    spoken_ms: int = 0
    trailing_ms: int = 0
    pause: int = -1  # the pause an early chunk was cut at (its transcript is evidence about that pause)


@dataclass(frozen=True, slots=True, eq=False)
class EarlyLook:
    """The chunk so far, a little before it is cut: a pause has begun that will cut it if it lasts.

    Its decode can start now and stand for the chunk's when the cut comes in the same pause (the
    windows between are silence): the pause's words then arrive ``cut_silence_ms -
    early_look_ms`` sooner, while the chunk boundary, and so the transcript, stays where it was.
    If the candidate goes on first, the decode is thrown away (issue 19, docs/turn-taking.md)."""

    pause: int
    audio: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class PauseCheck:
    """Ask the end-of-turn model about this pause; ``audio`` ends now (trailing silence included)."""

    pause: int  # which pause: a verdict that arrives after the candidate went on is ignored
    audio: np.ndarray
    voiced_ms: int = 0  # speech in the utterance so far (a short answer is rarely a whole one)


@dataclass(frozen=True, slots=True)
class SpeechResumed:
    """The candidate went on after a checked pause: anything prepared for that pause is void."""


@dataclass(frozen=True, slots=True)
class UtteranceDropped:
    """A blip too short to be an answer ended; nothing was sent for transcription."""


@dataclass(slots=True)
class TurnStats:
    """Counters for tests and the benchmark (one interview)."""

    checks: int = 0  # end-of-turn model verdicts received
    text_checks: int = 0  # text judge verdicts received
    complete: int = 0  # turns ended by the evidence (turn_policy) while the pause lasted
    by_words: int = 0  # ... of which the moment the transcript arrived
    by_wait: int = 0  # ... of which as the pause grew (the evidence was in, the bar fell to it)
    early_looks: int = 0  # decodes started ahead of a cut (EarlyLook)
    early_used: int = 0  # ... whose words stood for the chunk's (the pause lasted to the cut)
    speculations: int = 0
    used: int = 0  # speculations whose reply was spoken
    dropped: int = 0  # speculations thrown away (the candidate went on, or the answer changed)
    acknowledgements: int = 0
    recoveries: int = 0  # the candidate went on right after the interviewer started: it backed off


TurnEvent = SpeechStarted | SpeechConfirmed | Chunk | EarlyLook | UtteranceDropped | PauseCheck | SpeechResumed


@dataclass(frozen=True)
class TurnRules:
    threshold: float = 0.5
    neg_threshold: float = 0.35  # below this a window is silence (hysteresis, as Silero does)
    start_ms: int = 96  # consecutive speech before an utterance starts
    confirm_ms: int = 250
    pre_roll_ms: int = 400  # kept before the start, or the first word is clipped
    cut_silence_ms: int = 200  # a pause this long lets the chunk so far be transcribed early (see docs)
    # ... and this long starts that decode ahead of the cut (EarlyLook); >= cut_silence_ms: never.
    # A gap that ends between the two throws the look away (about 1 look in 4 on the benchmark's
    # human set): one wasted decode, 0.2–0.3 s of Whisper's thread (docs/performance.md, round 3).
    early_look_ms: int = 96
    min_chunk_voiced_ms: int = 1000
    end_silence_ms: int = 700  # the silence rule (no model); shorter splits answers at natural pauses
    check_silence_ms: int = 200  # semantic: first question to the model during a pause
    recheck_ms: int = 200  # semantic: ask again this often while the pause lasts (the words veto a cut thought)
    cap_silence_ms: int = 2000  # semantic: a pause this long ends the turn whatever the model says
    short_answer_ms: int = 3000  # semantic: less speech is transcribed at every pause (turn_policy: a short answer)
    context_ms: int = 8000  # semantic: audio the model hears (Smart Turn takes 8 s)
    min_utterance_voiced_ms: int = 250
    max_chunk_ms: int = 25_000  # Whisper sees at most 30 s


class TurnDetector:
    """Groups VAD windows into utterances, cut into chunks at pauses for early transcription."""

    def __init__(
        self, rules: TurnRules | None = None, *, semantic: bool = False, words_at_every_pause: bool = False
    ) -> None:
        self.rules = rules or TurnRules()
        self.semantic = semantic
        # With the text judge, every pause is transcribed: its words decide whether it ends the turn.
        self.words_at_every_pause = words_at_every_pause
        self.pause = 0  # id of the current pause (see PauseCheck)
        self._recent: deque[np.ndarray] = deque(maxlen=-(-self.rules.context_ms // WINDOW_MS))
        keep = -(-self.rules.pre_roll_ms // WINDOW_MS) + -(
            -self.rules.start_ms // WINDOW_MS
        )  # pre-roll + the start run
        self._pre_roll: deque[np.ndarray] = deque(maxlen=keep)
        self._run_ms = 0
        self._reset_utterance()
        self.in_speech = False
        # Set by the owner while a transcription is still running: a new early chunk would only
        # queue behind it (each decode has a fixed cost), so the audio stays in the next chunk.
        self.hold_cuts = False
        self.held = False  # the candidate holds the floor: no pause ends the turn (see hold())

    def _reset_utterance(self) -> None:
        self._chunk: list[np.ndarray] = []
        self._chunk_voiced_ms = 0
        self._voiced_ms = 0
        self._silence_ms = 0
        self._next_check_ms = self.rules.check_silence_ms
        self._looked_at = -1  # the pause an EarlyLook was given for
        self._pause_from_ms = 0  # silence already counted when the floor was handed back (hold())
        self._confirmed = False

    def push(self, window: np.ndarray, prob: float) -> list[TurnEvent]:
        r = self.rules
        speech = prob >= r.threshold
        if not self.in_speech:
            self._pre_roll.append(window)
            self._run_ms = self._run_ms + WINDOW_MS if speech else 0
            if self._run_ms < r.start_ms:
                return []
            self.in_speech = True
            self._reset_utterance()
            self._chunk = list(self._pre_roll)
            self._recent.clear()
            self._recent.extend(self._chunk)
            self._pre_roll.clear()
            self._voiced_ms = self._chunk_voiced_ms = self._run_ms
            self._run_ms = 0
            return [SpeechStarted()]

        events: list[TurnEvent] = []
        self._chunk.append(window)
        self._recent.append(window)
        if speech:
            if self._silence_ms and self._next_check_ms > r.check_silence_ms:  # a checked pause ended
                events.append(SpeechResumed())
            if self._silence_ms:
                self.pause += 1
            self._silence_ms = self._pause_from_ms = 0
            self._voiced_ms += WINDOW_MS
            self._chunk_voiced_ms += WINDOW_MS
        elif prob < r.neg_threshold or self._silence_ms > 0:
            self._silence_ms += WINDOW_MS
        if not self._confirmed and self._voiced_ms >= r.confirm_ms:
            self._confirmed = True
            events.append(SpeechConfirmed())
        limit = (r.cap_silence_ms if self.semantic else r.end_silence_ms) + self._pause_from_ms
        if self._silence_ms >= limit and not self.held:
            return events + self._end()
        if (not self.hold_cuts and self._pause_cut_due()) or len(self._chunk) * WINDOW_MS >= r.max_chunk_ms:
            events.append(self._cut())
        elif self._look_due():
            self._looked_at = self.pause
            events.append(EarlyLook(self.pause, np.concatenate(self._chunk)))
        if self.semantic and self._silence_ms == 0:
            self._next_check_ms = r.check_silence_ms
        elif (
            self.semantic
            and not self.held
            and self._silence_ms >= self._next_check_ms
            and self._voiced_ms >= r.min_utterance_voiced_ms
        ):
            self._next_check_ms = self._silence_ms + r.recheck_ms
            events.append(PauseCheck(self.pause, np.concatenate(self._recent), self._voiced_ms))
        return events

    def _pause_cut_due(self, silence_ms: int | None = None) -> bool:
        """A pause of ``silence_ms`` (default: the cut's) would cut the chunk so far."""
        r = self.rules
        # A short answer is transcribed at every pause: its words decide whether it ends there.
        short = self.semantic and (self.words_at_every_pause or self._voiced_ms < r.short_answer_ms)
        enough = self._chunk_voiced_ms >= (r.min_utterance_voiced_ms if short else r.min_chunk_voiced_ms)
        return self._silence_ms >= (r.cut_silence_ms if silence_ms is None else silence_ms) and enough

    def _look_due(self) -> bool:
        r = self.rules
        return (
            r.early_look_ms < r.cut_silence_ms
            and self._looked_at != self.pause
            and not self.hold_cuts
            and bool(self._chunk)
            and self._pause_cut_due(r.early_look_ms)
        )

    def _cut(self) -> Chunk:
        chunk = Chunk(np.concatenate(self._chunk), final=False, pause=self.pause)
        self._chunk, self._chunk_voiced_ms = [], 0
        return chunk

    def release_held_cut(self) -> list[TurnEvent]:
        """The transcriber is free again: a cut held back during this pause can happen now."""
        if self.in_speech and not self.hold_cuts and self._pause_cut_due():
            return [self._cut()]
        return []

    def end_turn(self, pause: int) -> list[TurnEvent]:
        """The model says pause ``pause`` completes the turn: end it now, if that pause still lasts."""
        if self.held or not self.in_speech or pause != self.pause or self._silence_ms == 0:
            return []
        return self._end()

    def hold(self, held: bool) -> None:
        """The candidate holds the floor, or hands the decision back. Released during a pause,
        the pause is judged as if it began now: the first check and the cap count from here
        (a candidate who lets go to speak again is not cut off at the moment of letting go)."""
        self.held = held
        if not held and self.pausing:
            self._pause_from_ms = self._silence_ms
            self._next_check_ms = self._silence_ms + self.rules.check_silence_ms

    @property
    def voiced_ms(self) -> int:
        """Speech in the current utterance so far."""
        return self._voiced_ms if self.in_speech else 0

    @property
    def silence_ms(self) -> int:
        """How long the current pause has lasted (from the release, after a hold); 0 when not pausing."""
        return max(0, self._silence_ms - self._pause_from_ms) if self.pausing else 0

    @property
    def pausing(self) -> bool:
        """Inside an utterance, in silence (the candidate may or may not go on)."""
        return self.in_speech and self._silence_ms > 0

    def _end(self) -> list[TurnEvent]:
        self.in_speech = False
        self.pause += 1
        if self._voiced_ms < self.rules.min_utterance_voiced_ms:
            event: TurnEvent = UtteranceDropped()
        else:
            audio = np.concatenate(self._chunk) if self._chunk else np.zeros(0, dtype=np.float32)
            event = Chunk(
                audio,
                final=True,
                voiced=self._chunk_voiced_ms > 0,
                spoken_ms=self._voiced_ms,
                trailing_ms=min(self._silence_ms, len(audio) * 1000 // RATE),
            )
        self._reset_utterance()
        self._recent.clear()
        return [event]
