"""Preppal on PostgreSQL + Redis with two workers, as docs/deployment.md describes.

The production server runs with ``DATABASE_URL`` on the local PostgreSQL (a throwaway
schema, migrated by Alembic), ``REFLEX_REDIS_URL`` on the local Redis and two granian
workers. A whole call then has to work: sign-up and the interview rows live in
PostgreSQL, and the relay's live-transcript pushes travel through Reflex's Redis state
manager to the page (whichever worker its socket landed on).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import redis
from playwright.sync_api import expect

from preppal.models import InterviewStatus
from tests.e2e.meeting_helpers import (
    create_interview_in_ui,
    make_candidate,
    new_page,
    pcm24k_tone,
)
from tests.support import browser as browser_support
from tests.support.app_server import AppServer, app_server_for, stop_app_server
from tests.support.databases import (
    PG_UNREACHABLE,
    REDIS_UNREACHABLE,
    postgres_reachable,
    redis_reachable,
    temporary_schema,
    use_database,
)

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]
REDIS_DB_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(scope="module")
def scaleout_server(gemini_standin) -> Iterator[AppServer]:
    if browser_support.chromium_path() is None:
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    if not postgres_reachable():
        pytest.skip(PG_UNREACHABLE)
    if not redis_reachable():
        pytest.skip(REDIS_UNREACHABLE)
    redis.Redis.from_url(REDIS_DB_URL).flushdb()
    with temporary_schema("scaleout") as database_url:
        try:
            yield app_server_for(
                "scaleout-pg-redis",
                {
                    "DATABASE_URL": database_url,
                    "REFLEX_REDIS_URL": REDIS_DB_URL,
                    "GRANIAN_WORKERS": "2",
                    "PREPPAL_INTERVIEWER": "gemini",
                    "GEMINI_API_KEY": "test-key",
                    "GEMINI_BASE_URL": gemini_standin.server.base_url,
                    "GEMINI_CA_FILE": str(gemini_standin.server.cert_file),
                },
            )
        finally:
            stop_app_server("scaleout-pg-redis")  # before its schema is dropped
            redis.Redis.from_url(REDIS_DB_URL).flushdb()


def test_call_on_postgres_and_redis_with_two_workers(
    gemini_standin,
    scaleout_server: AppServer,
    call_browser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from preppal.services.interviews import lifecycle, transcripts

    use_database(monkeypatch, scaleout_server.database_url, scaleout_server.data_dir)

    async def gemini(conn):
        await conn.output_transcript("Welcome. Tell me about a project you led.")
        await conn.audio(pcm24k_tone(0.4))
        await conn.turn_complete()
        await conn.wait_audio(16_000 * 2, timeout=30)
        await conn.input_transcript("I led the billing migration.")
        await conn.ai_turn(["Great, ", "thank you."], pcm_per_word=pcm24k_tone(0.2))
        await conn.hold()

    gemini_standin.behaviour = gemini
    email = make_candidate()
    context, page = new_page(call_browser, scaleout_server)
    try:
        interview_id = create_interview_in_ui(page, email, "Engineering manager")
        page.get_by_test_id("start-call").click()
        expect(page.get_by_test_id("phase")).to_have_text("Live")
        expect(page.get_by_text("I led the billing migration.").first).to_be_visible(timeout=40_000)
        expect(page.get_by_text("thank you.").first).to_be_visible(timeout=40_000)  # the AI's reply
        page.get_by_role("button", name="End interview").click()
        page.wait_for_url(lambda url: urlparse(url).path.rstrip("/").endswith("/feedback"), timeout=30_000)
    finally:
        context.close()

    assert scaleout_server.database_url.startswith("postgresql")
    interview = lifecycle.get_interview_any(interview_id)
    assert interview.status == InterviewStatus.COMPLETED
    assert [line.text for line in transcripts.get_transcript(interview_id)] == [
        "Welcome. Tell me about a project you led.",
        "I led the billing migration.",
        "Great, thank you.",
    ]
    keys = redis.Redis.from_url(REDIS_DB_URL).keys("*")
    assert keys, "Reflex kept no state in Redis: REFLEX_REDIS_URL was not used"
