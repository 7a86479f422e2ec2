"""Recordings on S3-compatible storage: a real local S3 server (``moto_server`` from the dev
extra, its own process) and the real boto3 client. Flushed audio is uploaded as part objects
while the call runs (a crashed machine's call still plays from them); the finished recording
is one object; downloads use ranged GETs; deleting the interview removes every object."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest

from preppal.api.app import build_api
from preppal.realtime.hub import RelayHub
from preppal.services.accounts import auth
from preppal.services.interviews import lifecycle
from preppal.services.recordings import tracks
from preppal.services.recordings.store import S3Store, open_store
from preppal.services.recordings.writer import RecordingWriter
from preppal.settings import get_settings, reset_settings
from tests.support.app_server import free_port

pytestmark = pytest.mark.process  # moto_server: the S3-compatible server, its own process
RATE = 16_000
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists():
        pytest.skip("moto_server is not installed (pip install -e '.[dev]')")
    port = free_port()
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3(s3_endpoint, monkeypatch, db) -> S3Store:
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    bucket = f"preppal-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PREPPAL_S3_BUCKET", bucket)
    monkeypatch.setenv("PREPPAL_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("PREPPAL_S3_PREFIX", "rec/")
    reset_settings()
    store = open_store(get_settings())
    assert isinstance(store, S3Store)
    store.client.create_bucket(Bucket=bucket)
    return store


def keys(store: S3Store) -> list[str]:
    found = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix).get("Contents", [])
    return sorted(o["Key"] for o in found)


def tone_pcm(seconds: float, hz: float = 200.0) -> bytes:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return result


def test_parts_while_live_one_object_when_done(s3) -> None:
    iid = str(uuid.uuid4())
    clock = [0.0]
    writer = RecordingWriter(s3, iid, origin=0.0, interviewer_rate=24_000, checkpoint_s=0.5, clock=lambda: clock[0])
    writer.start()
    for i in range(100):  # 4 s of candidate speech, fed frame by frame
        clock[0] = 0.04 * (i + 1)
        writer.candidate(tone_pcm(0.04))
        time.sleep(0.002)
    # Mid-call: flushed audio is already in the bucket as numbered parts, and plays.
    wait_for(lambda: len([k for k in keys(s3) if "candidate.ogg.part" in k]) >= 2)
    assert f"rec/{iid}/candidate.ogg" not in keys(s3)
    partial = tracks.read_track_pcm(s3, iid, "candidate")
    assert partial is not None and 1.0 < len(partial) / RATE <= 4.0
    assert np.sqrt(np.mean(partial[RATE // 10 :] ** 2)) > 0.2  # real audio, not silence

    assert writer.close().complete
    assert keys(s3) == sorted(
        f"rec/{iid}/{n}" for n in ("candidate.ogg", "interviewer.ogg", "mix.ogg", "recording.json")
    )
    whole = tracks.read_track_pcm(s3, iid, "candidate")
    assert abs(len(whole) / RATE - 4.0) < 0.05
    assert not (get_settings().data_dir / "recording-spool" / iid).exists()  # the local spool is gone
    info = tracks.recording_info(s3, iid)
    assert info is not None and abs(info.duration_ms - 4000) < 50


def test_download_ranges_and_delete_on_s3(s3) -> None:
    alice = auth.sign_up("alice@example.com", "Correct-horse-1").id
    bob = auth.sign_up("bob@example.com", "Correct-horse-2").id
    iid = lifecycle.create_interview(alice, interview_type="technical", role="Backend").id
    clock = [0.0]
    writer = RecordingWriter(s3, iid, origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0])
    writer.start()
    for i in range(75):
        clock[0] = 0.04 * (i + 1)
        writer.candidate(tone_pcm(0.04))
    writer.close()
    whole = s3.read_all(iid, "mix.ogg")
    assert whole and whole.startswith(b"OggS")

    def get(cookie: str | None, headers: dict | None = None) -> httpx.Response:
        import asyncio

        async def run() -> httpx.Response:
            transport = httpx.ASGITransport(app=build_api(RelayHub(), s3))
            async with httpx.AsyncClient(transport=transport, base_url="http://preppal.test") as client:
                if cookie:
                    client.cookies.set(auth.SESSION_COOKIE, cookie)
                return await client.get(f"/api/interview/{iid}/recording.ogg", headers=headers or {})

        return asyncio.run(run())

    owner = auth.create_login_session(alice)
    r = get(owner, {"Range": "bytes=100-1099"})
    assert r.status_code == 206 and r.content == whole[100:1100]
    assert r.headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    r = get(owner)
    assert r.status_code == 200 and r.content == whole
    assert get(auth.create_login_session(bob), {"Range": "bytes=0-99"}).status_code == 404
    assert get(None).status_code == 404

    lifecycle.delete_interview(alice, iid, s3)
    assert keys(s3) == []
    assert tracks.read_track_pcm(s3, iid, "candidate") is None


def test_open_store_without_a_bucket_is_local(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PREPPAL_S3_BUCKET", raising=False)
    monkeypatch.setenv("PREPPAL_RECORDINGS_DIR", str(tmp_path / "rec"))
    reset_settings()
    store = open_store(get_settings())
    assert store.kind == "local" and store.root == (tmp_path / "rec").resolve()
    shutil.rmtree(tmp_path / "rec", ignore_errors=True)


def test_a_dead_writers_spool_is_stored_from_what_was_flushed(s3) -> None:
    """The process died mid-call: its spool files stop changing and the start-up recovery
    stores them (more than the parts: everything flushed), then the parts go."""
    iid = str(uuid.uuid4())
    clock = [0.0]
    writer = RecordingWriter(s3, iid, origin=0.0, interviewer_rate=24_000, checkpoint_s=0.5, clock=lambda: clock[0])
    writer.start()
    for i in range(100):  # 4 s, then the writer is abandoned (never closed), as if its process died
        clock[0] = 0.04 * (i + 1)
        writer.candidate(tone_pcm(0.04))
        time.sleep(0.002)
    wait_for(lambda: any("candidate.ogg.part" in k for k in keys(s3)))
    wait_for(lambda: writer._queue.qsize() == 0)  # everything offered was placed...
    clock[0] = 4.6  # ...time goes on (the writer commits on its clock), then nothing more comes
    time.sleep(1.0)  # the idle writer's last commit and flush land; it then sits idle
    assert s3.recover_spool(older_than_s=3600) == []  # recently written: maybe still live
    assert s3.recover_spool(older_than_s=0.5) == [iid]
    assert f"rec/{iid}/candidate.ogg" in keys(s3) and not any(".part" in k for k in keys(s3))
    recovered = tracks.read_track_pcm(s3, iid, "candidate")
    assert recovered is not None and len(recovered) / RATE >= 3.0  # all but the jitter margin and open page
    assert not (get_settings().data_dir / "recording-spool" / iid).exists()
