"""Serve the relay route on a real socket inside the test's event loop.

Reflex runs the route under granian; granian's embedded (in-process) mode is marked
experimental and aborts the interpreter at exit, so tests serve the same Starlette route
through a minimal ASGI bridge on the ``websockets`` server instead: the route, relay, SDK
and stand-in all run in the test's loop, the browser side is a real TCP WebSocket. The
benchmark (bench/relay_load.py) serves the route with granian itself.

One deviation from a full ASGI server: the handshake completes before the app runs, so an
app that closes before ``websocket.accept`` looks like accept-then-close. The relay route
always accepts first, so this does not change what the tests see.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from starlette.applications import Starlette
from websockets.asyncio.server import ServerConnection, serve

from preppal.live.gemini_profiles import Platform, profile_for
from preppal.realtime import codec
from preppal.realtime.hub import RelayHub
from preppal.realtime.outcome import Failure
from preppal.realtime.pb import interview_pb2 as pb
from preppal.realtime.route import websocket_routes
from preppal.services.interviews import lifecycle
from preppal.services.interviews.worker_tokens import generate_worker_token
from preppal.settings import reset_settings
from tests.support.live_api_standin import LiveApiStandin


class AsgiWebSocketBridge:
    """Run an ASGI app's websocket routes on a ``websockets`` server."""

    def __init__(self, app) -> None:
        self.app = app
        self._server = None

    async def __aenter__(self) -> AsgiWebSocketBridge:
        self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._server.wait_closed(), 5)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, ws: ServerConnection) -> None:
        parts = urlsplit(ws.request.path)
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in ws.request.headers.raw_items()],
            "client": ws.remote_address[:2],
            "server": ws.local_address[:2],
            "subprotocols": [],
        }
        connected = False

        async def receive() -> dict:
            nonlocal connected
            if not connected:
                connected = True
                return {"type": "websocket.connect"}
            try:
                data = await ws.recv()
            except websockets.ConnectionClosed as exc:
                return {"type": "websocket.disconnect", "code": exc.rcvd.code if exc.rcvd else 1006}
            if isinstance(data, bytes):
                return {"type": "websocket.receive", "bytes": data}
            return {"type": "websocket.receive", "text": data}

        async def send(message: dict) -> None:
            kind = message["type"]
            if kind == "websocket.send":
                payload = message.get("bytes")
                await ws.send(payload if payload is not None else message.get("text", ""))
            elif kind == "websocket.close":
                await ws.close(message.get("code", 1000), message.get("reason") or "")

        await self.app(scope, receive, send)
        await ws.close()


@dataclass
class Candidate:
    """A scripted browser: a real WebSocket client speaking the protobuf contract."""

    ws: websockets.ClientConnection
    messages: list[pb.ServerToClientMessage] = field(default_factory=list)
    close_code: int | None = None
    _reader: asyncio.Task | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.messages.append(codec.decode_server(data))
                self._changed.set()
        except websockets.ConnectionClosed:
            pass
        self.close_code = self.ws.close_code
        self._changed.set()

    def of(self, kind: str) -> list:
        return [getattr(m, kind) for m in self.messages if m.WhichOneof("payload") == kind]

    async def wait_for(self, predicate, timeout: float = 10.0):
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                if self.close_code is not None:
                    result = predicate()
                    if result:
                        return result
                    raise AssertionError(f"socket closed ({self.close_code}) before the condition held")
                self._changed.clear()
                await self._changed.wait()
        return result

    def finals(self) -> list[str]:
        """Texts of the final transcript segments received so far."""
        return [t.text for t in self.of("transcript_update") if t.is_final]

    async def wait_kind(self, kind: str, count: int = 1, timeout: float = 10.0) -> list:
        await self.wait_for(lambda: len(self.of(kind)) >= count, timeout)
        return self.of(kind)

    async def wait_closed(self, timeout: float = 10.0) -> int:
        async with asyncio.timeout(timeout):
            await self._reader
        return self.close_code

    async def send_audio(self, pcm: bytes) -> None:
        await self.ws.send(codec.client_audio(pcm))

    async def end(self) -> None:
        await self.ws.send(codec.client_end())

    async def close(self) -> None:
        await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reader, 5)


