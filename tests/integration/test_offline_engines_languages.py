"""The offline interviewer's models per language: English keeps tiny.en, the others share the
multilingual base model; each language speaks with its own espeak-ng voice. Loads models: slow."""

from __future__ import annotations

import pytest

from preppal.live.offline import load_engines
from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.tts import Voice
from preppal.speech.errors import ModelUnavailable
from preppal.speech.whisper_models import BASE, TINY_EN
from tests.support.speech import speech_pcm

pytestmark = pytest.mark.model


def test_english_keeps_tiny_en_and_other_languages_share_the_base_model() -> None:
    english, spanish, german = load_engines(), load_engines(language="es-US"), load_engines(language="de-DE")
    assert english.transcriber.model is TINY_EN
    assert spanish.transcriber.model is BASE and german.transcriber is spanish.transcriber  # loaded once
    assert english.voice is spanish.voice and english.vad_session is spanish.vad_session  # one of each per process
    assert (spanish.language.espeak, german.language.whisper) == ("es-419", "de")


def test_a_spanish_sentence_is_spoken_and_heard_in_spanish() -> None:
    """Spoken with the tests' speech (a new espeak-ng worker per test: the same audio every run,
    tests/support/speech.py); the engines' own worker, shared by the process, speaks differently
    after each sentence, and on some variants Whisper heard 2 of the 4 words, or nothing."""
    engines = load_engines(language="es-US")
    pcm = speech_pcm("Mi equipo construyó un nuevo sistema de pagos.", lead_s=0, tail_s=0, wpm=165, language="es-US")
    heard = engines.transcribe(pcm_to_float(pcm), "Una entrevista de trabajo.").lower()
    assert sum(w in heard for w in ("equipo", "nuevo", "sistema", "pagos")) >= 3, heard  # espeak's Spanish


def test_every_interview_language_has_a_voice() -> None:
    from preppal.languages import LANGUAGES

    voice = load_engines().voice
    for lang in LANGUAGES:
        assert len(voice.speak("1 2 3", 16_000, lang.espeak)) > 16_000 // 4, lang.code  # ≥ 0.25 s of speech


def test_a_voice_espeak_does_not_have_is_a_clear_error() -> None:
    voice = Voice()
    try:
        with pytest.raises(ModelUnavailable, match="no 'xx-nowhere' voice"):
            voice.speak("hello", 16_000, "xx-nowhere")
        assert voice.speak("hello", 16_000)  # the worker goes on with the next request
    finally:
        voice.close()
