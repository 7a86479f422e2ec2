"""The interviewer's voice: espeak-ng from the ``espeakng-loader`` wheel, in a helper process.

espeak-ng is GPL-3, so it runs as a separate program (``espeak_worker.py``) spoken to over
pipes rather than loaded into Preppal's process. One worker per process serves every
interview in every language (each request names its voice: ``Language.espeak``), one
sentence at a time (the library is not thread-safe); a sentence costs ≈ 10 ms, then the
audio is resampled to the rate the browser plays (24 kHz, like Gemini).
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from preppal.live.offline.audio import resample
from preppal.live.offline.espeak_worker import NO_SUCH_VOICE
from preppal.speech.errors import ModelUnavailable

OUTPUT_RATE = 24_000
INSTALL_HINT = "pip install espeakng-loader==0.2.4"
_WORKER = Path(__file__).with_name("espeak_worker.py")
SPEAKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="preppal-tts")  # see stt.DECODER


def _espeak_paths() -> tuple[str, str]:
    try:
        import espeakng_loader
    except ImportError as exc:
        raise ModelUnavailable(
            f"The offline interviewer's voice (espeak-ng) is not installed. Run: {INSTALL_HINT}"
        ) from exc
    library = Path(espeakng_loader.get_library_path())
    data = Path(library).parent / "espeak-ng-data"
    if not library.is_file() or not (data / "phontab").is_file():
        raise ModelUnavailable(
            f"The offline interviewer's voice files are incomplete ({library.parent}). "
            f"Reinstall them with: pip install --force-reinstall {INSTALL_HINT.split()[-1]}"
        )
    return str(library), str(data)


class Voice:
    """A long-lived espeak-ng worker; :meth:`speak` is blocking (call it from a thread)."""

    def __init__(self, voice: str = "en-us", words_per_minute: int = 165) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        self._paths = _espeak_paths()
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._rate = 0
        with self._lock:
            self._spawn()

    def _spawn(self) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER), *self._paths],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        first = proc.stdout.readline().decode(errors="replace").strip()
        if not first.startswith("ready "):
            proc.kill()
            proc.wait()
            raise ModelUnavailable(
                f"The offline interviewer's voice (espeak-ng) failed to start ({first or 'no answer'}). "
                f"Reinstall it with: pip install --force-reinstall {INSTALL_HINT.split()[-1]}"
            )
        self._proc, self._rate = proc, int(first.split()[1])

    def _ask(self, text: str, voice: str, phonemes: bool = False, pace: float = 1.0) -> bytes:
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        request = {"text": text, "voice": voice, "rate": round(self.words_per_minute * pace), "phonemes": phonemes}
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.read(4)
        if len(header) != 4:
            raise OSError("espeak-ng worker closed its output")
        (length,) = struct.unpack("<I", header)
        if length == NO_SUCH_VOICE:
            raise ModelUnavailable(
                f"The offline interviewer's voice files have no '{voice}' voice. "
                f"Reinstall them with: pip install --force-reinstall {INSTALL_HINT.split()[-1]}"
            )
        pcm = proc.stdout.read(length)
        if len(pcm) != length:
            raise OSError("espeak-ng worker closed its output mid-sentence")
        return pcm

    def _request(self, text: str, voice: str, phonemes: bool = False, pace: float = 1.0) -> bytes:
        """One request to the worker; restarts it once if it died."""
        with self._lock:
            try:
                return self._ask(text, voice, phonemes, pace)
            except (OSError, ValueError, AssertionError):
                self._stop()
                self._spawn()
                return self._ask(text, voice, phonemes, pace)

    def speak(self, text: str, rate: int = OUTPUT_RATE, voice: str = "", pace: float = 1.0) -> bytes:
        """PCM16 mono at ``rate`` for ``text`` in ``voice`` (default: this Voice's); ``pace`` < 1 is slower."""
        pcm = self._request(text, voice or self.voice, pace=pace)
        return resample(pcm, self._rate, rate)

    def phonemes(self, text: str, voice: str = "") -> str:
        """``text`` as espeak-ng's IPA phonemes (what a neural voice speaks from), clause by clause."""
        return self._request(text, voice or self.voice, phonemes=True).decode("utf-8", "replace")

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

    def close(self) -> None:
        with self._lock:
            self._stop()
