"""ASGI middleware: no HTTP request body larger than its path's cap is ever read.

It wraps the whole backend (our API *and* Reflex's own routes such as ``/_upload``), so
a handler never sees more than its cap. A declared ``Content-Length`` over the cap is
refused with 413 before one byte is read; a chunked or lying body is counted as it
streams and cut off with 413 at the first byte over. WebSocket frames are capped
elsewhere (the relay's frame check; Reflex's socket.io ``max_http_buffer_size``).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from preppal.api.headers import decimal
from preppal.services import input_limits as caps

# (path prefix, cap in bytes); the first prefix that matches wins.
DEFAULT_CAPS: tuple[tuple[str, int], ...] = (
    ("/api/auth/", caps.FORM_BODY_BYTES),
    ("/api/interview/submitTranscript", caps.TRANSCRIPT_BODY_BYTES),
    ("/api/interview/", caps.JSON_BODY_BYTES),
    ("/_upload", caps.UPLOAD_BODY_BYTES),
    ("/_event", caps.EVENT_BODY_BYTES),
)


class BodyTooLarge(HTTPException):
    """Raised inside the app's ``receive`` when the body passes its cap.

    An ``HTTPException``, so a Starlette app inside answers 413 itself rather than 500.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


def _message(limit: int) -> str:
    return f"Request body too large (at most {limit:,} bytes)."


def cap_for(path: str, table: Sequence[tuple[str, int]] = DEFAULT_CAPS, default: int = caps.DEFAULT_BODY_BYTES) -> int:
    for prefix, limit in table:
        if path.startswith(prefix):
            return limit
    return default


async def _too_large(send: Send, limit: int) -> None:
    body = _message(limit).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, table: Sequence[tuple[str, int]] = DEFAULT_CAPS, default: int = caps.DEFAULT_BODY_BYTES
    ) -> None:
        self.app = app
        self.table = tuple(table)
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = cap_for(scope.get("path", ""), self.table, self.default)
        declared = _content_length(scope)
        if declared is None or declared > limit:  # unparsable or too large: refuse unread
            await _too_large(send, limit)
            return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)
        except Exception:
            if received > limit and not started:  # the app wrapped our exception in its own
                await _too_large(send, limit)
                return
            raise


def _content_length(scope: Scope) -> int | None:
    """The declared length, 0 when absent (chunked: counted while streaming), None if bogus."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return decimal(value.decode("latin-1").strip())  # ASCII digits only
    return 0


def body_limit(app: ASGIApp) -> ASGIApp:
    """The transformer for ``rx.App(api_transformer=[..., body_limit])``."""
    return BodyLimitMiddleware(app)
