"""``await call_service(fn, ...)``: the one way Reflex state and HTTP routes call services.

The relay's live audio shares the event loop with every Reflex handler and API route. The
service layer is synchronous SQLAlchemy (and some CPU work), so calling it on the loop
stalls every live interview on the worker for as long as the query takes — milliseconds
on a PostgreSQL a network hop away, up to SQLite's 30 s busy timeout behind a write lock.
``call_service`` runs the call on a thread of its own pool (so a burst of page loads
cannot fill the default executor the relay's transcript writes use) and maps failures the
way the service layer means them:

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc

from preppal.services.errors import Unavailable

log = logging.getLogger("preppal.services")
P = ParamSpec("P")
R = TypeVar("R")

POOL_SIZE = 8  # concurrent service calls per worker; more would only queue in the database
_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """Created on first use, i.e. in the worker process (granian forks after import)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="service-call")
    return _pool


def run_mapped(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Call ``fn`` here (already off the loop) with the service layer's error mapping."""
    try:
        return fn(*args, **kwargs)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError) as exc:
        log.warning("database unavailable during %s: %s", getattr(fn, "__qualname__", fn), exc)
        raise Unavailable() from exc


async def call_service(fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a blocking service call on a worker thread and await its result.

    Context variables travel with the call (as with ``asyncio.to_thread``).
    """
    loop = asyncio.get_running_loop()
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, run_mapped, fn, *args, **kwargs)
    return await loop.run_in_executor(_executor(), call)
