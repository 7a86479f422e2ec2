"""Gemini Live wire details kept out of the backend: the hot-path adapter
(:class:`WireFastPath`), tolerant field access (camelCase and snake_case, both base64
alphabets) and one shared SDK client per process."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
from typing import Any

import websockets
from google import genai
from google.genai import types

from preppal.settings import Settings

log = logging.getLogger(__name__)
OUTPUT_SAMPLE_RATE = 24_000
INPUT_MIME = "audio/pcm;rate=16000"

# The documented wire format of realtime audio (what the SDK itself sends, far cheaper to build).
AUDIO_PREFIX = '{"realtime_input":{"audio":{"mime_type":"' + INPUT_MIME + '","data":"'
AUDIO_SUFFIX = '"}}}'


# The google-genai release whose session internals (``AsyncSession._ws``, a websockets
# connection carrying the documented JSON) the fast path was written and tested against.
# Any other version falls back to the SDK's own models (correct, ~3x the CPU per message)
# until someone re-checks the internals and moves the pin with pyproject.toml.
PINNED_SDK = "3.4.0"


class WireFastPath:
    """Per-message hot path on the SDK session's own connection, bypassing its models.

    The SDK still opens each session (auth, TLS, setup, resumption); only realtime audio
    out and server messages in use the documented wire JSON directly, because the SDK's
    pydantic models cost ~150–200 µs per message (docs/performance.md). One place depends
    on SDK internals: :meth:`attach`.
    """

    __slots__ = ("_ws",)

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    @classmethod
    def attach(cls, session: Any) -> WireFastPath | None:
        """The adapter for an SDK session, or None (use the SDK) on any other SDK version."""
        if genai.__version__ != PINNED_SDK:
            _warn_unpinned()
            return None
        ws = getattr(session, "_ws", None)
        return cls(ws) if ws is not None else None

    async def send_audio(self, pcm16k: bytes) -> None:
        await self._ws.send(AUDIO_PREFIX + base64.b64encode(pcm16k).decode() + AUDIO_SUFFIX)

    async def receive(self) -> dict:
        """The next server message as wire JSON (raises when the connection closes)."""
        return json.loads(await self._ws.recv(decode=False))


_warned: list[bool] = []


def _warn_unpinned() -> None:
    if not _warned:
        _warned.append(True)
        log.warning(
            "google-genai %s is not %s: Gemini messages go through the SDK models", genai.__version__, PINNED_SDK
        )


class UpstreamError(Exception):
    """An error object in a server message."""


def pick(obj: dict, camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def b64(data: str | bytes) -> bytes:
    """Base64 from the wire (standard or URL-safe); bytes pass through (SDK-parsed messages)."""
    if isinstance(data, bytes):
        return data
    if "-" in data or "_" in data:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return base64.b64decode(data)


def close_code(exc: BaseException) -> int | None:
    if isinstance(exc, websockets.ConnectionClosed):
        return exc.rcvd.code if exc.rcvd else 1006
    return getattr(exc, "code", None)


_clients: dict[tuple, genai.Client] = {}


async def shared_client(s: Settings) -> genai.Client:
    """One SDK client per configuration and process, built off the event loop.

    Building one loads CA bundles into fresh SSL contexts (tens of ms of blocking work);
    per interview that stalled every other live audio stream on each start.
    """
    key = (s.gemini_api_key, s.gemini_base_url, s.api_version, s.gemini_ca_file, s.gemini_vertex)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = await asyncio.to_thread(_build_client, s)
    return client


def _build_client(s: Settings) -> genai.Client:
    args: dict[str, Any] = {"close_timeout": 2}
    if s.gemini_ca_file:
        args["ssl"] = ssl.create_default_context(cafile=s.gemini_ca_file)
    options = types.HttpOptions(base_url=s.gemini_base_url or None, api_version=s.api_version, async_client_args=args)
    return genai.Client(vertexai=s.gemini_vertex, api_key=s.gemini_api_key, http_options=options)


def rate_of(mime: str | None) -> int:
    if mime and "rate=" in mime:
        try:
            return int(mime.split("rate=", 1)[1].split(";", 1)[0])
        except ValueError:
            pass
    return OUTPUT_SAMPLE_RATE
