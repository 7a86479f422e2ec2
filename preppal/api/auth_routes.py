"""Sign-up, sign-in and sign-out as plain HTML form posts, and the OAuth/OIDC redirects.

They run over HTTP (not the Reflex socket) because only an HTTP response can set an
HttpOnly cookie. Password hashing (~0.2 s of Argon2) and database work run through
:func:`call_service` (a thread) so the event loop keeps serving live interviews meanwhile. Errors go back to the form
page as ``?error=...`` so the page can show them in plain words; the form keeps working
without JavaScript.

The client address used for sign-in throttling is the socket peer as the ASGI server
reports it; ``X-Forwarded-For`` is believed only from the proxies listed in
``PREPPAL_TRUSTED_PROXIES`` (anyone else could rotate it to dodge the limit), and only as
far as they wrote it: the right-most hop, over every header line, that is not one of them.

Hostile input: the body is capped by :mod:`preppal.api.body_limit` before it is read, the
form parser takes no files and a handful of small fields, and a cross-site post (login
CSRF: signing a victim's browser into the attacker's account) is refused with 403 by
:func:`same_origin`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from preppal import routes
from preppal.api import headers
from preppal.services import rate_limit
from preppal.services.accounts import auth, oauth
from preppal.services.errors import ServiceError
from preppal.services.input_limits import FORM_BODY_BYTES, FORM_MAX_FIELDS
from preppal.services.pools import call_service
from preppal.settings import get_settings

OAUTH_COOKIE = "preppal_oauth"
OAUTH_COOKIE_PATH = routes.OAUTH_PREFIX
PASSWORD_REMOVED_NOTICE = "password-removed"


def client_address(request: Request) -> str:
    """The address to throttle by (:func:`preppal.api.headers.client_address`)."""
    peer = request.client.host if request.client else ""
    return headers.client_address(peer, request.headers, get_settings().trusted_proxies)


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


def same_origin(request: Request) -> bool:
    """Whether a form post comes from our own pages.

    Browsers send ``Origin`` on every POST and ``Sec-Fetch-Site`` on every request; either
    naming another site means a cross-site form (refused). A request with neither comes
    from a non-browser client (curl, tests), which cannot carry a victim's cookies anyway.
    """
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.lower().rstrip("/") in get_settings().allowed_origins
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def _cross_site() -> Response:
    return PlainTextResponse("Cross-site form posts are not accepted.", status_code=403)


async def _small_form(request: Request) -> FormData:
    """The form with no files and a few short fields (413 from the body cap beyond)."""
    return await request.form(max_files=0, max_fields=FORM_MAX_FIELDS, max_part_size=FORM_BODY_BYTES)


def _field(form: FormData, name: str, limit: int = 2048) -> str:
    return str(form.get(name, ""))[:limit]  # only ever echoed back into the page's query


def _target(form: FormData, request: Request) -> str:
    """Where to go once signed in: the form's ``next``, else the ``next`` of the page the
    form was sent from (its Referer; the origin is checked before this). The page fills the
    hidden field from its state after it loads, so a form sent at once (a password manager,
    a fast Enter) arrives without it and used to land on the dashboard."""
    target = _field(form, "next")
    if not target:
        page = urlsplit(request.headers.get("referer", ""))
        target = parse_qs(page.query).get("next", [""])[0][:2048]
    return target


async def sign_up(request: Request) -> Response:
    if not same_origin(request):
        return _cross_site()
    form = await _small_form(request)
    email, name, target = _field(form, "email", 400), _field(form, "name", 400), _target(form, request)
    try:
        await call_service(rate_limit.hit, rate_limit.signup_rate(), client_address(request))
        user = await call_service(auth.sign_up, email, str(form.get("password", "")), name)
    except ServiceError as exc:
        return _back(routes.SIGN_UP, exc.message, email=email, name=name, next=target)
    token = await call_service(auth.create_login_session, user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_in(request: Request) -> Response:
    if not same_origin(request):
        return _cross_site()
    form = await _small_form(request)
    email, target = _field(form, "email", 400), _target(form, request)
    try:
        user = await call_service(auth.authenticate, email, str(form.get("password", "")), client_address(request))
    except ServiceError as exc:
        return _back(routes.SIGN_IN, exc.message, email=email, next=target)
    token = await call_service(auth.create_login_session, user.id, request.headers.get("user-agent", ""))
    return signed_in_response(token, target)


async def sign_out(request: Request) -> Response:
    if not same_origin(request):
        return _cross_site()
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
        result = await call_service(
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
        token = await call_service(auth.create_login_session, result.user.id, request.headers.get("user-agent", ""))
        if result.password_removed:  # say so on the profile page, where a new one can be set
            target = f"{routes.PROFILE}?notice={PASSWORD_REMOVED_NOTICE}"
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
