"""A local stand-in for the Gemini API that the real SDK talks to: Live sessions and REST.

It speaks the wire protocol the google-genai SDK uses (see shared RECIPES): TLS WebSocket at
``/ws/google.ai.generativelanguage.{version}.GenerativeService.BidiGenerateContent`` (Vertex:
``/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent``), JSON text
frames, ``setup`` → ``setupComplete``, camelCase server messages. It accepts both key
casings and both base64 alphabets from clients. The REST endpoints (models, generateContent)
are in tests/support/standin_rest.py.

Like the real service it treats each model by that model's rules
(tests/support/live_api_rules.py): an unknown model or a bad key is refused, a setup field
the model rejects closes the session with the service's close code and reason, mid-session
``client_content`` closes a session whose model takes it only as initial history, and the
helpers that script "Gemini" speak the model's dialect (several parts per message,
``interactionStatus``, asynchronous tool calls).

Each accepted connection runs a *behaviour* — an async function of :class:`StandinConnection`
— taken from :attr:`LiveApiStandin.behaviours` (one per connection, the last one repeats), so a
test scripts exactly what "Gemini" does: transcriptions, 24 kHz audio, interruptions, goAway
with resumption handles, error closes, or a setup that never completes.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import re
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import ServerConnection, serve

from tests.support.live_api_rules import BAD_KEY, INVALID, LIVE, RULES, ModelRules, get, not_found
from tests.support.standin_rest import RestStandin

Behaviour = Callable[["StandinConnection"], Awaitable[None]]
_VERSION = re.compile(r"\.(v[0-9a-z]+)[./]")


@dataclass(frozen=True)
class TextIn:
    """Text the client sent into the session: ``client_content`` or realtime ``text``."""

    channel: str  # "client_content" | "realtime_text"
    text: str
    turn_complete: bool | None  # client_content's flag as sent (None when absent or realtime)


def make_self_signed(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost (cert doubles as the CA file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "preppal-live-standin")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "standin-cert.pem", directory / "standin-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def b64decode_any(text: str) -> bytes:
    """Standard or URL-safe base64, padded or not."""
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def pick(obj: dict, *names: str) -> Any:
    for name in names:
        if name in obj:
            return obj[name]
    return None


class StandinConnection:
    """One client connection as the behaviour sees it."""

    def __init__(self, ws: ServerConnection, index: int) -> None:
        self.ws = ws
        self.index = index  # 0 for the first connection of this stand-in
        self.path = ws.request.path if ws.request else ""
        self.api_key = ws.request.headers.get("x-goog-api-key", "") if ws.request else ""
        self.setup: dict = {}
        self.audio_in = bytearray()
        self.audio_messages = 0
        self.client_content: list[dict] = []
        self.texts: list[TextIn] = []  # every text the client sent, either channel, in order
        self.tool_responses: list[dict] = []
        self.activity: list[str] = []  # "start" / "end" client activity signals
        self.other: list[dict] = []
        self.rules: ModelRules = RULES["gemini-3.8-live"]  # set from the setup's model
        self.refused: tuple[int, str] | None = None  # the close this stand-in sent for a rule
        self.closed = asyncio.Event()
        self._changed = asyncio.Event()
        self.on_audio: Callable[[bytes], None] | None = None  # e.g. the benchmark's latency probe

    # --- what the client sent ---------------------------------------------------------------
    def _take(self, msg: dict) -> tuple[int, str] | None:
        """Record one client message; returns the close the service would answer it with."""
        refusal = None
        rt = pick(msg, "realtime_input", "realtimeInput")
        if rt is not None:
            blobs = []
            audio = pick(rt, "audio")
            if audio is not None:
                blobs.append(audio)
            blobs.extend(pick(rt, "media_chunks", "mediaChunks") or [])
            for blob in blobs:
                data = b64decode_any(pick(blob, "data") or "")
                self.audio_in += data
                self.audio_messages += 1
                if self.on_audio is not None:
                    self.on_audio(data)
            if (text := pick(rt, "text")) is not None:
                self.texts.append(TextIn("realtime_text", text, None))
            for signal, name in (("activity_start", "start"), ("activity_end", "end")):
                if get(rt, signal) is not None:
                    self.activity.append(name)
                    # Google refuses explicit activity signals while its own detection is on.
                    if (
                        self.setup_value("realtime_input_config", "automatic_activity_detection", "disabled")
                        is not True
                    ):
                        refusal = (1007, INVALID)
        elif (cc := pick(msg, "client_content", "clientContent")) is not None:
            self.client_content.append(cc)
            done = pick(cc, "turn_complete", "turnComplete")
            parts = [p for turn in pick(cc, "turns") or [] for p in pick(turn, "parts") or []]
            self.texts.append(TextIn("client_content", "".join(p.get("text", "") for p in parts), done))
            if not self.rules.mid_session_client_content and not self._initial_history_open():
                refusal = (1007, INVALID)
        elif (tr := pick(msg, "tool_response", "toolResponse")) is not None:
            self.tool_responses.append(tr)
        else:
            self.other.append(msg)
        self._changed.set()
        return refusal

    def _initial_history_open(self) -> bool:
        """client_content is still initial history: asked for at setup, and no earlier
        client_content completed the turn (that one is the last history message allowed)."""
        if not get(self.setup, "history_config", "initial_history_in_client_content"):
            return False
        return not any(t.turn_complete for t in self.texts[:-1] if t.channel == "client_content")

    def content_updates(self) -> list[tuple[Any, str]]:
        """Each ``client_content`` as (turn_complete as sent — None when absent, text of its parts).

        Context that must not end the candidate's turn (the code editor) comes with False."""
        out = []
        for cc in self.client_content:
            parts = [p for turn in pick(cc, "turns") or [] for p in pick(turn, "parts") or []]
            out.append((pick(cc, "turn_complete", "turnComplete"), "".join(p.get("text", "") for p in parts)))
        return out

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                if predicate():
                    return
                await self._changed.wait()

    async def wait_audio(self, nbytes: int, timeout: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.audio_in) >= nbytes, timeout)

    def setup_value(self, *path: str) -> Any:
        """Look up a setup field by snake_case path, accepting camelCase too."""
        node: Any = self.setup
        for name in path:
            camel = name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:])
            node = pick(node, name, camel) if isinstance(node, dict) else None
        return node

    # --- what "Gemini" says -------------------------------------------------------------------
    async def send(self, obj: dict) -> None:
        await self.ws.send(json.dumps(obj))

    async def content(self, **fields: Any) -> None:
        await self.send({"serverContent": fields})

    @staticmethod
    def audio_part(pcm: bytes, rate: int = 24_000) -> dict:
        return {
            "parts": [{"inlineData": {"mimeType": f"audio/pcm;rate={rate}", "data": base64.b64encode(pcm).decode()}}]
        }

    def _done(self, status: str | None = None) -> dict:
        """turnComplete (with the model's interactionStatus, where it reports one)."""
        fields: dict[str, Any] = {"turnComplete": True}
        if self.rules.interaction_status:
            fields["interactionStatus"] = status or "IDLE"
        return fields

    async def input_transcript(self, text: str) -> None:
        await self.content(inputTranscription={"text": text})

    async def output_transcript(self, text: str) -> None:
        await self.content(outputTranscription={"text": text})

    async def audio(self, pcm: bytes, rate: int = 24_000) -> None:
        await self.content(modelTurn=self.audio_part(pcm, rate))

    async def turn_complete(self, status: str | None = None) -> None:
        """The model's turn ends; ``status`` is the interactionStatus (default IDLE) for models
        that report one ("IN_PROGRESS": background reasoning goes on)."""
        await self.content(**self._done(status))

    async def interrupted(self) -> None:
        await self.content(interrupted=True)

    async def resumption(self, handle: str, resumable: bool = True) -> None:
        await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": resumable}})

    async def go_away(self, time_left: str = "5s") -> None:
        await self.send({"goAway": {"timeLeft": time_left}})

    async def tool_call(self, name: str, call_id: str = "call-1", args: Any = None) -> None:
        """A function call (``args`` as the model sends them, malformed ones included). A
        blocking model stops until the tool response arrives; an asynchronous one goes on
        talking (behaviours call :meth:`wait_tool_response` for the former)."""
        call = {"id": call_id, "name": name, "args": {} if args is None else args}
        await self.send({"toolCall": {"functionCalls": [call]}})

    def blocks_on(self, name: str) -> bool:
        """A call to ``name`` holds this model until its response arrives (the declaration's
        behaviour, else the model's default)."""
        return not self.rules.calls_async(self.setup, name)

    async def wait_tool_response(self, count: int = 1, timeout: float = 5.0) -> dict:
        """The ``count``-th tool response, once it has arrived."""
        await self.wait_for(lambda: len(self.tool_responses) >= count, timeout)
        return self.tool_responses[count - 1]

    async def ai_turn(
        self, words: list[str], pcm_per_word: bytes = b"\x01\x00" * 480, *, status: str | None = None
    ) -> None:
        """A whole AI answer in the model's dialect: one message per part (2.5), or audio and
        transcript together with turnComplete on the last one (3.x multi-part messages)."""
        if self.rules.multi_part:
            for i, word in enumerate(words):
                fields: dict[str, Any] = {
                    "modelTurn": self.audio_part(pcm_per_word),
                    "outputTranscription": {"text": word},
                }
                if i == len(words) - 1:
                    fields |= self._done(status)
                await self.content(**fields)
            if not words:
                await self.turn_complete(status)
            return
        for word in words:
            await self.audio(pcm_per_word)
            await self.output_transcript(word)
        await self.turn_complete(status)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    async def hold(self) -> None:
        """Keep the connection open (reading) until the client goes away."""
        await self.closed.wait()


