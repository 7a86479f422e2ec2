"""Sign-in through Google (OpenID Connect) and GitHub (OAuth 2), with Authlib's client.

A provider is enabled only when its client id and secret are configured. The flow keeps its
one-time values (``state``, OIDC ``nonce``, PKCE ``code_verifier``, the page to return to)
in a short-lived signed cookie rather than a server session, so any worker can finish a
flow another worker began. On the way back: the ``state`` must match (CSRF), the code is
exchanged with the PKCE verifier, and for OIDC the ID token's signature (provider JWKS),
issuer, audience, expiry and ``nonce`` are all checked. GitHub has no ID token: the account
id and its primary *verified* email come from its API.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import os
import secrets
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from preppal import routes
from preppal.services.errors import AuthError, NotFound
from preppal.settings import get_settings

PENDING_TTL_S = 600
_PENDING_AUDIENCE = "preppal-oauth"
_ID_TOKEN_ALGS = ["RS256", "ES256", "PS256", "EdDSA"]
_METADATA_TTL_S = 3600
_metadata_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_HTTP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Provider:
    name: str  # google | github (also the ExternalIdentity.provider value)
    label: str
    client_id: str
    client_secret: str
    scope: str
    oidc: bool
    metadata_url: str = ""  # OIDC discovery document
    authorize_url: str = ""  # OAuth 2 only (OIDC reads it from the metadata)
    token_url: str = ""
    api_url: str = ""


@dataclass(frozen=True)
class Pending:
    """What the callback must find again: sealed into the flow cookie."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next_path: str


@dataclass(frozen=True)
class ExternalProfile:
    subject: str
    email: str
    email_verified: bool
    name: str


def _all_providers() -> list[Provider]:
    s = get_settings()
    return [
        Provider(
            name="google",
            label="Google",
            client_id=s.google_client_id,
            client_secret=s.google_client_secret,
            scope="openid email profile",
            oidc=True,
            metadata_url=s.oidc_google_metadata_url,
        ),
        Provider(
            name="github",
            label="GitHub",
            client_id=s.github_client_id,
            client_secret=s.github_client_secret,
            scope="read:user user:email",
            oidc=False,
            authorize_url=f"{s.github_oauth_url}/login/oauth/authorize",
            token_url=f"{s.github_oauth_url}/login/oauth/access_token",
            api_url=s.github_api_url,
        ),
    ]


def configured_providers() -> list[Provider]:
    """Providers with a client id and secret, in display order."""
    return [p for p in _all_providers() if p.client_id and p.client_secret]


def get_provider(name: str) -> Provider:
    for provider in configured_providers():
        if provider.name == name:
            return provider
    raise NotFound("This sign-in method is not available.")


def redirect_uri(provider: Provider) -> str:
    return get_settings().public_url + routes.oauth_callback_path(provider.name)


def seal(pending: Pending) -> str:
    """Sign the flow values (HS256 with the app secret) so the browser cannot alter them."""
    now = datetime.now(UTC)
    claims = {
        "aud": _PENDING_AUDIENCE,
        "exp": now + timedelta(seconds=PENDING_TTL_S),
        "p": pending.provider,
        "s": pending.state,
        "n": pending.nonce,
        "v": pending.code_verifier,
        "next": pending.next_path,
    }
    return jwt.encode(claims, get_settings().secret_key, algorithm="HS256")


def unseal(value: str) -> Pending:
    try:
        data = jwt.decode(value, get_settings().secret_key, algorithms=["HS256"], audience=_PENDING_AUDIENCE)
        return Pending(
            provider=str(data["p"]),
            state=str(data["s"]),
            nonce=str(data["n"]),
            code_verifier=str(data["v"]),
            next_path=str(data.get("next", "")),
        )
    except (jwt.PyJWTError, KeyError):
        raise AuthError("The sign-in took too long or was started elsewhere. Please try again.") from None


@functools.lru_cache(maxsize=4)
def _tls_context(_ca_file: str) -> ssl.SSLContext:
    """Loading the CA bundle costs tens of milliseconds of CPU: once, and on a thread."""
    return httpx.create_ssl_context()


async def _client(provider: Provider) -> AsyncOAuth2Client:
    tls = await asyncio.to_thread(_tls_context, os.environ.get("SSL_CERT_FILE", ""))
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri(provider),
        code_challenge_method="S256",
        timeout=_HTTP_TIMEOUT_S,
        verify=tls,
    )


