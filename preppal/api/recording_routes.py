"""GET /api/interview/{id}/recording.ogg — the owner's recording, with Range for seeking.

``?track=candidate`` / ``interviewer`` serves one voice instead of the mix; ``?download=1``
asks the browser to save it. Authenticated by the session cookie like the exports: missing,
signed-out and someone else's interview all answer 404 alike. The body is streamed in 64 KB
chunks, never loaded whole.

Every blocking step (the owner check, the storage size and reads: local disk or S3 with its
60–120 ms per request) runs on the downloads' own bounded pool (:data:`calls.DOWNLOADS`), so
a flood of downloads waits for itself and never for the relay's database work or a page.
Streams held open at once are capped per user and per process (:class:`DownloadSlots`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Optional

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from preppal import routes
from preppal.api.headers import content_disposition, decimal
from preppal.models import Interview
from preppal.services.accounts import auth
from preppal.services.errors import NotFound
from preppal.services.input_limits import DOWNLOADS_PER_PROCESS, DOWNLOADS_PER_USER
from preppal.services.interviews import lifecycle
from preppal.services.pools import DOWNLOADS
from preppal.services.recordings import tracks
from preppal.services.recordings.store import ByteRange, RecordingStore

PATH = routes.RECORDING
UNSATISFIABLE = "unsatisfiable"


def parse_range(header: Optional[str], size: int) -> ByteRange | str | None:
    """One ``bytes=`` range of RFC 9110: a :class:`ByteRange`, :data:`UNSATISFIABLE`, or None
    when there is no usable Range (absent, malformed, several ranges: the whole body is sent).
    Numbers are ASCII digits only (:func:`preppal.api.headers.decimal`)."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_text, sep, last_text = header[len("bytes=") :].strip().partition("-")
    first, last = decimal(first_text) if first_text else None, decimal(last_text) if last_text else None
    if not sep or (first is None and last is None) or (first_text and first is None) or (last_text and last is None):
        return None
    if first is None:  # the last N bytes
        return ByteRange(max(0, size - last), size - 1, size) if last and size > 0 else UNSATISFIABLE
    if last is not None and last < first:
        return None
    if first >= size:
        return UNSATISFIABLE
    return ByteRange(first, size - 1 if last is None else min(last, size - 1), size)


class DownloadSlots:
    """Streams open at once, per user and in total (this process; the event loop is the only
    caller, so plain counters do). A stream holds its slot until its response is over."""

    def __init__(self, per_user: int = DOWNLOADS_PER_USER, total: int = DOWNLOADS_PER_PROCESS) -> None:
        self.per_user, self.total = per_user, total
        self._by_user: dict[int, int] = {}
        self._open = 0

    def take(self, user_id: int) -> Optional[Response]:
        """None when a slot was taken, else the refusal to send."""
        if self._by_user.get(user_id, 0) >= self.per_user:
            return _busy(429, f"At most {self.per_user} recording downloads at once; finish one first.")
        if self._open >= self.total:
            return _busy(503, "The server is busy with other downloads; try again in a moment.")
        self._by_user[user_id] = self._by_user.get(user_id, 0) + 1
        self._open += 1
        return None

    def give_back(self, user_id: int) -> None:
        left = self._by_user.get(user_id, 0) - 1
        if left > 0:
            self._by_user[user_id] = left
        else:
            self._by_user.pop(user_id, None)
        self._open = max(0, self._open - 1)

    @property
    def open(self) -> int:
        return self._open


def _busy(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Retry-After": "1"})


class _SlotResponse(Response):
    """Gives its download slot back however the response ends (sent, failed, or the client
    went away before the body started, when a generator's ``finally`` would never run)."""

    def __init__(self, inner: Response, release) -> None:
        self._inner, self._release = inner, release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._inner(scope, receive, send)
        finally:
            self._release()


def _owned(session_token: str, interview_id: str) -> Optional[Interview]:
    user = auth.user_for_session(session_token)
    if user is None:
        return None
    try:
        return lifecycle.get_interview(user.id, interview_id)
    except NotFound:
        return None


async def _in_pool(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    done = object()
    try:
        while (chunk := await DOWNLOADS.run(next, chunks, done)) is not done:
            yield chunk  # type: ignore[misc]
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            await DOWNLOADS.run(close)


def recording_routes(store: RecordingStore, slots: Optional[DownloadSlots] = None) -> list[Route]:
    not_found = PlainTextResponse("Not found", status_code=404)
    slots = slots or DownloadSlots()

    async def recording(request: Request) -> Response:
        track = request.query_params.get("track", "mix")
        if track not in tracks.PLAYABLE:
            return not_found
        interview_id = request.path_params["interview_id"]
        interview = await DOWNLOADS.run(_owned, request.cookies.get(auth.SESSION_COOKIE, ""), interview_id)
        if interview is None:
            return not_found
        refused = slots.take(interview.user_id)
        if refused is not None:
            return refused
        try:
            response = await _respond(request, interview, track)
        except BaseException:
            slots.give_back(interview.user_id)
            raise
        return _SlotResponse(response, lambda: slots.give_back(interview.user_id))

    async def _respond(request: Request, interview: Interview, track: str) -> Response:
        name = tracks.file_name(track)
        size = await DOWNLOADS.run(store.size, interview.id, name)
        if not size:
            return not_found
        wanted = parse_range(request.headers.get("range"), size)
        if wanted == UNSATISFIABLE:
            return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
        part = wanted if isinstance(wanted, ByteRange) else ByteRange(0, size - 1, size)
        headers = {
            "Accept-Ranges": "bytes",
            "Content-Length": str(part.length),
            "Cache-Control": "private, no-cache",
            "Content-Disposition": content_disposition(
                interview.role,
                interview.created_at,
                "ogg",
                part=tracks.download_part(track),
                disposition="attachment" if request.query_params.get("download") else "inline",
            ),
        }
        if isinstance(wanted, ByteRange):
            headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
        return StreamingResponse(
            _in_pool(store.read(interview.id, name, part.start, part.end)),
            status_code=206 if isinstance(wanted, ByteRange) else 200,
            media_type=tracks.MEDIA_TYPE,
            headers=headers,
        )

    return [Route(PATH, recording, methods=["GET"])]
