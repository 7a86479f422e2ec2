"""The relay under UI load: does page traffic on the same worker slow the live audio?

N simulated candidates stream real-time audio through the relay of the production app
(``reflex run --env prod``, one worker, exactly as users run it) while M simulated users
drive Reflex events on the same worker as fast as it answers: dashboard, history with
filters and search, a feedback page, the profile. The database is PostgreSQL behind a small
loopback TCP proxy that adds ``--db-delay-ms`` (2 ms) each way, as a database one network
hop away would. "Gemini" is the Live-API stand-in (bench/relay_bench_server.py).

Two windows of ``--duration`` seconds with the same N candidates: idle (no UI users) and
under UI load. Reported per window: relay latency p99 upstream (candidate frame → stand-in,
batch-completing frames: the relay's own processing) and downstream (stand-in audio →
candidate), UI events/s, and the app worker's event-loop lag p99 (a 10 ms heartbeat on the
worker's loop, injected through ``sitecustomize`` so the same probe works on any revision).
Last line::

    relay_under_ui: p99 up X ms down Y ms (idle X0/Y0), ui events/s E, loop lag p99 L ms

Usage (needs PostgreSQL on 127.0.0.1:5432, db ``test``)::

    nice -n -10 .venv/bin/python -m bench.relay_under_ui                 # N=100, M=20, 20 s windows
    .venv/bin/python -m bench.relay_under_ui --candidates 20 --users 5 --duration 8   # quick

Self-contained on purpose (only services, the stand-in and the test app server are
imported), so the same file runs against an older revision for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
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

PG_URL = os.environ.get("PREPPAL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-" + "y" * 32
INTERVIEWS_PER_USER = 8
FRAME_MS = 40
NAMESPACE = "/_event"  # Reflex's Socket.IO path *and* namespace

# ---- the database proxy (its own process) ------------------------------------------------------


async def _proxy(listen_port: int, target_port: int, delay_s: float) -> None:
    """Forward TCP to 127.0.0.1:target_port, each chunk delivered ``delay_s`` later (both ways)."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        try:
            while data := await reader.read(65536):
                loop.call_later(delay_s, writer.write, data)  # same delay for all: order kept
        except (ConnectionError, OSError):
            pass
        finally:
            await asyncio.sleep(delay_s)
            writer.close()

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", target_port)
        for sock in (client_w, server_w):
            sock.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


# ---- the event-loop probe injected into the app worker ------------------------------------------

PROBE = textwrap.dedent(
    '''
    """Bench probe (bench/relay_under_ui.py): a 10 ms heartbeat on every event loop that
    runs, lateness samples appended to PREPPAL_BENCH_PROBE_DIR by a thread."""
    import os

    if os.environ.get("PREPPAL_BENCH_PROBE_DIR"):
        import asyncio, json, threading, time
        from asyncio import base_events

        _run_forever = base_events.BaseEventLoop.run_forever

        def _start(loop):
            samples = []
            path = os.path.join(os.environ["PREPPAL_BENCH_PROBE_DIR"], f"lag-{os.getpid()}-{id(loop)}.jsonl")

            async def beat():
                while True:
                    t0 = time.monotonic()
                    await asyncio.sleep(0.01)
                    now = time.monotonic()
                    samples.append((now, now - t0 - 0.01))

            loop.create_task(beat())

            def flush():
                while True:
                    time.sleep(1.0)
                    batch = samples[:]
                    del samples[: len(batch)]
                    with open(path, "a") as f:
                        f.write(json.dumps(batch) + "\\n")

            threading.Thread(target=flush, daemon=True, name="bench-probe").start()

        def run_forever(self):
            if not getattr(self, "_bench_probe", False):
                self._bench_probe = True
                self.call_soon(_start, self)
            return _run_forever(self)

        base_events.BaseEventLoop.run_forever = run_forever
    '''
)


def loop_lags(probe_dir: Path, t0: float, t1: float) -> list[float]:
    """Samples in [t0, t1] of the loop with the most samples there (the worker's serving loop)."""
    best: list[float] = []
    for path in probe_dir.glob("lag-*.jsonl"):
        values = [
            lag for line in path.read_text().splitlines() if line for at, lag in json.loads(line) if t0 <= at <= t1
        ]
        if len(values) > len(best):
            best = values
    return best


# ---- the candidates ---------------------------------------------------------------------------------


