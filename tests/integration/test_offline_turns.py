"""Semantic turn-taking in the offline interviewer, end to end with the real models.

Audio is fed faster than real time (the backend listens on the stream clock); where a test
needs the end-of-turn model's verdict *during* a pause it stops feeding and waits, which
freezes the stream clock mid-pause, so the load on the machine cannot change the outcome.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from preppal.live.base import AIAudio, AITranscript, TurnComplete, UserTranscript
from preppal.live.offline import backend as backend_module
from preppal.live.offline import load_engines
from preppal.live.offline.audio import silence
from preppal.live.offline.engines import Engines
from preppal.live.offline.language_pack import load_pack
from preppal.live.offline.smart_turn import JUDGE
from preppal.live.offline.vad import TurnRules
from preppal.speech.stt import DECODER
from tests.integration.test_offline_backend import TAIL_S, Call, fuzzy_has, started
from tests.support.speech import feed, speech

pytestmark = pytest.mark.model
RULES = TurnRules()
PACK = load_pack()
PHRASES = PACK.phrases
ACKS = PHRASES["acknowledgements"]
FINISHED = "We finished the project two weeks early and saved about twenty thousand dollars in hosting costs."
UNFINISHED = "At my last job I wrote a deployment script, and"  # continuation intonation: not finished


async def until(predicate: Callable[[], bool], timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def settle(call: Call) -> None:
    """Wait for every end-of-turn question already asked to be answered."""
    await until(lambda: not call.backend.listener.judge.pending)


async def pause_short_of_the_cap(call: Call) -> None:
    """1.9 s of silence in 100 ms steps, each step's end-of-turn questions answered before the next."""
    for _ in range(RULES.cap_silence_ms // 100 - 1):
        await feed(call.backend, silence(0.1, 16_000))
        await settle(call)


async def past_the_opening(call: Call) -> None:
    await call.ai_turn(1)
    await feed(call.backend, silence(call.ai_turn_seconds(1) + 0.3, 16_000))


@contextlib.contextmanager
def held(executor: concurrent.futures.ThreadPoolExecutor) -> Iterator[threading.Event]:
    """Hold a one-thread executor (Whisper's DECODER, Smart Turn's JUDGE) until the event is set."""
    release = threading.Event()
    executor.submit(release.wait, 30)
    try:
        yield release
    finally:
        release.set()


def first_words_of_turn(call: Call, turn: int) -> str:
    done = 0
    for e in call.events:
        if isinstance(e, TurnComplete):
            done += 1
        elif isinstance(e, AITranscript) and done == turn - 1 and e.text.strip():
            return e.text.strip()
    return ""


def without_text_judge(monkeypatch) -> None:
    """The text model missing or damaged (load_text_model logged it and gave None)."""
    engines = dataclasses.replace(load_engines(), text_judge=None)
    monkeypatch.setattr(backend_module, "load_engines", lambda _model_dir=None, _language=None: engines)


async def test_without_the_text_judge_the_voice_ends_a_finished_answer_and_an_acknowledgement_covers_the_words(
    monkeypatch,
) -> None:
    without_text_judge(monkeypatch)
    call = await started(interview_id="semantic-finished")
    try:
        await past_the_opening(call)
        answer = await speech(FINISHED, tail_s=0.3)  # a 300 ms pause, then nothing yet
        opened = len(call.events)
        with held(DECODER) as release:  # the transcript is late (a loaded machine)
            await feed(call.backend, answer)
            await settle(call)
            assert call.backend.stats.complete == 1 and call.backend.stats.by_words == 0  # the model, not the cap
            assert call.backend.turn_ended_at is not None
            await call.wait_for(lambda evs: any(isinstance(e, AIAudio) for e in evs[opened:]))  # "I see." plays
            assert first_words_of_turn(call, 2) == ""  # ... captioned only once the answer is on screen
            release.set()
        reply = await call.ai_turn(2)
        assert first_words_of_turn(call, 2) in ACKS and reply.startswith(first_words_of_turn(call, 2)), reply
        assert len(reply) > 20, reply
        answer_done = next(i for i, e in enumerate(call.events) if isinstance(e, UserTranscript) and e.final)
        ack_caption = next(
            i for i, e in enumerate(call.events) if isinstance(e, AITranscript) and e.text.strip() in ACKS
        )
        assert answer_done < ack_caption  # the transcript reads: answer, then "I see. …"
        assert fuzzy_has(call.user_segments()[0], "project")
    finally:
        await call.backend.close()


async def test_the_pause_s_words_come_from_the_decode_started_before_the_cut() -> None:
    """The early look (vad.EarlyLook): Whisper starts on the chunk 96 ms into the pause, and that
    decode stands for the chunk cut at 200 ms; the transcript is the same as a decode at the cut."""
    call = await started(interview_id="semantic-early-look")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech(FINISHED, tail_s=0.3))
        await until(lambda: call.backend.turn_ended_at is not None)
        stats = call.backend.stats
        assert stats.early_used == 1 and stats.early_looks >= 1 and stats.by_words == 1
        await call.ai_turn(2)
        heard = call.user_segments()[0]
        assert fuzzy_has(heard, "project") and fuzzy_has(heard, "hosting"), heard
    finally:
        await call.backend.close()


