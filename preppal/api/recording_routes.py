"""GET /api/interview/{id}/recording.ogg — the owner's recording, with Range for seeking.

``?track=candidate`` / ``interviewer`` serves one voice instead of the mix; ``?download=1``
asks the browser to save it. Authenticated by the session cookie like the exports: missing,
signed-out and someone else's interview all answer 404 alike. The body is streamed in 64 KB
chunks, each read in a thread (local file or S3 ranged GET), never loaded whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Optional

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from preppal import routes
from preppal.api.headers import content_disposition, decimal
from preppal.models import Interview
from preppal.services import auth, interviews, recordings
from preppal.services.errors import NotFound
from preppal.services.recording_store import ByteRange, RecordingStore

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


def _owned(request: Request) -> Optional[Interview]:
    user = auth.user_for_session(request.cookies.get(auth.SESSION_COOKIE, ""))
    if user is None:
        return None
    try:
        return interviews.get_interview(user.id, request.path_params["interview_id"])
    except NotFound:
        return None


async def _in_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    done = object()
    try:
        while (chunk := await asyncio.to_thread(next, chunks, done)) is not done:
            yield chunk  # type: ignore[misc]
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            await asyncio.to_thread(close)


def recording_routes(store: RecordingStore) -> list[Route]:
    not_found = PlainTextResponse("Not found", status_code=404)

    async def recording(request: Request) -> Response:
        track = request.query_params.get("track", "mix")
        if track not in recordings.PLAYABLE:
            return not_found
        interview = await asyncio.to_thread(_owned, request)
        if interview is None:
            return not_found
        interview_id, name = request.path_params["interview_id"], recordings.file_name(track)
        size = await asyncio.to_thread(store.size, interview_id, name)
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
                part=recordings.download_part(track),
                disposition="attachment" if request.query_params.get("download") else "inline",
            ),
        }
        if isinstance(wanted, ByteRange):
            headers["Content-Range"] = f"bytes {part.start}-{part.end}/{size}"
        chunks = store.read(interview_id, name, part.start, part.end)
        return StreamingResponse(
            _in_thread(chunks),
            status_code=206 if isinstance(wanted, ByteRange) else 200,
            media_type=recordings.MEDIA_TYPE,
            headers=headers,
        )

    return [Route(PATH, recording, methods=["GET"])]
