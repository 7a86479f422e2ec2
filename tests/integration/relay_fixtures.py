"""Fixtures shared by the relay integration tests (imported by each test_relay_* module)."""

from __future__ import annotations

import pytest

from preppal.realtime.hub import RelayConfig, RelayHub
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
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
def relay_config() -> RelayConfig:
    """Timings for the relay under test (a test may override this fixture)."""
    return RelayConfig(grace_s=1.0)


@pytest.fixture
async def relay_env(db, standin, sink, relay_config, monkeypatch) -> RelayEnv:
    """The relay served on a real socket, Gemini (real SDK) pointed at the stand-in."""
    point_gemini_at(monkeypatch, standin)
    hub = RelayHub(sink, config=relay_config)
    async with served_relay(hub) as server:
        yield RelayEnv(server, make_user(), hub)
        leftovers = await stop_leftover_relays(hub)
        assert not leftovers, f"relays still running after the test: {leftovers}"
        # No upstream session may outlive its relay.
        await wait_until(lambda: all(c.closed.is_set() for c in standin.connections), timeout=5)
