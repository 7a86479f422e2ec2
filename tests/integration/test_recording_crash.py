"""Nothing flushed is lost when the process recording an interview dies (SIGKILL, no cleanup):
the files left behind decode, on the interview clock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from preppal.services.recordings import tracks
from preppal.services.recordings.store import LocalStore
from tests.support.app_server import ROOT

RATE = 16_000
pytestmark = pytest.mark.process  # the writer runs in a process this test kills


def test_a_killed_writer_leaves_playable_files(tmp_path) -> None:
    root = tmp_path / "recordings"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.recording_victim", str(root), "iv-killed"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "flushed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    store = LocalStore(root)
    assert store.size("iv-killed", "recording.json") is None  # it never finished...
    cand = tracks.read_track_pcm(store, "iv-killed", "candidate")
    assert cand is not None  # ...yet what was flushed plays
    # 4 s were offered and 4.6 s had passed: at most the Ogg page being filled (≤ 250 ms) and
    # Opus' look-ahead are missing.
    print(f"kept {len(cand) / RATE:.2f} s of 4 s offered")
    assert 3.3 <= len(cand) / RATE <= 4.1
    assert abs(np.argmax(np.abs(cand)) / RATE - 1.0) < 0.003  # still on the interview clock
    mixed = tracks.decode_ogg(store.read_all("iv-killed", "mix.ogg"), RATE)
    assert len(mixed) / RATE >= 3.0 and abs(np.argmax(np.abs(mixed)) / RATE - 1.0) < 0.005
    info = tracks.recording_info(store, "iv-killed")
    assert info is not None and info.duration_ms is None  # the page falls back to the transcript's length
