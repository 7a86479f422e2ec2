"""How relay processes talk to each other: "let go of interview X" and "is process P gone?".

- :class:`RedisCoordinator` (several processes or machines): each process subscribes to its
  own channel ``preppal:relay:<worker id>``. A take-over publishes the interview id there;
  the number of receivers PUBLISH returns says whether the holder still listens. A process
  that is killed has its sockets closed by the OS, so its subscription vanishes at once; a
  stopped or starved one keeps it (``PUBSUB NUMSUB``) and therefore keeps its interviews.
- :class:`LocalCoordinator` (one process, no Redis — the default): any other holder is an
  earlier run of this process, so it is gone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable, Iterable
from typing import Optional, Protocol

import redis.asyncio as aioredis  # imported with the app, never on the event loop

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "preppal:relay:"


def new_worker_id() -> str:
    """Unique per process start (host, pid, random): a restarted process is a new holder."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Coordinator(Protocol):
    worker_id: str

    async def start(self, on_release: Callable[[str], None]) -> None: ...

    async def ask_release(self, owner: str, interview_id: str) -> bool:
        """Ask ``owner`` to hand ``interview_id`` over; False when nobody heard it (gone)."""

    async def gone(self, owners: Iterable[Optional[str]]) -> set[Optional[str]]:
        """Which of ``owners`` are gone (None, no holder, counts as gone)."""

    async def close(self) -> None: ...


class LocalCoordinator:
    def __init__(self) -> None:
        self.worker_id = new_worker_id()

    async def start(self, on_release: Callable[[str], None]) -> None:
        self.worker_id = new_worker_id()  # after a fork: this process's own id

    async def ask_release(self, owner: str, interview_id: str) -> bool:
        return False

    async def gone(self, owners: Iterable[Optional[str]]) -> set[Optional[str]]:
        return {o for o in owners if o != self.worker_id}

    async def close(self) -> None:
        return None


class RedisCoordinator:
    def __init__(self, url: str) -> None:
        self._url = url
        self.worker_id = new_worker_id()
        self._redis = None
        self._pubsub = None
        self._task: Optional[asyncio.Task] = None

    async def start(self, on_release: Callable[[str], None]) -> None:
        self.worker_id = new_worker_id()
        self._redis = aioredis.Redis.from_url(self._url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(CHANNEL_PREFIX + self.worker_id)
        self._task = asyncio.create_task(self._listen(on_release), name="relay-coordinator")

    async def _listen(self, on_release: Callable[[str], None]) -> None:
        assert self._pubsub is not None
        while True:
            try:
                message = await self._pubsub.get_message(timeout=5.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarted: redis-py resubscribes on the next read
                log.warning("relay coordinator: Redis read failed (%r); retrying", exc)
                await asyncio.sleep(1.0)
                continue
            if message and message.get("type") == "message":
                data = message["data"]
                on_release(data.decode() if isinstance(data, bytes) else str(data))

    async def ask_release(self, owner: str, interview_id: str) -> bool:
        assert self._redis is not None
        return int(await self._redis.publish(CHANNEL_PREFIX + owner, interview_id)) > 0

    async def gone(self, owners: Iterable[Optional[str]]) -> set[Optional[str]]:
        assert self._redis is not None
        named = sorted({o for o in owners if o})
        result: set[Optional[str]] = {o for o in owners if not o}
        if named:
            counts = await self._redis.pubsub_numsub(*(CHANNEL_PREFIX + o for o in named))
            listening = {(c.decode() if isinstance(c, bytes) else c)[len(CHANNEL_PREFIX) :] for c, n in counts if n}
            result |= {o for o in named if o not in listening}
        return result

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._pubsub is not None:
            await self._pubsub.aclose()
        if self._redis is not None:
            await self._redis.aclose()


def coordinator_for(redis_url: str) -> Coordinator:
    return RedisCoordinator(redis_url) if redis_url else LocalCoordinator()
