"""The browser tests' loop guard really watches the app server's event loop: the server's
watchdog is asked (through its self-test file) to block the loop once, and the stall with
its stack must arrive in the file the guard reads after every test."""

from __future__ import annotations

import time

import pytest

from tests.support import loop_guard
from tests.support.app_server import AppServer

pytestmark = pytest.mark.browser


def test_a_blocked_app_loop_is_reported(app_server: AppServer) -> None:
    if not loop_guard.enabled():
        pytest.skip(f"{loop_guard.OPT_OUT}=1 switches the loop guard off")
    assert app_server.stalls is not None
    app_server.stalls.new_stalls()  # anything before this test is the guard's business
    app_server.stalls.path.with_name(app_server.stalls.path.name + ".selftest").touch()
    seen: list = []
    deadline = time.monotonic() + 20
    while not any("_selftest_block" in s.stack for s in seen) and time.monotonic() < deadline:
        time.sleep(0.2)
        seen += app_server.stalls.new_stalls()  # read here, so the guard does not see the self-test
    assert app_server.stalls.starts, "the app server's watchdog never started"
    mine = [s for s in seen if "_selftest_block" in s.stack]
    assert len(mine) == 1, seen
    assert mine[0].blocked_ms >= 150 and mine[0].on_loop
    assert mine[0].pid in {start["pid"] for start in app_server.stalls.starts}
    failing = loop_guard.split([s for s in seen if s not in mine]).failing  # anything else: the guard's rule
    assert not failing, loop_guard.describe(failing, "the app server")
