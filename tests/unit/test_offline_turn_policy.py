"""When a pause ends the turn: the model's verdict, the words so far, and how much was said."""

from __future__ import annotations

import numpy as np
import pytest

from preppal.live.offline.turn_policy import (
    EndOfTurn,
    PauseEvidence,
    TurnPolicy,
    ends_sentence,
    ends_turn,
    hands_back,
    trails_off,
)
from preppal.live.offline.vad import WINDOW, Chunk, PauseCheck, TurnDetector, TurnRules, TurnStats

POLICY = TurnPolicy()
LONG = 5000  # ms of speech: a real answer so far
SHORT = 1500


@pytest.mark.parametrize(
    "text",
    [
        "First I profiled the query and...",
        "We cut the hosting cost by.",
        "I think the main reason was,",
        "so I talked to the",
        "And then, um",
        "",
    ],
)
def test_words_that_stop_mid_sentence_trail_off(text: str) -> None:
    assert trails_off(text) and not ends_sentence(text)


@pytest.mark.parametrize(
    "text",
    [
        "We finished two weeks early.",
        "It loaded in one second instead of eight!",
        "Does that answer it?",
        "That is the project I am most proud of.",  # English ends on a preposition often enough
        "I think so.",
    ],
)
def test_finished_sentences(text: str) -> None:
    assert ends_sentence(text) and not trails_off(text)


@pytest.mark.parametrize(
    "text", ["Could you repeat the question, please?", "Sorry, I don't know.", "Can we skip this one?", "Pardon?"]
)
def test_questions_and_requests_hand_the_turn_back(text: str) -> None:
    assert hands_back(text)


def test_a_statement_does_not_hand_the_turn_back() -> None:
    assert not hands_back("My manager and I disagreed.")


def test_the_voice_alone_ends_a_long_answer() -> None:
    assert ends_turn(PauseEvidence(1, LONG, probability=0.9), POLICY)
    assert not ends_turn(PauseEvidence(1, LONG, probability=0.3), POLICY)
    assert not ends_turn(PauseEvidence(1, LONG), POLICY)  # no verdict yet, no words: wait


def test_words_that_trail_off_veto_a_confident_voice() -> None:
    assert not ends_turn(
        PauseEvidence(1, LONG, probability=0.97, text="In the end we cut the hosting cost by."), POLICY
    )


def test_words_alone_never_end_a_turn_by_default() -> None:
    finished = "We finished the project two weeks early and under budget."
    assert not ends_turn(PauseEvidence(1, LONG, probability=0.2, text=finished), POLICY)
    assert not ends_turn(PauseEvidence(1, LONG, text=finished), POLICY)


def _judged(text: str, text_p: float, voice_p: float | None = 0.3) -> PauseEvidence:
    return PauseEvidence(1, LONG, probability=voice_p, text=text, text_probability=text_p)


def test_words_the_judge_hears_hanging_veto_a_confident_voice() -> None:
    """ "…the hardest part was [pause]": the voice sounds done, the words are not."""
    assert not ends_turn(_judged("We moved to Kubernetes. The hardest part was.", 0.01, voice_p=0.97), POLICY)


def test_words_the_judge_hears_finished_end_the_answer_unless_the_voice_is_sure_it_goes_on() -> None:
    finished = "We finished the project two weeks early and under budget."
    assert ends_turn(_judged(finished, 0.6, voice_p=0.2), POLICY)  # a level read ending: still done
    assert not ends_turn(_judged(finished, 0.6, voice_p=0.03), POLICY)  # continuation pitch: wait
    assert not ends_turn(_judged(finished, 0.6, voice_p=None), POLICY)  # no voice verdict yet


def test_words_in_between_leave_it_to_the_voice() -> None:
    clause = "At my last job the release process was slow."
    assert not ends_turn(_judged(clause, 0.2, voice_p=0.4), POLICY)
    assert ends_turn(_judged(clause, 0.2, voice_p=0.6), POLICY)


def test_whisper_writing_a_comma_or_an_ellipsis_vetoes_whatever_the_judge_says() -> None:
    assert not ends_turn(_judged("I split the tests into groups,", 0.5, voice_p=0.9), POLICY)
    assert not ends_turn(_judged("And then we...", 0.5, voice_p=0.9), POLICY)