async def test_speech_that_gave_no_words_is_decoded_again_with_the_next_chunk() -> None:
    """A chunk that was speech but gave no words goes to Whisper again, at the head of the next.
    "Thank you for watching." alone is one of Whisper's stock phrases and is dropped
    (stt._HALLUCINATIONS): with real models, the sure way to a chunk with no words."""
    call = await started(interview_id="semantic-unheard")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech("Thank you for watching.", tail_s=0.5))  # cut at the pause
        context = call.backend.listener._context
        await until(lambda: call.backend.listener.decoding == 0 and context.audio.size > 0)
        assert context.words == ""  # speech carried with no words yet
        assert call.backend.turn_ended_at is None  # no words, a short answer: the turn goes on
        await feed(call.backend, await speech("I led the payments team for two years.", lead_s=0.0, tail_s=TAIL_S))
        await call.ai_turn(2)
        (answer,) = call.user_segments()
        assert fuzzy_has(answer, "watching") and fuzzy_has(answer, "payments"), answer
        assert context.audio.size == 0  # the utterance is over: nothing is carried on
    finally:
        await call.backend.close()


async def test_a_chunk_is_decoded_after_the_speech_before_it_and_the_line_shows_the_newest_decode(
    monkeypatch,
) -> None:
    """ "We decided to [pause] move the billing jobs to a queue.": the chunk after the pause is
    decoded together with the one before it (listening.Context), and that decode revises the
    words the first put on the candidate's line."""
    decoded: list[np.ndarray] = []
    transcribe = Engines.transcribe

    def recorded(self, audio, prompt=""):
        decoded.append(audio.copy())
        return transcribe(self, audio, prompt)

    monkeypatch.setattr(Engines, "transcribe", recorded)
    call = await started(interview_id="semantic-context")
    try:
        await past_the_opening(call)
        first = await speech("We decided to", tail_s=0.6)  # a pause: cut and decoded
        await feed(call.backend, first)
        on_line = lambda: any(isinstance(e, UserTranscript) and e.text for e in call.events)  # noqa: E731
        await until(lambda: call.backend.listener.decoding == 0 and on_line())
        assert call.backend.turn_ended_at is None  # a sentence left hanging: the turn goes on
        rest = await speech("move the billing jobs to a queue.", lead_s=0.0, tail_s=TAIL_S)
        await feed(call.backend, rest)
        await call.ai_turn(2)
        first_chunk = decoded[0]  # the words before the pause
        later = [a for a in decoded[1:] if a.size > first_chunk.size]
        assert any(np.array_equal(a[: first_chunk.size], first_chunk) for a in later)  # decoded again, with the rest
        revisions = [e for e in call.events if isinstance(e, UserTranscript) and e.replaces]
        assert revisions, "the second decode should revise the first's words on the line"
        (answer,) = call.user_segments()
        assert fuzzy_has(answer, "decided") and fuzzy_has(answer, "billing"), answer
        assert answer.lower().count("decided") == 1, answer  # revised, not repeated
    finally:
        await call.backend.close()


async def test_with_the_text_judge_the_voice_waits_for_the_words() -> None:
    """Read mid-sentence pauses sounded finished to the voice model before the words came in."""
    call = await started(interview_id="semantic-waits")
    try:
        await past_the_opening(call)
        with held(DECODER) as release:  # the transcript is late
            await feed(call.backend, await speech(FINISHED, tail_s=0.3))
            await settle(call)
            assert call.backend.stats.checks >= 1 and call.backend.turn_ended_at is None
            release.set()
        await until(lambda: call.backend.turn_ended_at is not None)
        assert call.backend.stats.by_words == 1 and call.backend.stats.text_checks >= 1
        reply = await call.ai_turn(2)
        assert first_words_of_turn(call, 2) not in ACKS and len(reply) > 20, reply  # the reply itself, at once
    finally:
        await call.backend.close()


async def test_a_sentence_left_hanging_waits_though_the_voice_says_finished() -> None:
    """ "…and the hardest part was [pause]": the words veto; the answer goes on as one."""
    call = await started(interview_id="semantic-hanging")
    try:
        await past_the_opening(call)
        # no comma: espeak reads it with a falling, finished pitch
        await feed(
            call.backend,
            await speech("We moved the billing service to a new cloud and the hardest part was", tail_s=0.0),
        )
        await pause_short_of_the_cap(call)
        await until(lambda: call.backend.stats.text_checks >= 1)
        assert call.backend.turn_ended_at is None and call.backend.stats.complete == 0
        await feed(call.backend, await speech("moving the data without downtime.", lead_s=0.0, tail_s=TAIL_S))
        await call.ai_turn(2)
        (answer,) = call.user_segments()
        # Both halves in one turn; Whisper hears the second half's first word reliably, its
        # last ones less so on espeak ("data without downtime" came back "day that we've out down time").
        assert fuzzy_has(answer, "hardest") and fuzzy_has(answer, "moving"), answer
    finally:
        await call.backend.close()


