"""The offline interviewer holds an interview in Spanish and in Japanese through the relay
(greeting, answer, follow-up, end) with every transcript row in the interview's language; a
missing or damaged multilingual model is a plain message and the interview stays PENDING.
Loads the speech models, hence ``model``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from preppal.live.offline import engines as engines_module
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.vad import TurnRules
from preppal.models import InterviewStatus
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import lifecycle, transcripts
from preppal.settings import reset_settings
from preppal.speech import whisper_models
from tests.support.live_api_rules import LIVE_MODELS
from tests.support.speech import speech_pcm

pytestmark = pytest.mark.model
FRAME = 640  # 20 ms at 16 kHz
KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture
def gemini_model() -> str:
    """The offline interviewer runs here: which Gemini model is configured does not matter, so once."""
    return LIVE_MODELS[0]


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("PREPPAL_INTERVIEWER", "offline")
    reset_settings()


class Mic:
    """The browser's microphone: 20 ms frames in real time, silence unless the candidate speaks
    (the offline interviewer listens on this clock: without it the greeting would never end)."""

    def __init__(self, candidate) -> None:
        self._candidate = candidate
        self._speech = b""
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            frame, self._speech = self._speech[:FRAME], self._speech[FRAME:]
            await self._candidate.send_audio(frame.ljust(FRAME, b"\0"))
            await asyncio.sleep(0.02)

    async def say(self, text: str, language: str) -> None:
        """Speak ``text``; returns when it has been sent. The silence after it outlasts the
        end-of-turn cap, so the turn ends whatever the end-of-turn model makes of espeak's voice."""
        tail_s = TurnRules().cap_silence_ms / 1000 + 0.5
        self._speech = await asyncio.to_thread(speech_pcm, text, tail_s=tail_s, language=language)
        while self._speech:
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


def ai_finals(candidate) -> list[str]:
    return [t.text for t in candidate.of("transcript_update") if t.is_final and t.speaker == "AI"]


@pytest.mark.parametrize(
    ("language", "answer", "in_language"),
    [
        ("es-US", "Trabajo con Python.", lambda text: bool(re.search(r"[a-záéíóúñ]", text.lower()))),
        ("ja-JP", "パイソンで しごとを しています。", lambda text: bool(KANA_OR_KANJI.search(text))),
    ],
)
async def test_a_whole_offline_interview_in_the_language(relay_env, offline, language, answer, in_language):
    pack = load_pack(language)
    iid = relay_env.new_interview(language=language, interview_type="behavioural", difficulty="warmup")
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    ready = (await candidate.wait_kind("session_ready", timeout=90))[0]
    assert ready.interviewer == "offline"
    mic = Mic(candidate)
    try:
        greeting = (await candidate.wait_for(lambda: ai_finals(candidate), timeout=90))[0]
        opening = pack.phrases["opening"]["warmup"].split("{name}")[0]  # "Hola" / "こんにちは"
        assert greeting.startswith(opening), greeting
        await asyncio.sleep(2)  # the greeting's last second plays out

        await mic.say(answer, language)  # a short answer: the interviewer follows up (an example, mostly)
        await candidate.wait_for(lambda: len(ai_finals(candidate)) >= 2, timeout=60)
        follow_up = ai_finals(candidate)[1]
        lines = [line for rule in pack.followups.values() if isinstance(rule, list) for line in rule]
        starts = [line.split("{")[0] for line in lines if len(line.split("{")[0]) >= 4]  # before any placeholder
        assert any(start in follow_up for start in starts), follow_up
    finally:
        await mic.stop()

    await candidate.end()
    assert await candidate.wait_closed(timeout=20) == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.interviewer, done.language) == (InterviewStatus.COMPLETED, "offline", language)
    rows = transcripts.get_transcript(iid)
    said = [r.text for r in rows if r.speaker.value == "USER"]
    assert [r.text for r in rows if r.speaker.value == "AI"] == [greeting, follow_up]
    assert said and all(in_language(text) for text in said), said  # heard in the language, not in English


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
async def test_a_missing_or_damaged_multilingual_model_leaves_the_interview_pending(
    relay_env, offline, monkeypatch, tmp_path: Path, damage
):
    folder = tmp_path / "whisper-base"
    if damage == "corrupt":
        folder.mkdir()
        for name in whisper_models.BASE.pinned:
            (folder / name).symlink_to(whisper_models.base_dir() / name)
        (folder / "model.bin").unlink()
        (folder / "model.bin").write_bytes(b"\0" * 4096)
    monkeypatch.setattr(whisper_models, "base_dir", lambda: folder)
    monkeypatch.setattr(engines_module, "_cache", {})  # nothing loaded yet in this process
    monkeypatch.setattr(engines_module, "_transcribers", {})
    iid = relay_env.new_interview(language="fr-FR")
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    assert await candidate.wait_closed(timeout=60) == 4002
    [error] = candidate.of("error")
    expected = "is not installed" if damage == "missing" else "does not match the pinned base model"
    assert expected in error.message and "./scripts/run.sh" in error.message, error.message
    assert "Traceback" not in error.message
    assert not candidate.of("session_ready") and not candidate.of("audio_response")
    interview = lifecycle.get_interview_any(iid)
    assert interview.status == InterviewStatus.PENDING and not interview.error_message  # can be held once repaired
