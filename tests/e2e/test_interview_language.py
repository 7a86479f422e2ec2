"""Interview language in real Chromium against the production build.

Without a key (the default server) every language can be picked and the sentence beside the
picker says the offline interviewer on this server holds it (and, for languages other than
English, what that means); a Japanese interview created there gets a call page with a Start
button, not a refusal. With Gemini configured (the stand-in server) a Spanish interview is created from the
dashboard, and its pages show the language and dates/numbers in its locale.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from preppal import routes
from preppal.models import InterviewStatus, Speaker
from preppal.services.feedback import produce
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from tests.e2e.meeting_helpers import SCREENS, make_candidate, screenshot
from tests.support.users import PASSWORD

pytestmark = pytest.mark.browser


def _user_id(email: str) -> int:
    from sqlmodel import select

    from preppal.db import session_scope
    from preppal.models import User

    with session_scope() as session:
        return session.exec(select(User.id).where(User.email == email)).one()


def _sign_in(page, email: str) -> None:
    page.goto("/dashboard")
    page.wait_for_url("**/sign-in?**")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/") == "/dashboard")


def test_dashboard_offers_every_language_to_the_offline_interviewer(page, app_db) -> None:
    email = make_candidate()
    _sign_in(page, email)
    note = page.locator("#language-note")
    expect(note).to_contain_text("offline interviewer on this server holds it")
    trigger = page.locator("#language")
    expect(trigger).to_contain_text("English")

    trigger.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(8)
    for i in range(8):  # none greyed out without a key
        expect(options.nth(i)).not_to_have_attribute("aria-disabled", "true")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "dashboard-language-offline-open.png"))  # the open list
    page.get_by_role("option", name=re.compile("Japanese")).click()
    expect(trigger).to_contain_text("Japanese")
    expect(note).to_contain_text("holds it in Japanese, with a synthetic voice")
    expect(note).to_contain_text("less reliably than English")
    shot = screenshot(page, "dashboard-language-offline")
    assert shot.stat().st_size > 10_000

    page.get_by_role("textbox", name="Role").fill("バックエンドエンジニア")
    page.get_by_role("button", name="Create interview").click()
    page.wait_for_url(lambda url: "/interview/" in url and urlparse(url).path.rstrip("/").count("/") == 2)
    iid = urlparse(page.url).path.rstrip("/").split("/")[2]
    assert lifecycle.get_interview_any(iid).language == "ja-JP"
    page.goto(routes.meeting_url(iid))  # the call page offers the call: no refusal, no mic asked yet
    expect(page.get_by_test_id("interview-language")).to_have_text("Japanese")
    expect(page.get_by_test_id("start-call")).to_be_visible()
    expect(page.get_by_test_id("error-message")).to_have_count(0)
    screenshot(page, "meeting-language-japanese-offline")
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.PENDING


def test_spanish_interview_from_the_dashboard_with_gemini(gemini_db, browser) -> None:
    context = browser.new_context(base_url=gemini_db.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        email = make_candidate()
        _sign_in(page, email)
        expect(page.locator("#language-note")).to_contain_text("The Gemini interviewer speaks English")
        page.locator("#language").click()
        page.get_by_role("option", name="Spanish (Español)").click()
        expect(page.locator("#language-note")).to_contain_text("speaks Spanish and your feedback is written in Spanish")
        page.get_by_role("textbox", name="Role").fill("Ingeniera backend")
        page.get_by_role("button", name="Create interview").click()
        page.wait_for_url(lambda url: "/interview/" in url and urlparse(url).path.rstrip("/").count("/") == 2)
        iid = urlparse(page.url).path.rstrip("/").split("/")[2]
        assert lifecycle.get_interview_any(iid).language == "es-US"
        expect(page.get_by_role("link", name="Start interview")).to_be_visible()  # the interview page is up
        expect(page.get_by_text("Spanish (Español)", exact=True)).to_be_visible()
        created = lifecycle.get_interview_any(iid).created_at
        months = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"]
        expect(
            page.get_by_text(re.compile(rf"{created.day} {months[created.month - 1]}\.? {created.year}"))
        ).to_be_visible()

        # After the call: feedback page in the interview's locale (decimal comma in French).
        fr = lifecycle.create_interview(
            _user_id(email), interview_type="behavioural", role="Ingénieur", language="fr-FR"
        )
        lifecycle.update_status(fr.id, InterviewStatus.IN_PROGRESS)
        transcripts.submit_transcript(
            fr.id,
            [
                TranscriptLine(1, Speaker.AI, "Parlez-moi d'un projet dont vous êtes fier.", 0, 3_000),
                TranscriptLine(2, Speaker.USER, "Euh, du coup, j'ai mené la migration.", 4_000, 7_000),
                TranscriptLine(3, Speaker.USER, "Nous avons réduit la clôture de cinq jours à un.", 8_500, 12_000),
            ],
        )
        produce.run_feedback(fr.id)  # this process has no key: metrics, and a note that the analyzer reads English
        page.goto(routes.feedback_url(fr.id))
        expect(page.locator("#feedback-language")).to_have_text("French (Français)")
        expect(page.get_by_text("Longest pause in an answer")).to_be_visible()
        expect(page.get_by_text("1,5 s").first).to_be_visible()  # 1.5 s pause, French decimal comma
        expect(page.locator("#transcript")).to_have_attribute("lang", "fr-FR")
        screenshot(page, "feedback-language-french")
    finally:
        context.close()