async def test_when_the_words_are_in_as_the_turn_ends_the_reply_itself_comes_first() -> None:
    call = await started(interview_id="semantic-transcribed")
    try:
        await past_the_opening(call)
        with held(JUDGE) as release:  # the verdict is late; the transcript of the pause is not
            await feed(call.backend, await speech(FINISHED, tail_s=0.3))
            await call.wait_for(lambda evs: any(isinstance(e, UserTranscript) and e.text for e in evs))
            assert call.backend.turn_ended_at is None  # words alone do not end a turn: the voice must not object
            release.set()
            await settle(call)
        reply = await call.ai_turn(2)
        assert call.backend.stats.complete == 1 and call.backend.stats.acknowledgements == 0
        assert first_words_of_turn(call, 2) not in ACKS and len(reply) > 20, reply
    finally:
        await call.backend.close()


async def test_a_short_request_ends_the_turn_when_its_words_are_in() -> None:
    """ "Could you repeat the question?" is answered at once, not after the 2 s pause cap."""
    call = await started(interview_id="semantic-request")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech("Could you repeat the question, please?", tail_s=0.0))
        for _ in range(6):  # 0.6 s of pause, in steps, as the browser would send it (cap: 2 s)
            await until(lambda: call.backend._decoding == 0)  # (fed faster than real time)
            await feed(call.backend, silence(0.1, 16_000))
        reply = await call.ai_turn(2)  # no more audio: the stream clock stands 0.6 s into the pause
        assert call.backend.stats.by_words == 1
        assert reply.startswith(PHRASES["repeat_lead"]), reply
    finally:
        await call.backend.close()


async def test_a_short_answer_waits_for_the_cap_even_when_it_sounds_finished() -> None:
    """ "My manager and I disagreed, [1 s] but…": to an open question, one clause is a start."""
    call = await started(interview_id="semantic-short")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech("My manager and I disagreed.", tail_s=0.0))
        await pause_short_of_the_cap(call)
        assert call.backend.turn_ended_at is None and call.backend.stats.checks >= 4
        await feed(call.backend, silence(0.2, 16_000))  # the cap
        assert call.backend.turn_ended_at is not None and call.backend.stats.complete == 0
    finally:
        await call.backend.close()


async def test_the_cap_ends_a_turn_the_model_keeps_calling_unfinished() -> None:
    call = await started(interview_id="semantic-cap")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech(UNFINISHED, tail_s=0.0))
        await pause_short_of_the_cap(call)
        assert call.backend.turn_ended_at is None
        assert call.backend.stats.checks >= 4 and call.backend.stats.complete == 0
        await feed(call.backend, silence(0.2, 16_000))  # the cap
        assert call.backend.turn_ended_at is not None
        await call.ai_turn(2)
        assert fuzzy_has(call.user_segments()[0], "script")
    finally:
        await call.backend.close()


async def test_a_speculative_reply_is_dropped_when_the_candidate_goes_on_and_used_when_they_stop() -> None:
    call = await started(interview_id="semantic-speculation")
    stats = call.backend.stats
    try:
        await past_the_opening(call)
        # Pause mid-thought; the chunk so far is transcribed and a reply prepared during the pause.
        await feed(call.backend, await speech(UNFINISHED, tail_s=0.4))
        await until(lambda: stats.speculations >= 1)
        assert call.backend.turn_ended_at is None and sum(isinstance(e, TurnComplete) for e in call.events) == 1
        # ... but the candidate goes on: the prepared reply is thrown away, nothing was said.
        rest = await speech("then it deployed every change to production.", lead_s=0.0, tail_s=TAIL_S)
        await feed(call.backend, rest)
        await call.ai_turn(2)
        assert stats.dropped >= 1 and stats.used == 0
        answer = call.user_segments()[0]
        assert fuzzy_has(answer, "script") and fuzzy_has(answer, "production"), answer  # one answer, both parts

        # Next answer: the candidate stops at the pause, so the prepared reply is the one spoken.
        await feed(call.backend, silence(call.ai_turn_seconds(2) + 0.3, 16_000))
        made = stats.speculations
        await feed(call.backend, await speech("I also talked to every team about the new process, and", tail_s=0.4))
        await until(lambda: stats.speculations > made)
        await feed(call.backend, silence(RULES.cap_silence_ms / 1000, 16_000))
        await call.ai_turn(3)
        assert stats.used == 1
    finally:
        await call.backend.close()


async def test_without_the_model_the_silence_rule_decides(monkeypatch) -> None:
    """Model missing or damaged (load_smart_turn logged it and gave None): 700 ms of silence ends a turn."""
    engines = dataclasses.replace(load_engines(), smart_turn=None)
    monkeypatch.setattr(backend_module, "load_engines", lambda _model_dir=None, _language="en-US": engines)
    call = await started(interview_id="semantic-fallback")
    try:
        await past_the_opening(call)
        await feed(call.backend, await speech(UNFINISHED, tail_s=(RULES.end_silence_ms + 100) / 1000))
        assert call.backend.turn_ended_at is not None  # an unfinished thought, cut by the old rule
        await call.ai_turn(2)
        assert call.backend.stats.checks == 0
    finally:
        await call.backend.close()
