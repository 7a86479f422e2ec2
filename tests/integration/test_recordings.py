"""Recordings end to end on the local store: the relay records a live interview (real SDK
against the Live-API stand-in), the files decode back on the transcript's clock, only the
owner can download them (with Range), and they go when the interview is deleted."""

from __future__ import annotations

import asyncio
import functools
import time

import httpx
import numpy as np
import pytest

from preppal import display
from preppal.api.app import build_api
from preppal.models import InterviewStatus, Speaker
from preppal.realtime.hub import RelayConfig, RelayHub
from preppal.services.accounts import auth
from preppal.services.errors import Unavailable
from preppal.services.interviews import lifecycle, transcripts
from preppal.services.recordings import tracks
from preppal.services.recordings.store import LocalStore
from preppal.settings import reset_settings
from tests.support.relay_harness import RelayEnv, point_gemini_at, served_relay, stop_leftover_relays, wait_until

RATE = 16_000
FRAME = 640  # 40 ms of 16 kHz PCM16 samples
BASE = "http://preppal.test"


def tone_pcm(seconds: float, rate: int, hz: float, amp: float = 0.5) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * hz * t) * 32767).astype("<i2").tobytes()


def onset(x: np.ndarray, rate: int, after_s: float = 0.0, threshold: float = 0.1) -> float:
    start = int(after_s * rate)
    loud = np.flatnonzero(np.abs(x[start:]) > threshold)
    assert len(loud), "no sound found"
    return (start + loud[0]) / rate


@pytest.fixture
def store(tmp_path) -> LocalStore:
    return LocalStore(tmp_path / "recordings")


@pytest.fixture
async def recorded_env(db, standin, sink, monkeypatch, store):
    point_gemini_at(monkeypatch, standin)
    hub = RelayHub(sink, config=RelayConfig(grace_s=1.0), recordings=store)
    async with served_relay(hub) as server:
        user = await asyncio.to_thread(auth.sign_up, "rec@example.com", "Correct-horse-7")  # argon2: off the loop
        yield RelayEnv(server, user.id, hub)
        assert not await stop_leftover_relays(hub)


async def test_a_live_interview_is_recorded_on_the_transcript_clock(recorded_env, standin, store) -> None:
    greeted = asyncio.Event()
    spoke_at: list[float] = []

    async def greet_then_listen(conn):
        await asyncio.sleep(0.6)  # the interviewer starts speaking 0.6 s into the call
        spoke_at.append(time.monotonic())
        await conn.output_transcript("Hello, tell me about yourself.")
        await conn.audio(tone_pcm(0.5, 24_000, 300))
        await conn.content(outputTranscription={"text": ""}, turnComplete=True)
        greeted.set()
        await conn.wait_audio(FRAME * 2 * 30, timeout=20)
        await conn.input_transcript("I build payment systems.")
        await conn.hold()

    standin.behaviours = [greet_then_listen]
    env = recorded_env
    iid = await asyncio.to_thread(env.new_interview)
    candidate = await env.connect(iid, await asyncio.to_thread(env.token, iid))
    await candidate.wait_kind("session_ready")
    t0 = time.monotonic()  # ≈ the relay's t=0 (it starts the clock just before sending ready)
    await asyncio.wait_for(greeted.wait(), 10)
    # The candidate: silence until 2.0 s, then a 200 Hz tone from 2.0 s, frame by frame.
    speech = tone_pcm(1.2, RATE, 200)
    sent = 0
    while sent < len(speech):
        due = t0 + 2.0 + sent / 2 / RATE + FRAME / RATE
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        await candidate.send_audio(speech[sent : sent + FRAME * 2])
        sent += FRAME * 2
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert (await asyncio.to_thread(lifecycle.get_interview_any, iid)).status == InterviewStatus.COMPLETED

    # Stored before COMPLETED was written: the feedback job that follows can read it at once.
    cand = await asyncio.to_thread(tracks.read_track_pcm, store, iid, "candidate")
    ai = await asyncio.to_thread(tracks.read_track_pcm, store, iid, "interviewer")
    assert cand is not None and ai is not None
    lines = await asyncio.to_thread(transcripts.get_transcript, iid)
    greeting = next(e for e in lines if e.speaker == Speaker.AI)
    # The interviewer's voice starts where its transcript line starts (same clock).
    assert abs(onset(ai, RATE) - greeting.start_ms / 1000) < 0.15
    # ... where it was spoken, seen from the candidate's side like the candidate's own voice
    # below (on a loaded machine the relay's clock may start a few 100 ms after the stand-in's).
    assert abs(onset(ai, RATE) - (spoke_at[0] - t0)) < 0.2
    assert abs(onset(cand, RATE) - 2.0) < 0.15  # the candidate's speech where it was spoken
    assert np.max(np.abs(cand[: int(1.8 * RATE)])) < 0.01  # silence before it
    # Both voices and the mix span the call.
    mixed = await asyncio.to_thread(lambda: tracks.decode_ogg(store.read_all(iid, "mix.ogg"), RATE))
    assert abs(len(cand) - len(ai)) < RATE * 0.05 and abs(len(mixed) - len(cand)) < RATE * 0.05
    assert len(cand) / RATE > 3.1
    assert abs(onset(mixed, RATE) - onset(ai, RATE)) < 0.02 and abs(onset(mixed, RATE, 1.5) - 2.0) < 0.15
    info = await asyncio.to_thread(tracks.recording_info, store, iid)
    assert info is not None and abs(info.duration_ms - len(mixed) * 1000 / RATE) < 50


