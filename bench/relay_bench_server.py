"""The two server processes of the relay benchmark (started by bench/relay_load.py).

- ``app``: the relay route as production serves it (granian, one worker), plus
  ``GET /bench/stats`` — CPU seconds, RSS and event-loop lag of this worker since the last
  call (optionally a cProfile of that window).
- ``python -m bench.relay_bench_server standin STATS_FILE PORT_FILE``: the Live-API stand-in
  speaking like Gemini to every session: AI turns of 24 kHz audio in 40 ms chunks with
  output transcription, then listening with input transcription. Every chunk carries its
  send time; every candidate frame it receives is timed. SIGUSR1 writes the latencies to
  STATS_FILE and starts a new window.

Timestamps are ``time.monotonic()`` (CLOCK_MONOTONIC: shared by all processes).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import cProfile
import gc
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

MAGIC = b"PPAL"
STAMP = struct.Struct("<d4s")  # send time + magic at the start of every stamped chunk
FRAME = 640  # candidate frame: 20 ms of 16 kHz PCM16
AI_CHUNK = 1920  # 40 ms of 24 kHz PCM16


def stop_processes(procs: list) -> None:
    """Stop the bench's server processes, newest first; kill one that ignores SIGTERM for 10 s."""
    for proc in reversed(procs):
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def free_port() -> int:
    """A loopback port the OS says is free, for a server process a bench starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_file(path: Path, timeout: float = 30.0) -> dict:
    """The JSON a server process writes once it is up (or once asked for a stats window)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size:
            return json.loads(path.read_text())
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not appear")


def start_standin(work: Path, env: dict[str, str], procs: list) -> tuple[Path, dict]:
    """Start this module's stand-in process in ``work`` (it joins ``procs``, for
    :func:`stop_processes`); returns its stats file and its address ({base_url, cert})."""
    stats_file, port_file = work / "standin.json", work / "standin-port.json"
    command = [sys.executable, "-m", "bench.relay_bench_server", "standin", str(stats_file), str(port_file)]
    procs.append(subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent, env=env))
    return stats_file, wait_file(port_file)


def stamp(size: int) -> bytes:
    return STAMP.pack(time.monotonic(), MAGIC) + bytes(size - STAMP.size)


def read_stamp(data: bytes, offset: int = 0) -> float | None:
    if len(data) >= offset + STAMP.size:
        sent, magic = STAMP.unpack_from(data, offset)
        if magic == MAGIC:
            return sent
    return None


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"n": len(ordered), "p50_ms": pick(0.5) * 1e3, "p99_ms": pick(0.99) * 1e3, "max_ms": ordered[-1] * 1e3}


