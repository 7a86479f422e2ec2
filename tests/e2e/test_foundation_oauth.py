"""OIDC sign-in in a real browser: the production build is configured with a local
provider (started here, on another origin), so the redirect out and back, the SameSite=Lax
flow cookie and the session cookie all behave as they would with Google."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support import browser as browser_support
from tests.support.app_server import app_server_for
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, Account, Provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_provider():
    provider = Provider(account=Account(subject="browser-user", email="katherine@example.com", name="Katherine J"))
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def oauth_server(oidc_provider):
    if browser_support.chromium_path() is None:
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    # Module-scoped name: the provider's port is part of the configuration.
    return app_server_for(
        f"oauth-{oidc_provider.port}",
        {
            "PREPPAL_INTERVIEWER": "offline",
            "GOOGLE_CLIENT_ID": CLIENT_ID,
            "GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
            "GOOGLE_OIDC_METADATA_URL": oidc_provider.metadata_url,
        },
    )


@pytest.fixture
def oauth_page(browser, oauth_server):
    context = browser.new_context(base_url=oauth_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_continue_with_google_signs_in_and_returns_to_the_asked_page(oauth_page, oidc_provider) -> None:
    page = oauth_page
    page.goto("/profile")
    page.wait_for_url(re.compile(r"/sign-in/?\?next=%2Fprofile"))
    assert page.get_by_role("link", name="Continue with GitHub").count() == 0  # not configured
    page.get_by_role("link", name="Continue with Google").click()
    page.wait_for_url(re.compile(r"/profile/?$"))
    page.get_by_text("katherine@example.com").wait_for()
    expect(page.get_by_text("Google", exact=True)).to_be_visible()  # the sign-in method is listed
    assert oidc_provider.token_requests and oidc_provider.token_requests[-1].get("code_verifier")
    flow_cookies = [c for c in page.context.cookies() if c["name"] == "preppal_oauth"]
    assert flow_cookies == []  # one flow, one use
    session = next(c for c in page.context.cookies() if c["name"] == "preppal_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"


def test_a_forged_callback_is_refused(oauth_page, oauth_server) -> None:
    page = oauth_page
    page.goto("/api/auth/oauth/google/callback?code=stolen&state=guess")
    page.wait_for_url(re.compile(r"/sign-in/?\?"))
    assert "try again" in page.get_by_role("alert").inner_text().lower()
    assert not [c for c in page.context.cookies() if c["name"] == "preppal_session"]
