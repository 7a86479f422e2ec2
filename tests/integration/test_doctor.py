"""``preppal doctor`` and the server's model check against the stand-in (real SDK, REST and
Live on one TLS port): the happy path, and each failure with its fix — a bad key, an unknown
model, a config the model refuses, a timeout, a deprecated or retired model."""

from __future__ import annotations

import asyncio
import json

import pytest

from preppal import cli, doctor, gemini_status
from preppal.live import model_check
from preppal.live.base import InterviewBrief
from preppal.live.factory import open_backend
from preppal.settings import get_settings
from tests.integration.test_feedback_gemini import valid_feedback
from tests.support.live_api_rules import ModelRules, Refusal
from tests.support.live_api_standin import LiveApiStandin
from tests.support.relay_harness import point_gemini_at


async def speaks(conn):
    """'Gemini' answers the opening cue with one sentence."""
    await conn.wait_for(lambda: conn.texts, timeout=5)
    await conn.ai_turn([" Hello,", " welcome to the interview."])
    await conn.hold()


@pytest.fixture
async def google(db, monkeypatch):
    """The stand-in with REST (generateContent too); feedback answers valid JSON."""
    async with LiveApiStandin([speaks], rest=True) as server:
        server.rest.generate_text = json.dumps(valid_feedback(quote=""))
        point_gemini_at(monkeypatch, server, "gemini-3.8-live")
        gemini_status.reset()
        yield server
        gemini_status.reset()
        assert not server.errors, server.errors


def results(rows) -> dict[str, str]:
    return {r.check: r.result for r in rows}