async def idle(conn: StandinConnection) -> None:
    await conn.hold()


class LiveApiStandin:
    """The server. ``async with LiveApiStandin() as standin:`` then point settings at it.

    ``rules`` is the service's rule book (default: every model in live_api_rules.RULES);
    ``valid_keys`` the API keys it accepts (None: any non-empty key); ``rest=True`` serves
    POST endpoints too (generateContent) through the front door in standin_rest.py.
    """

    def __init__(
        self,
        behaviours: list[Behaviour] | None = None,
        *,
        port: int = 0,
        workdir: Path | None = None,
        rest: bool = False,
        rules: dict[str, ModelRules] | None = None,
    ):
        self.behaviours: list[Behaviour] = list(behaviours or [idle])
        self.complete_setup: Callable[[int], bool] = lambda index: True  # False: setup never completes
        self.connections: list[StandinConnection] = []
        self.errors: list[BaseException] = []
        self.rest = RestStandin(rules=dict(rules if rules is not None else RULES))
        self._port = port
        self._front_door = rest
        self._tmp = tempfile.TemporaryDirectory() if workdir is None else None
        self._dir = Path(self._tmp.name) if self._tmp else workdir
        self.cert_file, self._key_file = make_self_signed(self._dir)
        self._server = None
        self._front = None

    @property
    def rules(self) -> dict[str, ModelRules]:
        return self.rest.rules

    @property
    def valid_keys(self) -> set[str] | None:
        return self.rest.valid_keys

    @valid_keys.setter
    def valid_keys(self, keys: set[str] | None) -> None:
        self.rest.valid_keys = keys

    @property
    def port(self) -> int:
        listener = self._front if self._front is not None else self._server
        return listener.sockets[0].getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LiveApiStandin:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self._key_file)
        if self._front_door:  # TLS at the front door; the Live server behind it on a private port
            self._server = await serve(self._handle, "127.0.0.1", 0, max_size=None, compression=None)
            ws_port = self._server.sockets[0].getsockname()[1]
            self._front = await asyncio.start_server(
                lambda r, w: self.rest.front_door(r, w, ws_port), "127.0.0.1", self._port, ssl=ctx
            )
        else:
            self._server = await serve(
                self._handle,
                "127.0.0.1",
                self._port,
                ssl=ctx,
                max_size=None,
                compression=None,
                process_request=self.rest.process_request,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in (self._front, self._server):
            if server is None:
                continue
            server.close()
            try:
                await asyncio.wait_for(server.wait_closed(), 5)
            except TimeoutError:
                pass
        if self._tmp is not None:
            self._tmp.cleanup()

    def _setup_refusal(self, conn: StandinConnection) -> tuple[int, str] | None:
        """What the service answers a setup with, before setupComplete (None: accepted)."""
        if not self.rest.key_ok(conn.api_key):
            return 1007, BAD_KEY
        name = str(get(conn.setup, "model") or "").rsplit("/", 1)[-1]
        version = (_VERSION.search(conn.path) or [None, "v1beta"])[1]
        rules = self.rules.get(name)
        vertex_path = "aiplatform" in conn.path
        if rules is None or LIVE not in rules.methods or rules.vertex != vertex_path:
            return 1008, not_found(name, version)
        conn.rules = rules
        refusal = rules.refusal_for(conn.setup)
        return (refusal.code, refusal.reason) if refusal else None

    async def _refuse(self, conn: StandinConnection, close: tuple[int, str]) -> None:
        """Close as the service does; a close reason holds at most 123 bytes (RFC 6455), so
        a longer message arrives cut, as it would from Google."""
        code, reason = close
        reason = reason.encode()[:123].decode(errors="ignore")
        conn.refused = (code, reason)
        await conn.ws.close(code, reason)

    async def _handle(self, ws: ServerConnection) -> None:
        conn = StandinConnection(ws, len(self.connections))
        self.connections.append(conn)
        behaviour = self.behaviours[min(conn.index, len(self.behaviours) - 1)]
        try:
            first = json.loads(await ws.recv())
            conn.setup = first.get("setup") or {}
            if not conn.setup:
                await ws.close(1007, "first message must be setup")
                return
            if (refusal := self._setup_refusal(conn)) is not None:
                await self._refuse(conn, refusal)
                return
            if not self.complete_setup(conn.index):
                await ws.wait_closed()
                return
            await conn.send({"setupComplete": {}})
            script = asyncio.create_task(behaviour(conn))
            try:
                async for raw in ws:
                    if (refusal := conn._take(json.loads(raw))) is not None:
                        await self._refuse(conn, refusal)
                        break
            except websockets.ConnectionClosed:
                pass
            finally:
                conn.closed.set()
                conn._changed.set()
            try:
                await asyncio.wait_for(script, 2)
            except (TimeoutError, websockets.ConnectionClosed):
                pass
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:  # surfaced to the test through .errors
            self.errors.append(exc)
        finally:
            conn.closed.set()
