"""Spoken fixtures for tests: text → 16 kHz PCM16 with the interviewer's own voice (espeak-ng).

Using the same PyPI-installed voice as the offline interviewer means no apt packages are
needed to run the tests; a ``wpm`` a little slower than default helps Whisper on espeak.
"""

from __future__ import annotations

import asyncio
import threading
import wave
from pathlib import Path

from preppal.languages import get_language
from preppal.live.base import INPUT_SAMPLE_RATE, LiveBackend
from preppal.live.offline.audio import silence
from preppal.live.offline.readings import spoken_form
from preppal.live.offline.tts import Voice

FRAME_BYTES = 640  # 20 ms at 16 kHz, what the browser sends

_voice: Voice | None = None
_voice_lock = threading.Lock()


def fresh_voice() -> None:
    """Close the shared espeak-ng worker: the next sentence is spoken by a new one.

    espeak-ng's synthesiser keeps state from one sentence to the next (the audio of a sentence
    depends on everything the worker said before it), and some of those variants Whisper hears
    badly: a Spanish sentence heard as nothing, 14 Spanish words counted as 19, each once in
    a suite run. A new worker per test (tests/conftest.py) makes each test's speech the same
    whatever ran before it; benchmarks speak in a fixed order from a new process, so theirs is.
    """
    global _voice
    with _voice_lock:
        if _voice is not None:
            _voice.close()
            _voice = None


def speech_pcm(
    text: str, *, lead_s: float = 0.3, tail_s: float = 1.2, wpm: int = 150, language: str = "en-US"
) -> bytes:
    """``text`` spoken at 16 kHz mono PCM16 in ``language``'s espeak-ng voice, padded with silence
    before and after (blocking). Japanese is given as the interviewer's voice reads it (kana)."""
    global _voice
    lang = get_language(language)
    with _voice_lock:
        if _voice is None:
            _voice = Voice(words_per_minute=wpm)
        _voice.words_per_minute = wpm
        spoken = _voice.speak(spoken_form(text, lang.code), INPUT_SAMPLE_RATE, lang.espeak)
    return silence(lead_s, INPUT_SAMPLE_RATE) + spoken + silence(tail_s, INPUT_SAMPLE_RATE)


async def speech(text: str, **options: float) -> bytes:
    """:func:`speech_pcm` off the event loop (the integration tests' loop is watched for stalls)."""
    return await asyncio.to_thread(speech_pcm, text, **options)  # type: ignore[arg-type]


def write_wav(path: Path, pcm: bytes, rate: int = INPUT_SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return path


async def feed(backend: LiveBackend, pcm: bytes, *, realtime: bool = False, frame_bytes: int = FRAME_BYTES) -> None:
    """Send ``pcm`` as browser-sized frames; yield to the loop after each so backend tasks run."""
    step = frame_bytes / 2 / INPUT_SAMPLE_RATE
    for at in range(0, len(pcm), frame_bytes):
        await backend.send_audio(pcm[at : at + frame_bytes])
        await asyncio.sleep(step if realtime else 0)
