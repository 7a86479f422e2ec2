"""The state-push hook: how the relay tells the meeting page what is happening.

The relay knows nothing about Reflex. The app builds a :class:`StateSink` (on
``app.modify_state``) and hands it to the relay hub (``preppal/preppal.py``); the relay
gives it transcript and status updates addressed by the Reflex client token carried in the
worker JWT.

Pushes never touch the audio path: a :class:`SinkPusher` per interview coalesces partial
updates (latest text per segment, at most one batch per ``min_interval_s``), sends finals
and status changes promptly, runs in its own task, and logs and swallows sink errors.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Optional, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TranscriptPush:
    """One update for the meeting page. ``segment_id`` 0 means a status-only update."""

    segment_id: int = 0
    speaker: str = ""  # "USER" | "AI"
    text: str = ""  # the whole segment so far (replace, don't append)
    final: bool = False
    phase: Optional[str] = None  # "live" | "reconnecting" | "ended" | "error"
    message: str = ""  # plain sentence for the candidate (errors, end reason)
    end_reason: str = ""  # SessionEnded reason name when phase == "ended"
    removed: bool = False  # the segment was withdrawn (the interviewer misjudged the end of a turn)
    reopened: bool = False  # the segment is open again: the candidate's answer goes on


class StateSink(Protocol):
    async def push(self, client_token: str, interview_id: str, update: TranscriptPush) -> None: ...


class NullSink:
    async def push(self, client_token: str, interview_id: str, update: TranscriptPush) -> None:
        return None


class SinkPusher:
    """Per-interview push queue: coalesced, ordered, never blocking the caller."""

    def __init__(
        self,
        sink: StateSink,
        client_token: str,
        interview_id: str,
        *,
        min_interval_s: float = 0.1,
        push_timeout_s: float = 5.0,
    ) -> None:
        self._sink = sink
        self._token = client_token
        self._interview_id = interview_id
        self._interval = min_interval_s
        self._timeout = push_timeout_s
        self._pending: dict[object, TranscriptPush] = {}  # insertion-ordered; a key's newer value replaces
        self._urgent = False
        self._wake = asyncio.Event()
        self._closing = False
        self._last = 0.0
        self._status_seq = 0
        self._task: asyncio.Task | None = None
        self.errors = 0

    def start(self) -> None:
        if self._token:
            self._task = asyncio.create_task(self._run(), name=f"sink-{self._interview_id}")

    def offer(self, update: TranscriptPush) -> None:
        """Queue an update; partials of one segment collapse into the latest."""
        if self._task is None or self._closing:
            return
        if update.segment_id:
            key: object = update.segment_id
            earlier = self._pending.get(key)
            if earlier is not None and earlier.reopened and not update.reopened:
                update = replace(update, reopened=True)  # coalesced: the page must still reopen it
        else:
            self._status_seq += 1
            key = ("status", self._status_seq)
        self._pending[key] = update
        if update.final or not update.segment_id:
            self._urgent = True
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._urgent and not self._closing:
                delay = self._last + self._interval - time.monotonic()
                if delay > 0:
                    try:  # an urgent update cuts the wait short
                        await asyncio.wait_for(self._wake.wait(), delay)
                    except TimeoutError:
                        pass
                    self._wake.clear()
            batch, self._pending, self._urgent = list(self._pending.values()), {}, False
            self._last = time.monotonic()
            sink = self._sink
            for update in batch:
                try:
                    await asyncio.wait_for(sink.push(self._token, self._interview_id, update), self._timeout)
                except Exception as exc:
                    self.errors += 1
                    log.warning("state push for %s failed: %s", self._interview_id, exc or type(exc).__name__)
            if self._closing and not self._pending:
                return

    async def close(self, timeout_s: float = 5.0) -> None:
        """Deliver what is queued (bounded), then stop."""
        if self._task is None:
            return
        self._closing = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        except TimeoutError:
            self._task.cancel()
