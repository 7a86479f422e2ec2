"""Render an interview's Markdown or PDF export in a limited child process, never in ours.

The web process only starts the child (:mod:`preppal.services.export_worker`), reads what
it writes and waits, all without blocking its event loop: the child reads the interview
itself, under ``RLIMIT_CPU``/``RLIMIT_AS`` at nice 10, killed past a wall-clock limit. At
most :data:`EXPORTS_AT_ONCE` children run per web process (the others wait their turn, a
few at most: beyond, "busy"), so one core stays with the live calls however many exports
are asked for; the per-user rate is the caller's (``rate_limit.export_rate``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref

from preppal.services import input_limits as caps
from preppal.services.errors import NotFound, ServiceError, Unavailable
from preppal.services.export_worker import EXIT_NOT_FOUND

log = logging.getLogger(__name__)
MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
FAILED = {
    "pdf": "This PDF could not be made: the interview is too long to lay out, or the server is busy. "
    "The Markdown export has everything; or try again later.",
    "md": "This export could not be made just now. Please try again later.",
}


class ExportGate:
    """At most ``at_once`` renders in this process and ``waiting`` in line behind them."""

    def __init__(self, at_once: int = caps.EXPORTS_AT_ONCE, waiting: int = caps.EXPORTS_WAITING) -> None:
        self._slots = asyncio.Semaphore(at_once)
        self._limit = at_once + waiting
        self._inside = 0

    async def __aenter__(self) -> None:
        if self._inside >= self._limit:
            raise Unavailable("The server is busy making other exports; please try again in a minute.")
        self._inside += 1
        try:
            await self._slots.acquire()
        except BaseException:
            self._inside -= 1
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()
        self._inside -= 1


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ExportGate] = weakref.WeakKeyDictionary()


def gate() -> ExportGate:
    """This event loop's gate (a worker process has one loop; an asyncio lock serves one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _gates:
        _gates[loop] = ExportGate()
    return _gates[loop]


def worker_argv(fmt: str, user_id: int, interview_id: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "preppal.services.export_worker",
        fmt,
        str(int(user_id)),
        interview_id,
        str(caps.EXPORT_CPU_S),
        str(caps.EXPORT_MEMORY_BYTES),
    ]


async def render(fmt: str, user_id: int, interview_id: str) -> bytes:
    """The export file, or :class:`NotFound` (not this user's) / a plain-worded failure."""
    if fmt not in MEDIA_TYPES:
        raise NotFound("No such export.")
    async with gate():
        return await _run_child(fmt, user_id, interview_id)


async def _run_child(fmt: str, user_id: int, interview_id: str) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        *worker_argv(fmt, user_id, interview_id),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(_collect(proc), caps.EXPORT_WALL_S)
    except (TimeoutError, _TooLarge) as exc:
        proc.kill()
        await proc.wait()
        log.warning("export %s of %s stopped: %s", fmt, interview_id, type(exc).__name__)
        raise _failed(fmt) from None
    except BaseException:  # cancelled (the client went away): never leave the child running
        proc.kill()
        await proc.wait()
        raise
    if proc.returncode == EXIT_NOT_FOUND:
        raise NotFound("That interview does not exist.")
    if proc.returncode != 0:  # a limit (SIGXCPU/SIGKILL, MemoryError), the database, a bug
        log.warning("export %s of %s failed (exit %s): %s", fmt, interview_id, proc.returncode, err[-500:])
        raise _failed(fmt)
    return out


class _TooLarge(Exception):
    pass


async def _collect(proc: asyncio.subprocess.Process) -> tuple[bytes, bytes]:
    """Everything the child writes, up to :data:`EXPORT_MAX_BYTES` of output (then it is killed)."""
    assert proc.stdout is not None and proc.stderr is not None
    err_task = asyncio.ensure_future(proc.stderr.read(64 * 1024))
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := await proc.stdout.read(256 * 1024):
            size += len(chunk)
            if size > caps.EXPORT_MAX_BYTES:
                raise _TooLarge()
            chunks.append(chunk)
        await proc.wait()
        return b"".join(chunks), await err_task
    finally:
        err_task.cancel()


def _failed(fmt: str) -> ServiceError:
    return Unavailable(FAILED[fmt])