# ---- the relay worker (granian imports this module and serves ``app``) -------------------------
def _make_app():
    from dataclasses import replace

    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from preppal.live import gemini
    from preppal.realtime import route
    from preppal.realtime.coordinator import coordinator_for
    from preppal.realtime.hub import RelayConfig, RelayHub
    from preppal.realtime.route import websocket_routes
    from preppal.settings import get_settings

    gemini.DEFAULT_BATCH_MS = int(os.environ.get("PREPPAL_BENCH_BATCH_MS", gemini.DEFAULT_BATCH_MS))
    if os.environ.get("PREPPAL_BENCH_SDK_MODELS") == "1":
        os.environ["PREPPAL_GEMINI_WIRE_FAST_PATH"] = "0"
    # This process measures the relay: feedback generation after each simulated call (a
    # worker thread calling "Gemini", which the stand-in does not serve) is not part of it.
    settings = get_settings()
    # bench/fuzz.py shortens the reconnect grace so dropped sessions settle within its run.
    grace = float(os.environ.get("PREPPAL_BENCH_GRACE_S", settings.relay_grace_s))
    hub = RelayHub(
        config=replace(RelayConfig.from_settings(settings), grace_s=grace),
        coordinator=coordinator_for(settings.redis_url),  # several instances: PostgreSQL + Redis
    )
    lags: list[float] = []
    gc_pauses: list[float] = []
    gc_start = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_start[0] = time.perf_counter()
        elif info.get("generation", 0) >= 1:
            gc_pauses.append(time.perf_counter() - gc_start[0])

    gc.callbacks.append(on_gc)
    window = {"cpu": 0.0, "wall": time.monotonic(), "profile": None}

    beat = [time.monotonic()]
    stalls: collections.Counter = collections.Counter()

    async def monitor() -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(0.05)
            beat[0] = time.monotonic()
            lags.append(loop.time() - start - 0.05)

    def watchdog(main_id: int) -> None:
        """Where the loop thread is while the loop is late (> 100 ms): sampled every 20 ms."""
        while True:
            time.sleep(0.02)
            if time.monotonic() - beat[0] > 0.15:
                frame = sys._current_frames().get(main_id)
                where = []
                while frame is not None and len(where) < 4:
                    where.append(
                        f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}:{frame.f_code.co_name}"
                    )
                    frame = frame.f_back
                stalls[" < ".join(where)] += 1

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def rss_mb() -> float:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    async def stats(request):
        now, used = time.monotonic(), cpu()
        body = {
            "cpu_s": used - window["cpu"],
            "wall_s": now - window["wall"],
            "rss_mb": rss_mb(),
            "live_relays": hub.live_count,
            "loop_lag": percentiles(lags),
            "gc_gen1_2": percentiles(gc_pauses),
            "stalls": stalls.most_common(8),
        }
        stalls.clear()
        lags.clear()
        gc_pauses.clear()
        window.update(cpu=used, wall=now)
        profile_path = request.query_params.get("profile")
        if window["profile"] is not None:
            window["profile"].disable()
            window["profile"].dump_stats(window.pop("profile_path"))
            window["profile"] = None
        if profile_path:
            window["profile"], window["profile_path"] = cProfile.Profile(), profile_path
            window["profile"].enable()
        return JSONResponse(body)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if os.environ.get("PREPPAL_BENCH_SWITCH_S"):
            sys.setswitchinterval(float(os.environ["PREPPAL_BENCH_SWITCH_S"]))
        if os.environ.get("PREPPAL_BENCH_NO_GC_FREEZE") == "1":
            route._heap_frozen = True  # pretend it was done: measures the unfrozen heap
        task = asyncio.create_task(monitor())
        threading.Thread(target=watchdog, args=(threading.get_ident(),), daemon=True).start()
        async with hub.running():
            yield
        task.cancel()

    return Starlette(routes=[*websocket_routes(hub), Route("/bench/stats", stats)], lifespan=lifespan)


if os.environ.get("PREPPAL_BENCH_ROLE") == "relay":
    import logging

    logging.basicConfig(level=os.environ.get("PREPPAL_BENCH_LOG", "WARNING"))
    app = _make_app()


# ---- the stand-in process ---------------------------------------------------------------------------
async def _standin(stats_file: str, port_file: str) -> None:
    from tests.support.live_api_standin import LiveApiStandin

    up_all: list[float] = []
    up_flush: list[float] = []  # the frame that completed a batch: relay processing, no batching wait
    messages = [0]

    def on_audio(data: bytes) -> None:
        now = time.monotonic()
        messages[0] += 1
        last = None
        for offset in range(0, len(data) - FRAME + 1, FRAME):
            sent = read_stamp(data, offset)
            if sent is not None:
                up_all.append(now - sent)
                last = now - sent
        if last is not None:
            up_flush.append(last)

    words = os.environ.get("PREPPAL_BENCH_NO_TRANSCRIPTS") != "1"  # isolates transcript + database cost

    async def behaviour(conn) -> None:
        conn.on_audio = on_audio
        loop = asyncio.get_running_loop()
        while not conn.closed.is_set():
            start = loop.time()
            for i in range(50):  # the AI speaks for 2 s
                await conn.audio(stamp(AI_CHUNK))
                if i % 5 == 4 and words:
                    await conn.output_transcript(" word")
                await asyncio.sleep(max(0.0, start + (i + 1) * 0.04 - loop.time()))
            await conn.turn_complete()
            for _ in range(4):  # then listens for 2 s
                await asyncio.sleep(0.5)
                if words:
                    await conn.input_transcript(" answer")

    def dump() -> None:
        body = {"up_all": percentiles(up_all), "up_flush": percentiles(up_flush), "messages": messages[0]}
        up_all.clear()
        up_flush.clear()
        messages[0] = 0
        with open(stats_file + ".tmp", "w") as f:
            json.dump(body, f)
        os.replace(stats_file + ".tmp", stats_file)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, dump)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with LiveApiStandin([behaviour]) as standin:
        with open(port_file, "w") as f:
            json.dump({"base_url": standin.base_url, "cert": str(standin.cert_file)}, f)
        await asyncio.wait_for(stop.wait(), 3600)


if __name__ == "__main__" and sys.argv[1:2] == ["standin"]:
    asyncio.run(_standin(sys.argv[2], sys.argv[3]))
