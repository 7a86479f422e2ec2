"""Interview recordings as the rest of the app sees them: read, describe, delete.

Writing is :mod:`preppal.services.recordings.writer` (fed by the relay); storage is
:mod:`preppal.services.recordings.store`. Every function here blocks (storage I/O, Opus
decoding): call it from a thread or another process, never on the event loop —
:func:`read_track_pcm` refuses to run on a thread that has a running loop.
"""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import dataclass
from typing import Literal, Optional

import av
import numpy as np

from preppal.services.recordings.store import RecordingStore
from preppal.services.recordings.writer import CANDIDATE, FILES, INTERVIEWER, META, MIX

Track = Literal["candidate", "interviewer"]
TRACKS: tuple[str, ...] = (CANDIDATE, INTERVIEWER)
PLAYABLE: tuple[str, ...] = (MIX, CANDIDATE, INTERVIEWER)  # what the download route may serve
MEDIA_TYPE = "audio/ogg"


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """What the feedback page needs to know before it shows a player."""

    size: int  # bytes of the mixed file
    duration_ms: Optional[int]  # None when the call ended without the writer finishing


def _not_on_the_loop(what: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{what} blocks on storage and decoding: run it in a thread (asyncio.to_thread)")


def file_name(track: str) -> str:
    if track not in FILES:
        raise ValueError(f"unknown recording track {track!r}")
    return FILES[track]


def decode_ogg(data: bytes, rate: int = 16_000) -> np.ndarray:
    """Mono float32 samples at ``rate``. A file cut short (the writer died) decodes up to its
    last complete page."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    out: list[np.ndarray] = []
    with av.open(io.BytesIO(data), "r", format="ogg") as container:
        try:
            for frame in container.decode(audio=0):
                out += [f.to_ndarray()[0] for f in resampler.resample(frame)]
        except (av.error.InvalidDataError, av.error.EOFError):
            pass  # a truncated last page
    out += [f.to_ndarray()[0] for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, dtype=np.float32)


def read_track_pcm(store: RecordingStore, interview_id: str, track: Track, rate: int = 16_000) -> Optional[np.ndarray]:
    """One voice of the interview as mono float32 at ``rate``; sample 0 is the interview's t=0
    (the clock of ``TranscriptEntry.start_ms``), silence where that voice was quiet or absent.
    None when the interview has no recording of that voice."""
    if track not in TRACKS:
        raise ValueError(f"track must be one of {TRACKS}, not {track!r}")
    _not_on_the_loop("read_track_pcm")
    data = store.read_all(interview_id, file_name(track))
    if not data:
        return None
    return decode_ogg(data, rate)


def has_track(store: RecordingStore, interview_id: str, track: Track) -> bool:
    """Cheap (no decoding): is there a recording of this voice?"""
    return bool(store.size(interview_id, file_name(track)))


def recording_info(store: RecordingStore, interview_id: str) -> Optional[RecordingInfo]:
    size = store.size(interview_id, FILES[MIX])
    if not size:
        return None
    duration_ms = None
    meta = store.read_all(interview_id, META) if store.size(interview_id, META) else None
    if meta:
        try:
            duration_ms = int(json.loads(meta)["duration_ms"])
        except (ValueError, KeyError, TypeError):
            pass
    return RecordingInfo(size=size, duration_ms=duration_ms)


def delete_recording(store: RecordingStore, interview_id: str) -> None:
    store.delete(interview_id)


def download_part(track: str) -> str:
    """What a downloaded track's file name says after the role (:func:`preppal.display.download_name`)."""
    return "recording" if track == MIX else track
