"""Which delivery metrics an interview gets, and where the audio analysis runs.

With a recording (and ``PREPPAL_AUDIO_METRICS`` on) the metrics are measured from the
audio (:mod:`preppal.services.analysis.audio_metrics`); without one they come from the transcript
timing, labelled ``"source": "transcript"``. The analysis costs seconds of CPU per minute
of answers, so it never runs on a web worker's event loop:

- in a ``preppal worker`` process it runs in that process (the worker is niced at start);
- in a web process (jobs "inprocess", the default) it runs in a child process
  (``python -m preppal.cli analyze <id>``) at ``analysis_nice``, one at a time per web
  process, so live calls keep the CPU and the GIL.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

import numpy as np

from preppal.languages import DEFAULT_LANGUAGE, get_language
from preppal.services.analysis import audio_metrics
from preppal.services.analysis.transcript_metrics import EntryLike
from preppal.services.recordings.store import RecordingStore
from preppal.services.recordings.tracks import has_track, read_track_pcm
from preppal.settings import get_settings

log = logging.getLogger("preppal.delivery")
MAX_CHILD_OUTPUT = 8 << 20  # bytes of JSON an analysis child may print
_child_slot = threading.BoundedSemaphore(1)  # one analysis child per web process at a time


@dataclass(frozen=True)
class Tracks:
    """An interview's recorded voices at 16 kHz, sample 0 = the interview's t=0."""

    candidate: np.ndarray
    interviewer: Optional[np.ndarray] = None


AudioSource = Callable[[str], Optional[Tracks]]


def recorded_tracks(recordings: RecordingStore, interview_id: str) -> Optional[Tracks]:
    """The interview's recorded voices (``services.recordings.tracks``), or None when there is no
    recording of the candidate (recording off, or the call was never recorded). Blocks on
    storage and Opus decoding: the analysis runs in a child process or ``preppal worker``."""
    candidate = read_track_pcm(recordings, interview_id, "candidate")
    if candidate is None:
        return None
    return Tracks(candidate, read_track_pcm(recordings, interview_id, "interviewer"))


def recorded(recordings: RecordingStore) -> AudioSource:
    """The audio source that reads ``recordings`` (the process's store)."""
    return functools.partial(recorded_tracks, recordings)


def has_recording(recordings: RecordingStore, interview_id: str) -> bool:
    """Cheap check (no decoding) so a web process spawns an analysis child only when there is
    something to analyse."""
    return has_track(recordings, interview_id, "candidate")


@lru_cache(maxsize=2)
def _models(multilingual: bool = False) -> audio_metrics.SpeechModels:
    """A Whisper model, loaded once per process: tiny.en for English interviews (≈ 1 s,
    ≈ 300 MB), the multilingual base model for the others (≈ 1.5 s, ≈ 0.2 GB more). The VAD
    is faster-whisper's own, loaded on first use."""
    from preppal.speech.stt import Transcriber
    from preppal.speech.whisper_models import BASE, TINY_EN

    model = BASE if multilingual else TINY_EN
    words = Transcriber(threads=get_settings().analysis_threads, model=model)
    return audio_metrics.SpeechModels(words=words, multilingual=multilingual)


def analyze_here(
    interview_id: str, entries: Sequence[EntryLike], language: str, audio: AudioSource
) -> Optional[dict[str, Any]]:
    """Audio metrics computed in this process; None without a recording."""
    tracks = audio(interview_id)
    if tracks is None or not len(tracks.candidate):
        return None
    return audio_metrics.analyze(
        tracks.candidate,
        entries,
        _models(multilingual=get_language(language).code != DEFAULT_LANGUAGE),
        interviewer=tracks.interviewer,
        language=language,
    )


def analyze_in_child(interview_id: str) -> Optional[dict[str, Any]]:
    """Audio metrics from a niced child process (``preppal.cli analyze``); None without a
    recording. Raises on a failed or timed-out child."""
    settings = get_settings()
    with _child_slot:
        done = subprocess.run(
            [sys.executable, "-m", "preppal.cli", "analyze", interview_id, "--nice", str(settings.analysis_nice)],
            capture_output=True,
            timeout=120 + settings.max_session_s,  # ≈ 0.1 CPU s per second of audio; generous
            env=os.environ.copy(),
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"analysis exited with {done.returncode}: {done.stderr.decode(errors='replace')[-400:]}")
    if len(done.stdout) > MAX_CHILD_OUTPUT:
        raise RuntimeError("analysis printed more than expected")
    answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return answer.get("metrics")


def measure(
    interview_id: str,
    entries: Sequence[EntryLike],
    language: str,
    *,
    isolate: bool,
    recordings: Optional[RecordingStore],
    audio: Optional[AudioSource] = None,
) -> dict[str, Any]:
    """The interview's delivery metrics: from the audio when it can, else from the transcript.

    ``recordings``: the process's recording store (None: no recording is read); ``audio``: the
    voices, read from ``recordings`` unless given (tests). ``isolate``: the analysis runs in a
    child process, which reads the recording from its own store."""
    if audio is None and recordings is not None:
        audio = recorded(recordings)
    if isolate:
        wanted = recordings is not None and has_recording(recordings, interview_id)
    else:
        wanted = audio is not None
    if get_settings().audio_metrics and wanted:
        try:
            if isolate:
                measured = analyze_in_child(interview_id)
            else:
                measured = analyze_here(interview_id, entries, language, audio)
        except Exception:
            log.exception("audio analysis of %s failed; using transcript timing", interview_id)
        else:
            if measured is not None:
                return measured
    return audio_metrics.transcript_metrics(entries, language)
