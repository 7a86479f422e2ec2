"""The relay route alone as an ASGI app (plus /metrics), served by granian in tests and
the failover benchmark: a hub built from the environment like preppal.py builds it, with
its lifespan (leases, sweep, Redis coordination, hand-over on SIGTERM)."""

import contextlib
import logging

from starlette.applications import Starlette

from preppal.api.metrics_routes import metrics_routes
from preppal.realtime.coordinator import coordinator_for
from preppal.realtime.hub import RelayConfig, RelayHub
from preppal.realtime.route import websocket_routes
from preppal.settings import get_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
_settings = get_settings()
hub = RelayHub(
    config=RelayConfig.from_settings(_settings),
    coordinator=coordinator_for(_settings.redis_url),
)


@contextlib.asynccontextmanager
async def lifespan(app):
    async with hub.running():
        yield


app = Starlette(routes=[*websocket_routes(hub), *metrics_routes(hub)], lifespan=lifespan)
