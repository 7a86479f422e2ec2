"""A small local OpenID Connect / GitHub-style OAuth 2 provider for tests.

It speaks the real protocol over real HTTP (a thread running ``http.server``): discovery,
an authorization endpoint that consents at once for a configured account, a token
endpoint that checks client credentials, redirect URI and the PKCE S256 verifier, RS256
ID tokens signed with joserfc (Authlib's JOSE library) and a JWKS endpoint. The GitHub
paths (``/login/oauth/*``, ``/user``, ``/user/emails``) serve the same flow without an ID
token. Knobs let a test make the provider misbehave (wrong nonce, wrong audience).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet

CLIENT_ID = "preppal-test-client"
CLIENT_SECRET = "preppal-test-secret"


@dataclass
class Account:
    subject: str = "oidc-user-1"
    email: str = "grace@example.com"
    email_verified: bool = True
    name: str = "Grace Hopper"


@dataclass
class Provider:
    account: Account = field(default_factory=Account)
    nonce_override: str | None = None  # sign ID tokens with this nonce instead of the request's
    audience_override: str | None = None
    keys: KeySet = field(default_factory=lambda: KeySet.generate_key_set("RSA", 2048, count=1))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    access_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> Provider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # ---- HTTP -----------------------------------------------------------------------------

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: Any = None, headers: dict | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        h.send_response(status)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        if body is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            return self._send(
                h,
                200,
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "jwks_uri": f"{self.issuer}/jwks",
                    "response_types_supported": ["code"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"],
                },
            )
        if url.path == "/jwks":
            return self._send(h, 200, self.keys.as_dict(private=False))
        if url.path in ("/authorize", "/login/oauth/authorize"):
            return self._authorize(h, query)
        if url.path in ("/user", "/user/emails"):
            auth = h.headers.get("Authorization", "")
            if auth.removeprefix("Bearer ").removeprefix("token ") not in self.access_tokens:
                return self._send(h, 401, {"message": "Bad credentials"})
            if url.path == "/user":
                return self._send(
                    h, 200, {"id": int(self.account.subject), "login": "grace", "name": self.account.name}
                )
            return self._send(
                h,
                200,
                [
                    {"email": "old@example.com", "primary": False, "verified": True},
                    {"email": self.account.email, "primary": True, "verified": self.account.email_verified},
                ],
            )
        return self._send(h, 404, {"error": "not_found"})

    def _authorize(self, h: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return self._send(h, 400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return self._send(h, 302, headers={"Location": target})

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        length = int(h.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(h.rfile.read(length).decode()).items()}
        self.token_requests.append(form)
        if url.path not in ("/token", "/login/oauth/access_token"):
            return self._send(h, 404, {"error": "not_found"})
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = h.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            return self._send(h, 401, {"error": "invalid_client"})
        request = self.codes.pop(form.get("code", ""), None)  # a code works once
        if request is None or form.get("redirect_uri") != request.get("redirect_uri"):
            return self._send(h, 400, {"error": "invalid_grant"})
        challenge = request.get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != challenge:
                return self._send(h, 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        access = secrets.token_urlsafe(16)
        self.access_tokens.add(access)
        body: dict[str, Any] = {"access_token": access, "token_type": "Bearer", "expires_in": 3600}
        if url.path == "/token" and "openid" in request.get("scope", ""):
            body["id_token"] = self._id_token(request)
        return self._send(h, 200, body)

    def _id_token(self, request: dict[str, str]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience_override or CLIENT_ID,
            "sub": self.account.subject,
            "email": self.account.email,
            "email_verified": self.account.email_verified,
            "name": self.account.name,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce_override if self.nonce_override is not None else request.get("nonce", ""),
        }
        key = self.keys.keys[0]
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