class Candidate:
    """One browser on the relay: 40 ms frames on a real-time schedule, AI audio timed on arrival."""

    def __init__(self, url: str, down: list[tuple[float, float]]) -> None:
        self.url, self.down = url, down
        self.ready = asyncio.Event()
        self.closed_with: int | None = None

    async def run(self, stop_at: float) -> None:
        async with websockets.connect(
            self.url, max_size=None, compression=None, open_timeout=60, ping_interval=None
        ) as ws:
            reader = asyncio.create_task(self._read(ws))
            await asyncio.wait_for(self.ready.wait(), 90)
            loop = asyncio.get_running_loop()
            next_at, size = loop.time(), FRAME * FRAME_MS // 20
            while loop.time() < stop_at:
                await ws.send(codec.client_audio(stamp(size)))
                next_at += FRAME_MS / 1000
                await asyncio.sleep(max(0.0, next_at - loop.time()))
            await ws.send(codec.client_end())
            await asyncio.wait_for(reader, 30)

    async def _read(self, ws) -> None:
        try:
            async for data in ws:
                now = time.monotonic()
                msg = codec.decode_server(data)
                kind = msg.WhichOneof("payload")
                if kind == "audio_response":
                    sent = read_stamp(msg.audio_response.audio_content)
                    if sent is not None:
                        self.down.append((now, now - sent))
                elif kind == "session_ready":
                    self.ready.set()
        except websockets.ConnectionClosed:
            pass
        self.closed_with = ws.close_code


# ---- the UI users: Reflex events over its Socket.IO endpoint -----------------------------------


class UiUser:
    """A signed-in browser tab speaking Reflex's Socket.IO protocol (Engine.IO v4 over WebSocket)."""

    def __init__(self, base: str, session_token: str, feedback_id: str, names: dict[str, str]) -> None:
        self.base, self.cookie, self.feedback_id, self.names = base, session_token, feedback_id, names
        self.done = 0
        self.timeouts = 0

    def _script(self) -> list[tuple[str, str, dict, dict]]:
        n, fid = self.names, self.feedback_id
        return [
            (n["dashboard"] + ".load", "/dashboard", {}, {}),
            (n["history"] + ".load", "/history", {}, {}),
            (n["history"] + ".set_status_filter", "/history", {}, {"value": "COMPLETED"}),
            (n["history"] + ".set_type_filter", "/history", {}, {"value": "behavioural"}),
            (n["history"] + ".search", "/history", {}, {"form": {"query": "engineer"}}),
            (n["history"] + ".clear_filters", "/history", {}, {}),
            (n["feedback"] + ".load", f"/interview/{fid}/feedback", {"interview_id": fid}, {}),
            (n["profile"] + ".load", "/profile", {}, {}),
        ]

    async def run(self, measure_from: float, stop_at: float) -> None:
        url = f"{self.base}/_event/?EIO=4&transport=websocket&token={uuid.uuid4()}"
        headers = {"Cookie": f"preppal_session={self.cookie}"}
        async with websockets.connect(url, additional_headers=headers, max_size=None, open_timeout=60) as ws:
            await ws.recv()  # Engine.IO open
            await ws.send(f"40{NAMESPACE},")  # Socket.IO connect to Reflex's namespace
            while not (await ws.recv()).startswith(f"40{NAMESPACE}"):
                pass
            # A tab's first event is the hydrate, as in a browser (the state is created then).
            hydrate = {
                "name": f"{self.names['root']}.hydrate",
                "payload": {},
                "router_data": {"pathname": "/dashboard"},
            }
            await ws.send(f"42{NAMESPACE}," + json.dumps(["event", hydrate]))
            await asyncio.wait_for(self._until_final(ws), 60)
            script, i = self._script(), 0
            while time.monotonic() < stop_at:
                name, path, query, payload = script[i % len(script)]
                i += 1
                event = {"name": name, "payload": payload, "router_data": {"pathname": path, "query": query}}
                await ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))
                try:
                    await asyncio.wait_for(self._until_final(ws), 15)
                except TimeoutError:
                    self.timeouts += 1
                    continue
                if time.monotonic() >= measure_from:
                    self.done += 1

    @staticmethod
    async def _until_final(ws) -> None:
        while True:
            frame = await ws.recv()
            if frame == "2":  # Engine.IO ping
                await ws.send("3")
            elif frame.startswith(f"42{NAMESPACE},"):
                name, update = json.loads(frame[len(NAMESPACE) + 3 :])[:2]
                if name == "event" and isinstance(update, dict) and update.get("final", True):
                    return


# ---- set-up ------------------------------------------------------------------------------------------


