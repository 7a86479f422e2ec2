"""The thread pools that blocking work runs on, one per kind of caller, and
``await call_service(fn, ...)``: the one way Reflex state and HTTP routes call services.

The relay's live audio shares the event loop with every Reflex handler and API route. The
service layer is synchronous SQLAlchemy (and some CPU work), so calling it on the loop
stalls every live interview on the worker for as long as the query takes — milliseconds
on a PostgreSQL a network hop away, up to SQLite's 30 s busy timeout behind a write lock.
So blocking work runs on threads, and on *whose* threads matters as much: a pool any
request can fill delays everyone who shares it. With 60–120 ms of S3 latency, 1,000
parallel recording Range requests on the default executor delayed a lease renewal by 20 s,
longer than the lease (issue 22). Hence one bounded pool per kind of caller:

==============  =====  ================================================================
pool            size   who runs on it
==============  =====  ================================================================
``SERVICE``       8    Reflex handlers and HTTP API routes (:func:`call_service`)
``RELAY``         8    the relay's database work: connection checks, transcript lines,
                       code snapshots, scorecard entries, checkpoints, status changes
``LEASES``        1    the relay hub's lease renewals, take-overs and sweeps: never
                       queued behind anything, not even the relay's own writes
``RECORDINGS``    2    completing a recording at the end of a call (encoder flush, the
                       S3 upload: seconds), so it never holds a ``RELAY`` thread
``DOWNLOADS``     8    recording downloads (owner check, storage reads; with their own
                       per-user and total caps in ``api/recording_routes.py``)
``EXPORTS``       1    starting, reading and waiting for export child processes
                       (``services/exports/runner.py``: the rendering itself is the child's)
==============  =====  ================================================================

Nothing of ours runs on the default executor (``asyncio.to_thread``) on a request's or the
relay's path; what is left there (start-up warm-ups, the housekeeping task) can wait.
A pool is created on first use, i.e. in the worker process (granian forks after import).

:func:`call_service` maps failures the way the service layer means them:

- a :class:`ServiceError` passes through unchanged (it already carries a plain message
  and an HTTP status);
- a database that is down or timing out becomes :class:`Unavailable` (503, "try again"),
  logged with its cause, so handlers show one plain message instead of a stack trace;
- anything else is a bug and propagates as it is.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc

from preppal.services.errors import Unavailable
from preppal.services.input_limits import EXPORTS_AT_ONCE

log = logging.getLogger("preppal.services")
P = ParamSpec("P")
R = TypeVar("R")


class Pool:
    """A named, bounded thread pool, created on first use."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix=self.name)
        return self._executor

    async def run(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` on this pool; context variables travel with it (as with
        ``asyncio.to_thread``)."""
        ctx = contextvars.copy_context()
        call = functools.partial(ctx.run, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.executor(), call)


SERVICE = Pool("service-call", 8)  # more would only queue in the database
RELAY = Pool("relay-db", 8)
LEASES = Pool("relay-lease", 1)
RECORDINGS = Pool("recording-close", 2)
DOWNLOADS = Pool("download", 8)
EXPORTS = Pool("export", EXPORTS_AT_ONCE)


def run_mapped(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Call ``fn`` here (already off the loop) with the service layer's error mapping."""
    try:
        return fn(*args, **kwargs)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
        log.warning("database unavailable during %s: %s", getattr(fn, "__qualname__", fn), exc)
        raise Unavailable() from exc


async def call_service(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking service call on a :data:`SERVICE` thread and await its result."""
    return await SERVICE.run(run_mapped, fn, *args, **kwargs)
