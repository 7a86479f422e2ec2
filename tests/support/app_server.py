"""Serve the real production build of Preppal for browser tests.

Each server runs from its own copy of the working tree (so a build never races another
one in the checkout's ``.web/``), with its own SQLite database migrated by Alembic, on
a free port: ``reflex run --env prod --single-port`` exactly as users run it. Its event
loop is watched (tests/support/loop_guard.py): stalls land in ``loop-stalls.jsonl``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import loop_guard

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reflex_env() -> dict[str, str]:
    """The environment Reflex needs offline (bun from the npm registry; see scripts/setup.sh)."""
    env = dict(os.environ)
    tools = Path(os.environ.get("PREPPAL_TOOLS_DIR", ROOT / ".tools"))
    bun = tools / "node_modules" / ".bin" / "bun"
    if bun.exists():
        env.setdefault("REFLEX_BUN_PATH", str(bun))
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    if "NPM_CONFIG_REGISTRY" not in env and shutil.which("npm"):
        registry = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True)
        if registry.returncode == 0 and registry.stdout.strip():
            env["NPM_CONFIG_REGISTRY"] = registry.stdout.strip()
    return env


def copy_tree(dest: Path) -> None:
    """Tracked and untracked-but-not-ignored files: what a fresh clone plus local edits has.

    ``PREPPAL_TEST_FILES=tracked`` copies only files known to git (staged included), to
    leave out someone's half-written new modules.
    """
    which = ["--cached"] if os.environ.get("PREPPAL_TEST_FILES") == "tracked" else ["--cached", "--others"]
    listed = subprocess.run(
        ["git", "ls-files", "-z", *which, "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        rel = raw.decode()
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


@dataclass
class AppServer:
    name: str
    workdir: Path
    port: int
    env: dict[str, str]
    log_path: Path
    app_dir: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    stalls: loop_guard.StallFile | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def data_dir(self) -> Path:
        return Path(self.env["PREPPAL_DATA_DIR"])

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        # Its copy of the tree, build, database and log (15-200 MB): every run left them in /tmp.
        shutil.rmtree(self.workdir, ignore_errors=True)


def _wait_ready(server: AppServer, deadline: float) -> None:
    last = ""
    while time.monotonic() < deadline:
        if server.process and server.process.poll() is not None:
            raise RuntimeError(f"app server {server.name} exited early:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/ping", timeout=2) as ping:
                if ping.status == 200:
                    with urllib.request.urlopen(f"{server.url}/sign-in", timeout=5) as page:
                        if page.status == 200:
                            return
        except Exception as exc:  # not up yet
            last = repr(exc)
        time.sleep(0.5)
    raise RuntimeError(f"app server {server.name} not ready ({last}):\n{server.log_tail()}")


def start_app_server(
    name: str, extra_env: dict[str, str] | None = None, *, same_build_as: AppServer | None = None
) -> AppServer:
    """Copy the tree, migrate a fresh database and serve the production build.

    ``same_build_as``: serve from that server's tree instead (several instances behind one
    balancer must serve the same frontend build: asset names are content hashes that differ
    between builds made in different directories)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"preppal-{name}-"))
    app_dir = same_build_as.app_dir if same_build_as else workdir / "app"
    if same_build_as is None:
        copy_tree(app_dir)
    data_dir = workdir / "data"
    data_dir.mkdir()
    env = reflex_env()
    env.update(
        PREPPAL_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'preppal.db'}",
        PREPPAL_PUBLIC_URL="",
        PYTHONUNBUFFERED="1",
        # Every test signs up from 127.0.0.1: the per-address sign-up limit would trip.
        PREPPAL_SIGNUPS_PER_HOUR="100000",
        PREPPAL_INTERVIEWS_PER_HOUR="100000",
    )
    stall_path = workdir / "loop-stalls.jsonl"
    if loop_guard.enabled():
        env.update(loop_guard.server_env(stall_path))
    env.update(extra_env or {})
    port = free_port()
    env["PREPPAL_PUBLIC_URL"] = env["PREPPAL_PUBLIC_URL"] or f"http://localhost:{port}"
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"], cwd=app_dir, env=env, check=True, capture_output=True
    )
    log_path = workdir / "server.log"
    server = AppServer(name=name, workdir=workdir, port=port, env=env, log_path=log_path, app_dir=app_dir)
    if loop_guard.enabled():
        server.stalls = loop_guard.StallFile(stall_path)
    with open(log_path, "wb") as log:
        server.process = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
            cwd=app_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(server, time.monotonic() + BUILD_TIMEOUT_S)
    except Exception:
        server.stop()
        raise
    return server


_servers: dict[str, AppServer] = {}


def app_server_for(name: str, extra_env: dict[str, str] | None = None) -> AppServer:
    """One production server per configuration name for the whole test session."""
    if name not in _servers:
        _servers[name] = start_app_server(name, extra_env)
    return _servers[name]


def running_app_servers() -> list[AppServer]:
    return list(_servers.values())


def stop_app_server(name: str) -> None:
    """Stop a server early (e.g. one whose database a module fixture is about to drop)."""
    server = _servers.pop(name, None)
    if server is not None:
        server.stop()


def stop_all_app_servers() -> None:
    for name in list(_servers):
        stop_app_server(name)
