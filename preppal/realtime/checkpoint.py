"""Persist a backend's latest :class:`~preppal.live.base.Checkpoint` off the event loop.

Checkpoints arrive often (Gemini refreshes its resumption handle every few turns; the
offline interviewer sends its dialogue state each turn). Only the newest matters, so at
most one write is in flight and later states replace a pending one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional

from preppal.services.interviews import leases
from preppal.services.pools import RELAY

log = logging.getLogger(__name__)


class CheckpointSaver:
    def __init__(self, interview_id: str, owner: str, latest: Optional[dict] = None) -> None:
        self._interview_id = interview_id
        self._owner = owner
        self.latest = latest
        self._pending: Optional[dict] = None
        self._task: Optional[asyncio.Task] = None

    def offer(self, state: dict) -> None:
        self.latest = self._pending = state
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"checkpoint-{self._interview_id}")

    async def _run(self) -> None:
        while (state := self._pending) is not None:
            self._pending = None
            try:
                await RELAY.run(leases.save_checkpoint, self._interview_id, self._owner, state)
            except Exception as exc:  # the next one will try again; the hand-over writes the latest
                log.warning("checkpoint of %s not saved: %r", self._interview_id, exc)

    async def drain(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