@dataclass
class RelayEnv:
    """A served relay plus helpers to make users, interviews and tokens."""

    server: AsgiWebSocketBridge
    user_id: int
    hub: RelayHub | None = None  # None when the relay runs in another process

    def new_interview(self, **overrides) -> str:
        args = {"interview_type": "technical", "role": "Backend engineer", "difficulty": "standard"}
        args.update(overrides)
        return lifecycle.create_interview(self.user_id, **args).id

    def token(self, interview_id: str, client: str = "client-token-1", *, resume: bool = False) -> str:
        return generate_worker_token(self.user_id, interview_id, client, resume=resume)

    async def connect(self, interview_id: str, token: str) -> Candidate:
        ws = await websockets.connect(
            f"{self.server.url}/ws/interview/{interview_id}?token={token}", max_size=None, open_timeout=5
        )
        candidate = Candidate(ws)
        candidate.start()
        return candidate


def gemini_env(standin: LiveApiStandin, model: str = "", **extra: str) -> dict[str, str]:
    """The environment that points the real Gemini backend (real SDK) at the stand-in,
    for ``model`` (default: the settings' default); Vertex models are reached the Vertex way."""
    env = {
        "PREPPAL_INTERVIEWER": "gemini",
        "GEMINI_API_KEY": "test-key",
        "GEMINI_BASE_URL": standin.base_url,
        "GEMINI_CA_FILE": str(standin.cert_file),
        "GEMINI_CONNECT_TIMEOUT_S": "3",
    }
    if model:
        env["GEMINI_MODEL"] = model
        env["GOOGLE_GENAI_USE_VERTEXAI"] = "true" if profile_for(model).platform is Platform.VERTEX else "false"
    return env | extra


def point_gemini_at(monkeypatch, standin: LiveApiStandin, model: str = "", **extra: str) -> None:
    """Configure the real Gemini backend (real SDK) to talk to the stand-in."""
    for key, value in gemini_env(standin, model, **extra).items():
        monkeypatch.setenv(key, value)
    reset_settings()


@contextlib.asynccontextmanager
async def served_relay(hub: RelayHub) -> AsyncIterator[AsgiWebSocketBridge]:
    app = Starlette(routes=websocket_routes(hub))
    async with AsgiWebSocketBridge(app) as server:
        yield server


class RecordingSink:
    """A StateSink that remembers every pushed segment (what the meeting page would receive)."""

    def __init__(self) -> None:
        self.pushes: list[tuple[str, str, object]] = []  # (client token, interview id, TranscriptPush)

    async def push(self, client_token: str, interview_id: str, updates) -> None:
        for update in updates:  # a snapshot (everything so far, to a page that attached) counts line by line
            for u in getattr(update, "segments", (update,)):
                self.pushes.append((client_token, interview_id, u))

    def finals(self, client_token: str) -> list[tuple[str, str]]:
        """(speaker, text) of the final segments pushed to one page, in order, once each."""
        seen: dict[int, tuple[str, str]] = {}
        for token, _, u in self.pushes:
            if token == client_token and u.final:
                seen[u.segment_id] = (u.speaker, u.text)
        return [seen[k] for k in sorted(seen)]


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll ``predicate`` (e.g. a database read) until it is truthy."""
    async with asyncio.timeout(timeout):
        while not (result := predicate()):
            await asyncio.sleep(interval)
    return result


async def stop_leftover_relays(hub: RelayHub, timeout: float = 5.0) -> list[str]:
    """Let finishing sessions finish; force-end any still live after ``timeout`` and name them."""
    with contextlib.suppress(TimeoutError):
        await wait_until(lambda: hub.live_count == 0, timeout=timeout)
    return await hub.stop_all(Failure(4500, "test teardown"), timeout)
