"""The offline interviewer's models, loaded once per process and shared by every interview.

Loading is ≈ 1 s (Whisper weights, the VAD session, the voice worker), so it never happens at
import time: the first interview pays it in a worker thread, or the app's warm-up task
(preppal/tasks.py) loads them at start-up so that even the first interview starts fast.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from preppal.live.offline.stt import Transcriber
from preppal.live.offline.tts import Voice
from preppal.live.offline.vad import load_vad_session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engines:
    vad_session: object  # onnxruntime.InferenceSession
    transcriber: Transcriber
    voice: Voice


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
            voice = _cache[next(iter(_cache))].voice if _cache else Voice()
            engines = _cache[key] = Engines(vad, transcriber, voice)
        return engines