async def _metadata(client: AsyncOAuth2Client, url: str) -> dict[str, Any]:
    hit = _metadata_cache.get(url)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    response = await client.request("GET", url, withhold_token=True)
    response.raise_for_status()
    data = response.json()
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not data.get(key):
            raise AuthError("The sign-in provider is misconfigured.")
    _metadata_cache[url] = (time.monotonic() + _METADATA_TTL_S, data)
    return data


async def start(provider: Provider, next_path: str) -> tuple[str, Pending]:
    """The provider's authorization URL and the values the callback will need."""
    pending = Pending(
        provider=provider.name,
        state=secrets.token_urlsafe(24),
        nonce=secrets.token_urlsafe(24) if provider.oidc else "",
        code_verifier=secrets.token_urlsafe(48),
        next_path=next_path,
    )
    async with await _client(provider) as client:
        extra: dict[str, str] = {}
        if provider.oidc:
            authorize_url = (await _metadata(client, provider.metadata_url))["authorization_endpoint"]
            extra["nonce"] = pending.nonce
        else:
            authorize_url = provider.authorize_url
        url, _ = client.create_authorization_url(
            authorize_url, state=pending.state, code_verifier=pending.code_verifier, **extra
        )
    return url, pending


async def finish(provider: Provider, pending: Pending | None, params: Mapping[str, str]) -> ExternalProfile:
    """Check the callback against the flow values and return who signed in."""
    if pending is None or pending.provider != provider.name:
        raise AuthError("The sign-in took too long or was started elsewhere. Please try again.")
    if params.get("error"):
        raise AuthError(f"{provider.label} sign-in was cancelled or refused.")
    if not hmac.compare_digest(params.get("state", "").encode(), pending.state.encode()):
        raise AuthError("The sign-in could not be verified (state mismatch). Please try again.")
    code = params.get("code", "")
    if not code:
        raise AuthError(f"{provider.label} did not return an authorization code.")
    try:
        async with await _client(provider) as client:
            if provider.oidc:
                return await _finish_oidc(client, provider, pending, code)
            return await _finish_github(client, provider, pending, code)
    except AuthError:
        raise
    except Exception as exc:  # network, provider error replies, malformed JSON
        raise AuthError(f"{provider.label} sign-in failed ({type(exc).__name__}). Please try again.") from exc


async def _finish_oidc(client: AsyncOAuth2Client, provider: Provider, pending: Pending, code: str) -> ExternalProfile:
    meta = await _metadata(client, provider.metadata_url)
    token = await client.fetch_token(meta["token_endpoint"], code=code, code_verifier=pending.code_verifier)
    id_token = token.get("id_token")
    if not id_token:
        raise AuthError(f"{provider.label} did not return an ID token.")
    jwks = await client.request("GET", meta["jwks_uri"], withhold_token=True)
    jwks.raise_for_status()
    try:
        decoded = jose_jwt.decode(id_token, KeySet.import_key_set(jwks.json()), algorithms=_ID_TOKEN_ALGS)
        jose_jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": pending.nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise AuthError(f"The {provider.label} ID token was not valid ({type(exc).__name__}).") from None
    claims = decoded.claims
    return ExternalProfile(
        subject=str(claims["sub"]),
        email=str(claims.get("email", "")),
        email_verified=claims.get("email_verified") in (True, "true"),
        name=str(claims.get("name", "")),
    )


async def _finish_github(client: AsyncOAuth2Client, provider: Provider, pending: Pending, code: str) -> ExternalProfile:
    await client.fetch_token(
        provider.token_url, code=code, code_verifier=pending.code_verifier, headers={"Accept": "application/json"}
    )
    headers = {"Accept": "application/vnd.github+json"}
    user = await client.get(f"{provider.api_url}/user", headers=headers)
    user.raise_for_status()
    emails = await client.get(f"{provider.api_url}/user/emails", headers=headers)
    emails.raise_for_status()
    account = user.json()
    primary = next((e for e in emails.json() if e.get("primary") and e.get("verified")), None)
    return ExternalProfile(
        subject=str(account["id"]),
        email=str(primary["email"]) if primary else "",
        email_verified=primary is not None,
        name=str(account.get("name") or account.get("login") or ""),
    )
