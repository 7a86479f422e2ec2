"""The audio metrics job reads what the recorder wrote: a recording made by the real writer
(on the interview clock, Opus/Ogg, in the store the settings describe) is what the delivery
metrics are measured from — with the pause where the recording has it."""

from __future__ import annotations

import numpy as np
import pytest

from preppal.models import FeedbackStatus, InterviewStatus, Speaker
from preppal.services.accounts import auth
from preppal.services.analysis import speech_delivery
from preppal.services.feedback import produce
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.services.recordings.writer import RecordingWriter
from preppal.settings import get_settings

RATE = 16_000
LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a project you are proud of?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "Um, I led the billing migration. We cut the close to one day.", 4_000, 10_000),
]


def _record(interview_id: str, candidate: np.ndarray) -> None:
    """Feed the candidate's audio frame by frame, as the relay would, from t=0."""
    clock = [0.0]
    writer = RecordingWriter(
        open_store(get_settings()), interview_id, origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0]
    )
    writer.start()
    pcm = (np.clip(candidate, -1, 1) * 32767).astype("<i2").tobytes()
    for i in range(0, len(pcm), 1_280):
        clock[0] += 0.04
        writer.candidate(pcm[i : i + 1_280])
    clock[0] += 0.5
    assert writer.close().complete


def test_has_recording_follows_the_store(db) -> None:
    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview_id = lifecycle.create_interview(owner, interview_type="behavioural", role="Backend").id
    store = open_store(get_settings())
    assert not speech_delivery.has_recording(store, interview_id)
    assert speech_delivery.recorded_tracks(store, interview_id) is None
    _record(interview_id, np.zeros(RATE, np.float32))
    assert speech_delivery.has_recording(store, interview_id)
    tracks = speech_delivery.recorded_tracks(store, interview_id)
    assert tracks is not None and abs(len(tracks.candidate) / RATE - 1.5) < 0.05
    assert tracks.interviewer is not None and len(tracks.interviewer) == len(tracks.candidate)


@pytest.mark.model
def test_the_job_measures_the_recorded_call(db) -> None:
    from preppal.live.offline.audio import pcm_to_float
    from tests.support.speech import speech_pcm

    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview = lifecycle.create_interview(owner, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, list(LINES))
    answer = pcm_to_float(speech_pcm("Um, I led the billing migration.", lead_s=0, tail_s=0, wpm=150))
    rest = pcm_to_float(speech_pcm("We cut the close to one day.", lead_s=0, tail_s=0, wpm=150))
    pause = np.zeros(24_000, np.float32)  # 1.5 s
    candidate = np.concatenate([np.zeros(64_000, np.float32), answer, pause, rest])
    _record(interview.id, candidate)

    row = produce.run_feedback(interview.id, open_store(get_settings()), isolate_analysis=False)  # the store's audio
    assert row.status == FeedbackStatus.READY
    assert row.metrics["source"] == "audio"
    pauses = row.metrics["timeline"]["pauses"]
    assert len(pauses) == 1 and abs(pauses[0]["end_ms"] - pauses[0]["start_ms"] - 1_500) < 150  # ±150 ms target
    expected_start_ms = (64_000 + len(answer)) * 1000 // RATE  # where the writer put it
    assert abs(pauses[0]["start_ms"] - expected_start_ms) < 150