async def test_keep_recordings_off_records_nothing(recorded_env, standin, store, monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_KEEP_RECORDINGS", "0")
    reset_settings()
    point_gemini_at(monkeypatch, standin)

    async def greet(conn):
        await conn.ai_turn([" Hello."])
        await conn.hold()

    standin.behaviours = [greet]
    iid = await asyncio.to_thread(recorded_env.new_interview)
    candidate = await recorded_env.connect(iid, await asyncio.to_thread(recorded_env.token, iid))
    await candidate.wait_kind("audio_response")
    for _ in range(10):
        await candidate.send_audio(b"\x01\x00" * FRAME)
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    await wait_until(lambda: lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED)
    assert await asyncio.to_thread(tracks.recording_info, store, iid) is None
    assert not (store.root / iid).exists()


# ---- download: owner only, Range -----------------------------------------------------------


@pytest.fixture
def owned(db, store):
    """Alice's interview with a recording; Bob is another user."""
    from preppal.services.recordings.writer import RecordingWriter

    alice = auth.sign_up("alice@example.com", "Correct-horse-1").id
    bob = auth.sign_up("bob@example.com", "Correct-horse-2").id
    interview = lifecycle.create_interview(alice, interview_type="technical", role="Backend / Platform")
    clock = [0.0]
    writer = RecordingWriter(store, interview.id, origin=0.0, interviewer_rate=24_000, clock=lambda: clock[0])
    writer.start()
    for i in range(150):  # 6 s of candidate tone
        clock[0] = 0.04 * (i + 1)
        writer.candidate(tone_pcm(0.04, RATE, 200))
    writer.close()
    return {
        "id": interview.id,
        "alice": {auth.SESSION_COOKIE: auth.create_login_session(alice)},
        "bob": {auth.SESSION_COOKIE: auth.create_login_session(bob)},
        "alice_id": alice,
    }


@pytest.fixture
async def client(store):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api(RelayHub(), store)), base_url=BASE) as c:
        yield c


async def _get(client, path, cookies=None, headers=None):
    client.cookies.clear()
    for name, value in (cookies or {}).items():
        client.cookies.set(name, value)
    return await client.get(path, headers=headers or {})


