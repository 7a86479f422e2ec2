"""Sign-up, sign-in and sign-out as plain HTML form posts.

They run over HTTP (not the Reflex socket) because only an HTTP response can set an
HttpOnly cookie. Errors go back to the form page as ``?error=...`` so the page can show
them in plain words; the form keeps working without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from preppal import routes
from preppal.services import auth
from preppal.services.errors import ServiceError
from preppal.settings import get_settings


def safe_next(target: str | None) -> str:
    """Only same-site paths: never bounce a signed-in user to another origin."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return routes.DASHBOARD
    return target


def _back(page: str, message: str, **keep: str) -> RedirectResponse:
    query = urlencode({"error": message, **{k: v for k, v in keep.items() if v}})
    return RedirectResponse(f"{page}?{query}", status_code=303)


def signed_in_response(token: str, target: str) -> RedirectResponse:
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=get_settings().login_session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=get_settings().public_url.startswith("https://"),
        path="/",
    )
    return response


async def sign_up(request: Request) -> RedirectResponse:
    form = await request.form()
    email, name, target = str(form.get("email", "")), str(form.get("name", "")), str(form.get("next", ""))
    try:
        user = auth.sign_up(email, str(form.get("password", "")), name)
    except ServiceError as exc:
        return _back(routes.SIGN_UP, exc.message, email=email, name=name, next=target)
    token = auth.create_login_session(user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_in(request: Request) -> RedirectResponse:
    form = await request.form()
    email, target = str(form.get("email", "")), str(form.get("next", ""))
    try:
        user = auth.authenticate(email, str(form.get("password", "")))
    except ServiceError as exc:
        return _back(routes.SIGN_IN, exc.message, email=email, next=target)
    token = auth.create_login_session(user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_out(request: Request) -> RedirectResponse:
    auth.end_login_session(request.cookies.get(auth.SESSION_COOKIE, ""))
    response = RedirectResponse(routes.SIGN_IN, status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


def auth_routes() -> list[Route]:
    return [
        Route("/api/auth/sign-up", sign_up, methods=["POST"]),
        Route("/api/auth/sign-in", sign_in, methods=["POST"]),
        Route("/api/auth/sign-out", sign_out, methods=["POST"]),
    ]
