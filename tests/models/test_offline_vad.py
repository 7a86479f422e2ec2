"""Turn-taking: streaming Silero VAD and the turn detector built on it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import faster_whisper
import numpy as np
import pytest
from faster_whisper.vad import SileroVADModel

from preppal.live.offline.audio import pcm_to_float
from preppal.live.offline.vad import (
    WINDOW,
    WINDOW_MS,
    Chunk,
    EarlyLook,
    PauseCheck,
    SpeechConfirmed,
    SpeechResumed,
    SpeechStarted,
    StreamingVad,
    TurnDetector,
    TurnRules,
    UtteranceDropped,
    load_vad_session,
)
from tests.support.speech import speech_pcm

SILERO = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"


def run(detector: TurnDetector, probs: list[float]) -> list[tuple[int, object]]:
    """Feed one window per probability; windows carry their index so chunks can be checked."""
    out = []
    for i, p in enumerate(probs):
        for event in detector.push(np.full(WINDOW, i, dtype=np.float32), p):
            out.append((i, event))
    return out


def windows(ms: int) -> int:
    return ms // WINDOW_MS


def test_turn_ends_after_700_ms_of_silence_not_before() -> None:
    probs = [0.0] * 20 + [0.9] * windows(2000) + [0.1] * windows(650)
    events = run(TurnDetector(), probs)
    assert not any(isinstance(e, Chunk) and e.final for _, e in events)
    events = run(TurnDetector(), probs + [0.1] * 3)
    finals = [(i, e) for i, e in events if isinstance(e, Chunk) and e.final]
    assert len(finals) == 1
    index, _ = finals[0]
    assert (index - (20 + windows(2000)) + 1) * WINDOW_MS >= 700


def test_pre_roll_of_400_ms_is_kept_before_speech_start() -> None:
    detector = TurnDetector()
    probs = [0.0] * 30 + [0.9] * windows(1500) + [0.0] * windows(800)
    events = run(detector, probs)
    assert isinstance(events[0][1], SpeechStarted)
    chunks = [e for _, e in events if isinstance(e, Chunk)]
    first_window = int(chunks[0].audio[0])  # window index of the chunk's first sample
    speech_start = 30
    assert (speech_start - first_window) * WINDOW_MS >= 350


def test_short_pauses_cut_chunks_early_and_the_utterance_is_one_turn() -> None:
    speech = [0.9] * windows(1500)
    pause = [0.1] * windows(400)
    events = run(TurnDetector(), [0.0] * 5 + speech + pause + speech + [0.0] * windows(800))
    chunks = [e for _, e in events if isinstance(e, Chunk)]
    # Each pause long enough cuts a chunk for early decoding; the end of turn then finds only
    # silence left, so nothing remains to decode when the turn ends.
    assert [(c.final, c.voiced) for c in chunks] == [(False, True), (False, True), (True, False)]
    assert sum(isinstance(e, SpeechStarted) for _, e in events) == 1
    # Chunks are contiguous: together they hold every window from the pre-roll to the end.
    joined = np.concatenate([c.audio for c in chunks])[::WINDOW].astype(int)
    assert list(joined) == list(range(joined[0], joined[-1] + 1))


def test_blips_are_dropped_and_confirmation_needs_sustained_speech() -> None:
    events = run(TurnDetector(), [0.0] * 5 + [0.9] * 4 + [0.0] * windows(800))
    kinds = [type(e) for _, e in events]
    assert kinds == [SpeechStarted, UtteranceDropped]
    events = run(TurnDetector(), [0.0] * 5 + [0.9] * windows(300) + [0.0] * windows(800))
    assert SpeechConfirmed in [type(e) for _, e in events]


def test_streaming_vad_matches_silero_run_over_the_whole_clip() -> None:
    """Carrying state and context across windows must give what Silero gives in one batch."""
    audio = pcm_to_float(speech_pcm("Tell me about a project you are proud of.", lead_s=0.5, tail_s=0.5))
    audio = audio[: audio.size // WINDOW * WINDOW]
    batch = SileroVADModel(str(SILERO))(audio).reshape(-1)
    vad = StreamingVad(load_vad_session())
    streamed = []
    rng = np.random.default_rng(0)
    at = 0
    while at < audio.size:  # irregular frame sizes, as a browser may send
        step = int(rng.integers(100, 900))
        streamed += [p for _, p in vad.push(audio[at : at + step])]
        at += step
    assert len(streamed) == batch.size
    assert np.allclose(streamed, batch, atol=1e-4)
    assert max(streamed) > 0.8 and streamed[0] < 0.2  # it hears the voice, not the lead silence


@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_vad_ignores_silence_and_noise(noise: float) -> None:
    vad = StreamingVad(load_vad_session())
    audio = np.random.default_rng(1).normal(0, noise, 16_000 * 3).astype(np.float32)
    detector = TurnDetector()
    events = [e for w, p in vad.push(audio) for e in detector.push(w, p)]
    assert events == []


def test_no_early_chunk_while_a_transcription_is_still_running() -> None:
    speech = [0.9] * windows(1500)
    pause = [0.1] * windows(400)
    detector = TurnDetector()
    detector.hold_cuts = True  # the owner's decoder is busy
    events = run(detector, [0.0] * 5 + speech + pause + speech + [0.0] * windows(800))
    chunks = [e for _, e in events if isinstance(e, Chunk)]
    assert [(c.final, c.voiced) for c in chunks] == [(True, True)]  # everything in the final chunk


def test_an_early_look_at_the_chunk_comes_before_its_cut_and_the_cut_adds_only_silence() -> None:
    speech = [0.9] * windows(1500)
    short_gap = [0.1] * windows(160)  # a look, but the candidate goes on before the cut
    pause = [0.1] * windows(400)
    events = run(TurnDetector(), [0.0] * 5 + speech + short_gap + speech + pause + [0.9] * 5)
    looks = [(i, e) for i, e in events if isinstance(e, EarlyLook)]
    cuts = [(i, e) for i, e in events if isinstance(e, Chunk)]
    assert len(looks) == 2 and len(cuts) == 1  # one look per pause; only the long pause cut
    (look_at, look), (cut_at, cut) = looks[1], cuts[0]
    # Silence counts in 32 ms windows: the look at the 3rd (96 ms), the cut at the 7th (224 ms ≥ 200).
    assert (cut_at - look_at) * WINDOW_MS == 128
    assert look.pause == cut.pause
    assert np.array_equal(cut.audio[: look.audio.size], look.audio)  # the same audio, then ...
    silent_from = 5 + 2 * windows(1500) + windows(160)
    assert set(cut.audio[look.audio.size :: WINDOW].astype(int)) <= set(range(silent_from, cut_at + 1))  # ... silence


def test_no_early_look_while_a_transcription_is_still_running_or_when_switched_off() -> None:
    probs = [0.0] * 5 + [0.9] * windows(1500) + [0.1] * windows(400) + [0.9] * 5
    detector = TurnDetector()
    detector.hold_cuts = True
    assert not any(isinstance(e, EarlyLook) for _, e in run(detector, probs))
    off = TurnDetector(replace(TurnRules(), early_look_ms=TurnRules().cut_silence_ms))
    events = run(off, probs)
    assert not any(isinstance(e, EarlyLook) for _, e in events) and any(isinstance(e, Chunk) for _, e in events)


# --- semantic end of turn (the detector's side; the model itself: test_offline_smart_turn.py) ---
def semantic_run(detector: TurnDetector, probs: list[float], start: int = 0) -> list[tuple[int, object]]:
    out = []
    for i, p in enumerate(probs, start):
        for event in detector.push(np.full(WINDOW, i, dtype=np.float32), p):
            out.append((i, event))
    return out


def test_a_pause_is_checked_and_a_complete_verdict_ends_the_turn_at_once() -> None:
    detector = TurnDetector(semantic=True)
    speech = [0.0] * 5 + [0.9] * windows(2000)
    events = semantic_run(detector, speech + [0.1] * windows(300))
    checks = [(i, e) for i, e in events if isinstance(e, PauseCheck)]
    assert len(checks) == 1
    index, check = checks[0]
    assert (index - len(speech) + 1) * WINDOW_MS >= 200  # asked after ≈ 200 ms of silence
    assert int(check.audio[-1]) == index  # the model hears the audio up to now
    assert not any(isinstance(e, Chunk) and e.final for _, e in events)
    ended = detector.end_turn(check.pause)
    assert len(ended) == 1 and isinstance(ended[0], Chunk) and ended[0].final
    assert ended[0].spoken_ms >= 2000 - WINDOW_MS and ended[0].trailing_ms > 0
    assert not detector.in_speech


def test_the_cap_ends_the_turn_when_the_model_never_says_complete() -> None:
    detector = TurnDetector(semantic=True)
    speech = [0.0] * 5 + [0.9] * windows(2000)
    before_cap = semantic_run(detector, speech + [0.1] * windows(1950))
    assert not any(isinstance(e, Chunk) and e.final for _, e in before_cap)  # 700 ms no longer ends it
    checks = [e for _, e in before_cap if isinstance(e, PauseCheck)]
    assert len(checks) >= 4  # asked again while the pause lasts
    events = semantic_run(detector, [0.1] * 3, start=len(speech) + windows(1950))
    finals = [(i, e) for i, e in events if isinstance(e, Chunk) and e.final]
    assert len(finals) == 1
    index, final = finals[0]
    assert (index - len(speech) + 1) * WINDOW_MS >= 2000
    # The speech went out in an early chunk at the first pause; the final holds only silence.
    assert not final.voiced and final.trailing_ms == final.audio.size * 1000 // 16_000


def test_a_verdict_for_a_pause_the_candidate_ended_is_ignored() -> None:
    detector = TurnDetector(semantic=True)
    speech = [0.0] * 5 + [0.9] * windows(2000)
    events = semantic_run(detector, speech + [0.1] * windows(300) + [0.9] * windows(500))
    check = next(e for _, e in events if isinstance(e, PauseCheck))
    assert any(isinstance(e, SpeechResumed) for _, e in events)  # speculative work is void
    assert detector.end_turn(check.pause) == []  # too late: the candidate went on
    assert detector.in_speech
    # The next pause is a new one, with its own check that can end the turn.
    events = semantic_run(detector, [0.1] * windows(300))
    recheck = next(e for _, e in events if isinstance(e, PauseCheck))
    assert recheck.pause != check.pause and detector.end_turn(recheck.pause)


def test_a_short_hesitation_that_was_not_checked_is_not_a_resumption() -> None:
    detector = TurnDetector(semantic=True)
    events = semantic_run(detector, [0.0] * 5 + [0.9] * windows(1000) + [0.1] * 3 + [0.9] * windows(500))
    assert not any(isinstance(e, PauseCheck | SpeechResumed) for _, e in events)
