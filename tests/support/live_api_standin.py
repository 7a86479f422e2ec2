"""A local stand-in for the Gemini Live API (BidiGenerateContent) that the real SDK talks to.

It speaks the wire protocol the google-genai SDK uses (see shared RECIPES): TLS WebSocket at
``/ws/google.ai.generativelanguage.{version}.GenerativeService.BidiGenerateContent``, JSON
text frames, ``setup`` → ``setupComplete``, camelCase server messages. It accepts both
key casings and both base64 alphabets from clients.

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
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import ServerConnection, serve

Behaviour = Callable[["StandinConnection"], Awaitable[None]]


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
        self.tool_responses: list[dict] = []
        self.other: list[dict] = []
        self.closed = asyncio.Event()
        self._changed = asyncio.Event()
        self.on_audio: Callable[[bytes], None] | None = None  # e.g. the benchmark's latency probe

    # --- what the client sent ---------------------------------------------------------------
    def _take(self, msg: dict) -> None:
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
        elif (cc := pick(msg, "client_content", "clientContent")) is not None:
            self.client_content.append(cc)
        elif (tr := pick(msg, "tool_response", "toolResponse")) is not None:
            self.tool_responses.append(tr)
        else:
            self.other.append(msg)
        self._changed.set()

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

    async def input_transcript(self, text: str) -> None:
        await self.content(inputTranscription={"text": text})

    async def output_transcript(self, text: str) -> None:
        await self.content(outputTranscription={"text": text})

    async def audio(self, pcm: bytes, rate: int = 24_000) -> None:
        data = base64.b64encode(pcm).decode()
        await self.content(modelTurn={"parts": [{"inlineData": {"mimeType": f"audio/pcm;rate={rate}", "data": data}}]})

    async def turn_complete(self) -> None:
        await self.content(turnComplete=True)

    async def interrupted(self) -> None:
        await self.content(interrupted=True)

    async def resumption(self, handle: str, resumable: bool = True) -> None:
        await self.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": resumable}})

    async def go_away(self, time_left: str = "5s") -> None:
        await self.send({"goAway": {"timeLeft": time_left}})

    async def tool_call(self, name: str, call_id: str = "call-1") -> None:
        await self.send({"toolCall": {"functionCalls": [{"id": call_id, "name": name, "args": {}}]}})

    async def ai_turn(self, words: list[str], pcm_per_word: bytes = b"\x01\x00" * 480) -> None:
        """A whole AI answer: transcript fragments interleaved with audio, then turnComplete."""
        for word in words:
            await self.audio(pcm_per_word)
            await self.output_transcript(word)
        await self.turn_complete()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)

    async def hold(self) -> None:
        """Keep the connection open (reading) until the client goes away."""
        await self.closed.wait()


async def idle(conn: StandinConnection) -> None:
    await conn.hold()


class LiveApiStandin:
    """The server. ``async with LiveApiStandin() as standin:`` then point settings at it."""

    def __init__(self, behaviours: list[Behaviour] | None = None, *, port: int = 0, workdir: Path | None = None):
        self.behaviours: list[Behaviour] = list(behaviours or [idle])
        self.complete_setup: Callable[[int], bool] = lambda index: True  # False: setup never completes
        self.connections: list[StandinConnection] = []
        self.errors: list[BaseException] = []
        self._port = port
        self._tmp = tempfile.TemporaryDirectory() if workdir is None else None
        self._dir = Path(self._tmp.name) if self._tmp else workdir
        self.cert_file, self._key_file = make_self_signed(self._dir)
        self._server = None

    @property
    def port(self) -> int:
        return self._server.sockets[0].getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LiveApiStandin:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_file, self._key_file)
        self._server = await serve(self._handle, "127.0.0.1", self._port, ssl=ctx, max_size=None, compression=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        try:
            await asyncio.wait_for(self._server.wait_closed(), 5)
        except TimeoutError:
            pass
        if self._tmp is not None:
            self._tmp.cleanup()

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
            if not self.complete_setup(conn.index):
                await ws.wait_closed()
                return
            await conn.send({"setupComplete": {}})
            script = asyncio.create_task(behaviour(conn))
            try:
                async for raw in ws:
                    conn._take(json.loads(raw))
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
