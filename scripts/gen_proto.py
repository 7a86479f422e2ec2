"""Generate the Python protobuf module from proto/interview.proto.

One source of truth: the browser code is generated from the same file
(`npm run build --prefix audio_worklet`). tests/unit/test_proto_current.py fails when the
checked-in output is stale. Run: python scripts/gen_proto.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
DEFAULT_OUT = ROOT / "preppal" / "realtime" / "pb"


def generate(out_dir: Path = DEFAULT_OUT) -> Path:
    """Run protoc (bundled with grpcio-tools) and return the generated file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    code = protoc.main(
        [
            "protoc",
            f"-I{PROTO_DIR}",
            f"--python_out={out_dir}",
            f"--pyi_out={out_dir}",
            str(PROTO_DIR / "interview.proto"),
        ]
    )
    if code != 0:
        raise SystemExit(f"protoc failed with exit code {code}")
    return out_dir / "interview_pb2.py"


if __name__ == "__main__":
    print(generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
