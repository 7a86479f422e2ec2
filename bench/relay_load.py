"""Relay load benchmark: N simulated candidates streaming real-time audio through the relay.

Three processes: this driver (the candidates), the relay served by granian exactly like
production (one worker, the real google-genai SDK inside), and the Live-API stand-in playing
Gemini (bench/relay_bench_server.py). Per N it reports:

- upstream latency: candidate frame sent → frame arrives at "Gemini" (all frames, which
  includes waiting for the 60 ms batch to fill, and batch-completing frames, which is the
  relay's own processing),
- downstream latency: "Gemini" audio chunk sent → AudioResponse arrives at the candidate,
- relay worker CPU % (of one core) and RSS, per session too, and its event-loop lag p99,
- the driver's own loop lag (if that is high, the client side is the bottleneck).

Latencies include loopback, the stand-in's and the driver's parsing: an upper bound on what
the relay adds. ``--instances 2`` runs two relay processes behind the reference nginx
(deploy/) on the local PostgreSQL + Redis, as docs/deployment.md describes; CPU and RSS are
then summed over the instances and the loop lag is the worse one. Usage:
    .venv/bin/python -m bench.relay_load                    # N = 10 50 100 200, 20 s each
    .venv/bin/python -m bench.relay_load --sizes 10 --duration 8   # quick
    .venv/bin/python -m bench.relay_load --sizes 50 --profile /tmp/relay.prof
    .venv/bin/python -m bench.relay_load --instances 2 --sizes 100 200 300
    .venv/bin/python -m bench.relay_load --sizes 2 --duration 1 --warmup 0.5   # the suite's smoke size

The last line names the largest N whose p99 met the target both ways (``none`` if no N did):

    relay_load: largest size with p99 ≤ T ms both directions: M
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.relay_bench_server import (  # noqa: E402
    FRAME,
    free_port,
    percentiles,
    read_stamp,
    stamp,
    start_standin,
    stop_processes,
    wait_file,
)
from preppal.realtime import codec  # noqa: E402

TARGET_P99_MS = 20.0


def http_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class Candidate:
    """One browser: fixed-length frames on a real-time schedule, timing AI audio on arrival."""

    frame_ms = 40  # the browser's default (settings.audio_frame_ms); --frame-ms overrides

    def __init__(self, url: str, down: list[float]) -> None:
        self.url = url
        self.down = down
        self.ready = asyncio.Event()
        self.frames = 0
        self.closed_with: int | None = None

    async def run(self, measure_from: float, stop_at: float) -> None:
        # Browsers never send WebSocket pings; neither do these candidates.
        async with websockets.connect(
            self.url, max_size=None, compression=None, open_timeout=30, ping_interval=None
        ) as ws:
            reader = asyncio.create_task(self._read(ws, measure_from))
            await asyncio.wait_for(self.ready.wait(), 60)
            loop = asyncio.get_running_loop()
            next_at = loop.time()
            size, period = FRAME * self.frame_ms // 20, self.frame_ms / 1000
            while loop.time() < stop_at:
                await ws.send(codec.client_audio(stamp(size)))
                self.frames += 1
                next_at += period
                await asyncio.sleep(max(0.0, next_at - loop.time()))
            await ws.send(codec.client_end())
            await asyncio.wait_for(reader, 30)

    async def _read(self, ws, measure_from: float) -> None:
        try:
            async for data in ws:
                now = time.monotonic()
                msg = codec.decode_server(data)
                kind = msg.WhichOneof("payload")
                if kind == "audio_response":
                    sent = read_stamp(msg.audio_response.audio_content)
                    if sent is not None and now >= measure_from:
                        self.down.append(now - sent)
                elif kind == "session_ready":
                    self.ready.set()
        except websockets.ConnectionClosed:
            pass
        self.closed_with = ws.close_code


async def loop_lag(samples: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start = loop.time()
        await asyncio.sleep(0.05)
        samples.append(loop.time() - start - 0.05)


def proc_cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system) of a process (this one when ``pid`` is None)."""
    if pid is None:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(n: int) -> list[tuple[str, str]]:
    """n PENDING interviews with connect tokens (in the relay's database), one user each:
    a user may have only one live interview at a time."""
    from preppal.db import session_scope
    from preppal.models import User
    from preppal.services.interviews import lifecycle
    from preppal.services.interviews.worker_tokens import generate_worker_token

    out = []
    for _ in range(n):
        with session_scope() as session:
            user = User(email=f"bench-{time.time_ns()}@example.com")
            session.add(user)
            session.flush()
            user_id = int(user.id)
        iid = lifecycle.create_interview(user_id, interview_type="technical", role="Engineer").id
        out.append((iid, generate_worker_token(user_id, iid, "bench-client")))
    return out


