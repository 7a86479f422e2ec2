"""The foundation in a real browser against the production build: sign up, create an
interview, see it in the history list, sign out, and protected pages send you to sign-in
and back."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from preppal.services.interviews import lifecycle
from tests.support.users import make_user

pytestmark = pytest.mark.browser
PASSWORD = "Analytical-engine-1"


def _email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


def _sign_up(page, email: str, name: str = "Ada Lovelace") -> None:
    page.goto("/sign-up")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def test_sign_up_create_interview_history_sign_out(page, tmp_path) -> None:
    email = _email()
    # A protected page first: it sends us to sign-in, remembering where we were going.
    page.goto("/dashboard")
    page.wait_for_url(re.compile(r"/sign-in/?\?next=%2Fdashboard"))
    assert page.get_by_role("link", name=re.compile("Continue with")).count() == 0  # no OAuth configured
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r"/sign-up/?\?next=%2Fdashboard"))
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()
    expect(page.get_by_text("No interviews yet")).to_be_visible()

    # New interview: type, role, difficulty, job description, résumé from a .txt upload.
    page.get_by_role("radio", name="System design").click()
    page.get_by_label("Role", exact=True).fill("Staff platform engineer")
    page.get_by_role("radio", name="Intense").click()
    page.get_by_label("Job description (optional)").fill("Multi-region Postgres, Kafka")
    resume = tmp_path / "resume.txt"
    resume.write_text("Ada Lovelace\nLed the analytical engine migration.\n")
    page.locator("input[type=file]").set_input_files(str(resume))
    page.get_by_text("Read from").wait_for()
    assert "analytical engine migration" in page.get_by_label("Résumé (optional)").input_value()
    page.get_by_role("button", name="Create interview").click()

    # The detail page: pending, with the way into the live interview.
    page.wait_for_url(re.compile(r"/interview/[0-9a-f-]{36}/?$"))
    interview_id = re.search(r"/interview/([0-9a-f-]{36})", page.url).group(1)
    page.get_by_role("heading", name="System design interview").wait_for()
    expect(page.get_by_text("Ready to start")).to_be_visible()
    expect(page.get_by_text("Intense", exact=True)).to_be_visible()  # the patience line says "(from Intense)" too
    start = page.get_by_role("link", name="Start interview")
    assert start.get_attribute("href") == f"/interview/{interview_id}/live"
    expect(page.get_by_text("Led the analytical engine migration.")).to_be_visible()

    # It is in the dashboard's history list, and the row opens it.
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    row = page.get_by_role("link", name=re.compile(r"System design interview for Staff platform engineer"))
    row.wait_for()
    assert "Ready to start" in row.inner_text()
    row.click()
    page.wait_for_url(re.compile(rf"/interview/{interview_id}/?$"))

    # Sign out: the cookie is gone, protected pages bounce to sign-in again.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/?$"))
    page.goto(f"/interview/{interview_id}")
    page.wait_for_url(re.compile(r"/sign-in/?\?next="))

    # Signing in returns to the page that was asked for.
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/interview/{interview_id}/?$"))
    page.get_by_role("heading", name="System design interview").wait_for()


def test_duplicate_email_and_weak_password_are_explained(page) -> None:
    email = _email()
    _sign_up(page, email)
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.context.clear_cookies()
    _sign_up(page, email, "Someone else")
    page.wait_for_url(re.compile(r"/sign-up/?\?"))
    assert "could not create an account with this email" in page.get_by_role("alert").inner_text()  # never "exists"
    assert page.get_by_label("Email").input_value() == email  # kept for the next try
    page.get_by_label("Email").fill(_email())
    page.get_by_label("Password").fill("abcdefghijkl")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/sign-up/?\?"))
    assert "stronger password" in page.get_by_role("alert").inner_text()


def test_someone_elses_interview_is_not_shown(page, app_db) -> None:
    other = make_user()
    theirs = lifecycle.create_interview(other.id, interview_type="technical", role="Secret role")
    _sign_up(page, _email())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.goto(f"/interview/{theirs.id}")
    page.get_by_text("does not exist, or it is not yours").wait_for()
    assert page.get_by_text("Secret role").count() == 0


def test_profile_role_prefills_new_interviews(page) -> None:
    _sign_up(page, _email())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_role("link", name="Profile").click()
    page.wait_for_url(re.compile(r"/profile/?$"))
    page.get_by_label("Target role").fill("Data engineer")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    page.goto("/dashboard")
    field = page.get_by_label("Role", exact=True)
    field.wait_for()
    page.wait_for_function("document.getElementById('role').value === 'Data engineer'")


def _focused_is(page, js_condition: str) -> None:
    """Wait until the focused element satisfies the condition (the machine may be slow)."""
    page.wait_for_function(f"(() => {{ const el = document.activeElement; return !!el && ({js_condition}); }})()")


def test_new_interview_with_the_keyboard_only(page) -> None:
    _sign_up(page, _email())
    page.wait_for_url(re.compile(r"/dashboard/?$"))
    page.get_by_role("heading", name="Hello, Ada Lovelace").wait_for()  # signed-in state has arrived
    page.get_by_role("heading", name="New interview").click()  # start from the form's heading, then Tab
    page.keyboard.press("Tab")
    _focused_is(page, "el.getAttribute('aria-label') === 'Behavioural'")
    page.keyboard.press("ArrowRight")  # arrow keys move between the radio cards
    _focused_is(page, "el.getAttribute('aria-label') === 'Technical'")
    page.keyboard.press("Space")  # and Space selects the focused one
    _focused_is(page, "el.getAttribute('aria-checked') === 'true'")
    page.keyboard.press("Tab")
    _focused_is(page, "el.id === 'role'")
    page.keyboard.type("Site reliability engineer")
    page.keyboard.press("Enter")  # implicit form submission
    page.wait_for_url(re.compile(r"/interview/[0-9a-f-]{36}/?$"))
    page.get_by_role("heading", name="Technical interview").wait_for()
    expect(page.get_by_text("Site reliability engineer")).to_be_visible()
