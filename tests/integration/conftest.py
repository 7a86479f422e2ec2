"""Fixtures for the integration tests: the relay served in the test's loop against the
Live-API stand-in, and the event-loop guard every integration test runs under."""

from __future__ import annotations

import asyncio
import warnings

import pytest

from preppal.loop_watchdog import LoopWatchdog
from preppal.realtime.hub import RelayConfig, RelayHub
from tests.support import loop_guard
from tests.support.live_api_rules import LIVE_MODELS
from tests.support.live_api_standin import LiveApiStandin
from tests.support.relay_harness import (
    RecordingSink,
    RelayEnv,
    point_gemini_at,
    served_relay,
    stop_leftover_relays,
    wait_until,
)
from tests.support.users import make_user


@pytest.fixture(autouse=True)
async def loop_guard_watchdog(request: pytest.FixtureRequest):
    """Fail the test if the app's code — the relay and routes under test, on the test's
    event loop — blocked that loop for more than 50 ms (a test that blocks on purpose clears
    ``stalls``). Stalls the test's own code caused are counted for the end of the run, waits
    for the GIL are warnings (see loop_guard.split)."""
    if not loop_guard.enabled():
        yield None
        return
    async with LoopWatchdog(lambda _stall: None, threshold_s=loop_guard.THRESHOLD_S) as watchdog:
        yield watchdog
    verdict = loop_guard.judge(watchdog.stalls, request.node.nodeid)
    if verdict.waiting:
        warnings.warn(loop_guard.describe(verdict.waiting, "this test (not by code on it)"), stacklevel=1)
    if verdict.failing:
        pytest.fail(loop_guard.describe(verdict.failing, "this test"), pytrace=False)


@pytest.fixture
async def standin():
    async with LiveApiStandin() as server:
        yield server
        assert not server.errors, server.errors


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def relay_config() -> RelayConfig:
    """Timings for the relay under test (a test may override this fixture)."""
    return RelayConfig(grace_s=1.0)


@pytest.fixture(params=LIVE_MODELS)
def gemini_model(request) -> str:
    """Every relay test runs once per supported Live model (each has its own wire rules)."""
    return request.param


@pytest.fixture
async def relay_env(db, standin, sink, relay_config, gemini_model, monkeypatch) -> RelayEnv:
    """The relay served on a real socket, Gemini (real SDK, ``gemini_model``) pointed at the stand-in."""
    point_gemini_at(monkeypatch, standin, gemini_model)
    hub = RelayHub(sink, config=relay_config)  # feedback is queued, not generated here (test_feedback_*)
    user = await asyncio.to_thread(make_user)  # a database write: off the watched loop
    async with hub.running(), served_relay(hub) as server:
        yield RelayEnv(server, user.id, hub)
        leftovers = await stop_leftover_relays(hub)
        assert not leftovers, f"relays still running after the test: {leftovers}"
        # No upstream session may outlive its relay.
        await wait_until(lambda: all(c.closed.is_set() for c in standin.connections), timeout=5)
