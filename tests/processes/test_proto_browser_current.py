"""The browser copies under assets/ are current with their sources.

assets/proto/interview_pb.js is generated from proto/interview.proto (the contract the
Python relay is generated from too) and assets/audio/*.js are bundled from audio_worklet/.
A stale copy would silently speak an old protocol or run old DSP, so rebuild into a temp
dir with the pinned tools (audio_worklet/package-lock.json) and compare byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKLET = ROOT / "audio_worklet"
GENERATED = ["proto/interview_pb.js", "audio/capture-processor.js", "audio/playback-processor.js"]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed (scripts/setup.sh installs it)")
    if not (WORKLET / "node_modules" / ".bin" / "pbjs").exists():
        pytest.skip("audio_worklet/node_modules missing: run `npm ci --prefix audio_worklet`")
    out = tmp_path_factory.mktemp("assets")
    subprocess.run(["node", str(WORKLET / "scripts" / "build.mjs"), str(out)], check=True, timeout=120)
    return out


@pytest.mark.parametrize("name", GENERATED)
def test_served_copy_is_current(rebuilt: Path, name: str) -> None:
    fresh = (rebuilt / name).read_text()
    served = ROOT / "assets" / name
    assert served.exists(), f"assets/{name} missing: run `npm run build --prefix audio_worklet`"
    assert served.read_text() == fresh, f"assets/{name} is stale: run `npm run build --prefix audio_worklet`"


def test_browser_code_knows_every_server_message() -> None:
    """Each ServerToClientMessage member in the .proto has a generated JS type."""
    from preppal.realtime.pb import interview_pb2

    js = (ROOT / "assets" / "proto" / "interview_pb.js").read_text()
    fields = interview_pb2.ServerToClientMessage.DESCRIPTOR.oneofs_by_name["payload"].fields
    assert len(fields) >= 6
    for field in fields:
        assert f"preppal.{field.message_type.name} = (function()" in js, field.message_type.name
