"""The event-loop guard itself: it must fail a test whose loop the app's code blocked, count
(not fail) a stall the test's own code caused, see through a stopped loop and a busy
machine, and work inside a separate app process (env switch)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import mmap
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

from preppal.loop_clocks import ThreadClock
from preppal.loop_watchdog import ENV_FILE, Frame, LoopWatchdog, Stall, _selftest_block
from preppal.realtime import coordinator
from tests.support import loop_guard
from tests.support.loop_guard import StallFile

ROOT = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]


async def test_a_blocking_call_is_caught_with_its_stack(loop_guard_watchdog: LoopWatchdog) -> None:
    time.sleep(0.2)  # the kind of call the guard exists for: the loop cannot run meanwhile
    await asyncio.sleep(0.05)
    stalls = list(loop_guard_watchdog.stalls)
    loop_guard_watchdog.stalls.clear()  # seen: do not fail this test for it
    assert len(stalls) == 1, stalls
    assert 150 <= stalls[0].blocked_ms < 1000 and stalls[0].on_loop
    assert "test_a_blocking_call_is_caught_with_its_stack" in stalls[0].stack
    assert "time.sleep(0.2)" in stalls[0].stack


async def test_a_loop_waiting_for_the_gil_is_not_blamed(loop_guard_watchdog: LoopWatchdog) -> None:
    """Another thread holding the interpreter (here a backtracking regex: re holds the GIL
    for the whole match) delays the loop without any code running on it: a warning, not a
    failure — on a busy machine a preempted GIL holder does the same."""

    def hold_the_gil() -> None:
        re.match(r"(a+)+$", "a" * 21 + "b")  # ~0.5-1 s without releasing the GIL

    holder = threading.Thread(target=hold_the_gil)
    holder.start()
    end = time.monotonic() + 0.03
    while time.monotonic() < end:  # 30 ms of Python on the loop (under the threshold); the
        pass  # switch interval hands the GIL to the regex thread mid-way, which keeps it
    await asyncio.to_thread(holder.join)
    await asyncio.sleep(0.05)
    stalls = list(loop_guard_watchdog.stalls)
    loop_guard_watchdog.stalls.clear()
    assert stalls, "the held GIL must delay the loop"
    assert all(not s.on_loop for s in stalls), stalls
    assert max(s.voluntary_switches for s in stalls) >= 10


def test_the_watchdogs_own_clock_read_is_not_blamed_on_the_loop(monkeypatch) -> None:
    """A loop that wakes late may be caught inside the heartbeat's own clock read
    (/proc/thread-self/schedstat): a CI run once failed on "blocked 51 ms" in ``os.pread``
    there. That is the watchdog itself, not code on the loop."""
    from preppal import loop_clocks, loop_watchdog

    inside, release = threading.Event(), threading.Event()
    read = loop_clocks.ThreadClock._read

    def slow_read(self, name: str) -> bytes:
        if name == "schedstat" and not release.is_set():
            inside.set()
            release.wait(5)  # the loop thread, caught mid-read
        return read(self, name)

    monkeypatch.setattr(loop_clocks.ThreadClock, "_read", slow_read)
    dog = LoopWatchdog(lambda stall: None)
    thread_id: list[int] = []

    def run_heartbeat() -> None:
        thread_id.append(threading.get_ident())
        with contextlib.suppress(TimeoutError):
            asyncio.run(asyncio.wait_for(dog._heartbeat(), 0.5))

    loop_thread = threading.Thread(target=run_heartbeat)
    loop_thread.start()
    try:
        assert inside.wait(5)
        stack, on_loop, _frames = loop_watchdog._culprit_stack(thread_id[0])
    finally:
        release.set()
        loop_thread.join(5)
    assert "slow_read" in stack and not on_loop, stack


async def test_short_work_on_the_loop_is_fine(loop_guard_watchdog: LoopWatchdog) -> None:
    for _ in range(5):
        time.sleep(0.02)  # 20 ms at a time: under the threshold
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)
    assert loop_guard_watchdog.stalls == []


def test_a_loop_that_is_not_running_is_not_blocked() -> None:
    """Between fixtures a test runner stops the loop; that time is nobody's stall."""
    loop = asyncio.new_event_loop()
    try:
        watchdog = LoopWatchdog(lambda _stall: None)

        async def start() -> None:
            watchdog.start()
            await asyncio.sleep(0.05)

        loop.run_until_complete(start())
        time.sleep(0.3)  # outside the loop
        loop.run_until_complete(asyncio.sleep(0.1))
        loop.run_until_complete(watchdog.stop())
    finally:
        loop.close()
    assert watchdog.stalls == []


