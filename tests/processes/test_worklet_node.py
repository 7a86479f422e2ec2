"""Runs the audio DSP's JavaScript unit tests (node's own test runner) from pytest.

The tests live next to the code in audio_worklet/*.test.mjs; processors.test.mjs loads
the served worklet files from assets/audio/, call.test.mjs the call's client from assets/call/
(its protobufjs import resolves from audio_worklet/node_modules: resolve_from_here.mjs).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

WORKLET = Path(__file__).resolve().parents[2] / "audio_worklet"


def test_node_worklet_suite() -> None:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (scripts/setup.sh installs it)")
    files = sorted(p.name for p in WORKLET.glob("*.test.mjs"))
    assert files, "no audio_worklet/*.test.mjs found"
    if not (WORKLET / "node_modules" / "protobufjs").is_dir():
        pytest.skip("audio_worklet/node_modules is missing (scripts/test.sh runs npm ci there)")
    command = ["node", "--import", "./resolve_from_here.mjs", "--test", *files]
    proc = subprocess.run(command, cwd=WORKLET, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
