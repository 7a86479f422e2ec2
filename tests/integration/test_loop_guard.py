"""The event-loop guard itself: it must fail a test whose loop is blocked, see through a
stopped loop and a busy machine, and work inside a separate app process (env switch)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from preppal.loop_watchdog import ENV_FILE, LoopWatchdog
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
    from preppal import loop_watchdog

    inside, release = threading.Event(), threading.Event()
    read = loop_watchdog._ThreadClock._read

    def slow_read(self, name: str) -> bytes:
        if name == "schedstat" and not release.is_set():
            inside.set()
            release.wait(5)  # the loop thread, caught mid-read
        return read(self, name)

    monkeypatch.setattr(loop_watchdog._ThreadClock, "_read", slow_read)
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
        stack, on_loop = loop_watchdog._culprit_stack(thread_id[0])
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


def test_the_guard_fails_a_test_that_blocks_its_loop(pytester: pytest.Pytester, monkeypatch) -> None:
    """Run a throwaway test under the integration tests' guard: it must fail, naming the call."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("pytest_plugins = ['tests.support.databases']\n")
    pytester.makepyfile(
        test_blocks=textwrap.dedent(
            """
            import asyncio, time
            from tests.integration.conftest import loop_guard_watchdog

            async def test_blocks():
                time.sleep(0.15)
                await asyncio.sleep(0.05)
            """
        )
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    out = result.stdout.str()
    assert result.ret != 0, out
    assert "was blocked 1 time(s) for more than 50 ms" in out and "time.sleep(0.15)" in out, out


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
