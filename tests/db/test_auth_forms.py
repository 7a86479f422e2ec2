"""The HTML-form auth routes over ASGI: cookie flags, plain-word errors, safe redirects,
throttling by client address, sign-out."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from preppal.api.app import build_api
from preppal.api.auth_routes import safe_next
from preppal.realtime.hub import RelayHub
from preppal.services.accounts import auth
from preppal.services.accounts.throttle import ACCOUNT_POLICY
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings

PASSWORD = "Analytical-engine-1"


@pytest.fixture
async def client(db):
    transport = httpx.ASGITransport(
        app=build_api(RelayHub(), open_store(get_settings())), client=("198.51.100.7", 5555)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://preppal.test") as c:
        yield c


def _error(response: httpx.Response) -> str:
    assert response.status_code == 303
    return parse_qs(urlsplit(response.headers["location"]).query).get("error", [""])[0]


async def test_sign_up_sets_httponly_lax_cookie_and_redirects(client) -> None:
    r = await client.post(
        "/api/auth/sign-up", data={"email": "ada@example.com", "password": PASSWORD, "next": "/profile"}
    )
    assert r.status_code == 303 and r.headers["location"] == "/profile"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert auth.user_for_session(r.cookies[auth.SESSION_COOKIE]).email == "ada@example.com"


async def test_sign_up_errors_come_back_in_plain_words(client) -> None:
    await client.post("/api/auth/sign-up", data={"email": "ada@example.com", "password": PASSWORD})
    client.cookies.clear()
    dup = await client.post("/api/auth/sign-up", data={"email": "ada@example.com", "password": PASSWORD})
    assert _error(dup) == auth.SIGN_UP_REFUSED and auth.SESSION_COOKIE not in dup.cookies
    weak = await client.post("/api/auth/sign-up", data={"email": "bob@example.com", "password": "short"})
    assert "at least 10 characters" in _error(weak)
    query = parse_qs(urlsplit(weak.headers["location"]).query)
    assert query["email"] == ["bob@example.com"] and "password" not in query  # never echo the password


async def test_wrong_password(client) -> None:
    auth.sign_up("ada@example.com", PASSWORD)
    r = await client.post("/api/auth/sign-in", data={"email": "ada@example.com", "password": "nope-Nope-1"})
    assert _error(r) == "Wrong email or password." and auth.SESSION_COOKIE not in r.cookies


async def test_repeated_failures_are_throttled_with_a_wait_time(client) -> None:
    auth.sign_up("ada@example.com", PASSWORD)
    for _ in range(ACCOUNT_POLICY.free_failures + 1):
        await client.post("/api/auth/sign-in", data={"email": "ada@example.com", "password": "nope-Nope-1"})
    r = await client.post("/api/auth/sign-in", data={"email": "ada@example.com", "password": PASSWORD})
    message = _error(r)
    assert message.startswith("Too many sign-in attempts. Try again in ") and message.endswith(" s.")
    assert auth.SESSION_COOKIE not in r.cookies


async def test_sign_out_ends_the_session(client) -> None:
    r = await client.post("/api/auth/sign-up", data={"email": "ada@example.com", "password": PASSWORD})
    token = r.cookies[auth.SESSION_COOKIE]
    out = await client.post("/api/auth/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/sign-in"
    assert auth.user_for_session(token) is None


async def test_forwarded_for_is_believed_only_from_trusted_proxies(db, monkeypatch) -> None:
    from starlette.requests import Request

    from preppal.api.auth_routes import client_address
    from preppal.settings import reset_settings

    def request(peer: str, forwarded: str) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())]
        return Request({"type": "http", "client": (peer, 1), "headers": headers, "method": "POST", "path": "/"})

    assert client_address(request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    monkeypatch.setenv("PREPPAL_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    reset_settings()
    assert client_address(request("10.0.0.1", "1.2.3.4, 203.0.113.1, 10.0.0.2")) == "203.0.113.1"
    assert client_address(request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


async def test_forwarded_for_on_several_lines_takes_the_right_most_untrusted_hop(db, monkeypatch) -> None:
    """Issue 22: behind a proxy that appends its own header line (HAProxy) only the first line,
    which the client wrote, was read: the throttle address was the attacker's choice."""
    from starlette.requests import Request

    from preppal.api.auth_routes import client_address
    from preppal.settings import reset_settings

    def request(peer: str, *lines: str) -> Request:
        headers = [(b"x-forwarded-for", line.encode()) for line in lines]
        return Request({"type": "http", "client": (peer, 1), "headers": headers, "method": "POST", "path": "/"})

    monkeypatch.setenv("PREPPAL_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.0/24")
    reset_settings()
    assert client_address(request("10.0.0.1", "6.6.6.6", "203.0.113.1")) == "203.0.113.1"
    assert client_address(request("10.0.0.1", "6.6.6.6, 7.7.7.7", "203.0.113.1, 10.0.0.9")) == "203.0.113.1"
    assert client_address(request("10.0.0.1", "10.0.0.5", "10.0.0.7")) == "10.0.0.1"  # only proxies: the peer


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/interview/abc", "/interview/abc"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("", "/dashboard"),
    ],
)
def test_next_stays_on_this_site(target, expected) -> None:
    assert safe_next(target) == expected
