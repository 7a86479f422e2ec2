"""GET /api/interview/{id}/export.md and .pdf — a download of one interview.

Authenticated by the HttpOnly session cookie (these are plain links, so the browser sends
it). Missing, signed-out and someone else's interview all answer 404 alike; a database that
cannot be reached answers 503. Reading and rendering run through :func:`call_service`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from preppal import routes
from preppal.api import headers
from preppal.services import auth, export
from preppal.services.calls import call_service
from preppal.services.errors import NotFound, ServiceError
from preppal.services.snapshot import FeedbackSnapshot, feedback_snapshot


def _owned_snapshot(session_token: str, interview_id: str) -> FeedbackSnapshot | None:
    user = auth.user_for_session(session_token)
    if user is None:
        return None
    try:
        return feedback_snapshot(user.id, interview_id)
    except NotFound:
        return None


def _download(body: bytes | str, media_type: str, disposition: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


async def _export(request: Request, render: Callable[[FeedbackSnapshot], bytes | str], media_type: str, ext: str):
    try:
        snap = await call_service(
            _owned_snapshot, request.cookies.get(auth.SESSION_COOKIE, ""), request.path_params["interview_id"]
        )
        if snap is None:
            return PlainTextResponse("Not found", status_code=404)
        body = await call_service(render, snap)
    except ServiceError as exc:
        return PlainTextResponse(exc.message, status_code=exc.http_status)
    iv = snap.interview
    return _download(body, media_type, headers.content_disposition(iv.role, iv.created_at, ext))


async def export_markdown(request: Request) -> Response:
    return await _export(request, export.to_markdown, "text/markdown; charset=utf-8", "md")


async def export_pdf(request: Request) -> Response:
    return await _export(request, export.to_pdf, "application/pdf", "pdf")


def export_routes() -> list[Route]:
    return [
        Route(routes.EXPORT_MD, export_markdown, methods=["GET"]),
        Route(routes.EXPORT_PDF, export_pdf, methods=["GET"]),
    ]
