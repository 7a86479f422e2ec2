"""GET /api/interview/{id}/export.md and .pdf — a download of one interview.

Authenticated by the HttpOnly session cookie (these are plain links, so the browser sends
it). Missing, signed-out and someone else's interview all answer 404 alike; a database that
cannot be reached answers 503. The web process checks the owner and the per-user rate
(``PREPPAL_EXPORTS_PER_HOUR``) on its service pool and leaves the rendering to a limited
child process (:mod:`preppal.services.exports.runner`): an export costs the event loop the start
of a process and the read of its output, whatever the interview holds.
"""

from __future__ import annotations

from typing import Optional

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from preppal import routes
from preppal.api import headers
from preppal.models import Interview
from preppal.services import rate_limit
from preppal.services.accounts import auth
from preppal.services.errors import NotFound, ServiceError, TooManyRequests
from preppal.services.exports import runner
from preppal.services.interviews import lifecycle
from preppal.services.pools import call_service


def _owned_counted(session_token: str, interview_id: str) -> Optional[Interview]:
    """The user's interview (None for anyone else), one export counted against their rate."""
    user = auth.user_for_session(session_token)
    if user is None:
        return None
    try:
        interview = lifecycle.get_interview(user.id, interview_id)
    except NotFound:
        return None
    rate_limit.hit(rate_limit.export_rate(), user.id)
    return interview


async def _export(request: Request, ext: str) -> Response:
    try:
        interview = await call_service(
            _owned_counted, request.cookies.get(auth.SESSION_COOKIE, ""), request.path_params["interview_id"]
        )
        if interview is None:
            return PlainTextResponse("Not found", status_code=404)
        body = await runner.render(ext, interview.user_id, interview.id)
    except ServiceError as exc:
        wait = exc.retry_after_s if isinstance(exc, TooManyRequests) else 30 if exc.http_status == 503 else 0
        return PlainTextResponse(
            exc.message, status_code=exc.http_status, headers={"Retry-After": str(wait)} if wait else {}
        )
    return Response(
        body,
        media_type=runner.MEDIA_TYPES[ext],
        headers={
            "Content-Disposition": headers.content_disposition(interview.role, interview.created_at, ext),
            "Cache-Control": "private, no-store",
        },
    )


async def export_markdown(request: Request) -> Response:
    return await _export(request, "md")


async def export_pdf(request: Request) -> Response:
    return await _export(request, "pdf")


def export_routes() -> list[Route]:
    return [
        Route(routes.EXPORT_MD, export_markdown, methods=["GET"]),
        Route(routes.EXPORT_PDF, export_pdf, methods=["GET"]),
    ]
