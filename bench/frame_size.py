"""Which browser frame length (settings.audio_frame_ms) should the capture worklet use?

Runs the relay load benchmark (bench/relay_load.py: granian + real SDK + Live-API
stand-in) with candidates sending AudioChunk frames of each length, and prints the
relay's CPU per session and the latencies for each. Longer frames cost less per second
of audio (the relay's cost is per message) but add their own length to the first
word's delay; see docs/performance.md for the choice.

    .venv/bin/python -m bench.frame_size --frames 20 40 100 --sizes 50 --duration 10
    .venv/bin/python -m bench.frame_size --frames 40 --sizes 2 --duration 1 --warmup 0.5   # the suite's smoke size

The last line compares the relay's CPU per session at the shortest and the longest frame
(of the largest size):

    frame_size: relay CPU per session S % of a core at F ms frames, L % at G ms
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import relay_load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, nargs="+", default=[20, 40, 100], help="frame lengths in ms")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--batch-ms", type=int, default=60)
    args = parser.parse_args()
    cpu: dict[int, float] = {}
    for frame_ms in args.frames:
        print(f"\n=== browser frames of {frame_ms} ms ({16_000 * 2 * frame_ms // 1000} bytes) ===", flush=True)
        run_args = argparse.Namespace(
            frame_ms=frame_ms,
            sizes=args.sizes,
            duration=args.duration,
            warmup=args.warmup,
            batch_ms=args.batch_ms,
            sdk_models=False,
            profile=None,
            json=None,
            instances=1,
        )
        results = asyncio.run(relay_load.main(run_args))
        cpu[frame_ms] = results[-1]["relay_cpu_pct_per_session"]
    short, long = min(cpu), max(cpu)
    print(
        f"frame_size: relay CPU per session {cpu[short]:.2f} % of a core at {short} ms frames, "
        f"{cpu[long]:.2f} % at {long} ms"
    )


if __name__ == "__main__":
    main()