async def caught(loop_guard_watchdog: LoopWatchdog) -> loop_guard.Verdict:
    """The stalls seen so far, sorted by the guard's rule (and cleared: seen on purpose)."""
    await asyncio.sleep(0.05)
    stalls = list(loop_guard_watchdog.stalls)
    loop_guard_watchdog.stalls.clear()
    assert len(stalls) == 1, stalls
    return loop_guard.split(stalls)


async def test_the_tests_own_blocking_call_is_the_tests(loop_guard_watchdog: LoopWatchdog) -> None:
    shutil_like = functools.partial(time.sleep, 0.15)  # a library call (no Python frame of its own)
    shutil_like()
    verdict = await caught(loop_guard_watchdog)
    assert verdict.by_tests and not verdict.failing, verdict
    assert "test_the_tests_own_blocking_call_is_the_tests" in loop_guard.blocking_frame(verdict.by_tests[0])


async def test_app_code_the_test_calls_directly_on_its_loop_is_the_tests(loop_guard_watchdog: LoopWatchdog) -> None:
    """A plain function of the app called by test code on the test's loop (a synchronous
    insert to set a test up): the app runs such functions in threads; the test chose the loop."""
    _selftest_block()
    verdict = await caught(loop_guard_watchdog)
    assert verdict.by_tests and not verdict.failing, verdict


async def test_app_code_the_loop_calls_back_fails(loop_guard_watchdog: LoopWatchdog) -> None:
    asyncio.get_running_loop().call_soon(_selftest_block)
    verdict = await caught(loop_guard_watchdog)
    assert verdict.failing and not verdict.by_tests, verdict
    assert "_selftest_block" in loop_guard.blocking_frame(verdict.failing[0])


async def test_an_app_coroutine_that_blocks_fails_even_when_a_test_awaits_it(
    loop_guard_watchdog: LoopWatchdog, monkeypatch
) -> None:
    """The test's coroutine is on the stack, but the blocking call is made by the app's own
    coroutine: that is exactly what the guard exists for."""
    local = coordinator.LocalCoordinator()
    monkeypatch.setattr(coordinator, "new_worker_id", functools.partial(time.sleep, 0.15))  # blocks, no frame
    await local.start(lambda _iid: None)
    verdict = await caught(loop_guard_watchdog)
    assert verdict.failing and not verdict.by_tests, verdict
    frame = verdict.failing[0].frames[-1]
    assert frame.name == "start" and frame.is_async and frame.file == coordinator.__file__


async def test_a_garbage_collection_on_the_loop_is_not_blamed_on_code(loop_guard_watchdog: LoopWatchdog) -> None:
    """The collector runs in whatever code allocates; its pause follows the whole heap (in
    the test process, mostly the suite's). A stall that was mostly a collection is a warning."""
    heap = await asyncio.to_thread(lambda: [[] for _ in range(2_500_000)])  # a full collection: ~0.15 s
    await asyncio.sleep(0.1)
    loop_guard_watchdog.stalls.clear()  # building it held the GIL: not what this test is about
    asyncio.get_running_loop().call_soon(gc.collect)  # the loop runs it; no frame of ours on the stack
    await asyncio.sleep(0.05)
    stalls = list(loop_guard_watchdog.stalls)
    loop_guard_watchdog.stalls.clear()
    await asyncio.to_thread(heap.clear)
    assert stalls, "a full collection of 2.5 million objects must stall the loop"
    # Whether the watcher caught the loop "running" depends on when it got the GIL back (the
    # collector holds it); caught, the old guard failed the test. Either way it is a warning.
    assert all(loop_guard.collector_pause(s) for s in stalls), stalls
    verdict = loop_guard.split(stalls)
    assert not verdict.failing and not verdict.by_tests and verdict.waiting == stalls


def test_the_thread_clock_counts_the_threads_major_page_faults(tmp_path_factory) -> None:
    """A page of a mapped file the kernel has dropped is read back from disk on first touch:
    one major fault (or more) on the touching thread. tmp on disk, not tmpfs (no disk there)."""
    folder = Path(tempfile.mkdtemp(dir="/var/tmp"))
    try:
        path = folder / "cold"
        with open(path, "wb") as fh:
            fh.write(os.urandom(4 << 20))
            fh.flush()
            os.fsync(fh.fileno())
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # clean pages: dropped for real
            with mmap.mmap(fd, 0, prot=mmap.PROT_READ) as mapped:
                clock = ThreadClock()
                before = clock.major_faults()
                touched = sum(mapped[i] for i in range(0, len(mapped), 4096))
                faults = clock.major_faults() - before
                clock.close()
        finally:
            os.close(fd)
    finally:
        shutil.rmtree(folder)
    assert touched >= 0 and faults >= 1


