"""What the event loop's thread spent its time on, as the loop watchdog reads it
(preppal/loop_watchdog.py): the kernel's counters for the thread (run-queue wait, time on a
CPU, voluntary sleeps: a thread waiting for the GIL wakes every 5 ms; major page faults: the
kernel reading the thread's memory back from disk) and the garbage collector's time on it.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Optional

GIL_WAIT_SWITCH_S = 0.01  # a GIL waiter wakes every 5 ms (sys.getswitchinterval()); half that rate counts


class ThreadClock:
    """This thread's scheduler counters, from Linux procfs (zeros where it is missing).

    - run-queue wait (``schedstat``): time runnable but not running — a busy machine;
    - voluntary context switches (``status``): a thread waiting for the GIL sleeps in a
      timed wait and wakes every switch interval (5 ms) to ask for it, so a stall full of
      voluntary switches was a wait for the interpreter another thread held (often a thread
      the busy machine had preempted while holding it), not code running on the loop. A
      blocking call (a query, a file read, ``time.sleep``) sleeps once or a few times;
    - time on a CPU (``schedstat``) and major page faults (``stat``): a thread that touches
      memory the kernel had dropped (a shared library's code, a cold page of a mapped file)
      waits for the disk without calling anything that blocks. On a machine whose page cache
      is reclaimed hard, that happens to code as small as an md5 of a short string.
    """

    def __init__(self) -> None:
        self._fds: dict[str, Optional[int]] = {}
        for name in ("schedstat", "status", "stat"):
            try:
                self._fds[name] = os.open(f"/proc/thread-self/{name}", os.O_RDONLY)
            except OSError:
                self._fds[name] = None

    def _read(self, name: str) -> bytes:
        fd = self._fds.get(name)
        if fd is None:
            return b""
        try:
            return os.pread(fd, 4096, 0)
        except OSError:
            return b""

    def wait_ns(self) -> int:
        try:
            return int(self._read("schedstat").split()[1])
        except (ValueError, IndexError):
            return 0

    def cpu_ns(self) -> int:
        try:
            return int(self._read("schedstat").split()[0])
        except (ValueError, IndexError):
            return 0

    def major_faults(self) -> int:
        """Page faults that needed the disk (``stat`` field 12, counted after the name's ')')."""
        data = self._read("stat")
        try:
            return int(data[data.rindex(b")") + 2 :].split()[9])
        except (ValueError, IndexError):
            return 0

    def voluntary_switches(self) -> int:
        data = self._read("status")
        start = data.find(b"voluntary_ctxt_switches:")
        if start < 0:
            return 0
        try:
            return int(data[start:].split(b"\n", 1)[0].split(b":")[1])
        except (ValueError, IndexError):
            return 0

    def close(self) -> None:
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)
        self._fds = {}


def waited_for_the_gil(blocked_s: float, voluntary_switches: int) -> bool:
    """True when a stall's voluntary switches say the loop thread waited for the GIL:
    at least one per 10 ms blocked (a GIL waiter makes one per 5 ms), and more than the
    handful a blocking call plus the heartbeat's own waits account for."""
    return voluntary_switches >= max(4, blocked_s / GIL_WAIT_SWITCH_S)


class CollectorClock:
    """Time the garbage collector spends on one thread (a ``gc.callbacks`` hook: cheap, it
    is called twice per collection)."""

    def __init__(self, thread_id: int) -> None:
        self.thread_id = thread_id
        self.total_ns = 0
        self._started = 0

    def __call__(self, phase: str, _info: dict) -> None:
        if threading.get_ident() != self.thread_id:
            return
        if phase == "start":
            self._started = time.perf_counter_ns()
        elif self._started:
            self.total_ns += time.perf_counter_ns() - self._started
            self._started = 0