async def test_all_green_prints_the_table_and_exits_0(google, capsys):
    code = await asyncio.to_thread(cli.main, ["doctor", "--timeout", "10"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All checks passed." in out
    for check in ("API key", "Live model", "Feedback model", "Live session", "Feedback call"):
        assert f"{check}" in out
    live = [line for line in out.splitlines() if line.startswith("Live session")][0]
    assert " ok " in live and "setup" in live and "first audio" in live and "Hello, welcome to the interview." in live
    conn = google.connections[0]
    assert conn.refused is None and conn.texts[0].turn_complete is True  # the opening cue, as in an interview
    assert [r["method"] for r in google.rest.requests][-1] == "POST"  # the feedback call


async def test_a_bad_key_fails_with_the_fix_and_skips_the_rest(google, monkeypatch):
    google.valid_keys = {"the-real-key"}
    point_gemini_at(monkeypatch, google, "gemini-3.8-live", GEMINI_API_KEY="typo-key")
    rows = await doctor.run_checks(get_settings(), timeout_s=5)
    assert results(rows) == {"API key": "FAIL", "Live session": "skipped", "Feedback call": "skipped"}
    assert "aistudio.google.com/apikey" in rows[0].fix and "API key not valid" in rows[0].detail
    assert doctor.exit_status(rows) == 1
    assert google.connections == []  # no Live session was tried


async def test_an_unknown_model_fails_with_the_fix(google, monkeypatch):
    point_gemini_at(monkeypatch, google, "gemini-9-live")
    rows = await doctor.run_checks(get_settings(), timeout_s=5)
    assert results(rows)["Live model"] == "FAIL" and results(rows)["Live session"] == "skipped"
    live = next(r for r in rows if r.check == "Live model")
    assert "does not exist" in live.detail and "GEMINI_MODEL=gemini-3.8-live" in live.fix
    assert results(rows)["Feedback call"] == "ok"
    assert doctor.exit_status(rows) == 1


async def test_a_config_the_model_refuses_fails_the_live_session(google, monkeypatch):
    """Google changes a model's rules: what our config sends is now refused."""
    changed = ModelRules(
        "gemini-3.8-live",
        refusals=(Refusal("realtime_input_config", lambda setup: "realtimeInputConfig" in setup, {}),),
        multi_part=True,
        function_calls="async-default",
    )
    google.rules["gemini-3.8-live"] = changed
    rows = await doctor.run_checks(get_settings(), timeout_s=5)
    live = next(r for r in rows if r.check == "Live session")
    assert live.result == "FAIL" and "1007" in live.detail
    assert "rules changed" in live.fix and "docs/gemini.md" in live.fix
    assert doctor.exit_status(rows) == 1


async def test_a_session_that_never_sets_up_times_out(google):
    google.complete_setup = lambda index: False
    rows = await doctor.run_checks(get_settings(), timeout_s=1)
    live = next(r for r in rows if r.check == "Live session")
    assert live.result == "FAIL" and "did not complete in 1 s" in live.detail and "--timeout" in live.fix
    assert doctor.exit_status(rows) == 1


async def test_deprecated_live_model_warns_and_retired_feedback_model_fails(google, monkeypatch):
    point_gemini_at(
        monkeypatch, google, "gemini-2.5-flash-native-audio-preview-12-2025", GEMINI_FEEDBACK_MODEL="gemini-2.5-flash"
    )
    rows = await doctor.run_checks(get_settings(), timeout_s=5)
    by = {r.check: r for r in rows}
    assert by["Live model"].result == "warn" and "deprecated" in by["Live model"].detail
    assert "GEMINI_MODEL=gemini-3.8-live" in by["Live model"].fix
    assert by["Live session"].result == "ok"  # it still answers
    assert by["Feedback model"].result == "FAIL" and "was retired on 2026-12-01" in by["Feedback model"].detail
    assert by["Feedback call"].result == "skipped"
    assert doctor.exit_status(rows) == 1


# ---- the server's model check ----------------------------------------------------------------


async def test_model_check_turns_auto_to_offline_and_back(google, monkeypatch):
    brief = InterviewBrief("i-1", "behavioural", "Engineer", "standard")
    monkeypatch.setenv("PREPPAL_INTERVIEWER", "auto")
    point_gemini_at(monkeypatch, google, "gemini-3.8-live", PREPPAL_INTERVIEWER="auto")
    assert (await asyncio.to_thread(model_check.run)).available is True
    assert gemini_status.interviewer_in_use() == "gemini" and gemini_status.notice() == ""

    google.valid_keys = {"another-key"}  # the key was revoked
    status = await asyncio.to_thread(model_check.run)
    assert status.available is False
    assert gemini_status.notice() == (
        "The Gemini interviewer is unavailable: Google refused this server's Gemini API key. "
        "Interviews use the offline interviewer until it is fixed."
    )
    assert gemini_status.interviewer_in_use() == "offline"
    assert type(open_backend(brief)).__name__ == "OfflineBackend"
    assert type(open_backend(brief, resume={"handle": "h-1"})).__name__ == "GeminiBackend"  # a Gemini call goes on

    # Google unreachable: not a verdict, the last one stands.
    point_gemini_at(
        monkeypatch, google, "gemini-3.8-live", PREPPAL_INTERVIEWER="auto", GEMINI_BASE_URL="https://127.0.0.1:9"
    )
    assert (await asyncio.to_thread(model_check.run)).available is False

    google.valid_keys = None
    point_gemini_at(monkeypatch, google, "gemini-3.8-live", PREPPAL_INTERVIEWER="auto")
    assert (await asyncio.to_thread(model_check.run)).available is True
    assert gemini_status.interviewer_in_use() == "gemini"


async def test_a_forced_gemini_stays_gemini_and_says_interviews_cannot_start(google, monkeypatch):
    point_gemini_at(monkeypatch, google, "gemini-9-live")  # PREPPAL_INTERVIEWER=gemini
    status = await asyncio.to_thread(model_check.run)
    assert status.available is False
    assert gemini_status.interviewer_in_use() == "gemini"
    assert gemini_status.notice().startswith("The Gemini interviewer is unavailable: the configured Live model")
    assert gemini_status.notice().endswith("Interviews cannot start until it is fixed.")


async def test_the_check_runs_on_a_thread_at_start(google, monkeypatch):
    monkeypatch.setenv("GEMINI_CHECK_INTERVAL_S", "0")
    point_gemini_at(monkeypatch, google, "gemini-3.8-live", GEMINI_CHECK_INTERVAL_S="0")
    fallbacks: list[int] = []
    google.valid_keys = {"another-key"}
    await asyncio.wait_for(model_check.keep_checking(on_unavailable=lambda: fallbacks.append(1)), 10)
    assert gemini_status.current().available is False and fallbacks == [1]
