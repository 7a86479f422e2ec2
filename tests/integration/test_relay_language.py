"""The interview's language reaches the interviewer: Gemini's setup carries it (speech
language code, transcription hints, the system instruction). The offline interviewer in each
language: tests/integration/test_relay_offline_languages.py."""

from __future__ import annotations

import pytest

from preppal.services.interviews import lifecycle


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
    assert lifecycle.get_interview_any(iid).language == "en-US"
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    await candidate.wait_kind("session_ready")
    conn = standin.connections[0]
    assert conn.setup_value("generation_config", "speech_config", "language_code") == "en-US"
    assert "Conduct the whole interview in English" in conn.setup_value("system_instruction", "parts")[0]["text"]
    await candidate.end()
    assert await candidate.wait_closed() == 1000