def test_without_the_judge_the_word_list_stands_in() -> None:
    hangs = PauseEvidence(1, LONG, probability=0.97, text="In the end we cut the hosting cost by.")
    assert not ends_turn(hangs, POLICY)
    # the list cannot know every word a sentence hangs on: the voice then decides alone
    assert ends_turn(PauseEvidence(1, LONG, probability=0.97, text="When I joined, the first thing I did was."), POLICY)


def test_patience_raises_every_bar() -> None:
    patient = POLICY.scaled(1.5)
    assert patient.complete > POLICY.complete and patient.finished > POLICY.finished
    assert patient.unfinished > POLICY.unfinished and patient.voice_floor > POLICY.voice_floor
    assert ends_turn(_judged("In the end we shipped it in May.", 0.4), POLICY)
    assert not ends_turn(_judged("In the end we shipped it in May.", 0.4), patient)
    assert POLICY.scaled(10).complete < 1  # never out of reach


def test_a_short_answer_waits_even_when_the_voice_says_finished() -> None:
    """ "My manager and I disagreed, [1 s] but…": the model hears a finished clause (p ≈ 0.95)."""
    assert not ends_turn(PauseEvidence(1, SHORT, probability=0.95, text="My manager and I disagreed."), POLICY)
    assert not ends_turn(PauseEvidence(1, SHORT, probability=0.95), POLICY)


def test_an_answer_is_short_by_its_words_once_they_are_in() -> None:
    """Before the words: by its speech time; after: by its word count (a slow speaker is not short)."""
    slow = "I would use a queue because the writes are bursty."  # 10 words in 2.8 s
    assert ends_turn(PauseEvidence(1, 2800, probability=0.9, text=slow), POLICY)
    assert not ends_turn(PauseEvidence(1, 2800, probability=0.9), POLICY)  # wait for the words
    assert not ends_turn(PauseEvidence(1, LONG, probability=0.9, text="We split the service into two parts."), POLICY)


def test_a_short_request_ends_the_turn_as_soon_as_its_words_are_in() -> None:
    assert ends_turn(PauseEvidence(1, SHORT, probability=0.05, text="Could you repeat the question?"), POLICY)
    assert ends_turn(PauseEvidence(1, SHORT, text="I don't know."), POLICY)


# --- EndOfTurn over a real TurnDetector ---------------------------------------------------------


