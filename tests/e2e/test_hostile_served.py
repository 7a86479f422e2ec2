"""Issue 9 against the production build (granian, one port): CORS only for our origin on
the API and the event socket, login CSRF refused, Reflex's /_upload capped, a dashboard
draft never carried over to the next user of the tab, and the profile's password card."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PASSWORD = "Analytical-engine-1"
EVIL = "https://evil.example"


def _email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


def test_cors_answers_our_origin_only(app_server) -> None:
    """Issue 9: Reflex's default reflected any Origin with credentials."""
    url = f"{app_server.url}/api/interview/generateWorkerToken"
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    evil = httpx.options(url, headers={"origin": EVIL, **preflight})
    assert evil.headers.get("access-control-allow-origin") is None
    ours = httpx.options(url, headers={"origin": app_server.url, **preflight})
    assert ours.headers.get("access-control-allow-origin") == app_server.url
    ping = httpx.get(f"{app_server.url}/ping", headers={"origin": EVIL})
    assert ping.headers.get("access-control-allow-origin") is None
    # The event socket's handshake refuses a foreign page too (Reflex: websocket transport).
    assert _event_socket_opens(app_server, app_server.url)
    assert not _event_socket_opens(app_server, EVIL)


def _event_socket_opens(app_server, origin: str) -> bool:
    from websockets.sync.client import connect

    url = app_server.url.replace("http://", "ws://") + "/_event/?EIO=4&transport=websocket"
    try:
        with connect(url, origin=origin, open_timeout=10) as ws:
            first = ws.recv(timeout=10)
    except Exception:
        return False
    return isinstance(first, str) and first.startswith("0{")  # engine.io "open" packet


def test_login_csrf_and_upload_cap_through_the_real_server(app_server) -> None:
    r = httpx.post(
        f"{app_server.url}/api/auth/sign-in",
        data={"email": "someone@example.com", "password": PASSWORD},
        headers={"origin": EVIL, "sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 403
    # Declares 64 MiB and sends 1 KiB: refused on the header, before the body is read.
    assert _raw_status(app_server.port, "/_upload", declared=64 * 1024 * 1024, sent=1024) == 413


def _raw_status(port: int, path: str, *, declared: int, sent: int) -> int:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nContent-Length: {declared}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * sent)
        status_line = sock.recv(256).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def _sign_up(page, email: str, name: str) -> None:
    page.goto("/sign-up")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))


def test_dashboard_draft_does_not_reach_the_next_user_in_the_tab(page) -> None:
    """Issue 9: role, job description and résumé survived sign-out and sign-in as another user."""
    _sign_up(page, _email(), "Alice")
    page.get_by_role("heading", name="Hello, Alice").wait_for()
    page.get_by_label("Role", exact=True).fill("Alice's secret role")
    page.get_by_label("Job description (optional)").fill("Alice's private job description")
    page.get_by_label("Résumé (optional)").fill("Alice's résumé text")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/?$"))
    _sign_up(page, _email(), "Bob")
    page.get_by_role("heading", name="Hello, Bob").wait_for()
    expect(page.get_by_label("Job description (optional)")).to_have_value("")
    expect(page.get_by_label("Résumé (optional)")).to_have_value("")
    expect(page.get_by_label("Role", exact=True)).not_to_have_value("Alice's secret role")


def test_profile_changes_the_password(page, tmp_path) -> None:
    email = _email()
    _sign_up(page, email, "Carol")
    page.goto("/profile")
    page.get_by_role("heading", name="Password").wait_for()
    page.get_by_label("Current password").fill("not-the-password-1")
    page.get_by_label("New password", exact=True).fill("Difference-engine-2")
    page.get_by_label("New password again").fill("Difference-engine-2")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("current password is not right")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("Difference-engine-2")
    page.get_by_label("New password again").fill("Difference-engine-2")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)
    # The new password signs in; the old one does not.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/?$"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("Difference-engine-2")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
