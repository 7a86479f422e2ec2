"""The same relay with the offline interviewer (no API key): the backend is swapped, the
relay's contract is not. Loads the speech models, hence ``slow``."""

from __future__ import annotations

import asyncio

import pytest

from preppal.models import InterviewStatus
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import lifecycle, scorecard_entries, transcripts
from preppal.settings import reset_settings

pytestmark = pytest.mark.model


@pytest.fixture
def offline(monkeypatch):
    from preppal.live.offline import ModelUnavailable, load_engines

    try:
        load_engines()
    except ModelUnavailable as exc:
        pytest.skip(f"offline speech models are not installed: {exc}")
    monkeypatch.setenv("PREPPAL_INTERVIEWER", "offline")
    reset_settings()


async def test_offline_interviewer_through_the_relay(relay_env, offline):
    iid = relay_env.new_interview()
    candidate = await relay_env.connect(iid, relay_env.token(iid))
    ready = (await candidate.wait_kind("session_ready", timeout=60))[0]
    assert ready.interviewer == "offline"
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.IN_PROGRESS
    # The interviewer greets and asks a first question: transcript + audio at its rate.
    await candidate.wait_for(lambda: candidate.finals(), timeout=30)
    audio = await candidate.wait_kind("audio_response", timeout=30)
    assert audio[0].sample_rate == ready.output_sample_rate and audio[0].audio_content
    for _ in range(25):  # half a second of silence from the candidate
        await candidate.send_audio(b"\x00\x00" * 320)
        await asyncio.sleep(0.02)
    await candidate.end()
    assert await candidate.wait_closed(timeout=15) == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]
    done = lifecycle.get_interview_any(iid)
    assert (done.status, done.interviewer) == (InterviewStatus.COMPLETED, "offline")
    rows = transcripts.get_transcript(iid)
    assert rows and rows[0].speaker.value == "AI" and rows[0].text == candidate.finals()[0]
    # The scorecard's first marker is stored with the question itself (not the greeting).
    marks = [e for e in scorecard_entries.list_entries(iid) if e.is_main_question]
    assert [m.number for m in marks] == [1] and marks[0].text and rows[0].text.endswith(marks[0].text)
    assert not rows[0].text.startswith(marks[0].text)
