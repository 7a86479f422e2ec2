"""The event-loop guard of the test suite: integration and browser tests fail when the
app's code blocked the event loop for more than ``THRESHOLD_S`` (see preppal/loop_watchdog.py).

In-process (integration tests) the watchdog watches the test's own loop, where the relay,
the stand-in and the routes under test run. Browser tests watch the app server's loop: the
server runs with ``PREPPAL_LOOP_WATCHDOG=<file>`` and every test reads the stalls its
run appended to that file.

Whose stall it is, is judged by the frame that blocked (:func:`caused_by_tests`): the app's
(fails the test) or the test harness's own — test code, fixtures, pytest, the stand-ins in
tests/support playing the remote side. Those are reported and counted, not failed: this
module is also a pytest plugin (tests/conftest.py) that prints the count at the end of the
run, so it can go down.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import _pytest
import pluggy
import pytest
import pytest_asyncio

import preppal
from preppal.loop_watchdog import DEFAULT_THRESHOLD_S, ENV_FILE, ENV_THRESHOLD_MS, Frame, Stall

THRESHOLD_S = DEFAULT_THRESHOLD_S
OPT_OUT = "PREPPAL_TEST_NO_LOOP_GUARD"  # =1 to switch the guard off while investigating

APP_DIR = Path(preppal.__file__).resolve().parent
# Test harness code: this suite (tests, their fixtures and support), pytest and its plugins.
HARNESS_DIRS = tuple(Path(module.__file__).resolve().parent for module in (pytest, _pytest, pytest_asyncio, pluggy)) + (
    Path(__file__).resolve().parents[1],
)


def enabled() -> bool:
    return os.environ.get(OPT_OUT, "") != "1"


class Verdict(NamedTuple):
    failing: list[Stall]  # the app's code blocked the loop: the test fails
    by_tests: list[Stall]  # test or harness code blocked it: reported and counted
    waiting: list[Stall]  # no code held the loop (GIL/CPU wait, app warm-up, a collection): a warning


def split(stalls: list[Stall]) -> Verdict:
    """Sort stalls: code caught running on the loop (outside the app's warm-up) fails the
    test when it is the app's (:func:`caused_by_tests`); a loop that only waited for the GIL
    or a CPU (another thread held the interpreter, or nothing could be caught), or that was
    blocked mostly by the garbage collector (:func:`collector_pause`) or by the kernel paging
    its memory back in (:func:`paging_pause`), is a warning."""
    on_loop = [s for s in stalls if s.on_loop and not s.warming_up and not collector_pause(s) and not paging_pause(s)]
    by_tests = [s for s in on_loop if caused_by_tests(s)]
    failing = [s for s in on_loop if s not in by_tests]
    return Verdict(failing, by_tests, [s for s in stalls if s not in on_loop])


def collector_pause(stall: Stall) -> bool:
    """Without the garbage collector's time on the loop thread the stall would not be one:
    a collection pauses whatever code allocated (its length follows the whole heap, which in
    the test process is mostly the suite's), so the frame caught during it is not the cause."""
    return stall.gc_ms > 0 and stall.blocked_ms - stall.gc_ms <= THRESHOLD_S * 1000


def caused_by_tests(stall: Stall) -> bool:
    """True when the frame that blocked the loop is the test harness's, not the app's.

    Walking out from the blocking call, the first frame of our own code decides: test code
    (a test, a fixture, a stand-in, pytest) is the harness's; library code in between
    (``shutil.copytree``, SQLAlchemy) belongs to whoever called it. The app's code is the
    app's when it runs as the app runs it: a coroutine of ``preppal`` (or a sync function
    the loop calls back). Only a plain ``preppal`` function that test code called directly
    on its loop (a synchronous insert to set up a test) is the test's doing — the app calls
    those from threads. A stack with no frame of ours is the app's (library code the loop
    runs for the app: fail, as before).
    """
    for frame in reversed(stall.frames):
        owner = _owner(frame.file)
        if owner == "harness":
            return True
        if owner == "app" and frame.is_async:
            return False
    return False


@functools.lru_cache(maxsize=4096)
def _owner(filename: str) -> str:
    """ "app", "harness" or "library" for a frame's file."""
    if not filename or filename.startswith("<"):
        return "library"
    path = Path(filename).resolve()
    if path.is_relative_to(APP_DIR):
        return "app"
    test_module = path.name == "conftest.py" or (path.name.startswith("test_") and path.suffix == ".py")
    if test_module or any(path.is_relative_to(d) for d in HARNESS_DIRS):
        return "harness"
    return "library"


def blocking_frame(stall: Stall) -> str:
    """The call that blocked, the first frame of our code it came from and, when that was a
    plain app function, the test code that called it (what decided whose stall it is)."""
    if not stall.frames:
        return "(not caught)"
    inner = stall.frames[-1]
    ours = [f for f in reversed(stall.frames) if _owner(f.file) != "library"]
    shown = [inner] + [f for f in ours[:1] if f is not inner]
    if ours and _owner(ours[0].file) == "app" and not ours[0].is_async:
        shown += [f for f in ours if _owner(f.file) == "harness"][:1]
    return " from ".join(f"{f.name} ({_short(f)})" for f in shown)


def _short(frame: Frame) -> str:
    path = Path(frame.file)
    for root in (APP_DIR.parent, Path.cwd()):
        if path.is_relative_to(root):
            return f"{path.relative_to(root)}:{frame.line}"
    return f"{Path(*path.parts[-3:])}:{frame.line}"


# ---- the count of test-caused stalls (a pytest plugin, registered in tests/conftest.py) ---------

_by_tests: list[tuple[str, Stall]] = []


def paging_pause(stall: Stall) -> bool:
    """The loop thread waited for the disk on a major page fault, off the CPU for longer than
    the threshold: the kernel was reading back memory it had dropped (a library's code, a
    mapped file's page), not the code caught on the stack blocking. Seen on this kind of
    machine, whose page cache is reclaimed hard: 58–172 ms stalls in an md5 of a short string,
    a log flush, freeing an encoder. A CPU-bound stall that happened to fault is not excused."""
    return stall.major_faults > 0 and stall.blocked_ms - stall.cpu_ms > THRESHOLD_S * 1000


_waits = 0
_collections = 0
_paging = 0


def judge(stalls: list[Stall], test: str) -> Verdict:
    """:func:`split`, counting the test-caused stalls and the waits for the end of the run."""
    global _waits, _collections, _paging
    verdict = split(stalls)
    _by_tests.extend((test, stall) for stall in verdict.by_tests)
    _collections += sum(1 for s in verdict.waiting if collector_pause(s))
    _paging += sum(1 for s in verdict.waiting if paging_pause(s) and not collector_pause(s))
    _waits += sum(1 for s in verdict.waiting if not collector_pause(s) and not paging_pause(s))
    return verdict


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not enabled() or config.option.collectonly:
        return
    reporter = terminalreporter
    reporter.section("loop guard")
    reporter.write_line(
        f"loop stalls caused by test code: {len(_by_tests)} (reported, not failed; move them off the loop)"
    )
    for test, stall in _by_tests:
        reporter.write_line(f"  {stall.blocked_ms:.0f} ms in {test}: {blocking_frame(stall)}")
    reporter.write_line(f"loop waits for the GIL or a CPU (warnings, not code on the loop): {_waits}")
    reporter.write_line(f"loop stalls that were mostly a garbage collection (warnings): {_collections}")
    reporter.write_line(f"loop stalls waiting for the disk on a page fault (warnings): {_paging}")


def describe(stalls: list[Stall], where: str) -> str:
    parts = [f"the event loop of {where} was blocked {len(stalls)} time(s) for more than {THRESHOLD_S * 1000:.0f} ms:"]
    for stall in stalls[:3]:
        parts.append(
            f"--- blocked {stall.blocked_ms:.0f} ms (woke {stall.late_ms:.0f} ms late, garbage collection "
            f"{stall.gc_ms:.0f} ms, on a CPU {stall.cpu_ms:.0f} ms, {stall.voluntary_switches} sleeps, "
            f"{stall.major_faults} major page faults) in {blocking_frame(stall)}, "
            f"stack:\n{stall.stack}"
        )
    return "\n".join(parts)


def server_env(stall_file: Path) -> dict[str, str]:
    """Environment that makes an app server watch its loop into ``stall_file``."""
    return {ENV_FILE: str(stall_file), ENV_THRESHOLD_MS: str(THRESHOLD_S * 1000)}


@dataclass
class StallFile:
    """Reads what one app server appended to its stall file since the last look."""

    path: Path
    offset: int = 0
    starts: list[dict] = field(default_factory=list)

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def new_records(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        records = [json.loads(line) for line in complete.splitlines() if line.strip()]
        self.starts += [r for r in records if r.get("kind") == "start"]
        return records

    def new_stalls(self) -> list[Stall]:
        return [_stall_from(r) for r in self.new_records() if r.get("kind") == "stall"]


def _stall_from(record: dict) -> Stall:
    fields = {k: v for k, v in record.items() if k in Stall.__dataclass_fields__}
    fields["frames"] = tuple(Frame(*f) for f in fields.get("frames", ()))
    return Stall(**fields)
