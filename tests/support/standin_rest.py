"""The REST half of the Gemini stand-in: ``models.list``, ``models.get``, ``generateContent``.

The SDK uses one base URL for REST and Live, so the stand-in answers both on one port:
- by default the Live WebSocket server answers the GET endpoints itself (``process_request``),
  enough for the server's model check; it keeps the WebSocket path as it was (the relay
  benchmarks measure through it);
- with ``rest=True`` a small TLS front door reads each request's head: WebSocket upgrades
  are piped to the Live server on a private port, everything else (POST included) is
  answered here — what ``preppal doctor``'s feedback call needs.

Answers have the Gemini API's shapes: ``{"models": [...]}``, a Model with
``supportedGenerationMethods``, and ``{"error": {"code", "message", "status"}}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from tests.support.live_api_rules import BAD_KEY, RULES, TEXT, ModelRules, not_found

_PATH = re.compile(
    r"^/(?P<version>v[0-9a-z]+)/(?:projects/[^/]+/locations/[^/]+/)?(?:publishers/google/)?models"
    r"(?:/(?P<name>[^/:?]+))?(?::(?P<method>[A-Za-z]+))?(?:\?.*)?$"
)
MAX_HEAD = 64 * 1024
MAX_BODY = 4 * 1024 * 1024
REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"}


def error(code: int, message: str, status: str) -> tuple[int, dict]:
    return code, {"error": {"code": code, "message": message, "status": status}}


def model_resource(rules: ModelRules) -> dict:
    return {
        "name": f"models/{rules.model}",
        "displayName": rules.model,
        "description": rules.description,
        "supportedGenerationMethods": sorted(rules.methods),
        "inputTokenLimit": 131072,
        "outputTokenLimit": 65536,
    }


@dataclass
class RestStandin:
    """What the REST side knows and answers (shared with the Live side: rules and keys)."""

    rules: dict[str, ModelRules] = field(default_factory=lambda: dict(RULES))
    valid_keys: set[str] | None = None  # None: any non-empty key is accepted
    # generateContent: (model, request body) -> (status, JSON); the default answers ``generate_text``.
    generate: Callable[[str, dict], tuple[int, dict]] | None = None
    generate_text: str = "{}"
    requests: list[dict] = field(default_factory=list)

    def key_ok(self, key: str) -> bool:
        return bool(key) and (self.valid_keys is None or key in self.valid_keys)

    def respond(self, method: str, path: str, headers: Any, body: bytes = b"") -> tuple[int, dict]:
        key = headers.get("x-goog-api-key") or ""
        self.requests.append({"method": method, "path": path, "key": key})
        if not self.key_ok(key):
            return error(400, BAD_KEY, "INVALID_ARGUMENT")
        match = _PATH.match(path)
        if match is None:
            return error(404, f"Unknown path {path}", "NOT_FOUND")
        version, name, action = match["version"], match["name"], match["method"]
        if name is None:
            if method != "GET":
                return error(405, "Method not allowed", "INVALID_ARGUMENT")
            return 200, {"models": [model_resource(r) for r in self.rules.values()]}
        rules = self.rules.get(name)
        if action is None:
            if rules is None:
                return error(404, not_found(name, version, TEXT), "NOT_FOUND")
            return 200, model_resource(rules)
        if method != "POST" or action != TEXT:
            return error(405, f"{action} is not served here", "INVALID_ARGUMENT")
        if rules is None or TEXT not in rules.methods:
            return error(404, not_found(name, version, TEXT), "NOT_FOUND")
        request = json.loads(body or b"{}")
        if self.generate is not None:
            return self.generate(name, request)
        return 200, text_reply(self.generate_text)

    # ---- transports -------------------------------------------------------------------------
    def process_request(self, connection: Any, request: Request) -> Response | None:
        """websockets hook: answer plain GETs (the model endpoints), pass upgrades through."""
        if "websocket" in (request.headers.get("Upgrade") or "").lower():
            return None
        status, payload = self.respond("GET", request.path, request.headers)
        return _response(status, payload)

    async def front_door(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ws_port: int) -> None:
        """One TLS connection: pipe a WebSocket upgrade to the Live server, else answer REST."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if len(head) > MAX_HEAD:
                    return
                method, path, headers = _parse_head(head)
                if "websocket" in headers.get("upgrade", "").lower():
                    await _pipe(head, reader, writer, ws_port)
                    return
                length = min(int(headers.get("content-length") or 0), MAX_BODY)
                body = await reader.readexactly(length) if length else b""
                status, payload = self.respond(method, path, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\ncontent-type: application/json\r\n"
                    f"content-length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


def text_reply(text: str) -> dict:
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 10, "totalTokenCount": 20},
    }


def _response(status: int, payload: dict) -> Response:
    data = json.dumps(payload).encode()
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return Response(status, REASONS.get(status, "Error"), headers, data)


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, path, headers


async def _pipe(head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ws_port: int) -> None:
    up_reader, up_writer = await asyncio.open_connection("127.0.0.1", ws_port)
    up_writer.write(head)

    async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        try:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        except ConnectionError:
            pass
        finally:
            with contextlib.suppress(Exception):
                dst.close()

    await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
