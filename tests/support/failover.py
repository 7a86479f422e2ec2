"""Real relay processes behind a real nginx, and scripted callers that reconnect like the
browser does — for the failover tests and bench/failover.py.

- :func:`start_relay` serves ``tests.support.relay_asgi_app`` (the relay route with its
  hub lifespan) under granian in its own process group, so a test can SIGKILL, SIGSTOP or
  SIGTERM exactly that process.
- :class:`Nginx` runs Debian's nginx unprivileged under its own prefix on a free port,
  with the reference config (deploy/, rendered by scripts/nginx_conf.py).
- :class:`Caller` is a candidate: it streams 20 ms frames in real time, and when its socket
  drops it asks for a resume token (minted like the meeting page does) and reconnects
  through the balancer with the page's backoff; a ``Reconnect`` message is obeyed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

from preppal.realtime import codec
from preppal.services.interviews.worker_tokens import generate_worker_token

ROOT = Path(__file__).resolve().parents[2]
RETRY_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0, 8.0)  # assets/call/relay_client.js RETRY_DELAYS_MS
FRAME = 640


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 30.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early: {log.read_text()[-3000:] if log else ''}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout} s")


@dataclass
class RelayProcess:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    def signal(self, sig: int) -> None:
        os.killpg(self.proc.pid, sig)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGCONT)
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


def start_relay(name: str, env: dict[str, str], workdir: Path, *, nice: int = 0) -> RelayProcess:
    port = free_port()
    log = workdir / f"{name}.log"
    cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", "1", "--log-level", "info", "tests.support.relay_asgi_app:app"]
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **env}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    process = RelayProcess(name, port, proc, log)
    try:
        wait_port(port, proc, log=log)
    except Exception:
        process.stop()
        raise
    return process


class Nginx:
    """Debian nginx under its own prefix (no root needed), in front of ``upstreams``."""

    def __init__(self, prefix: Path, upstreams: list[int]) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.upstreams = upstreams
        self.proc: subprocess.Popen | None = None

    @staticmethod
    def binary() -> str | None:
        return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)

    def start(self) -> Nginx:
        sys.path.insert(0, str(ROOT / "scripts"))
        from nginx_conf import render  # scripts/ is not a package on purpose: it is also run directly

        conf = render(self.prefix, str(self.port), [f"127.0.0.1:{p}" for p in self.upstreams])
        binary = self.binary()
        assert binary, "nginx is not installed (scripts/test.sh installs it)"
        log = self.prefix / "stdout.log"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [binary, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"), "-c", str(conf)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_port(self.port, self.proc, log=log)
        return self

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@dataclass
class Caller:
    """One simulated candidate through the balancer (see the module docstring)."""

    url: str  # ws://host:port of the balancer
    interview_id: str
    user_id: int
    client_token: str = "bench-page"
    finals: dict[int, str] = field(default_factory=dict)  # segment id → final text (what the page shows)
    duplicates: int = 0  # a final for a segment id that was final already, with other text
    ready_at: list[float] = field(default_factory=list)  # monotonic time of each SessionReady
    audio_at: list[float] = field(default_factory=list)  # monotonic time of AI audio chunks (thinned)
    closes: list[int] = field(default_factory=list)
    ended: bool = False
    error: str = ""
    end_after: asyncio.Event = field(default_factory=asyncio.Event)  # set to send EndRequest
    _ws: object = None

    async def _token(self, resume: bool) -> str:
        return await asyncio.to_thread(
            generate_worker_token, self.user_id, self.interview_id, self.client_token, resume=resume
        )

    async def run(self) -> None:
        token = await self._token(False)
        attempt = 0
        while not self.ended:
            next_token = ""
            try:
                async with websockets.connect(
                    f"{self.url}/ws/interview/{self.interview_id}?token={token}",
                    max_size=None,
                    open_timeout=10,
                    ping_interval=None,
                ) as ws:  # browsers send no pings
                    self._ws = ws
                    sender = asyncio.create_task(self._send(ws))
                    try:
                        async for data in ws:
                            msg = codec.decode_server(data)
                            kind = msg.WhichOneof("payload")
                            if kind == "session_ready":
                                self.ready_at.append(time.monotonic())
                                attempt = 0
                            elif kind == "audio_response":
                                if not self.audio_at or time.monotonic() - self.audio_at[-1] > 0.05:
                                    self.audio_at.append(time.monotonic())
                            elif kind == "transcript_update" and msg.transcript_update.is_final:
                                u = msg.transcript_update
                                if u.segment_id in self.finals and self.finals[u.segment_id] != u.text:
                                    self.duplicates += 1
                                self.finals[u.segment_id] = u.text
                            elif kind == "reconnect":
                                next_token = msg.reconnect.resume_token
                            elif kind == "session_ended":
                                self.ended = True
                            elif kind == "error" and msg.error.code in (4001, 4002, 4009, 4010, 4500):
                                self.error = f"{msg.error.code} {msg.error.message}"
                    finally:
                        sender.cancel()
                        await asyncio.gather(sender, return_exceptions=True)
                    self.closes.append(ws.close_code or 1006)
            except (OSError, websockets.WebSocketException, TimeoutError) as exc:
                self.closes.append(getattr(exc, "code", 0) or 1006)
            self._ws = None
            if self.ended or (self.error and not self.error.startswith("4009")):
                return
            if next_token:
                token = next_token  # told to reconnect now (the server is handing over)
                continue
            if attempt >= len(RETRY_DELAYS_S):
                self.error = self.error or "gave up reconnecting"
                return
            await asyncio.sleep(RETRY_DELAYS_S[attempt])
            attempt += 1
            try:
                token = await self._token(True)
            except Exception as exc:  # the interview ended meanwhile
                self.error = f"no resume token: {exc}"
                return

    async def _send(self, ws) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        n = 0
        ended = False
        while True:
            if self.end_after.is_set() and not ended:
                await ws.send(codec.client_end())
                ended = True
            await ws.send(codec.client_audio(b"\x03\x00" * (FRAME // 2)))
            n += 1
            await asyncio.sleep(max(0.0, start + n * 0.02 - loop.time()))
