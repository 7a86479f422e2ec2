"""The offline interviewer's models, loaded once per process and shared by every interview.

Loading is ≈ 1 s (Whisper weights, the VAD and end-of-turn sessions, the voice worker), so it
never happens at import time: the first interview pays it in a worker thread, or the app's
warm-up task (preppal/tasks.py) loads them at start-up so that even the first interview starts fast.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.smart_turn import SmartTurn, load_smart_turn
from preppal.live.offline.stt import Transcriber
from preppal.live.offline.tts import OUTPUT_RATE, Voice
from preppal.live.offline.vad import load_vad_session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engines:
    vad_session: object  # onnxruntime.InferenceSession
    transcriber: Transcriber
    voice: Voice
    smart_turn: SmartTurn | None = None  # None: missing or damaged, the silence rule decides (logged)
    spoken: dict[str, bytes] = field(default_factory=dict)  # short fixed phrases, synthesised once


def _speak_all(voice: Voice, phrases: list[str]) -> dict[str, bytes]:
    return {text: voice.speak(text, OUTPUT_RATE) for text in phrases}


_lock = threading.Lock()
_cache: dict[str, Engines] = {}


def load_engines(stt_model_dir: Path | None = None) -> Engines:
    """The shared models (blocking); raises ModelUnavailable with a fix-it message."""
    key = str(stt_model_dir or "")
    with _lock:
        engines = _cache.get(key)
        if engines is None:
            vad = load_vad_session()
            transcriber = Transcriber(stt_model_dir)
            other = _cache[next(iter(_cache))] if _cache else None
            voice = other.voice if other else Voice()
            smart_turn = other.smart_turn if other else load_smart_turn()
            spoken = other.spoken if other else _speak_all(voice, load_pack().phrases["acknowledgements"])
            engines = _cache[key] = Engines(vad, transcriber, voice, smart_turn, spoken)
        return engines
