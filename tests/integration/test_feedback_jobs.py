"""Post-call jobs: the ``preppal worker`` console script, two workers sharing one job table
(SQLite and PostgreSQL), the audio path of a job, and web processes leaving jobs to workers."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from preppal import tasks
from preppal.models import FeedbackStatus, InterviewStatus, Speaker
from preppal.services.accounts import auth
from preppal.services.analysis import speech_delivery
from preppal.services.feedback import produce, queue
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.interviews.transcripts import TranscriptLine
from preppal.services.recordings.store import open_store
from preppal.settings import get_settings, reset_settings

ROOT = Path(__file__).resolve().parents[2]
LINES = [
    TranscriptLine(1, Speaker.AI, "Tell me about a project you are proud of?", 0, 3_000),
    TranscriptLine(2, Speaker.USER, "Um, I led the billing migration and we cut the close to one day.", 4_000, 10_000),
]


def _completed(user_id: int) -> str:
    interview = lifecycle.create_interview(user_id, interview_type="behavioural", role="Backend engineer")
    lifecycle.update_status(interview.id, InterviewStatus.IN_PROGRESS)
    transcripts.submit_transcript(interview.id, list(LINES))
    return interview.id


def _preppal() -> list[str]:
    """The installed console script (pyproject [project.scripts]); scripts/test.sh installs it."""
    script = Path(sys.executable).with_name("preppal")
    assert script.is_file(), "the preppal console script is not installed: run scripts/test.sh"
    return [str(script)]


def _worker_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=database_url, PREPPAL_DATA_DIR=str(data_dir), PREPPAL_JOBS="worker")
    env.pop("GEMINI_API_KEY", None)
    return env


@pytest.mark.process
def test_worker_console_script_runs_a_job_end_to_end(db: str, tmp_path: Path) -> None:
    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview_id = _completed(owner)
    queued = queue.get_feedback_any(interview_id)  # completing queued it; nobody has started it
    assert (queued.status, queued.attempts) == (FeedbackStatus.PENDING, 0)
    done = subprocess.run(
        [*_preppal(), "worker", "--once", "--poll", "0.1"],
        env=_worker_env(db, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert f"job {interview_id} done: READY, metrics from the transcript" in done.stderr
    row = queue.get_feedback_any(interview_id)
    assert row.status == FeedbackStatus.READY and row.source == "analyzer" and row.attempts == 1
    assert row.metrics["source"] == "transcript" and row.metrics["fillers"] == 1  # no recording: labelled fallback
    assert row.strengths and row.overall_score is not None


def _two_workers_share_the_table(database_url: str, data_dir: Path, jobs: int = 8) -> None:
    env = _worker_env(database_url, data_dir)
    logs = [data_dir / f"worker{i}.log" for i in range(2)]
    procs = [
        subprocess.Popen(
            [*_preppal(), "worker", "--poll", "0.05"], env=env, stderr=log.open("w"), stdout=subprocess.DEVNULL
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while not all("worker started" in log.read_text() for log in logs):  # both polling before jobs exist
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), [x.read_text() for x in logs]
            time.sleep(0.1)
        owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
        ids = [_completed(owner) for _ in range(jobs)]
        while any((r := queue.get_feedback_any(i)) is None or r.status != FeedbackStatus.READY for i in ids):
            assert time.monotonic() < deadline, "jobs were not all done in time"
            time.sleep(0.1)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
    ran = [re.findall(r"job (\S+) done", log.read_text()) for log in logs]
    assert sorted(ran[0] + ran[1]) == sorted(ids)  # every job run, and by one worker only
    assert all(queue.get_feedback_any(i).attempts == 1 for i in ids)  # claimed exactly once each
    assert all(p.returncode == 0 for p in procs)  # SIGTERM: a clean stop


@pytest.mark.process
def test_two_workers_claim_each_job_once_on_sqlite(db: str, tmp_path: Path) -> None:
    _two_workers_share_the_table(db, tmp_path)


@pytest.mark.process
@pytest.mark.postgres
def test_two_workers_claim_each_job_once_on_postgres(pg_db: str, tmp_path: Path) -> None:
    _two_workers_share_the_table(pg_db, tmp_path)


def test_web_processes_leave_jobs_to_workers_when_configured(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREPPAL_JOBS", "worker")
    reset_settings()
    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview_id = _completed(owner)
    asyncio.run(
        asyncio.wait_for(tasks.feedback_jobs(open_store(get_settings())), 5)
    )  # the web process's jobs: none here, it returns
    time.sleep(0.5)
    assert queue.get_feedback_any(interview_id).status == FeedbackStatus.PENDING  # no thread took it
    assert queue.pending_ids() == [interview_id]  # what a worker will find


@pytest.mark.process
def test_analyze_child_prints_null_without_a_recording(db: str, tmp_path: Path) -> None:
    """The child a web process would run (``python -m preppal.cli analyze``): plumbing only."""
    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview_id = _completed(owner)
    done = subprocess.run(
        [sys.executable, "-m", "preppal.cli", "analyze", interview_id, "--nice", "5"],
        env=_worker_env(db, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == '{"metrics": null}'


@pytest.mark.model
def test_a_job_measures_delivery_from_the_recording_and_a_retry_reuses_it(db: str) -> None:
    from preppal.live.offline.audio import pcm_to_float
    from tests.support.speech import speech_pcm

    owner = auth.sign_up("ada@example.com", "Correct-horse-9", "Ada").id
    interview_id = _completed(owner)
    answer = pcm_to_float(speech_pcm("Um, I led the billing migration.", lead_s=0, tail_s=0, wpm=150))
    rest = pcm_to_float(speech_pcm("We cut the close to one day.", lead_s=0, tail_s=0, wpm=150))
    candidate = np.concatenate([np.zeros(64_000, np.float32), answer, np.zeros(24_000, np.float32), rest])
    candidate = candidate + np.random.default_rng(3).normal(0, 1e-3, candidate.shape).astype(np.float32)
    calls: list[str] = []

    def recording(iid: str) -> speech_delivery.Tracks:
        calls.append(iid)
        return speech_delivery.Tracks(candidate=candidate)

    row = produce.run_feedback(interview_id, isolate_analysis=False, audio=recording)
    assert row.status == FeedbackStatus.READY and calls == [interview_id]
    assert row.metrics["source"] == "audio" and row.metrics["fillers"] >= 1
    assert [(p["end_ms"] - p["start_ms"]) // 100 for p in row.metrics["timeline"]["pauses"]] == [15]
    assert row.metrics["answers_detail"][0]["speaking_s"] > 0

    # a retry (say the AI feedback failed) keeps the measured metrics rather than measuring again
    with queue.session_scope() as session:
        stored = session.get(queue.Feedback, row.id)
        stored.status, stored.error = FeedbackStatus.FAILED, "x"
    assert queue.retry_feedback(owner, interview_id).status == FeedbackStatus.PENDING  # queued again
    again = produce.run_feedback(interview_id, isolate_analysis=False, audio=recording)  # the jobs' turn
    assert again.attempts == 2 and again.metrics["source"] == "audio" and calls == [interview_id]
