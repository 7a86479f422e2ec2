"""The offline interviewer's models, loaded once per process and shared by every interview.

Loading is ≈ 1–2 s (Whisper weights, the VAD, the audio and text end-of-turn models, the voice
worker), so it
never happens at import time: the first interview pays it on :data:`LOADER`, or the app's
warm-up task (preppal/tasks.py) loads them at start-up so that even the first interview starts fast.

Per language, only two things differ: the Whisper model (tiny.en for English, the multilingual
base model for the rest: :mod:`.whisper_models`) and the acknowledgements synthesised once in
the language's voice. The multilingual model loads when the first non-English interview of the
process starts (≈ 1–2 s, ≈ 0.2 GB more memory: docs/performance.md) and then stays, shared by
every language; English-only servers never load it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from preppal.languages import DEFAULT_LANGUAGE, Language, get_language
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.readings import spoken_form
from preppal.live.offline.smart_turn import SmartTurn, load_smart_turn
from preppal.live.offline.stt import Transcriber
from preppal.live.offline.text_judge import TextJudge
from preppal.live.offline.text_model import load_text_model
from preppal.live.offline.tts import OUTPUT_RATE, Voice
from preppal.live.offline.vad import load_vad_session
from preppal.live.offline.whisper_models import for_language

log = logging.getLogger(__name__)
# Loading runs here: never on the event loop, and not in asyncio's default pool either, where a
# slow load would hold a thread the relay's database writes need.
LOADER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-load")


@dataclass(frozen=True)
class Engines:
    """What one interview listens and speaks with; everything but ``language`` and ``spoken`` is shared."""

    vad_session: object  # onnxruntime.InferenceSession
    transcriber: Transcriber  # tiny.en or the multilingual base model
    voice: Voice
    smart_turn: SmartTurn | None = None  # None: missing or damaged, the silence rule decides (logged)
    spoken: dict[str, bytes] = field(default_factory=dict)  # the language's acknowledgements, synthesised once
    language: Language = field(default_factory=lambda: get_language(DEFAULT_LANGUAGE))
    # The text end-of-turn judge; None: the model is missing or damaged (logged), or the language is
    # not English (SmolLM2-135M is an English model): the language's word rules stand in.
    text_judge: TextJudge | None = None

    def speak(self, text: str, rate: int = OUTPUT_RATE) -> bytes:
        """``text`` in the language's voice (blocking: call it on tts.SPEAKER)."""
        return self.voice.speak(spoken_form(text, self.language.code), rate, self.language.espeak)

    def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        """One chunk of the candidate's speech in the interview's language (blocking: stt.DECODER)."""
        return self.transcriber.transcribe(audio, prompt, self.language.whisper)


@dataclass(frozen=True)
class _Shared:
    vad_session: object
    voice: Voice
    smart_turn: SmartTurn | None
    text_judge: TextJudge | None


def _text_judge() -> TextJudge | None:
    model = load_text_model()
    return TextJudge(model) if model is not None else None


_lock = threading.Lock()
_shared: list[_Shared] = []  # at most one
_transcribers: dict[tuple[str, str], Transcriber] = {}  # (model, folder) → loaded model
_cache: dict[tuple[str, str], Engines] = {}  # (language, folder) → engines


def load_engines(stt_model_dir: Path | None = None, language: str = DEFAULT_LANGUAGE) -> Engines:
    """The models for an interview in ``language`` (blocking); raises ModelUnavailable with a fix-it message.

    ``stt_model_dir`` overrides where the language's Whisper model is read from (tests)."""
    lang = get_language(language)
    key = (lang.code, str(stt_model_dir or ""))
    engines = _cache.get(key)
    if engines is not None:
        return engines
    with _lock:
        engines = _cache.get(key)
        if engines is None:
            if not _shared:
                _shared.append(_Shared(load_vad_session(), Voice(), load_smart_turn(), _text_judge()))
            shared = _shared[0]
            model = for_language(lang.code)
            model_key = (model.name, str(stt_model_dir or ""))
            if model_key not in _transcribers:
                _transcribers[model_key] = Transcriber(stt_model_dir, model=model)
                log.info("offline speech-to-text: %s loaded for %s", model.name, lang.name)
            engines = Engines(
                shared.vad_session,
                _transcribers[model_key],
                shared.voice,
                shared.smart_turn,
                _speak_all(shared.voice, lang, load_pack(lang.code).phrases["acknowledgements"]),
                lang,
                shared.text_judge if lang.code.startswith("en") else None,
            )
            _cache[key] = engines
        return engines


def _speak_all(voice: Voice, lang: Language, phrases: list[str]) -> dict[str, bytes]:
    """The phrases, each synthesised once in the language's voice (a few ms each)."""
    return {text: voice.speak(spoken_form(text, lang.code), OUTPUT_RATE, lang.espeak) for text in phrases}
