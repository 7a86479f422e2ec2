"""An event-loop watchdog: notices when something blocks the loop the live audio runs on.

The relay shares its event loop with every Reflex handler; one blocking call (a database
query, a file read, CPU work) there stalls every live interview on the worker. The watchdog
guards the rule in tests (and can be switched on in any deployment to find offenders):

- a heartbeat task on the watched loop wakes every ``interval`` and measures how late it
  woke; the part of that lateness the loop thread spent *runnable but not running* (the
  kernel's run-queue wait, from ``/proc/thread-self/schedstat``) is subtracted, so a busy
  machine preempting the process is not mistaken for a blocked loop; and a stall in which
  the loop thread kept sleeping and waking (``voluntary_ctxt_switches``: a GIL waiter asks
  every 5 ms) was a wait for the interpreter another thread held, not code on the loop; the
  time the garbage collector ran on the loop thread is measured too (``gc.callbacks``);
- a watcher thread notices a heartbeat that is overdue by ``threshold`` and takes the loop
  thread's Python stack at that moment: the blocking call is still on it. It also notices
  when the loop is not running at all (a test runner between fixtures): a heartbeat late
  because nobody ran the loop is not a stall.

A stall over ``threshold`` becomes a :class:`Stall` (how long, the stack, and its frames as
data: whose code blocked is for the reader to judge; the test suite tells the app's code from
its own, tests/support/loop_guard.py), kept in ``stalls`` and handed to ``report`` on the
watcher thread (reporting may write a file: never on the loop).
``PREPPAL_LOOP_WATCHDOG=<file>`` turns it on in the app (a lifespan task): one JSON line per
stall is appended to the file, plus a ``start`` line per watched loop; the browser-test
fixtures read it. With the variable set, creating ``<file>.selftest`` makes the watcher
block the loop once on purpose (``time.sleep``) — the tests prove with it that the watchdog
really sees the app server's loop.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple, Optional

from preppal.loop_clocks import CollectorClock, ThreadClock, waited_for_the_gil

log = logging.getLogger("preppal.loop_watchdog")
ENV_FILE = "PREPPAL_LOOP_WATCHDOG"
ENV_THRESHOLD_MS = "PREPPAL_LOOP_WATCHDOG_MS"
DEFAULT_THRESHOLD_S = 0.05
SELFTEST_BLOCK_S = 0.2
_ASYNC_CODE = inspect.CO_COROUTINE | inspect.CO_ITERABLE_COROUTINE | inspect.CO_ASYNC_GENERATOR


class Frame(NamedTuple):
    """One frame of the loop thread's stack while it was blocked (a JSON list in the file)."""

    file: str
    line: int
    name: str
    is_async: bool  # a coroutine or async generator: code written to run on the loop


@dataclass(frozen=True)
class Stall:
    blocked_ms: float  # how long the loop could not run, run-queue wait excluded
    late_ms: float  # how late the heartbeat woke (wall clock)
    stack: str  # the loop thread's stack while it was blocked ("" if not caught in time)
    pid: int
    at: float = 0.0  # Unix time it ended
    warming_up: bool = False  # before the app's warm-up (model loading) was over
    # True: the loop thread was caught running code (a blocking call on the loop — what the
    # guard exists for). False: it was idle or waiting for the GIL/CPU (another thread, or
    # a C extension, held the interpreter) or was not caught at all.
    on_loop: bool = False
    voluntary_switches: int = 0  # the loop thread's sleeps during the stall (see loop_clocks.ThreadClock)
    # The loop thread's frames from the callback the loop ran down to the blocking call
    # (outermost first; empty when it was not caught running code).
    frames: tuple[Frame, ...] = ()
    # Of ``blocked_ms``, the time the garbage collector ran on the loop thread: a collection
    # pauses whatever code happened to allocate, so then the frame caught is not the cause.
    gc_ms: float = 0.0
    # The loop thread's major page faults during the stall (the kernel read its memory back
    # from disk: a paging stall, whatever frame it hit) and its time on a CPU.
    major_faults: int = 0
    cpu_ms: float = 0.0


