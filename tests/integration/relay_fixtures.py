"""Fixtures shared by the relay integration tests (imported by each test_relay_* module)."""

from __future__ import annotations

import pytest

from preppal.realtime import relay as relay_module
from preppal.realtime.sink import set_state_sink
from tests.support.live_api_standin import LiveApiStandin
from tests.support.relay_harness import (
    RecordingSink,
    RelayEnv,
    make_user,
    point_gemini_at,
    served_relay,
    stop_leftover_relays,
    wait_until,
)


@pytest.fixture
async def standin():
    async with LiveApiStandin() as server:
        yield server
        assert not server.errors, server.errors


@pytest.fixture
def sink():
    recorder = RecordingSink()
    set_state_sink(recorder)
    yield recorder
    set_state_sink(None)


@pytest.fixture
async def relay_env(db, standin, sink, monkeypatch) -> RelayEnv:
    """The relay served on a real socket, Gemini (real SDK) pointed at the stand-in."""
    point_gemini_at(monkeypatch, standin)
    monkeypatch.setattr(relay_module, "GRACE_S", 1.0)
    async with served_relay() as server:
        yield RelayEnv(server, make_user())
        leftovers = await stop_leftover_relays()
        assert not leftovers, f"relays still running after the test: {leftovers}"
        # No upstream session may outlive its relay.
        await wait_until(lambda: all(c.closed.is_set() for c in standin.connections), timeout=5)