def _stall(**kw) -> Stall:
    app = Frame(coordinator.__file__, 1, "start", True)
    return Stall(
        **{"blocked_ms": 172.0, "late_ms": 194.0, "stack": "", "pid": 1, "on_loop": True, "frames": (app,), **kw}
    )


def test_a_stall_waiting_for_the_disk_on_a_page_fault_is_a_warning() -> None:
    """Off the CPU for most of the stall, with major page faults: the kernel was reading the
    loop thread's memory back (a warning); on the CPU for most of it, code ran (a failure)."""
    paging = _stall(major_faults=2, cpu_ms=4.0)
    computing = _stall(major_faults=1, cpu_ms=160.0)
    blocking = _stall(major_faults=0, cpu_ms=1.0)
    assert loop_guard.paging_pause(paging) and not loop_guard.paging_pause(computing)
    verdict = loop_guard.split([paging, computing, blocking])
    assert verdict.waiting == [paging] and verdict.failing == [computing, blocking]


def run_under_the_guard(pytester: pytest.Pytester, monkeypatch, test_body: str) -> pytest.RunResult:
    """Run a throwaway test under the integration tests' guard, with the suite's plugins."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("pytest_plugins = ['tests.support.databases', 'tests.support.loop_guard']\n")
    source = "import asyncio, time\nfrom tests.integration.conftest import loop_guard_watchdog\n"
    pytester.makepyfile(test_blocks=source + textwrap.dedent(test_body))
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"
    )


@pytest.mark.process
def test_the_guard_fails_a_test_whose_app_code_blocks_its_loop(pytester: pytest.Pytester, monkeypatch) -> None:
    result = run_under_the_guard(
        pytester,
        monkeypatch,
        """
        from preppal.loop_watchdog import _selftest_block

        async def test_blocks():
            asyncio.get_running_loop().call_soon(_selftest_block)
            await asyncio.sleep(0.3)
        """,
    )
    out = result.stdout.str()
    assert result.ret != 0, out
    assert "was blocked 1 time(s) for more than 50 ms" in out and "time.sleep(SELFTEST_BLOCK_S)" in out, out
    assert "loop stalls caused by test code: 0" in out, out


@pytest.mark.process
def test_a_stall_the_tests_own_code_caused_is_counted_not_failed(pytester: pytest.Pytester, monkeypatch) -> None:
    """The false alarms of the past (a cold-disk copytree, a GC pause in a test's insert):
    the run passes and its summary counts and names the stall."""
    result = run_under_the_guard(
        pytester,
        monkeypatch,
        """
        async def test_blocks():
            time.sleep(0.15)
            await asyncio.sleep(0.05)
        """,
    )
    out = result.stdout.str()
    assert result.ret == 0, out
    assert "loop stalls caused by test code: 1" in out, out
    assert re.search(r"\d+ ms in test_blocks.py::test_blocks: test_blocks \(test_blocks.py:\d+\)", out), out


@pytest.mark.process
def test_an_app_process_reports_stalls_to_the_file_named_by_the_env(tmp_path: Path) -> None:
    stall_file = tmp_path / "stalls.jsonl"
    program = textwrap.dedent(
        """
        import asyncio, time
        from pathlib import Path
        from preppal.loop_watchdog import watch_loop_from_env

        async def main():
            watcher = asyncio.create_task(watch_loop_from_env())
            await asyncio.sleep(0.3)
            time.sleep(0.2)  # blocked on purpose
            await asyncio.sleep(0.2)
            Path(__import__("os").environ["PREPPAL_LOOP_WATCHDOG"] + ".selftest").touch()
            await asyncio.sleep(0.6)
            watcher.cancel()

        asyncio.run(main())
        """
    )
    env = {**os.environ, ENV_FILE: str(stall_file), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", program], env=env, check=True, timeout=60)
    reader = StallFile(stall_file)
    stalls = reader.new_stalls()
    assert len(reader.starts) == 1
    assert [s.pid for s in stalls] == [reader.starts[0]["pid"]] * 2
    assert ", in main" in stalls[0].stack and "_selftest_block" not in stalls[0].stack  # <string>: no source
    assert "_selftest_block" in stalls[1].stack and all(s.on_loop for s in stalls)
    assert stalls[1].frames[-1].name == "_selftest_block"  # the frames survive the file (JSON)
    assert loop_guard.split(stalls[1:]).failing == stalls[1:]  # the app's own code: it fails