class LoopWatchdog:
    """Watch one running loop; ``report(stall)`` is called (on the watcher thread) per stall."""

    def __init__(
        self,
        report: Callable[[Stall], None],
        *,
        threshold_s: float = DEFAULT_THRESHOLD_S,
        interval_s: float = 0.01,
        selftest_file: Optional[Path] = None,
        warmed: Optional[threading.Event] = None,
    ) -> None:
        self.report = report
        self.threshold_s = threshold_s
        self.interval_s = interval_s
        self.selftest_file = selftest_file
        self.warmed = warmed
        self.stalls: list[Stall] = []
        self.max_late_ms = 0.0
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._task: Optional[asyncio.Task] = None
        self._thread: Optional[threading.Thread] = None
        self._loop_thread_id = 0
        self._due = 0.0  # monotonic time the heartbeat should next run by
        self._stack = ""
        self._on_loop = False
        self._frames: tuple[Frame, ...] = ()
        self._collector: Optional[CollectorClock] = None
        self._paused = False  # the watcher saw the loop stopped since the last heartbeat
        self._stop = threading.Event()
        self._found: queue.SimpleQueue[Stall] = queue.SimpleQueue()

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> LoopWatchdog:
        """Start watching the running loop (call from a coroutine on it)."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        self._collector = CollectorClock(self._loop_thread_id)
        gc.callbacks.append(self._collector)
        self._due = time.monotonic() + self.interval_s
        self._task = self._loop.create_task(self._heartbeat(), name="loop-watchdog")
        self._thread = threading.Thread(target=self._watch, name="loop-watchdog", daemon=True)
        self._thread.start()
        return self

    async def stop(self) -> None:
        self._stop.set()
        if self._collector in gc.callbacks:
            gc.callbacks.remove(self._collector)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 1.0)

    async def __aenter__(self) -> LoopWatchdog:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- the loop side -----------------------------------------------------------------------
    async def _heartbeat(self) -> None:
        clock = ThreadClock()
        try:
            while True:
                scheduled = time.monotonic() + self.interval_s
                self._due = scheduled
                waited_before = clock.wait_ns()
                switches_before = clock.voluntary_switches()
                faults_before, cpu_before = clock.major_faults(), clock.cpu_ns()
                collected_before = self._collector.total_ns if self._collector else 0
                await asyncio.sleep(self.interval_s)
                late_s = max(0.0, time.monotonic() - scheduled)
                blocked_s = late_s - (clock.wait_ns() - waited_before) / 1e9
                self.max_late_ms = max(self.max_late_ms, late_s * 1000)
                stack, self._stack = self._stack, ""
                on_loop, self._on_loop = self._on_loop, False
                frames, self._frames = self._frames, ()
                paused, self._paused = self._paused, False
                if blocked_s > self.threshold_s and not paused:
                    warming = self.warmed is not None and not self.warmed.is_set()
                    switches = clock.voluntary_switches() - switches_before
                    on_loop = on_loop and not waited_for_the_gil(blocked_s, switches)
                    stall = Stall(
                        round(blocked_s * 1000, 1),
                        round(late_s * 1000, 1),
                        stack,
                        os.getpid(),
                        time.time(),
                        warming,
                        on_loop,
                        switches,
                        frames if on_loop else (),
                        round(((self._collector.total_ns if self._collector else 0) - collected_before) / 1e6, 1),
                        clock.major_faults() - faults_before,
                        round((clock.cpu_ns() - cpu_before) / 1e6, 1),
                    )
                    self.stalls.append(stall)
                    self._found.put(stall)
        finally:
            clock.close()

    # -- the watcher thread ------------------------------------------------------------------
    def _watch(self) -> None:
        caught_for = 0.0
        while not self._stop.wait(self.interval_s / 2):
            self._report_found()
            if self._loop is not None and not self._loop.is_running():
                self._paused = True
                continue
            due = self._due
            if time.monotonic() - due > self.threshold_s and caught_for != due:
                caught_for = due
                self._stack, self._on_loop, self._frames = _culprit_stack(self._loop_thread_id)
            if self.selftest_file is not None and self.selftest_file.exists():
                self.selftest_file.unlink(missing_ok=True)
                if self._loop is not None:
                    self._loop.call_soon_threadsafe(_selftest_block)
        self._report_found()

    def _report_found(self) -> None:
        while True:
            try:
                stall = self._found.get_nowait()
            except queue.Empty:
                return
            try:
                self.report(stall)
            except Exception:
                log.exception("loop watchdog could not report a stall")


def _culprit_stack(loop_thread_id: int) -> tuple[str, bool, tuple[Frame, ...]]:
    """What keeps the loop from running, whether it is code running *on* the loop, and
    (then) the loop thread's frames.

    The loop thread's own stack when it is running a callback; when it is idle in
    ``select()``, in the loop's own scheduling between callbacks, inside this watchdog's
    heartbeat or starting a thread, it is only waiting (for the GIL or a CPU) — then the
    other threads' stacks say who held the interpreter.
    """
    frames = sys._current_frames()
    frame = frames.get(loop_thread_id)
    if frame is None:
        return "", False, ()
    chain = _loop_chain(frame)
    own = _loop_stack(chain)
    code = frame.f_code
    waiting = (
        code.co_filename.endswith(("selectors.py", "asyncio/base_events.py"))  # idle, or between callbacks
        or _in_heartbeat(frame)
        or _starting_a_thread(frame)
    )
    if not waiting:
        return own, True, _loop_frames(chain)
    names = {t.ident: t.name for t in threading.enumerate()}
    others = [
        f"thread {names.get(ident, ident)}:\n" + "".join(traceback.format_stack(f)[-6:])
        for ident, f in frames.items()
        if ident not in (loop_thread_id, threading.get_ident())
    ]
    return own + "\n(the loop thread was waiting: another thread held the GIL)\n" + "\n".join(others), False, ()


def _in_heartbeat(frame) -> bool:
    """The loop thread is inside this watchdog's own heartbeat (reading its clock from /proc):
    whatever made it late, it is not code running on the loop."""
    while frame is not None:
        if frame.f_code.co_name == "_heartbeat" and frame.f_code.co_filename == __file__:
            return True
        frame = frame.f_back
    return False


def _starting_a_thread(frame) -> bool:
    """``Thread.start()`` waits until the new thread runs (anyio starts its workers so): a
    wait for the scheduler on a busy machine, not work on the loop."""
    while frame is not None:
        if frame.f_code.co_name == "start" and frame.f_code.co_filename.endswith("threading.py"):
            return True
        frame = frame.f_back
    return False


def _loop_chain(frame) -> list:
    """The frames from the callback the loop is running down to the blocking call,
    outermost first (the frames of the loop machinery and whatever started it say nothing
    about the culprit; without them, the innermost 15)."""
    chain = []
    while frame is not None:
        chain.append(frame)
        frame = frame.f_back
    chain.reverse()
    events = ("asyncio/events.py", "asyncio\\events.py")
    starts = [i for i, f in enumerate(chain) if f.f_code.co_filename.endswith(events)]
    return chain[starts[-1] + 1 :] if starts else chain[-15:]


def _loop_stack(chain: list) -> str:
    return "".join(traceback.StackSummary.extract((f, f.f_lineno) for f in chain).format())


def _loop_frames(chain: list) -> tuple[Frame, ...]:
    """The frames ``_loop_stack`` shows, as data."""
    return tuple(
        Frame(f.f_code.co_filename, f.f_lineno or 0, f.f_code.co_name, bool(f.f_code.co_flags & _ASYNC_CODE))
        for f in chain
    )


def _selftest_block() -> None:
    """Block the loop on purpose (the watchdog's own self-test)."""
    time.sleep(SELFTEST_BLOCK_S)


class JsonLinesReport:
    """Append each stall as one JSON line (``{"kind": "stall", ...}``) to ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, record: dict) -> None:
        line = json.dumps(record) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())  # one write per line: whole lines even from several workers
        finally:
            os.close(fd)

    def __call__(self, stall: Stall) -> None:
        log.warning("event loop blocked for %.0f ms:\n%s", stall.blocked_ms, stall.stack)
        self.write({"kind": "stall", **asdict(stall)})


async def watch_loop_from_env(warmed: Optional[threading.Event] = None) -> None:
    """Lifespan task: watch this worker's loop when ``PREPPAL_LOOP_WATCHDOG`` names a file.

    ``warmed`` (set by the app's warm-up) tells start-up stalls from the others."""
    target = os.environ.get(ENV_FILE, "")
    if not target:
        return
    threshold = float(os.environ.get(ENV_THRESHOLD_MS, DEFAULT_THRESHOLD_S * 1000)) / 1000
    report = JsonLinesReport(Path(target))
    watchdog = LoopWatchdog(report, threshold_s=threshold, selftest_file=Path(target + ".selftest"), warmed=warmed)
    watchdog.start()
    await asyncio.to_thread(report.write, {"kind": "start", "pid": os.getpid(), "threshold_ms": threshold * 1000})
    try:
        await asyncio.Event().wait()  # until the server shuts down
    finally:
        await watchdog.stop()
