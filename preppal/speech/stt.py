"""Speech-to-text: faster-whisper (int8), tiny.en for English, the multilingual base model otherwise.

Which model serves which language, where its files are and their pinned hashes:
:mod:`.whisper_models`. The weights ship with the install and load fully offline
(``HF_HUB_OFFLINE``, a local folder, ``local_files_only``). Every interview of the process,
whatever its language or model, decodes on one thread, one chunk at a time
(:data:`DECODER`, :data:`_DECODE_LOCK`), always off the event loop.

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

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from preppal.speech.errors import ModelUnavailable
from preppal.speech.whisper_models import TINY_EN, WhisperModel, check_folder, default_dir

_DECODE_LOCK = threading.Lock()  # process-wide: concurrent decodes would only slow each other
# Interviews decode on this one thread, not asyncio's default pool: waiting decodes would
# otherwise fill that pool and stall everyone else's to_thread work (the relay's DB writes).
DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-stt")
# Whisper's stock inventions on silence or noise (subtitle credits from its training data);
# dropped when they are all a chunk says. Compared lower-cased, without the end punctuation.
_HALLUCINATIONS = {
    "en": {"", "you", "thank you", "thanks for watching", "thank you for watching", "bye"},
    "es": {"", "gracias", "gracias por ver el video", "subtítulos por la comunidad de amara.org"},
    "fr": {"", "merci", "merci d'avoir regardé cette vidéo", "sous-titres réalisés par la communauté d'amara.org"},
    "de": {"", "danke", "vielen dank", "untertitel der amara.org-community", "untertitel im auftrag des zdf, 2017"},
    "pt": {"", "obrigado", "obrigada", "obrigado por assistir", "legendas pela comunidade amara.org"},
    "hi": {"", "धन्यवाद"},
    "ja": {"", "ご視聴ありがとうございました", "ありがとうございました"},
    "zh": {"", "谢谢", "谢谢观看", "字幕由amara.org社区提供", "請不吝點贊 訂閱 轉發 打賞支持明鏡與點點欄目"},
}
FULL_WINDOW_FRAMES = 3000  # Whisper's 30 s of 10 ms feature frames
WINDOW_MARGIN_S = 3.0  # padding after the speech in a live decode (0.5 s looped without the guard below)
WINDOW_MIN_S = 8.0
# Runaway guards: nobody says more than ≈ 6 words (≈ 8 tokens) a second, or the same sentence
# three times running; Whisper's own test for a repetition loop is a compression ratio above 2.4.
# Scripts Whisper's tokeniser splits finely need more tokens a second (Devanagari, kana/kanji).
_MAX_TOKENS_BASE, _MAX_TOKENS_PER_S = 16, 10
_TOKENS_PER_S = {"hi": 30, "ja": 20, "zh": 16}
_LOOP_COMPRESSION = 2.4
_UNSPACED = {"ja", "zh"}  # written without spaces: length in characters, not words


def window_frames(samples: int, margin_s: float = WINDOW_MARGIN_S, min_s: float = WINDOW_MIN_S) -> int:
    """Encoder frames for a live decode of ``samples`` (16 kHz): the audio, a margin, at most 30 s."""
    seconds = max(min_s, samples / 16_000 + margin_s)
    return min(FULL_WINDOW_FRAMES, int(seconds * 100 + 0.999))


def _probably_noise(no_speech_prob: float, avg_logprob: float) -> bool:
    """Whisper's own test, tightened: with a prompt it repeats the prompt over noise fluently."""
    return no_speech_prob > 0.8 or (no_speech_prob > 0.6 and avg_logprob < -0.5)


def _repeats(text: str) -> bool:
    """The same sentence three times running ("Right. Right. Right.")."""
    sentences = [x.strip(" ,").lower() for x in re.split(r"[.!?。！？]", text) if x.strip(" ,")]
    return any(a == b == c for a, b, c in zip(sentences, sentences[1:], sentences[2:], strict=False))


