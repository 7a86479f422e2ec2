"""The Starlette app that Reflex mounts itself into: HTTP API, auth forms, relay socket."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware

from preppal.api.auth_routes import auth_routes
from preppal.api.body_limit import BodyLimitMiddleware
from preppal.api.export_routes import export_routes
from preppal.api.interview_routes import interview_routes
from preppal.api.metrics_routes import metrics_routes
from preppal.api.recording_routes import recording_routes
from preppal.realtime.hub import RelayHub
from preppal.realtime.route import websocket_routes
from preppal.services.recordings.store import RecordingStore


def build_api(hub: RelayHub, recordings: RecordingStore) -> Starlette:
    """Reflex mounts its own routes (``/_event``, ``/_upload``, pages) inside this app, so the
    body cap wraps them too. ``recordings`` (the process's store) serves the downloads."""
    return Starlette(
        routes=[
            *auth_routes(),
            *interview_routes(),
            *export_routes(),
            *recording_routes(recordings),
            *metrics_routes(hub),
            *websocket_routes(hub),
        ],
        middleware=[Middleware(BodyLimitMiddleware)],
    )