def seed(users: int, candidates: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """UI users (session token, a feedback page) and candidates (interview id, worker token)."""
    from preppal.db import session_scope
    from preppal.models import InterviewStatus, Speaker, User
    from preppal.services.accounts import auth
    from preppal.services.feedback import produce
    from preppal.services.interviews import lifecycle, transcripts
    from preppal.services.interviews.transcripts import TranscriptLine
    from preppal.services.interviews.worker_tokens import generate_worker_token

    lines = [
        TranscriptLine(1, Speaker.AI, "Tell me about a project you led.", 0, 3_000),
        TranscriptLine(2, Speaker.USER, "Um, I led the billing migration; the close went to one day.", 4_000, 12_000),
        TranscriptLine(3, Speaker.AI, "How did you get finance to trust it?", 13_000, 15_000),
        TranscriptLine(4, Speaker.USER, "We ran both systems in parallel for two months.", 16_000, 21_000),
    ]

    def user(name: str) -> int:
        with session_scope() as session:
            row = User(email=f"{name}-{uuid.uuid4().hex[:8]}@example.com", name=name, target_role="Backend engineer")
            session.add(row)
            session.flush()
            return int(row.id)

    ui = []
    for u in range(users):
        uid = user(f"ui{u}")
        ids = []
        for k in range(INTERVIEWS_PER_USER):
            kind = ("behavioural", "technical")[k % 2]
            iv = lifecycle.create_interview(uid, interview_type=kind, role=f"Backend engineer {k}")
            lifecycle.update_status(iv.id, InterviewStatus.IN_PROGRESS)
            transcripts.submit_transcript(iv.id, lines)
            ids.append(iv.id)
        produce.run_feedback(ids[0])  # the analyzer (no key in this process): a READY feedback page
        ui.append((auth.create_login_session(uid), ids[0]))
    calls = []
    for i in range(candidates):  # one user each: a user may have only one live interview
        cid = user(f"candidate{i}")
        iid = lifecycle.create_interview(cid, interview_type="technical", role="Engineer").id
        calls.append((iid, generate_worker_token(cid, iid, f"bench-client-{i}")))
    return ui, calls


def state_names() -> dict[str, str]:
    import reflex as rx

    from preppal.state.dashboard import DashboardState
    from preppal.state.feedback import FeedbackState
    from preppal.state.history import HistoryState
    from preppal.state.profile import ProfileState

    return {
        "root": rx.State.get_full_name(),
        "dashboard": DashboardState.get_full_name(),
        "history": HistoryState.get_full_name(),
        "feedback": FeedbackState.get_full_name(),
        "profile": ProfileState.get_full_name(),
    }


async def window(standin_pid: int, stats_file: Path, seconds: float) -> dict:
    """One measured window: the stand-in's upstream latencies over exactly these seconds."""
    stats_file.unlink(missing_ok=True)
    os.kill(standin_pid, signal.SIGUSR1)  # close the previous window, start this one
    await asyncio.to_thread(wait_file, stats_file)
    t0 = time.monotonic()
    await asyncio.sleep(seconds)
    stats_file.unlink(missing_ok=True)
    os.kill(standin_pid, signal.SIGUSR1)
    up = await asyncio.to_thread(wait_file, stats_file)
    return {"t0": t0, "t1": time.monotonic(), "up": up}


def p99(values: list[float]) -> float:
    return percentiles(values).get("p99_ms", float("nan"))


async def run(args, base_url: str, probe_dir: Path, standin_pid: int, stats_file: Path) -> dict:
    ui_seed, calls = await asyncio.to_thread(seed, args.users, args.candidates)
    names = state_names()
    ws_base = base_url.replace("http://", "ws://")
    loop = asyncio.get_running_loop()
    ramp = min(10.0, 0.05 * args.candidates)
    total = ramp + args.warmup + args.duration + 3.0 + args.duration + 1.0
    stop_at = loop.time() + total
    down: list[tuple[float, float]] = []
    cands = [Candidate(f"{ws_base}/ws/interview/{iid}?token={tok}", down) for iid, tok in calls]

    async def launch(i: int, c: Candidate) -> None:
        await asyncio.sleep(ramp * i / len(cands))
        await c.run(stop_at)

    tasks = [asyncio.create_task(launch(i, c)) for i, c in enumerate(cands)]
    await asyncio.sleep(ramp + args.warmup)
    idle = await window(standin_pid, stats_file, args.duration)
    users = [UiUser(ws_base, tok, fid, names) for tok, fid in ui_seed]
    measure_from = time.monotonic() + 3.0
    ui_stop = measure_from + args.duration
    ui_tasks = [asyncio.create_task(u.run(measure_from, ui_stop)) for u in users]
    await asyncio.sleep(3.0)  # every user connected and busy
    busy = await window(standin_pid, stats_file, args.duration)
    ui_results = await asyncio.gather(*ui_tasks, return_exceptions=True)
    results = await asyncio.gather(*tasks, return_exceptions=True)

    def down_in(w: dict) -> list[float]:
        return [lat for at, lat in down if w["t0"] <= at <= w["t1"]]

    lag_idle = loop_lags(probe_dir, idle["t0"], idle["t1"])
    lag_busy = loop_lags(probe_dir, busy["t0"], busy["t1"])
    return {
        "candidates": len(cands),
        "ready": sum(c.ready.is_set() for c in cands),
        "candidate_errors": [repr(r)[:160] for r in results if isinstance(r, BaseException)][:3],
        "ui_errors": [repr(r)[:160] for r in ui_results if isinstance(r, BaseException)][:3],
        "ui_timeouts": sum(u.timeouts for u in users),
        "ui_events": sum(u.done for u in users),
        "ui_events_per_s": sum(u.done for u in users) / args.duration,
        "idle": {"up": idle["up"]["up_flush"], "up_all": idle["up"]["up_all"], "down": percentiles(down_in(idle))},
        "busy": {"up": busy["up"]["up_flush"], "up_all": busy["up"]["up_all"], "down": percentiles(down_in(busy))},
        "loop_lag_idle": percentiles(lag_idle),
        "loop_lag_busy": percentiles(lag_busy),
        "load_avg_1m": os.getloadavg()[0],
    }


async def main(args) -> None:
    from tests.support.app_server import start_app_server

    work = Path(tempfile.mkdtemp(prefix="relay-under-ui-"))
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    import sqlalchemy as sa

    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    pg_port = sa.engine.make_url(PG_URL).port or 5432
    proxy_port = free_port()
    direct_url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    proxied_url = str(sa.engine.make_url(PG_URL).set(port=proxy_port).render_as_string(hide_password=False))
    proxied_url += f"?options=-csearch_path%3D{schema}"
    probe_dir = work / "probe"
    probe_dir.mkdir()
    (work / "site").mkdir()
    (work / "site" / "sitecustomize.py").write_text(PROBE)
    env = dict(os.environ, PYTHONPATH=str(ROOT), PREPPAL_SECRET_KEY=SECRET, PREPPAL_DATA_DIR=str(work))
    procs: list[subprocess.Popen] = []
    server = None
    try:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.relay_under_ui", "proxy", str(proxy_port), str(pg_port)]
                + [str(args.db_delay_ms)],
                cwd=ROOT,
                env=env,
            )
        )
        stats_file, info = start_standin(work, env, procs)
        standin = procs[-1]
        os.environ.update(DATABASE_URL=direct_url, PREPPAL_SECRET_KEY=SECRET, PREPPAL_DATA_DIR=str(work))
        os.environ.pop("GEMINI_API_KEY", None)  # seeding feedback uses the analyzer
        from preppal.settings import reset_settings

        reset_settings()
        print(f"building and starting the app (PostgreSQL via a {args.db_delay_ms} ms-each-way proxy)...", flush=True)
        server = await asyncio.to_thread(
            start_app_server,
            "bench-ui",
            {
                "DATABASE_URL": proxied_url,
                "PREPPAL_INTERVIEWER": "gemini",
                "GEMINI_API_KEY": "bench-key",
                "GEMINI_BASE_URL": info["base_url"],
                "GEMINI_CA_FILE": info["cert"],
                "GEMINI_CONNECT_TIMEOUT_S": "30",
                "PREPPAL_SECRET_KEY": SECRET,
                "PREPPAL_BENCH_PROBE_DIR": str(probe_dir),
                "PYTHONPATH": f"{work / 'site'}",
                # The bench's own probe measures the loop; --stalls also names what blocks it.
                "PREPPAL_LOOP_WATCHDOG": args.stalls or "",
            },
        )
        result = await run(args, server.url, probe_dir, standin.pid, stats_file)
    finally:
        if server is not None:
            server.stop()
        stop_processes(procs)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    if result["ready"] < result["candidates"]:  # the numbers would be of fewer calls than asked for
        ready, asked = result["ready"], result["candidates"]
        sys.exit(f"only {ready} of {asked} candidates got a live call: {result['candidate_errors']}")
    idle, busy = result["idle"], result["busy"]
    print(
        f"relay_under_ui: p99 up {busy['up'].get('p99_ms', float('nan')):.1f} ms "
        f"down {busy['down'].get('p99_ms', float('nan')):.1f} ms "
        f"(idle {idle['up'].get('p99_ms', float('nan')):.1f}/{idle['down'].get('p99_ms', float('nan')):.1f}), "
        f"ui events/s {result['ui_events_per_s']:.1f}, "
        f"loop lag p99 {result['loop_lag_busy'].get('p99_ms', float('nan')):.1f} ms"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["proxy"]:
        listen, target, delay_ms = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
        asyncio.run(_proxy(listen, target, delay_ms / 1000))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=100, help="N simulated candidates on the relay")
    parser.add_argument("--users", type=int, default=20, help="M simulated UI users")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measured window")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--db-delay-ms", type=float, default=2.0, help="added by the proxy, each way")
    parser.add_argument("--json", help="also write the results as JSON here")
    parser.add_argument("--stalls", help="file: the app's loop watchdog writes stalls > 50 ms here (this revision)")
    asyncio.run(main(parser.parse_args()))
