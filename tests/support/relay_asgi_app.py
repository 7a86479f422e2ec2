"""The relay route alone as an ASGI app, for serving under granian in tests."""

from starlette.applications import Starlette

from preppal.realtime.hub import RelayHub
from preppal.realtime.route import websocket_routes

app = Starlette(routes=websocket_routes(RelayHub()))
