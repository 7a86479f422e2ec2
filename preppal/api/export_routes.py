"""GET /api/interview/{id}/export.md and .pdf — a download of one interview.

Authenticated by the HttpOnly session cookie (these are plain links, so the browser sends
it). Missing, signed-out and someone else's interview all answer 404 alike.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from preppal.services import auth, export
from preppal.services.errors import NotFound

NOT_FOUND = PlainTextResponse("Not found", status_code=404)


def _report(request: Request) -> export.Report | None:
    user = auth.user_for_session(request.cookies.get(auth.SESSION_COOKIE, ""))
    if user is None:
        return None
    try:
        return export.build_report(user.id, request.path_params["interview_id"])
    except NotFound:
        return None


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


async def export_markdown(request: Request) -> Response:
    report = await asyncio.to_thread(_report, request)
    if report is None:
        return NOT_FOUND
    text = await asyncio.to_thread(export.to_markdown, report)
    return _download(text, "text/markdown; charset=utf-8", export.export_filename(report, "md"))


async def export_pdf(request: Request) -> Response:
    report = await asyncio.to_thread(_report, request)
    if report is None:
        return NOT_FOUND
    data = await asyncio.to_thread(export.to_pdf, report)
    return _download(data, "application/pdf", export.export_filename(report, "pdf"))


def export_routes() -> list[Route]:
    return [
        Route("/api/interview/{interview_id}/export.md", export_markdown, methods=["GET"]),
        Route("/api/interview/{interview_id}/export.pdf", export_pdf, methods=["GET"]),
    ]


def export_url(interview_id: str, ext: str) -> str:
    return f"/api/interview/{interview_id}/export.{ext}"
