"""The relay under granian, the server Reflex runs in production.

The other relay tests serve the route through an in-process bridge; this one checks what
only the real server shows — e.g. granian completes ``websocket.close`` only once no
``receive`` is pending, which once left ended sessions open — with the relay in a granian
worker process, the real SDK inside it and the stand-in in the test process.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from preppal.models import InterviewStatus
from preppal.realtime import codec
from preppal.realtime.pb import interview_pb2 as pb
from preppal.services.interviews import lifecycle, transcripts
from preppal.settings import get_settings
from tests.support.app_server import free_port
from tests.support.relay_harness import AsgiWebSocketBridge, RelayEnv
from tests.support.users import make_user

ROOT = Path(__file__).resolve().parents[2]


class GranianServer(AsgiWebSocketBridge):
    """Only ``url`` is used by RelayEnv.connect."""

    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@pytest.fixture
async def granian_relay(db, standin, sink, tmp_path):
    port = free_port()
    settings = get_settings()
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db,
        PREPPAL_DATA_DIR=str(tmp_path),
        PREPPAL_SECRET_KEY=settings.secret_key,
        PREPPAL_INTERVIEWER="gemini",
        GEMINI_API_KEY="test-key",
        GEMINI_BASE_URL=standin.base_url,
        GEMINI_CA_FILE=str(standin.cert_file),
        GEMINI_CONNECT_TIMEOUT_S="5",
    )
    cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1", "--no-log", "tests.support.relay_asgi_app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                    await asyncio.sleep(0.1)
        user = await asyncio.to_thread(make_user)  # a database write: off the watched loop
        yield RelayEnv(GranianServer(port), user.id)
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)  # not on the loop the guard watches
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait, 5)


@pytest.mark.process
async def test_relay_under_granian(granian_relay, standin):
    async def talk(conn):
        await conn.ai_turn([" Hello", " from Gemini."], pcm_per_word=b"\x04\x00" * 960)
        await conn.wait_audio(640 * 5)
        await conn.input_transcript(" Hi.")
        await conn.ai_turn([" Good."])
        await conn.hold()

    standin.behaviours = [talk]
    env = granian_relay

    # A full session ends with SessionEnded and close 1000.
    iid = env.new_interview()
    candidate = await env.connect(iid, env.token(iid))
    ready = (await candidate.wait_kind("session_ready", timeout=15))[0]
    assert ready.interviewer == "gemini"
    audio = await candidate.wait_kind("audio_response")
    assert audio[0].sample_rate == 24000 and audio[0].audio_content == b"\x04\x00" * 960
    for _ in range(10):
        await candidate.send_audio(b"\x01\x00" * 320)
        await asyncio.sleep(0.02)
    await candidate.wait_for(lambda: "Good." in candidate.finals())
    await candidate.end()
    assert await candidate.wait_closed() == 1000
    assert [e.reason for e in candidate.of("session_ended")] == [pb.SessionEnded.USER_INITIATED]
    assert lifecycle.get_interview_any(iid).status == InterviewStatus.COMPLETED
    assert [e.text for e in transcripts.get_transcript(iid)] == ["Hello from Gemini.", "Hi.", "Good."]

    # Refusal, fatal bad input and takeover all close promptly with their codes.
    refused = await env.connect(iid, "not-a-token")
    assert await refused.wait_closed() == 4001
    standin.behaviours = [lambda conn: conn.hold()]
    second = env.new_interview()
    old = await env.connect(second, env.token(second))
    await old.wait_kind("session_ready", timeout=15)
    new = await env.connect(second, env.token(second, resume=True))
    await new.wait_kind("session_ready")
    assert await old.wait_closed() == 4009
    await new.ws.send(codec.client_audio(b"\x00" * 70_000))
    assert await new.wait_closed() == 4005
    assert [e.code for e in new.of("error")] == [4005]
