"""The interview's language reaches the interviewer: Gemini's setup carries it (speech
language code, transcription hints, the system instruction), and the offline interviewer,
which speaks English only, refuses another language with a plain message."""

from __future__ import annotations

import pytest

from preppal.models import InterviewStatus
from preppal.services import interviews
from preppal.settings import reset_settings


async def greet_and_hold(conn):
    await conn.wait_for(lambda: conn.texts, timeout=5)
    await conn.ai_turn([" Hola,", " cuénteme de usted."])
    await conn.hold()


@pytest.mark.parametrize(
    ("code", "gemini_code", "name"),
    [("es-US", "es-US", "Spanish"), ("ja-JP", "ja-JP", "Japanese"), ("zh-CN", "cmn-CN", "Mandarin Chinese")],
)
async def test_setup_carries_the_language_and_the_instruction(relay_env, standin, code, gemini_code, name):
    standin.behaviours = [greet_and_hold]
    iid = relay_env.new_interview(language=code)
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")

    conn = standin.connections[0]
    assert conn.setup_value("generation_config", "speech_config", "language_code") == gemini_code
    for key in ("input_audio_transcription", "output_audio_transcription"):
        assert conn.setup_value(key, "language_codes") == [gemini_code], key
    instruction = conn.setup_value("system_instruction", "parts")[0]["text"]
    assert f"Conduct the whole interview in {name}" in instruction
    assert f"RESPOND IN {name.upper()}" in instruction
    await candidate.end()
    assert await candidate.wait_closed() == 1000


async def test_english_is_the_default(relay_env, standin):
    standin.behaviours = [greet_and_hold]
    iid = relay_env.new_interview()
    assert interviews.get_interview_any(iid).language == "en-US"
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    assert conn.setup_value("generation_config", "speech_config", "language_code") == "en-US"
    assert "Conduct the whole interview in English" in conn.setup_value("system_instruction", "parts")[0]["text"]
    await candidate.end()
    assert await candidate.wait_closed() == 1000


async def test_offline_interviewer_refuses_another_language(relay_env, standin, monkeypatch):
    monkeypatch.setenv("PREPPAL_INTERVIEWER", "offline")
    reset_settings()
    iid = relay_env.new_interview(language="fr-FR")
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed() == 4002
    [error] = candidate.of("error")
    assert error.code == 4002
    assert "speaks English only" in error.message and "French" in error.message and "Gemini API key" in error.message
    assert not candidate.of("session_ready") and not candidate.of("audio_response")  # no English interview ran
    done = interviews.get_interview_any(iid)
    assert done.status == InterviewStatus.ERROR and "English only" in (done.error_message or "")
    assert not standin.connections
