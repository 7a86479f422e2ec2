"""The code editor's path through the relay: snapshots → the interviewer and the database.

The browser sends the editor's whole text (``CodeSnapshot``) about a second after typing
stops and at the end of each candidate turn. Per interview, this channel

- refuses a snapshot over ``editor.MAX_CODE_BYTES`` (the caller answers 4007; nothing else
  happens, the socket stays open);
- ignores one equal to the last it took (re-sent after a reconnect or a turn end), and
  an empty editor before anything was written (the final flush of an unused panel);
- keeps only the newest pending one and handles it at most once per ``min_interval_s``,
  so a client that sends a snapshot per keystroke costs one upstream message and one
  database write a second at most;
- hands it to the live backend as context (Gemini: ``client_content`` without ending the
  candidate's turn; offline: a walk-through follow-up) and stores it with its time on the
  transcript's clock, in a thread, never on the event loop;
- stores only while this process holds the interview's lease, fenced in the write's own
  transaction like transcript lines (``owner``): after a take-over the old holder's pending
  snapshot is refused, and ``on_lost`` is called once. Before the interview is live (no
  lease yet) the newest snapshot waits and is stored when the backend is attached.

The code is text to show and store; nothing on the server runs it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Optional

from preppal.editor import MAX_CODE_BYTES, code_bytes, normalise_language
from preppal.live.base import LiveBackend
from preppal.services.interviews import code_snapshots
from preppal.services.interviews.leases import LeaseLost
from preppal.services.pools import RELAY

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 1.0


@dataclass(frozen=True, slots=True)
class _Pending:
    at_ms: int
    language: str
    code: str


class CodeChannel:
    """One interview's editor snapshots. ``offer`` from the socket reader; one task does the rest."""

    def __init__(
        self,
        interview_id: str,
        clock_ms: Callable[[], int],
        *,
        owner: Optional[str] = None,
        on_lost: Callable[[], None] = lambda: None,
        min_interval_s: Optional[float] = None,
    ) -> None:
        self._interview_id = interview_id
        self._clock_ms = clock_ms
        self._owner = owner
        self._on_lost = on_lost
        self._lost = False
        self._interval = MIN_INTERVAL_S if min_interval_s is None else min_interval_s
        self._latest: Optional[tuple[str, str]] = None
        self._pending: Optional[_Pending] = None
        self._unsent: Optional[_Pending] = None  # taken before the backend was ready, stored already
        self._unstored: Optional[_Pending] = None  # taken before the backend was ready (no lease yet)
        self._backend: Optional[LiveBackend] = None
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()  # cuts a throttle wait short when the interview ends
        self._task: Optional[asyncio.Task] = None
        self._closing = False
        self._last = 0.0
        self.stored = 0
        self.failures = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"code-{self._interview_id}")

    def offer(self, code: str, language: str) -> bool:
        """Take one snapshot from the browser; False when it is over the size cap."""
        if len(code) > MAX_CODE_BYTES or code_bytes(code) > MAX_CODE_BYTES:  # len first: cheap
            return False
        key = (code, normalise_language(language))
        if key == self._latest or self._closing or (self._latest is None and not code.strip()):
            return True  # a repeat, too late, or an editor nobody has written in yet
        self._latest = key
        self._pending = _Pending(self._clock_ms(), key[1], code)
        self._wake.set()
        return True

    def attach(self, backend: LiveBackend) -> None:
        """The backend is live: from now on snapshots reach it (the newest one at once)."""
        self._backend = backend
        if self._unstored is not None and self._pending is None:
            self._pending, self._unstored = self._unstored, None
            self._wake.set()
        elif self._latest is not None and self._pending is None:
            code, language = self._latest
            self._unsent = _Pending(self._clock_ms(), language, code)
            self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            wait = self._last + self._interval - time.monotonic()
            if wait > 0 and not self._closing:
                try:
                    await asyncio.wait_for(self._stop.wait(), wait)
                except TimeoutError:
                    pass
            pending, self._pending = self._pending, None
            unsent, self._unsent = self._unsent, None
            self._last = time.monotonic()
            if pending is not None and self._backend is None and not self._closing:
                self._unstored, pending = pending, None  # not live yet: stored once attached
            if pending is not None or unsent is not None:
                await self._forward(pending or unsent)
            if pending is not None and self._backend is not None:
                await self._store(pending)
            if self._closing and self._pending is None:
                return

    async def _forward(self, snap: _Pending) -> None:
        backend = self._backend
        if backend is None:
            return
        try:
            await backend.send_code(snap.code, snap.language)
        except Exception as exc:  # the interviewer missing one snapshot must not stop the call
            log.warning("code snapshot not passed to the interviewer of %s: %r", self._interview_id, exc)

    async def _store(self, snap: _Pending) -> None:
        if self._lost:
            return
        try:
            await RELAY.run(
                code_snapshots.record_snapshot,
                self._interview_id,
                snap.at_ms,
                snap.language,
                snap.code,
                owner=self._owner,
            )
            self.stored += 1
        except LeaseLost:
            self._lost = True
            self._on_lost()
        except Exception as exc:
            self.failures += 1
            log.warning("code snapshot of %s not saved: %r", self._interview_id, exc)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Store what is pending (no throttle), then stop; idempotent."""
        self._closing = True
        self._stop.set()
        task, self._task = self._task, None
        if task is None:
            return
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout_s)
        except TimeoutError:
            log.warning("code snapshots of %s did not drain in %.0f s", self._interview_id, timeout_s)
            task.cancel()
