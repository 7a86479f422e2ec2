"""The production build serves, and a failed sign-in says why in plain words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sign_in_page_renders_and_reports_wrong_password(page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/?\?"))
    assert page.get_by_role("alert").inner_text().strip() == "Wrong email or password."


def test_protected_root_redirects_to_sign_in(page) -> None:
    page.goto("/")
    page.wait_for_url(re.compile(r"/sign-in/?"))
    button = page.get_by_role("button", name="Sign in")
    button.wait_for(state="visible")  # the redirect lands before the page has rendered
    expect(button).to_be_visible()


def test_wrong_password_puts_the_focus_back_on_the_password_field(page) -> None:
    """Issue 24: the email is filled in again and the password is what to retype."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/?\?"))
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value("nobody@example.com")
    expect(page.get_by_label("Password")).to_be_focused()
