"""The event-loop guard of the test suite: integration and browser tests fail when the
app's event loop was blocked for more than ``THRESHOLD_S`` (see preppal/loop_watchdog.py).

In-process (integration tests) the watchdog watches the test's own loop, where the relay,
the stand-in and the routes under test run. Browser tests watch the app server's loop: the
server runs with ``PREPPAL_LOOP_WATCHDOG=<file>`` and every test reads the stalls its
run appended to that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from preppal.loop_watchdog import DEFAULT_THRESHOLD_S, ENV_FILE, ENV_THRESHOLD_MS, Stall

THRESHOLD_S = DEFAULT_THRESHOLD_S
OPT_OUT = "PREPPAL_TEST_NO_LOOP_GUARD"  # =1 to switch the guard off while investigating


def enabled() -> bool:
    return os.environ.get(OPT_OUT, "") != "1"


def split(stalls: list[Stall]) -> tuple[list[Stall], list[Stall]]:
    """(failures, warnings): a stall fails the test when the loop thread was caught running
    code on the loop (outside the app's warm-up); one where it only waited for the GIL or a
    CPU (another thread held the interpreter, or nothing could be caught) is a warning."""
    failing = [s for s in stalls if s.on_loop and not s.warming_up]
    return failing, [s for s in stalls if s not in failing]


def describe(stalls: list[Stall], where: str) -> str:
    parts = [f"the event loop of {where} was blocked {len(stalls)} time(s) for more than {THRESHOLD_S * 1000:.0f} ms:"]
    for stall in stalls[:3]:
        parts.append(f"--- blocked {stall.blocked_ms:.0f} ms (woke {stall.late_ms:.0f} ms late), stack:\n{stall.stack}")
    return "\n".join(parts)


def server_env(stall_file: Path) -> dict[str, str]:
    """Environment that makes an app server watch its loop into ``stall_file``."""
    return {ENV_FILE: str(stall_file), ENV_THRESHOLD_MS: str(THRESHOLD_S * 1000)}


@dataclass
class StallFile:
    """Reads what one app server appended to its stall file since the last look."""

    path: Path
    offset: int = 0
    starts: list[dict] = field(default_factory=list)

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def new_records(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        records = [json.loads(line) for line in complete.splitlines() if line.strip()]
        self.starts += [r for r in records if r.get("kind") == "start"]
        return records

    def new_stalls(self) -> list[Stall]:
        fields = set(Stall.__dataclass_fields__)
        return [
            Stall(**{k: v for k, v in r.items() if k in fields}) for r in self.new_records() if r.get("kind") == "stall"
        ]
