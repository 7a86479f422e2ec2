"""The Live model profiles and the config built from them (no network)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from preppal.live import gemini_profiles
from preppal.live.base import InterviewBrief
from preppal.live.gemini_config import END_TOOL, Listening, TextSender, live_config
from preppal.live.gemini_profiles import (
    DEFAULT_PROFILE,
    PROFILES,
    Platform,
    Proactivity,
    Stage,
    TextChannel,
    Thinking,
    profile_for,
)
from preppal.services.feedback import model_retirements
from preppal.settings import get_settings, reset_settings


@pytest.fixture
def settings(monkeypatch, tmp_path):
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(tmp_path))
    for name in ("GEMINI_MODEL", "GEMINI_FEEDBACK_MODEL", "GEMINI_SILENCE_MS", "GEMINI_END_SENSITIVITY"):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    yield get_settings()
    reset_settings()


def brief(difficulty: str = "standard") -> InterviewBrief:
    return InterviewBrief("i-1", "technical", "Backend engineer", difficulty, language="de-DE")


def test_defaults_are_current_models(settings):
    assert settings.gemini_model == DEFAULT_PROFILE.model == "gemini-3.8-live"
    assert profile_for(settings.gemini_model).stage is Stage.STABLE
    assert settings.feedback_model == "gemini-3.8-flash"
    assert model_retirements.retirement(settings.feedback_model) is None
    assert settings.api_version == "v1beta"


def test_the_table_has_the_five_supported_models():
    assert set(PROFILES) == {
        "gemini-3.8-live",
        "gemini-3.8-live-extended-thinking",
        "gemini-3.1-flash-live-preview",
        "gemini-2.5-flash-native-audio-preview-12-2025",
        "gemini-live-2.5-flash-native-audio",
    }
    assert PROFILES["gemini-live-2.5-flash-native-audio"].platform is Platform.VERTEX
    assert PROFILES["gemini-3.1-flash-live-preview"].text_channel is TextChannel.REALTIME_TEXT
    assert PROFILES["gemini-3.8-live-extended-thinking"].interaction_status
    assert all(p.client_activity_signals for p in PROFILES.values())  # hold-the-floor can use any


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gemini-3.8-live-001", "gemini-3.8-live"),
        ("models/gemini-3.9-live", "gemini-3.8-live"),
        ("gemini-3.8-live-extended-thinking-preview-01-2027", "gemini-3.8-live-extended-thinking"),
        ("gemini-3.1-flash-live-preview-04-2026", "gemini-3.1-flash-live-preview"),
        ("gemini-2.5-flash-native-audio-preview-09-2025", "gemini-2.5-flash-native-audio-preview-12-2025"),
        ("publishers/google/models/gemini-live-2.5-flash-native-audio-002", "gemini-live-2.5-flash-native-audio"),
        ("something-else", "gemini-3.8-live"),
    ],
)
def test_an_unknown_name_gets_its_familys_profile_and_one_log_line(name, family, caplog, monkeypatch):
    monkeypatch.setattr(gemini_profiles, "_announced", set())
    caplog.set_level(logging.WARNING, "preppal.live.gemini_profiles")
    first = profile_for(name)
    again = profile_for(name)
    assert first == again
    assert first.model == name.rsplit("/", 1)[-1]
    expected = PROFILES[family]
    assert (first.family, first.text_channel) == (expected.family, expected.text_channel)
    assert (first.thinking, first.function_calls) == (expected.thinking, expected.function_calls)
    lines = [r.getMessage() for r in caplog.records if first.model in r.getMessage()]
    assert len(lines) == 1 and expected.model in lines[0]
    assert profile_for(f"models/{family}") is PROFILES[family]


@pytest.mark.parametrize("model", sorted(PROFILES))
def test_config_follows_the_profile(model, settings):
    profile = PROFILES[model]
    config = live_config(profile, brief(), settings, resume_handle="h-9")
    dumped = config.model_dump(exclude_none=True)
    # Thinking: only the field the model has.
    if profile.thinking is Thinking.LEVEL and profile.thinking_level:
        assert dumped["thinking_config"] == {"thinking_level": profile.thinking_level}
    else:
        assert "thinking_config" not in dumped
    # Never proactivity or affective dialog (3.8: false is an error; an interviewer must answer).
    assert "proactivity" not in dumped and "enable_affective_dialog" not in dumped
    assert "mode" not in dumped["input_audio_transcription"]  # verbatim is the default
    assert dumped["input_audio_transcription"]["language_codes"] == ["de-DE"]
    (declaration,) = dumped["tools"][0]["function_declarations"]
    assert declaration["name"] == END_TOOL
    if profile.function_calls.asynchronous:
        assert declaration["behavior"] == "NON_BLOCKING"
    else:
        assert "behavior" not in declaration
    assert dumped["session_resumption"] == {"handle": "h-9"}
    assert profile.proactivity in Proactivity


def test_listening_is_patient_and_harder_rounds_less_so(settings, monkeypatch):
    waits = {d: Listening.for_interview(d, settings) for d in ("warmup", "standard", "intense")}
    assert [w.silence_ms for w in waits.values()] == [1500, 1200, 900]
    assert {w.end_sensitivity for w in waits.values()} == {"LOW"}
    detection = waits["standard"].realtime_input_config().automatic_activity_detection
    assert (detection.end_of_speech_sensitivity.value, detection.silence_duration_ms) == ("END_SENSITIVITY_LOW", 1200)
    manual = Listening("LOW", 1200, automatic=False).realtime_input_config()
    assert manual.automatic_activity_detection.disabled is True

    monkeypatch.setenv("GEMINI_SILENCE_MS", "50")  # clamped: the model would take every breath
    monkeypatch.setenv("GEMINI_END_SENSITIVITY", "high")
    reset_settings()
    tight = Listening.for_interview("intense", get_settings())
    assert (tight.end_sensitivity, tight.silence_ms) == ("HIGH", 300)


class FakeSession:
    def __init__(self) -> None:
        self.sent: list[tuple] = []

    async def send_client_content(self, *, turns, turn_complete):
        self.sent.append(("client_content", turns.parts[0].text, turn_complete))

    async def send_realtime_input(self, *, text):
        self.sent.append(("realtime_text", text, None))


@pytest.mark.parametrize("model", sorted(PROFILES))
async def test_text_goes_through_the_models_channel(model):
    session = FakeSession()
    sender = TextSender(PROFILES[model])
    await sender.cue(session, "greet")
    await sender.context(session, "code")
    if PROFILES[model].text_channel is TextChannel.REALTIME_TEXT:
        assert session.sent == [("realtime_text", "greet", None), ("realtime_text", "code", None)]
    else:
        assert session.sent == [("client_content", "greet", True), ("client_content", "code", False)]


def test_retired_feedback_models_are_known_with_their_successor():
    gone = model_retirements.retired("models/gemini-2.5-flash", today=dt.date(2026, 12, 2))
    assert gone is not None and gone.successor == "gemini-3.8-flash"
    assert "was retired on 2026-12-01" in gone.sentence(dt.date(2026, 12, 2))
    assert model_retirements.retired("gemini-2.5-flash", today=dt.date(2026, 11, 30)) is None
    assert "will be retired" in model_retirements.retirement("gemini-2.5-flash").sentence(dt.date(2026, 11, 30))
    assert model_retirements.retired("gemini-3.8-flash") is None
