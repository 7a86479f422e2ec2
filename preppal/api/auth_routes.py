"""Sign-up, sign-in and sign-out as plain HTML form posts, and the OAuth/OIDC redirects.

They run over HTTP (not the Reflex socket) because only an HTTP response can set an
HttpOnly cookie. Password hashing (~0.2 s of Argon2) and database work run through
:func:`call_service` (a thread) so the event loop keeps serving live interviews meanwhile. Errors go back to the form
page as ``?error=...`` so the page can show them in plain words; the form keeps working
without JavaScript.

The client address used for sign-in throttling is the socket peer as the ASGI server
reports it; ``X-Forwarded-For`` is believed only from the proxies listed in
``PREPPAL_TRUSTED_PROXIES`` (anyone else could rotate it to dodge the limit).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from preppal import routes
from preppal.services import auth, oauth
from preppal.services.calls import call_service
from preppal.services.errors import ServiceError
from preppal.settings import get_settings

OAUTH_COOKIE = "preppal_oauth"
OAUTH_COOKIE_PATH = routes.OAUTH_PREFIX


def client_address(request: Request) -> str:
    """The address to throttle by: the socket peer, or behind a trusted reverse proxy the
    nearest ``X-Forwarded-For`` hop that is not itself a trusted proxy."""
    peer = request.client.host if request.client else ""
    trusted = get_settings().trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer


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
        user = await call_service(auth.sign_up, email, str(form.get("password", "")), name)
    except ServiceError as exc:
        return _back(routes.SIGN_UP, exc.message, email=email, name=name, next=target)
    token = await call_service(auth.create_login_session, user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_in(request: Request) -> RedirectResponse:
    form = await request.form()
    email, target = str(form.get("email", "")), str(form.get("next", ""))
    try:
        user = await call_service(auth.authenticate, email, str(form.get("password", "")), client_address(request))
    except ServiceError as exc:
        return _back(routes.SIGN_IN, exc.message, email=email, next=target)
    token = await call_service(auth.create_login_session, user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_out(request: Request) -> RedirectResponse:
    await call_service(auth.end_login_session, request.cookies.get(auth.SESSION_COOKIE, ""))
    response = RedirectResponse(routes.SIGN_IN, status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


async def oauth_start(request: Request) -> RedirectResponse:
    """Send the browser to the provider; the flow values travel in a signed HttpOnly cookie."""
    target = safe_next(request.query_params.get("next"))
    try:
        provider = oauth.get_provider(request.path_params["provider"])
        url, pending = await oauth.start(provider, target)
    except ServiceError as exc:
        return _back(routes.SIGN_IN, exc.message, next=target)
    except Exception:  # the provider's discovery document is unreachable
        return _back(routes.SIGN_IN, "That sign-in provider cannot be reached right now.", next=target)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        OAUTH_COOKIE,
        oauth.seal(pending),
        max_age=oauth.PENDING_TTL_S,
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level GET: the cookie comes along
        secure=get_settings().public_url.startswith("https://"),
        path=OAUTH_COOKIE_PATH,
    )
    return response


async def oauth_callback(request: Request) -> RedirectResponse:
    sealed = request.cookies.get(OAUTH_COOKIE, "")
    target = routes.DASHBOARD
    try:
        provider = oauth.get_provider(request.path_params["provider"])
        pending = oauth.unseal(sealed) if sealed else None
        if pending is not None:
            target = pending.next_path
        profile = await oauth.finish(provider, pending, request.query_params)
        user = await call_service(
            auth.sign_in_external,
            provider.name,
            profile.subject,
            profile.email,
            email_verified=profile.email_verified,
            name=profile.name,
        )
    except ServiceError as exc:
        response = _back(routes.SIGN_IN, exc.message, next=target)
    else:
        token = await call_service(auth.create_login_session, user.id, request.headers.get("user-agent", ""))
        response = signed_in_response(token, target)
    response.delete_cookie(OAUTH_COOKIE, path=OAUTH_COOKIE_PATH)  # one flow, one use
    return response


def auth_routes() -> list[Route]:
    return [
        Route(routes.API_SIGN_UP, sign_up, methods=["POST"]),
        Route(routes.API_SIGN_IN, sign_in, methods=["POST"]),
        Route(routes.API_SIGN_OUT, sign_out, methods=["POST"]),
        Route(routes.OAUTH_START, oauth_start, methods=["GET"]),
        Route(routes.OAUTH_CALLBACK, oauth_callback, methods=["GET"]),
    ]
