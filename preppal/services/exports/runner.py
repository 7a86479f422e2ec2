"""Render an interview's Markdown or PDF export in a limited child process, never in ours.

The child (:mod:`preppal.services.exports.worker`) reads the interview itself and renders it
under ``RLIMIT_CPU``/``RLIMIT_AS`` at nice 10; it is killed past a wall-clock limit or when
it writes more than :data:`EXPORT_MAX_BYTES`. Even starting it stays off the event loop:
``fork``/``exec`` waits until the child runs, which took up to 110 ms on a loaded machine,
so a thread of the :data:`pools.EXPORTS` pool starts it, reads it and waits for it. That
pool has :data:`EXPORTS_AT_ONCE` threads (one core stays with the live calls however many
exports are asked for) and a few requests may wait for it; beyond, "busy". The per-user
rate is the caller's (``rate_limit.export_rate``).
"""

from __future__ import annotations

import logging
import os
import selectors
import subprocess
import sys
import time

from preppal.services import input_limits as caps
from preppal.services.errors import NotFound, Unavailable
from preppal.services.exports.worker import EXIT_NOT_FOUND
from preppal.services.pools import EXPORTS

log = logging.getLogger(__name__)
MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "pdf": "application/pdf"}
FAILED = {
    "pdf": "This PDF could not be made: the interview is too long to lay out, or the server is busy. "
    "The Markdown export has everything; or try again later.",
    "md": "This export could not be made just now. Please try again later.",
}
BUSY = "The server is busy making other exports; please try again in a minute."


class _Queue:
    """Exports running or waiting in this process (only the event loop counts: no lock)."""

    inside = 0


def worker_argv(fmt: str, user_id: int, interview_id: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "preppal.services.exports.worker",
        fmt,
        str(int(user_id)),
        interview_id,
        str(caps.EXPORT_CPU_S),
        str(caps.EXPORT_MEMORY_BYTES),
    ]


async def render(fmt: str, user_id: int, interview_id: str) -> bytes:
    """The export file, or :class:`NotFound` (not this user's) / :class:`Unavailable` (busy,
    or the child failed or hit a limit: a plain message that says what to do)."""
    if fmt not in MEDIA_TYPES:
        raise NotFound("No such export.")
    if _Queue.inside >= caps.EXPORTS_AT_ONCE + caps.EXPORTS_WAITING:
        raise Unavailable(BUSY)
    _Queue.inside += 1
    try:
        return await EXPORTS.run(run_child, fmt, user_id, interview_id)
    finally:
        _Queue.inside -= 1


class _Stopped(Exception):
    """Past the wall-clock limit or the output cap."""


def run_child(fmt: str, user_id: int, interview_id: str) -> bytes:
    """Blocking: start the child, read its output (capped), wait for it (limited)."""
    deadline = time.monotonic() + caps.EXPORT_WALL_S
    proc = subprocess.Popen(
        worker_argv(fmt, user_id, interview_id),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = _read(proc, deadline)
        proc.wait(max(0.0, deadline - time.monotonic()))
    except (_Stopped, subprocess.TimeoutExpired) as exc:
        log.warning("export %s of %s stopped: %s", fmt, interview_id, exc or type(exc).__name__)
        raise Unavailable(FAILED[fmt]) from None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    if proc.returncode == EXIT_NOT_FOUND:
        raise NotFound("That interview does not exist.")
    if proc.returncode != 0:  # a limit (SIGXCPU/SIGKILL, MemoryError), the database, a bug
        log.warning("export %s of %s failed (exit %s): %s", fmt, interview_id, proc.returncode, err[-500:])
        raise Unavailable(FAILED[fmt])
    return out


def _read(proc: subprocess.Popen, deadline: float) -> tuple[bytes, bytes]:
    """Both pipes until they close, stdout at most :data:`EXPORT_MAX_BYTES`, by ``deadline``."""
    assert proc.stdout is not None and proc.stderr is not None
    got: dict[int, list[bytes]] = {proc.stdout.fileno(): [], proc.stderr.fileno(): []}
    size = 0
    with selectors.DefaultSelector() as selector:
        for pipe in (proc.stdout, proc.stderr):
            selector.register(pipe.fileno(), selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Stopped(f"past {caps.EXPORT_WALL_S:.0f} s")
            for key, _ in selector.select(left):
                data = os.read(key.fd, 256 * 1024)
                if not data:
                    selector.unregister(key.fd)
                    continue
                got[key.fd].append(data)
                if key.fd == proc.stdout.fileno():
                    size += len(data)
                    if size > caps.EXPORT_MAX_BYTES:
                        raise _Stopped(f"over {caps.EXPORT_MAX_BYTES} bytes")
    return b"".join(got[proc.stdout.fileno()]), b"".join(got[proc.stderr.fileno()])[-64 * 1024 :]
