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

English may speak with the opt-in natural voice (``PREPPAL_OFFLINE_VOICE=joe``:
:mod:`.natural_voice`); if it is not installed or its files are damaged, espeak-ng speaks (logged).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from preppal.languages import DEFAULT_LANGUAGE, Language, get_language
from preppal.live.offline.language_pack import LanguagePack, load_pack
from preppal.live.offline.natural_voice import NaturalVoice, load_natural_voice, speakable
from preppal.live.offline.readings import spoken_form
from preppal.live.offline.smart_turn import SmartTurn, load_smart_turn
from preppal.live.offline.text_judge import TextJudge
from preppal.live.offline.text_model import load_text_model
from preppal.live.offline.tts import OUTPUT_RATE, Voice
from preppal.live.offline.vad import load_vad_session
from preppal.speech.errors import ModelUnavailable
from preppal.speech.stt import Transcriber
from preppal.speech.whisper_models import for_language

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
    natural: NaturalVoice | None = None  # English only, opt-in: speaks instead of espeak-ng
    ready: dict[tuple[str, float], bytes] = field(default_factory=dict)  # (line, pace) → audio made at load

    def made(self, text: str, pace: float = 1.0) -> bytes | None:
        """A short fixed line ("Thanks.", "That's a good start.") synthesised at load, if it is one:
        most replies start with one, so their first audio is ready at once."""
        return self.ready.get((text, pace))

    def speak(self, text: str, rate: int = OUTPUT_RATE, pace: float = 1.0) -> bytes:
        """``text`` in the language's voice (blocking: call it on tts.SPEAKER); ``pace`` < 1 is slower."""
        if self.natural is not None:
            return self.natural.speak(text, rate, pace=pace)
        return self.voice.speak(spoken_form(speakable(text), self.language.code), rate, self.language.espeak, pace)

    def transcribe(self, audio: np.ndarray, prompt: str = "") -> str:
        """One chunk of the candidate's speech in the interview's language (blocking: stt.DECODER)."""
        return self.transcriber.transcribe(audio, prompt, self.language.whisper)


@dataclass(frozen=True)
class _Shared:
    vad_session: object
    voice: Voice
    smart_turn: SmartTurn | None
    text_judge: TextJudge | None
    natural: NaturalVoice | None  # the opt-in English voice, when configured and installed


def _text_judge() -> TextJudge | None:
    model = load_text_model()
    return TextJudge(model) if model is not None else None


def _natural_voice(voice: Voice) -> NaturalVoice | None:
    from preppal.settings import get_settings

    if get_settings().offline_voice != "joe":
        return None
    try:
        return load_natural_voice(voice)
    except ModelUnavailable as exc:
        log.warning("%s The espeak-ng voice speaks instead.", exc)
        return None


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
                voice = Voice()
                shared = _Shared(load_vad_session(), voice, load_smart_turn(), _text_judge(), _natural_voice(voice))
                _shared.append(shared)
            shared = _shared[0]
            model = for_language(lang.code)
            model_key = (model.name, str(stt_model_dir or ""))
            if model_key not in _transcribers:
                _transcribers[model_key] = Transcriber(stt_model_dir, model=model)
                log.info("offline speech-to-text: %s loaded for %s", model.name, lang.name)
            natural = shared.natural if lang.code.startswith("en") else None
            engines = Engines(
                shared.vad_session,
                _transcribers[model_key],
                shared.voice,
                shared.smart_turn,
                {},
                lang,
                shared.text_judge if lang.code.startswith("en") else None,
                natural,
            )
            pack = load_pack(lang.code)
            engines.spoken.update((text, engines.speak(text)) for text in pack.phrases["acknowledgements"])
            engines.ready.update(((text, pace), engines.speak(text, pace=pace)) for text, pace in _leads(pack))
            _cache[key] = engines
        return engines


def _leads(pack: LanguagePack) -> set[tuple[str, float]]:
    """The short fixed lines replies start with, at the pace of the difficulty that says them."""
    phrases, pace = pack.phrases, pack.pacing["speech_pace"]
    lines = {(line, pace[d]) for d in pace for quality in phrases["next_question_lead"].values() for line in quality[d]}
    lines |= {(line, pace[d]) for d in pace for line in pack.followups["lead"][d]}
    lines |= {(line, pace[d]) for d in pace for line in phrases["first_question_lead"] + [phrases["repeat_lead"]]}
    return {(line, p) for line, p in lines if len(line.split()) <= 8}
