"""The state-push hook: how the live transcript reaches the meeting page.

The page renders the transcript from Reflex state and from nothing else (the browser's
socket carries the same ``TranscriptUpdate`` frames, the wire contract, but the component
reads them only as turn signals). The relay knows nothing about Reflex: the app builds a
:class:`StateSink` on ``app.modify_state`` and hands it to the relay hub
(``preppal/preppal.py``); the relay gives it transcript segments addressed by the Reflex
client token of the page that holds the call. The call's phase is not pushed: it belongs
to the browser component, which reports it itself.

Pushes never touch the audio path: a :class:`SinkPusher` per interview coalesces partial
updates (latest text per segment, at most one batch per ``min_interval_s``), sends finals
promptly, delivers each batch in one sink call (one state lock), runs in its own task, and
logs and swallows sink errors. When another page takes the call over (:meth:`retarget`),
that page gets the whole transcript so far, then what follows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, Union

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TranscriptPush:
    """One transcript segment for the meeting page: the whole text so far (replace, don't append)."""

    segment_id: int
    speaker: str = ""  # "USER" | "AI"
    text: str = ""
    final: bool = False
    removed: bool = False  # the segment was withdrawn (the interviewer misjudged the end of a turn)
    reopened: bool = False  # the segment is open again: the candidate's answer goes on


@dataclass(frozen=True, slots=True)
class TranscriptSnapshot:
    """The whole transcript so far, for a page that takes the call over: it replaces what the
    page shows (lines it read earlier may since have been withdrawn)."""

    segments: tuple[TranscriptPush, ...]


Push = Union[TranscriptPush, TranscriptSnapshot]


class StateSink(Protocol):
    async def push(self, client_token: str, interview_id: str, updates: Sequence[Push]) -> None: ...


class NullSink:
    async def push(self, client_token: str, interview_id: str, updates: Sequence[Push]) -> None:
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
        self._pending: dict[int, Push] = {}  # segment id → latest (0: a snapshot); insertion-ordered
        self._urgent = False
        self._wake = asyncio.Event()
        self._closing = False
        self._started = False
        self._last = 0.0
        self._task: asyncio.Task | None = None
        self.errors = 0

    @property
    def client_token(self) -> str:
        return self._token

    def start(self) -> None:
        self._started = True
        if self._token and self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"sink-{self._interview_id}")

    def offer(self, update: TranscriptPush) -> None:
        """Queue an update; partials of one segment collapse into the latest."""
        if self._task is None or self._closing:
            return
        earlier = self._pending.get(update.segment_id)
        if isinstance(earlier, TranscriptPush) and earlier.reopened and not update.reopened:
            update = replace(update, reopened=True)  # coalesced: the page must still reopen it
        self._pending[update.segment_id] = update
        if update.final or update.removed:
            self._urgent = True
        self._wake.set()

    def retarget(self, client_token: str, transcript: Sequence[TranscriptPush]) -> None:
        """Push to another page from now on (it took the call over, or reloaded): it gets
        ``transcript`` (everything so far, which supersedes whatever was queued) first, at once."""
        if not client_token or self._closing:
            return
        self._token = client_token
        if self._started:
            self.start()
        self._pending = {0: TranscriptSnapshot(tuple(transcript))}
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
            if batch:
                try:
                    await asyncio.wait_for(self._sink.push(self._token, self._interview_id, batch), self._timeout)
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
