"""The README's development command on a fresh copy of the app: ``scripts/dev.sh`` sets up
like command 1 (Node >= 22.22 from the npm registry, database migrations) and runs Reflex's
dev server; the sign-in page loads in Chromium and an edit to the page's Python shows in
the open page by itself (hot reload). Works in a temporary copy, never in the repo tree."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.app_server import ROOT, copy_tree, free_port, reflex_env

pytestmark = [pytest.mark.browser, pytest.mark.process]
START_TIMEOUT_S = 300  # first start: .web is initialised and its packages installed (bun, offline)
PAGE = Path("preppal/pages/auth.py")
SHOWN = "Practise interviews out loud with an AI interviewer."


def wait_for_page(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert server.poll() is None, f"scripts/dev.sh exited ({server.returncode}):\n{log.read_text()[-4000:]}"
        try:
            with urllib.request.urlopen(url, timeout=5) as page:
                if page.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"the dev server did not serve {url} in {START_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


def test_the_dev_server_hot_reloads_a_python_page_edit(browser, tmp_path: Path) -> None:
    app = tmp_path / "app"
    copy_tree(app)
    frontend, backend = free_port(), free_port()
    env = {
        **reflex_env(),
        "PREPPAL_VENV": sys.prefix,  # this environment (scripts/test.sh set it up)
        "PREPPAL_TOOLS_DIR": os.environ.get("PREPPAL_TOOLS_DIR", str(ROOT / ".tools")),
        "PREPPAL_DATA_DIR": str(tmp_path / "data"),
        "FRONTEND_PORT": str(frontend),
        "BACKEND_PORT": str(backend),
    }
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            ["bash", "scripts/dev.sh"], cwd=app, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    context = browser.new_context(base_url=f"http://localhost:{frontend}")
    try:
        wait_for_page(f"http://localhost:{frontend}/sign-in", server, log)
        assert "Reflex requires node version" not in log.read_text()
        assert "Node.js is out of date" not in log.read_text()
        page = context.new_page()
        page.goto("/sign-in")
        expect(page.get_by_text(SHOWN)).to_be_visible(timeout=60_000)

        edited = f"Practise out loud (edited {uuid.uuid4().hex[:6]})."
        source = app / PAGE
        source.write_text(source.read_text().replace(SHOWN, edited))
        expect(page.get_by_text(edited)).to_be_visible(timeout=120_000)  # no reload from here
    finally:
        context.close()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
        shutil.rmtree(app, ignore_errors=True)  # its .web holds the frontend's packages (~200 MB)