async def test_owner_downloads_the_recording_with_ranges(owned, client, store) -> None:
    url = f"/api/interview/{owned['id']}/recording.ogg"
    whole = store.read_all(owned["id"], "mix.ogg")
    size = len(whole)

    r = await _get(client, url, owned["alice"])
    assert r.status_code == 200 and r.content == whole
    assert r.headers["content-type"] == "audio/ogg" and r.headers["accept-ranges"] == "bytes"
    assert int(r.headers["content-length"]) == size and r.content.startswith(b"OggS")

    r = await _get(client, url, owned["alice"], {"Range": "bytes=100-1099"})
    assert r.status_code == 206 and r.content == whole[100:1100]
    assert r.headers["content-range"] == f"bytes 100-1099/{size}" and r.headers["content-length"] == "1000"

    r = await _get(client, url, owned["alice"], {"Range": "bytes=2000-"})
    assert r.status_code == 206 and r.content == whole[2000:]
    assert r.headers["content-range"] == f"bytes 2000-{size - 1}/{size}"

    r = await _get(client, url, owned["alice"], {"Range": "bytes=-500"})
    assert r.status_code == 206 and r.content == whole[-500:]

    r = await _get(client, url, owned["alice"], {"Range": f"bytes={size - 10}-{size + 5000}"})
    assert r.status_code == 206 and r.content == whole[-10:]

    r = await _get(client, url, owned["alice"], {"Range": f"bytes={size}-"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{size}"

    r = await _get(client, url, owned["alice"], {"Range": "bytes=0-1,5-6"})  # several ranges: whole body
    assert r.status_code == 200 and r.content == whole

    r = await _get(client, url + "?track=candidate&download=1", owned["alice"])
    assert r.status_code == 200 and r.content == store.read_all(owned["id"], "candidate.ogg")
    day = display.file_day(lifecycle.get_interview_any(owned["id"]).created_at)
    assert r.headers["content-disposition"] == f'attachment; filename="preppal-{day}-backend-platform-candidate.ogg"'
    decoded = tracks.decode_ogg(r.content, RATE)
    assert abs(len(decoded) / RATE - 6.0) < 0.05


@pytest.mark.parametrize("role", ["Инженер-программист", "ソフトウェアエンジニア", "सॉफ्टवेयर इंजीनियर"])
async def test_any_role_downloads_with_an_rfc5987_name(owned, client, role) -> None:
    """Issue 22: a Cyrillic, CJK or Hindi role put its letters in a latin-1 header: 500. The
    recording now shares the exports' helper (an ASCII name and the full one, RFC 5987)."""
    from urllib.parse import unquote

    from preppal.db import session_scope
    from preppal.models import Interview

    with session_scope() as session:
        session.get(Interview, owned["id"]).role = role
    r = await _get(client, f"/api/interview/{owned['id']}/recording.ogg?download=1", owned["alice"])
    assert r.status_code == 200 and r.content.startswith(b"OggS")
    header = r.headers["content-disposition"]
    header.encode("latin-1")
    assert header.startswith('attachment; filename="preppal-') and '-recording.ogg"' in header
    assert unquote(header.split("filename*=UTF-8''")[1]).endswith(f"-{role.lower().replace(' ', '-')}-recording.ogg")


async def test_range_with_non_ascii_digits_is_ignored_not_500(owned, client) -> None:
    """Issue 22: ``bytes=²-`` passed ``isdigit()`` and ``int()`` raised: 500 with a traceback."""
    url = f"/api/interview/{owned['id']}/recording.ogg"
    for header in (b"bytes=\xb2-", b"bytes=-\xb9", "bytes=0-٣".encode(), "bytes=５-9".encode()):  # ² ¹ in Latin-1
        r = await _get(client, url, owned["alice"], {"Range": header})
        assert r.status_code == 200 and r.content.startswith(b"OggS"), header  # no usable Range: the whole file


async def test_nobody_else_gets_the_recording(owned, client) -> None:
    url = f"/api/interview/{owned['id']}/recording.ogg"
    for cookies in (None, owned["bob"], {auth.SESSION_COOKIE: "forged"}):
        r = await _get(client, url, cookies, {"Range": "bytes=0-10"})
        assert r.status_code == 404 and b"Ogg" not in r.content
    assert (await _get(client, url + "?track=../secrets.json", owned["alice"])).status_code == 404
    assert (await _get(client, url + "?track=recording.json", owned["alice"])).status_code == 404
    create = functools.partial(lifecycle.create_interview, interview_type="technical", role="No recording")
    other = await asyncio.to_thread(create, owned["alice_id"])  # off the watched loop
    assert (await _get(client, f"/api/interview/{other.id}/recording.ogg", owned["alice"])).status_code == 404


def test_deleting_the_interview_deletes_its_recording(owned, store) -> None:
    assert (store.root / owned["id"]).is_dir()
    lifecycle.delete_interview(owned["alice_id"], owned["id"], store)
    assert not (store.root / owned["id"]).exists()
    assert tracks.recording_info(store, owned["id"]) is None


def test_storage_failure_deletes_nothing(owned, store) -> None:
    class Broken(LocalStore):
        def delete(self, interview_id: str) -> None:
            raise OSError("storage is down")

    with pytest.raises(Unavailable):
        lifecycle.delete_interview(owned["alice_id"], owned["id"], Broken(store.root))
    assert lifecycle.get_interview(owned["alice_id"], owned["id"])  # still there, recording too
    assert tracks.recording_info(store, owned["id"]) is not None