def _too_long(text: str, seconds: float, language: str) -> bool:
    """More than anyone says in ``seconds``: ≈ 6 words, or ≈ 12 characters of ja/zh, a second."""
    if language in _UNSPACED:
        return len("".join(text.split())) > 6 + 12 * seconds
    return len(text.split()) > 3 + 6 * seconds


@dataclass(frozen=True)
class Word:
    """One recognised word with its time in seconds from the start of the decoded audio."""

    text: str  # as Whisper wrote it, punctuation attached (" Um,")
    start_s: float
    end_s: float


class Transcriber:
    """A loaded Whisper model; :meth:`transcribe` blocks (call it from a worker thread)."""

    def __init__(
        self, model_dir: Path | None = None, threads: int = 0, verify: bool = True, model: WhisperModel = TINY_EN
    ) -> None:
        # Live decodes' encoder window: (margin, minimum) in seconds; None: Whisper's full 30 s.
        self.window: tuple[float, float] | None = (WINDOW_MARGIN_S, WINDOW_MIN_S)
        self.model = model
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model_dir = Path(model_dir) if model_dir else default_dir(model)
        check_folder(model, model_dir, verify)
        try:
            import faster_whisper
        except ImportError as exc:
            raise ModelUnavailable("faster-whisper is not installed. Run: pip install faster-whisper==1.2.1") from exc

        class _WindowedWhisper(faster_whisper.WhisperModel):
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
                f"The {model.name} speech-to-text model in {model_dir} could not be loaded "
                f"({type(exc).__name__}: {str(exc)[:160]}). Repair it with: {model.fix}"
            ) from exc

    def transcribe(self, audio: np.ndarray, prompt: str = "", language: str = "en") -> str:
        """Text of one chunk of 16 kHz float32 speech in ``language`` (a Whisper code; greedy,
        no timestamps, no history).

        ``prompt`` primes the decoder with the interview's setting; on the benchmark's answers
        it cut word errors from ≈ 15 % to ≈ 11 % at no measurable cost. The short window
        occasionally sends Whisper into a loop on a very short chunk ("Please. Please. Please.
        …"); such a decode is done again with the full window.
        """
        with _DECODE_LOCK:
            frames = window_frames(audio.size, *self.window) if self.window else FULL_WINDOW_FRAMES
            text, looped = self._decode(audio, prompt, frames, language)
            if looped:
                text, _looped = self._decode(audio, prompt, FULL_WINDOW_FRAMES, language)
        if text.lower().strip(" .!?¡¿,。！？、") in _HALLUCINATIONS.get(language, {""}):
            return ""
        return text

    def _decode(self, audio: np.ndarray, prompt: str, frames: int, language: str = "en") -> tuple[str, bool]:
        """(text, whether it looks like a repetition loop); holds :data:`_DECODE_LOCK`."""
        self._model.frames = frames  # one decode at a time: safe to set here
        seconds = audio.size / 16_000
        try:
            segments, _info = self._model.transcribe(
                audio,
                language=language,
                beam_size=1,
                temperature=0.0,
                without_timestamps=True,
                condition_on_previous_text=False,
                vad_filter=False,  # our own VAD already chose the audio
                initial_prompt=prompt or None,
                max_new_tokens=_MAX_TOKENS_BASE + int(_TOKENS_PER_S.get(language, _MAX_TOKENS_PER_S) * seconds),
            )
            kept = [s for s in segments if not _probably_noise(s.no_speech_prob, s.avg_logprob)]  # decodes here
        finally:
            self._model.frames = FULL_WINDOW_FRAMES
        text = " ".join(p for p in (s.text.strip() for s in kept) if p)
        too_many = _too_long(text, seconds, language)
        return text, too_many or _repeats(text) or any(s.compression_ratio > _LOOP_COMPRESSION for s in kept)

    def words(self, audio: np.ndarray, prompt: str = "", language: str = "en") -> list[Word]:
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
                language=language,
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
