"""OAuth/OIDC sign-in end to end against a local provider started in the test.

The app runs in-process (ASGI) and talks real HTTP to the provider; the test plays the
browser: follow the app's redirect to the provider, let it consent, bring the code back.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlmodel import select

from preppal.api.app import build_api
from preppal.api.auth_routes import OAUTH_COOKIE
from preppal.db import session_scope
from preppal.models import ExternalIdentity
from preppal.realtime.hub import RelayHub
from preppal.services.accounts import auth
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings, reset_settings
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.support.users import make_user

APP = "http://preppal.test"


@pytest.fixture
def provider(db, monkeypatch):
    server = Provider().start()
    monkeypatch.setenv("PREPPAL_PUBLIC_URL", APP)
    monkeypatch.setenv("GOOGLE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("GOOGLE_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("GOOGLE_OIDC_METADATA_URL", server.metadata_url)
    monkeypatch.setenv("GITHUB_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("GITHUB_OAUTH_URL", server.issuer)
    monkeypatch.setenv("GITHUB_API_URL", server.issuer)
    reset_settings()
    yield server
    server.stop()


@pytest.fixture
async def app():
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_api(RelayHub(), open_store(get_settings()))), base_url=APP
    ) as client:
        yield client


async def _to_provider(app: httpx.AsyncClient, name: str, next_path: str = "/profile") -> str:
    start = await app.get(f"/api/auth/oauth/{name}/start", params={"next": next_path})
    assert start.status_code == 302, start.text
    assert OAUTH_COOKIE in start.headers["set-cookie"] and "HttpOnly" in start.headers["set-cookie"]
    return start.headers["location"]


async def _consent(authorize_url: str) -> str:
    """The provider's consent step: returns the callback URL it redirects the browser to."""
    client = await asyncio.to_thread(httpx.AsyncClient, timeout=10)  # loads the CA bundle: off the watched loop
    async with client as browser:
        reply = await browser.get(authorize_url, follow_redirects=False)
    assert reply.status_code == 302, reply.text
    return reply.headers["location"]


def _error(response: httpx.Response) -> str:
    location = response.headers["location"]
    assert response.status_code == 303 and location.startswith("/sign-in?")
    return parse_qs(urlsplit(location).query)["error"][0]


def _session_user(response: httpx.Response):
    cookie = response.cookies.get(auth.SESSION_COOKIE)
    return auth.user_for_session(cookie) if cookie else None


async def test_google_oidc_sign_in_creates_and_links_user(provider, app) -> None:
    authorize = await _to_provider(app, "google")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0] and query["state"][0]
    assert query["redirect_uri"] == [f"{APP}/api/auth/oauth/google/callback"]
    callback = await _consent(authorize)
    done = await app.get(callback)
    assert done.status_code == 303 and done.headers["location"] == "/profile"
    user = _session_user(done)
    assert user is not None and user.email == "grace@example.com" and user.name == "Grace Hopper"
    with session_scope() as session:
        identity = session.exec(select(ExternalIdentity)).one()
    assert (identity.provider, identity.subject, identity.user_id) == ("google", "oidc-user-1", user.id)
    # The provider saw the PKCE verifier on the token request.
    assert provider.token_requests[-1]["code_verifier"]


async def test_bad_state_is_refused(provider, app) -> None:
    callback = await _consent(await _to_provider(app, "google"))
    forged = callback.replace("state=", "state=x")
    done = await app.get(forged)
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.startswith("/sign-in?") and "state" in parse_qs(urlsplit(location).query)["error"][0]
    assert _session_user(done) is None
    assert provider.token_requests == []  # the code was never even exchanged


async def test_callback_without_the_flow_cookie_is_refused(provider, app) -> None:
    callback = await _consent(await _to_provider(app, "google"))
    app.cookies.clear()  # e.g. a callback link replayed in another browser
    done = await app.get(callback)
    assert done.status_code == 303 and done.headers["location"].startswith("/sign-in?")
    assert _session_user(done) is None


async def test_tampered_flow_cookie_is_refused(provider, app) -> None:
    callback = await _consent(await _to_provider(app, "google"))
    sealed = app.cookies.get(OAUTH_COOKIE)
    app.cookies.clear()
    app.cookies.set(OAUTH_COOKIE, sealed[:-3] + "AAA", domain="preppal.test", path="/api/auth/oauth")
    done = await app.get(callback)
    assert done.headers["location"].startswith("/sign-in?") and _session_user(done) is None


async def test_wrong_nonce_is_refused(provider, app) -> None:
    provider.nonce_override = "replayed-nonce"
    done = await app.get(await _consent(await _to_provider(app, "google")))
    assert "ID token was not valid" in _error(done) and _session_user(done) is None


async def test_id_token_for_another_client_is_refused(provider, app) -> None:
    provider.audience_override = "someone-else"
    done = await app.get(await _consent(await _to_provider(app, "google")))
    assert "ID token was not valid" in _error(done) and _session_user(done) is None


async def test_provider_error_reply(provider, app) -> None:
    state = parse_qs(urlsplit(await _to_provider(app, "google")).query)["state"][0]
    done = await app.get(f"/api/auth/oauth/google/callback?error=access_denied&state={state}")
    assert "cancelled" in parse_qs(urlsplit(done.headers["location"]).query)["error"][0]


async def test_github_uses_primary_verified_email_and_links_existing_account(provider, app) -> None:
    provider.account.subject = "4242"
    local = await asyncio.to_thread(make_user, "grace@example.com", password="Compiler-COBOL-1")  # Argon2
    squatter_cookie = auth.create_login_session(local.id, "whoever typed this address at sign-up")
    done = await app.get(await _consent(await _to_provider(app, "github", "/dashboard")))
    # Linked, and told on the profile page that the never-proven password was removed.
    assert done.status_code == 303 and done.headers["location"] == "/profile?notice=password-removed"
    user = _session_user(done)
    assert user is not None and user.id == local.id and user.password_hash is None
    assert auth.linked_providers(local.id) == ["github"]
    assert auth.user_for_session(squatter_cookie) is None  # pre-registration takeover: evicted
    again = await app.get(await _consent(await _to_provider(app, "github", "/dashboard")))
    assert again.headers["location"] == "/dashboard"  # only the first link says so


async def test_github_unverified_email_cannot_take_over_an_account(provider, app) -> None:
    provider.account.subject = "4243"
    provider.account.email_verified = False
    await asyncio.to_thread(make_user, "grace@example.com")  # off the watched loop
    done = await app.get(await _consent(await _to_provider(app, "github")))
    assert "no verified email" in _error(done) and _session_user(done) is None


async def test_unconfigured_provider_is_not_offered(db, app, monkeypatch) -> None:
    monkeypatch.delenv("GOOGLE_CLIENT_ID", raising=False)
    reset_settings()
    start = await app.get("/api/auth/oauth/google/start")
    assert start.status_code == 303 and start.headers["location"].startswith("/sign-in?error=")