def combined_stats(urls: list[str], query: str = "") -> dict:
    """One relay's /bench/stats, or several instances' summed (CPU, RSS) and worst-of (lags)."""
    parts = [http_json(u + query) for u in urls]
    if len(parts) == 1:
        return parts[0]
    worst = lambda key: max((p[key] for p in parts), key=lambda d: d.get("p99_ms", 0.0))  # noqa: E731
    return {
        "cpu_s": sum(p["cpu_s"] for p in parts),
        "wall_s": max(p["wall_s"] for p in parts),
        "rss_mb": sum(p["rss_mb"] for p in parts),
        "live_relays": sum(p["live_relays"] for p in parts),
        "loop_lag": worst("loop_lag"),
        "gc_gen1_2": worst("gc_gen1_2"),
        "stalls": [s for p in parts for s in p.get("stalls", [])][:8],
    }


async def run_size(n: int, args, relay_url: str, stats_urls: list[str], standin_pid: int, stats_file: Path) -> dict:
    down: list[float] = []
    tickets = seed(n)
    loop = asyncio.get_running_loop()
    ramp = min(5.0, 0.03 * n)
    start = loop.time()
    measure_from_loop = start + ramp + args.warmup
    stop_at = measure_from_loop + args.duration
    measure_from = time.monotonic() + (measure_from_loop - loop.time())
    candidates = [Candidate(f"{relay_url}/ws/interview/{iid}?token={tok}", down) for iid, tok in tickets]

    async def launch(i: int, c: Candidate) -> None:
        await asyncio.sleep(ramp * i / n)
        await c.run(measure_from, stop_at)

    tasks = [asyncio.create_task(launch(i, c)) for i, c in enumerate(candidates)]
    await asyncio.sleep(max(0.0, measure_from_loop - loop.time()))
    lag: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(lag, stop_lag))
    await asyncio.to_thread(combined_stats, stats_urls, f"?profile={args.profile}" if args.profile else "")
    os.kill(standin_pid, signal.SIGUSR1)  # start a fresh stand-in window
    cpu0, standin_cpu0, t0 = proc_cpu_s(), proc_cpu_s(standin_pid), time.monotonic()
    await asyncio.sleep(max(0.0, stop_at - loop.time()))
    server = await asyncio.to_thread(combined_stats, stats_urls)
    wall = time.monotonic() - t0
    driver_pct = 100 * (proc_cpu_s() - cpu0) / wall
    standin_pct = 100 * (proc_cpu_s(standin_pid) - standin_cpu0) / wall
    stats_file.unlink(missing_ok=True)
    os.kill(standin_pid, signal.SIGUSR1)
    upstream = await asyncio.to_thread(wait_file, stats_file)
    stop_lag.set()
    await lag_task
    results = await asyncio.gather(*tasks, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    cpu_pct = 100.0 * server["cpu_s"] / server["wall_s"]
    return {
        "n": n,
        "ready": sum(c.ready.is_set() for c in candidates),
        "clean_end": sum(c.closed_with == 1000 for c in candidates),
        "failures": [repr(f)[:120] for f in failures[:3]],
        "close_codes": sorted({str(c.closed_with) for c in candidates}),
        "up_all": upstream["up_all"],
        "up_flush": upstream["up_flush"],
        "upstream_messages_per_s": upstream["messages"] / args.duration,
        "down": percentiles(down),
        "relay_cpu_pct": cpu_pct,
        "relay_cpu_pct_per_session": cpu_pct / n,
        "relay_rss_mb": server["rss_mb"],
        "relay_loop_lag": server["loop_lag"],
        "relay_gc_pauses": server["gc_gen1_2"],
        "relay_stalls": server.get("stalls", []),
        "driver_loop_lag": percentiles(lag),
        "load_avg_1m": os.getloadavg()[0],
        "driver_cpu_pct": driver_pct,
        "standin_cpu_pct": standin_pct,
    }


def fmt(r: dict) -> str:
    g = lambda d, k: d.get(k, float("nan"))  # noqa: E731
    return (
        f"N={r['n']:>3}  ready {r['ready']}/{r['n']}  ended-1000 {r['clean_end']}  "
        f"up(all) p50 {g(r['up_all'], 'p50_ms'):6.1f} p99 {g(r['up_all'], 'p99_ms'):6.1f} ms  "
        f"up(batch-completing) p50 {g(r['up_flush'], 'p50_ms'):5.1f} p99 {g(r['up_flush'], 'p99_ms'):6.1f} ms  "
        f"down p50 {g(r['down'], 'p50_ms'):5.1f} p99 {g(r['down'], 'p99_ms'):6.1f} ms  "
        f"relay CPU {r['relay_cpu_pct']:5.1f}% ({r['relay_cpu_pct_per_session']:.2f}%/session)  "
        f"RSS {r['relay_rss_mb']:.0f} MB  relay loop lag p99 {g(r['relay_loop_lag'], 'p99_ms'):6.1f} ms  "
        f"driver lag p99 {g(r['driver_loop_lag'], 'p99_ms'):5.1f} ms  load {r['load_avg_1m']:.1f}  "
        f"(driver CPU {r['driver_cpu_pct']:.0f}%, stand-in CPU {r['standin_cpu_pct']:.0f}%)"
    )


def fresh_pg_schema() -> str:
    """A new schema in the local PostgreSQL (database ``test``) for this run."""
    import sqlalchemy as sa

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"bench_{time.time_ns():x}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{base}?options=-csearch_path%3D{schema}"


async def main(args) -> list[dict]:
    """Runs every size; returns the per-size results (also printed)."""
    work = Path(tempfile.mkdtemp(prefix="relay-bench-"))
    env = dict(os.environ)
    database_url = f"sqlite:///{work / 'bench.db'}"
    if args.instances > 1:  # several processes: the shared PostgreSQL + Redis of a real cluster
        database_url = fresh_pg_schema()
        env["PREPPAL_REDIS_URL"] = "redis://127.0.0.1:6379/11"
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=database_url,
        PREPPAL_DATA_DIR=str(work),
        PREPPAL_SECRET_KEY="bench-secret-key-" + "x" * 32,
        PREPPAL_INTERVIEWER="gemini",
        GEMINI_API_KEY="bench-key",
        GEMINI_CONNECT_TIMEOUT_S="30",
        PREPPAL_BENCH_BATCH_MS=str(args.batch_ms),
        PREPPAL_BENCH_SDK_MODELS="1" if args.sdk_models else "0",
    )
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "PREPPAL_DATA_DIR", "PREPPAL_SECRET_KEY")})
    from sqlmodel import SQLModel

    import preppal.models  # noqa: F401  (registers the tables)
    from preppal.db import get_engine
    from preppal.settings import reset_settings

    reset_settings()
    SQLModel.metadata.create_all(get_engine())

    procs: list[subprocess.Popen] = []
    stops: list = []
    try:
        stats_file, info = start_standin(work, env, procs)
        standin = procs[-1]
        env.update(GEMINI_BASE_URL=info["base_url"], GEMINI_CA_FILE=info["cert"], PREPPAL_BENCH_ROLE="relay")
        ports = [free_port() for _ in range(args.instances)]
        for port in ports:
            relay = subprocess.Popen(
                [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)]
                + ["--workers", "1", "--no-log", "bench.relay_bench_server:app"],
                cwd=ROOT,
                env=env,
            )
            procs.append(relay)
        stats_urls = [f"http://127.0.0.1:{port}/bench/stats" for port in ports]
        deadline = time.monotonic() + 30
        while True:
            try:
                combined_stats(stats_urls)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        relay_url = f"ws://127.0.0.1:{ports[0]}"
        if args.instances > 1:
            from tests.support.failover import Nginx

            nginx = Nginx(work / "nginx", ports).start()
            stops.append(nginx.stop)
            relay_url = nginx.url
        if getattr(args, "frame_ms", None):
            Candidate.frame_ms = args.frame_ms
        else:
            from preppal.settings import get_settings

            Candidate.frame_ms = get_settings().audio_frame_ms
        path = f"{Candidate.frame_ms} ms browser frames, " + ("SDK models" if args.sdk_models else "wire JSON")
        where = f"{args.instances} instances behind nginx" if args.instances > 1 else "1 instance"
        print(
            f"{where}, {path}, batch {args.batch_ms} ms, {args.duration:.0f} s measured per size,"
            f" {args.warmup:.0f} s warm-up"
        )
        results = []
        for n in args.sizes:
            result = await run_size(n, args, relay_url, stats_urls, standin.pid, stats_file)
            results.append(result)
            print(fmt(result), flush=True)
            await asyncio.sleep(2)  # let the sessions finish before the next size
        ok = [
            r["n"]
            for r in results
            if r["ready"] == r["n"]
            and r["up_flush"].get("p99_ms", 1e9) <= TARGET_P99_MS
            and r["down"].get("p99_ms", 1e9) <= TARGET_P99_MS
        ]
        print(
            f"relay_load: largest size with p99 ≤ {TARGET_P99_MS:.0f} ms both directions: {max(ok) if ok else 'none'}"
        )
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        if args.profile:
            combined_stats(stats_urls)  # closes the profile window
            pstats.Stats(args.profile).sort_stats("tottime").print_stats(25)
        return results
    finally:
        for stop in stops:
            stop()
        stop_processes(procs)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100, 200])
    parser.add_argument("--instances", type=int, default=1, help="relay processes (>1: behind nginx, on PG + Redis)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per size")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--frame-ms", type=int, default=None, help="browser frame length (default: settings)")
    parser.add_argument("--batch-ms", type=int, default=60, help="candidate audio per upstream message")
    parser.add_argument("--sdk-models", action="store_true", help="per-message SDK models instead of wire JSON")
    parser.add_argument("--profile", help="write a cProfile of the relay worker (last size) to this path")
    parser.add_argument("--json", help="also write the results as JSON here")
    asyncio.run(main(parser.parse_args()))
