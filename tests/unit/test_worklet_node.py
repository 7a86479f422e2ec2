"""Runs the audio DSP's JavaScript unit tests (node's own test runner) from pytest.

The tests live next to the code in audio_worklet/*.test.mjs; processors.test.mjs loads
the served worklet files from assets/audio/.
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
    proc = subprocess.run(["node", "--test", *files], cwd=WORKLET, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "# fail 0" in proc.stdout
