"""The recording writer: audio lands on the interview clock, in playable Opus/Ogg files.

A controllable clock stands in for ``time.monotonic`` so arrival times are exact; the
encoder, the Ogg muxer and the decoder are the real PyAV/libopus ones."""

from __future__ import annotations

import json

import numpy as np
import pytest

from preppal.services.recordings import tracks
from preppal.services.recordings.store import LocalStore
from preppal.services.recordings.writer import Lane, RecordingWriter

RATE = 16_000


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def pcm(x: np.ndarray) -> bytes:
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def tone(seconds: float, rate: int, hz: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return amp * np.sin(2 * np.pi * hz * t)


def click_frame(n: int = 640) -> np.ndarray:
    x = np.zeros(n)
    x[:8] = 0.9
    return x


def energy(x: np.ndarray, rate: int, start_s: float, end_s: float) -> float:
    seg = x[int(start_s * rate) : int(end_s * rate)]
    return float(np.sqrt(np.mean(seg**2))) if len(seg) else 0.0


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "recordings")


def test_lane_places_pads_truncates_and_takes() -> None:
    lane = Lane(10)
    lane.place(5, np.ones(3, np.float32))
    assert lane.end == 8
    lane.truncate(6)
    assert lane.end == 6
    out = lane.take(10)
    assert out.tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    lane.place(2, np.full(12, 2.0, np.float32))  # partly before the cursor: only the rest is kept
    assert lane.take(14).tolist() == [2.0, 2.0, 2.0, 2.0]


def test_voices_land_on_the_interview_clock(store) -> None:
    clock = Clock()
    writer = RecordingWriter(store, "iv-1", origin=0.0, interviewer_rate=24_000, clock=clock)
    writer.start()
    clock.t = 0.5
    writer.interviewer(pcm(tone(0.3, 24_000)), 24_000)  # the greeting, sent ahead of time
    clock.t = 1.0
    writer.candidate(pcm(click_frame()))  # a 40 ms frame arriving at 1.0 s began at 0.96 s
    for i in range(1, 10):  # then 360 ms of silence, frame by frame (no gap)
        clock.t = 1.0 + 0.04 * i
        writer.candidate(pcm(np.zeros(640)))
    clock.t = 2.0
    writer.interviewer(pcm(tone(2.0, 24_000, 300)), 24_000)  # a 2 s answer arrives at once...
    clock.t = 2.5
    writer.interrupted()  # ...and the candidate barges in after 0.5 s of it
    clock.t = 2.6
    result = writer.close()
    assert result.complete and result.dropped == 0

    cand = tracks.read_track_pcm(store, "iv-1", "candidate")
    ai = tracks.read_track_pcm(store, "iv-1", "interviewer")
    assert cand is not None and ai is not None
    # Both voices run to the end of the call (closed at 2.6 s).
    assert abs(len(cand) / RATE - 2.6) < 0.03 and abs(len(ai) / RATE - 2.6) < 0.03
    assert abs(np.argmax(np.abs(cand)) / RATE - 0.96) < 0.003  # sample 0 is t=0
    assert energy(ai, RATE, 0.52, 0.78) > 0.2 and energy(ai, RATE, 0.85, 1.95) < 0.01
    assert energy(ai, RATE, 2.05, 2.45) > 0.2
    assert energy(ai, RATE, 2.52, 2.6) < 0.02  # the barged-in remainder was never "played"

    mixed = tracks.decode_ogg(store.read_all("iv-1", "mix.ogg"), RATE)
    assert abs(len(mixed) / RATE - 2.6) < 0.03
    assert energy(mixed, RATE, 0.52, 0.78) > 0.2  # the interviewer...
    window = mixed[int(0.9 * RATE) : int(1.1 * RATE)]
    assert abs((np.argmax(np.abs(window)) / RATE + 0.9) - 0.96) < 0.005  # ...and the candidate

    meta = json.loads(store.read_all("iv-1", "recording.json"))
    assert abs(meta["duration_ms"] - 2600) < 30
    assert tracks.has_track(store, "iv-1", "candidate") and not tracks.has_track(store, "iv-0", "candidate")
    info = tracks.recording_info(store, "iv-1")
    assert info is not None and info.duration_ms == meta["duration_ms"] and info.size > 0


def test_a_candidate_who_drops_out_leaves_silence(store) -> None:
    clock = Clock()
    writer = RecordingWriter(store, "iv-2", origin=10.0, interviewer_rate=24_000, clock=clock)
    writer.start()
    for i in range(25):  # 1 s of speech-like tone from t=0
        clock.t = 10.0 + 0.04 * (i + 1)
        writer.candidate(pcm(tone(0.04, RATE, 200)))
    clock.t = 13.04  # back after 2 s away
    writer.candidate(pcm(click_frame()))
    writer.close()
    cand = tracks.read_track_pcm(store, "iv-2", "candidate")
    assert energy(cand, RATE, 0.05, 0.95) > 0.2
    assert energy(cand, RATE, 1.05, 2.95) < 0.01
    assert abs(np.argmax(np.abs(cand[int(2.5 * RATE) :])) / RATE + 2.5 - 3.0) < 0.003


def test_a_full_queue_drops_recording_audio_and_never_blocks(store) -> None:
    writer = RecordingWriter(store, "iv-3", origin=0.0, interviewer_rate=24_000, max_queue=5)
    # not started: nothing drains the queue
    for _ in range(20):
        writer.candidate(b"\x00\x00" * 640)
    assert writer.dropped == 15


def test_no_recording_reads_as_none(store) -> None:
    assert tracks.read_track_pcm(store, "nobody", "candidate") is None
    assert tracks.recording_info(store, "nobody") is None
    with pytest.raises(ValueError):
        tracks.read_track_pcm(store, "nobody", "mix")  # type: ignore[arg-type]


async def test_read_track_pcm_refuses_the_event_loop(store) -> None:
    with pytest.raises(RuntimeError, match="thread"):
        tracks.read_track_pcm(store, "iv-1", "candidate")
