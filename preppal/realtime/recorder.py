"""The relay's recording tap: hands both voices of a live interview to a background writer.

The relay calls :meth:`Recorder.candidate` / :meth:`interviewer` / :meth:`interrupted` on its
hot path: each is one ``put_nowait`` of the bytes it already has (no copy, no encoding, never
a wait; a full queue drops recording audio, not live audio). :meth:`Recorder.close` completes
the files in a thread and must run before the interview is marked COMPLETED, so the feedback
job that follows finds the recording.

With no store (``PREPPAL_KEEP_RECORDINGS=0``, or tests that do not record) every call is a no-op.
"""

from __future__ import annotations

import logging
import time
from typing import Optional

from preppal.services.pools import RECORDINGS
from preppal.services.recordings.store import RecordingStore
from preppal.services.recordings.writer import RecordingWriter

log = logging.getLogger(__name__)

CLOSE_TIMEOUT_S = 30.0


class Recorder:
    def __init__(self, store: Optional[RecordingStore], interview_id: str, *, checkpoint_s: float = 10.0) -> None:
        self._store = store
        self._interview_id = interview_id
        self._checkpoint_s = checkpoint_s
        self._writer: Optional[RecordingWriter] = None

    def start(self, origin: float, interviewer_rate: int) -> None:
        """Start recording; ``origin`` is the ``time.monotonic()`` of the interview's t=0."""
        if self._store is None or self._writer is not None:
            return
        self._writer = RecordingWriter(
            self._store,
            self._interview_id,
            origin=origin,
            interviewer_rate=interviewer_rate,
            checkpoint_s=self._checkpoint_s,
            clock=time.monotonic,
        )
        self._writer.start()

    def candidate(self, pcm: bytes) -> None:
        if self._writer is not None:
            self._writer.candidate(pcm)

    def interviewer(self, pcm: bytes, rate: int) -> None:
        if self._writer is not None:
            self._writer.interviewer(pcm, rate)

    def interrupted(self) -> None:
        if self._writer is not None:
            self._writer.interrupted()

    async def close(self) -> None:
        """Complete and store the recording (idempotent; never raises)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        try:
            result = await RECORDINGS.run(writer.close, CLOSE_TIMEOUT_S)
        except Exception:
            log.exception("recording of %s could not be closed", self._interview_id)
            return
        if result.dropped or not result.complete:
            log.warning(
                "recording of %s: %d ms, %d chunks dropped, complete=%s",
                self._interview_id,
                result.duration_ms,
                result.dropped,
                result.complete,
            )