def _pausing_detector(spoken_ms: int, silent_ms: int = 256) -> tuple[TurnDetector, list]:
    detector = TurnDetector(TurnRules(), semantic=True)
    events: list = []
    window = np.zeros(WINDOW, dtype=np.float32)
    for _ in range(spoken_ms // 32):
        events += detector.push(window, 0.9)
    for _ in range(silent_ms // 32):
        events += detector.push(window, 0.05)
    assert detector.pausing
    return detector, events


def _first_check(events: list) -> PauseCheck:
    return next(e for e in events if isinstance(e, PauseCheck))


def test_a_quick_answer_heard_as_finished_ends_when_its_words_show_it_is_not_short() -> None:
    detector, events = _pausing_detector(2800)  # less than 3 s of speech: maybe a single clause
    ended: list = []
    stats = TurnStats()
    judge = EndOfTurn(detector, ended.extend, stats)
    check = _first_check(events)
    judge.verdict(check, 0.9)
    assert not ended  # the voice alone is not enough for so little speech
    judge.words(check.pause, "I would use a queue because the writes are bursty.", detector.voiced_ms)
    assert [e for e in ended if isinstance(e, Chunk) and e.final] and not detector.in_speech
    assert stats.complete == 1 and stats.by_words == 1


def test_evidence_about_a_pause_the_candidate_spoke_through_is_ignored() -> None:
    detector, events = _pausing_detector(LONG)
    ended: list = []
    judge = EndOfTurn(detector, ended.extend, TurnStats())
    check = _first_check(events)
    detector.push(np.zeros(WINDOW, dtype=np.float32), 0.9)  # the candidate goes on
    judge.verdict(check, 0.99)
    judge.words(check.pause, "We finished the project two weeks early and under budget.", LONG)
    assert not ended and detector.in_speech


def test_a_short_answer_is_transcribed_at_its_first_pause() -> None:
    """So that "Could you repeat that?" can end the turn when its words are in, not at the cap."""
    spoken = 640  # "Pardon?": less than an early chunk of a long answer needs (1 s)
    _detector, events = _pausing_detector(spoken)
    early = [e for e in events if isinstance(e, Chunk) and not e.final]
    assert len(early) == 1 and early[0].pause == _first_check(events).pause
    assert _first_check(events).voiced_ms >= spoken - 32


def test_a_long_answer_still_needs_a_second_of_speech_per_early_chunk() -> None:
    detector, events = _pausing_detector(LONG)
    window = np.zeros(WINDOW, dtype=np.float32)
    for _ in range(20):  # 640 ms more speech, then a pause
        events += detector.push(window, 0.9)
    for _ in range(10):
        events += detector.push(window, 0.05)
    assert len([e for e in events if isinstance(e, Chunk) and not e.final]) == 1


def test_a_short_answer_is_transcribed_at_every_pause() -> None:
    """ "Could you repeat the question, [250 ms] please?": the words after the comma decide too."""
    detector, events = _pausing_detector(1600)  # "Could you repeat the question,"
    window = np.zeros(WINDOW, dtype=np.float32)
    for _ in range(16):  # "please?" (512 ms), then a pause
        events += detector.push(window, 0.9)
    for _ in range(8):
        events += detector.push(window, 0.05)
    early = [e for e in events if isinstance(e, Chunk) and not e.final]
    assert len(early) == 2 and early[1].pause == detector.pause


def test_a_question_mark_on_words_that_hang_does_not_hand_the_turn_back() -> None:
    """Whisper heard "What I would change is, [pause]" as "What type of game gives?"."""
    assert not ends_turn(PauseEvidence(1, SHORT, 0.1, "What type of game gives?", text_probability=0.0), POLICY)
    assert ends_turn(PauseEvidence(1, SHORT, 0.1, "Can we skip this one?", text_probability=0.3), POLICY)
    assert ends_turn(PauseEvidence(1, SHORT, 0.1, "Sorry, I don't know.", text_probability=0.0), POLICY)  # a request


# --- dynamic endpointing: the bars fall as the pause grows ----------------------------------------


def test_the_ends_here_bars_stand_then_fall_to_their_floor_and_stay() -> None:
    p = POLICY
    assert p.fallen(0) == p.fallen(p.relax_from_ms) == 0.0
    assert p.fallen(p.relax_to_ms) == 1.0 == p.fallen(p.relax_to_ms + 5000)
    fallen = [p.fallen(ms) for ms in range(0, p.relax_to_ms + 200, 40)]
    assert fallen == sorted(fallen) and 0 < p.relaxed < p.voice_relaxed <= 1
    assert p.at(0) is p
    late = p.at(p.relax_to_ms)
    assert late.finished == pytest.approx(p.finished * p.relaxed)
    assert late.complete == pytest.approx(p.complete * p.voice_relaxed)
    halfway = p.at((p.relax_from_ms + p.relax_to_ms) // 2)
    assert late.finished < halfway.finished < p.finished and late.complete <= halfway.complete <= p.complete
    assert (late.unfinished, late.voice_floor) == (p.unfinished, p.voice_floor)  # the vetoes stand


def _after(silence_ms: int, text: str, text_p: float, voice_p: float | None = 0.3) -> PauseEvidence:
    return PauseEvidence(1, LONG, probability=voice_p, text=text, text_probability=text_p, silence_ms=silence_ms)


def test_a_finished_sentence_the_judge_scores_low_ends_after_a_longer_silence_not_at_the_cap() -> None:
    """ "He was not an ill-disposed young man." scored 0.24 with a level voice (0.3): it waited 2 s."""
    read = "He was not an ill-disposed young man."
    assert not ends_turn(_after(250, read, 0.15), POLICY)  # the first verdicts: the full bars
    assert ends_turn(_after(POLICY.relax_to_ms, read, 0.15), POLICY)
    assert not ends_turn(_after(POLICY.relax_to_ms, read, 0.15, voice_p=None), POLICY)  # no voice verdict yet


def test_the_voice_alone_needs_as_much_however_long_the_pause() -> None:
    """ "…I added an index, [1 s]": Whisper dropped the comma (text 0.053), the voice said 0.48."""
    clause = "The page was slow because of one query. I added an index."
    for silence in (250, POLICY.relax_to_ms, POLICY.relax_to_ms + 800):
        assert not ends_turn(_after(silence, clause, 0.053, voice_p=0.48), POLICY)
        assert ends_turn(_after(silence, clause, 0.053, voice_p=POLICY.complete), POLICY)
    relaxed = TurnPolicy(voice_relaxed=0.7)  # the knob the benchmark can turn (--voice-relaxed)
    assert ends_turn(_after(POLICY.relax_to_ms, clause, 0.053, voice_p=0.48), relaxed)


def test_the_vetoes_do_not_fall_with_the_silence() -> None:
    long = POLICY.relax_to_ms + 1000  # still short of the cap
    assert not ends_turn(_after(long, "We moved to Kubernetes. The hardest part was.", 0.01, voice_p=0.97), POLICY)
    assert not ends_turn(_after(long, "I split the tests into groups,", 0.5, voice_p=0.9), POLICY)
    assert not ends_turn(_after(long, "We finished the project two weeks early.", 0.6, voice_p=0.03), POLICY)
    assert not ends_turn(PauseEvidence(1, SHORT, 0.95, "My manager and I disagreed.", 0.5, silence_ms=long), POLICY)
    waiting = TurnPolicy(wait_for_words=True)
    assert not ends_turn(PauseEvidence(1, LONG, 0.95, silence_ms=long), waiting)  # no words yet: still wait


def test_patience_stretches_the_schedule() -> None:
    patient, quick = POLICY.scaled(1.3), POLICY.scaled(0.85)
    assert quick.relax_from_ms < POLICY.relax_from_ms < patient.relax_from_ms
    assert quick.relax_to_ms < POLICY.relax_to_ms < patient.relax_to_ms
    read = "He was not an ill-disposed young man."
    assert ends_turn(_after(POLICY.relax_to_ms, read, 0.15), POLICY)
    assert not ends_turn(_after(POLICY.relax_to_ms, read, 0.15), patient)


def test_evidence_already_in_ends_the_turn_when_the_pause_has_grown_enough() -> None:
    """No new verdict needed: each frame of silence weighs the evidence again (EndOfTurn.tick)."""
    detector, events = _pausing_detector(LONG)
    ended: list = []
    stats = TurnStats()
    judge = EndOfTurn(detector, ended.extend, stats)
    check = _first_check(events)
    judge.verdict(check, 0.3)
    judge.words(check.pause, "He was not an ill-disposed young man.", LONG, text_probability=0.15)
    assert not ended and detector.pausing
    window = np.zeros(WINDOW, dtype=np.float32)
    while detector.silence_ms < POLICY.relax_to_ms and not ended:
        assert not [e for e in detector.push(window, 0.05) if isinstance(e, Chunk) and e.final]
        judge.tick()
    assert [e for e in ended if isinstance(e, Chunk) and e.final] and not detector.in_speech
    assert stats.complete == stats.by_wait == 1 and stats.by_words == 0
    assert detector.silence_ms == 0  # the turn is over


def test_a_tick_without_evidence_or_after_the_candidate_went_on_ends_nothing() -> None:
    detector, _events = _pausing_detector(LONG)
    ended: list = []
    judge = EndOfTurn(detector, ended.extend, TurnStats())
    window = np.zeros(WINDOW, dtype=np.float32)
    for _ in range(POLICY.relax_to_ms // 32):
        detector.push(window, 0.05)
        judge.tick()  # nothing known about this pause yet
    assert not ended and detector.pausing


def test_after_a_long_silence_words_that_clearly_end_no_longer_wait_for_a_level_voice() -> None:
    """ "…and released it again the same day." (text 0.42) read with a level pitch (voice 0.02)."""
    done = "We found the bug and released it again the same day."
    assert not ends_turn(_after(POLICY.relax_to_ms - 40, done, POLICY.clear, voice_p=0.02), POLICY)
    assert ends_turn(_after(POLICY.relax_to_ms, done, POLICY.clear, voice_p=0.02), POLICY)
    assert not ends_turn(_after(POLICY.relax_to_ms + 500, done, POLICY.clear * 0.9, voice_p=0.02), POLICY)
    assert not ends_turn(_after(POLICY.relax_to_ms + 500, "We found the bug and,", 0.9, voice_p=0.02), POLICY)
