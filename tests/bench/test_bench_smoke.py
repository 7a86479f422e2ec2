"""Every benchmark keeps running: each bench under bench/ runs at a tiny smoke size, as its
own process exactly as its docstring says to run it, and must end with the last line its
docstring documents (the format, not the numbers: timing goals live in the benches, not in
assertions). A bench added without a smoke size here fails ``test_every_bench_has_a_smoke_size``.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import browser
from tests.support.databases import PG_UNREACHABLE, REDIS_UNREACHABLE, postgres_reachable, redis_reachable

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
HELPERS = {"relay_bench_server"}  # the relay benches' server processes, not a bench
TIMEOUT_S = 300

needs_pg = pytest.mark.skipif(not postgres_reachable(), reason=PG_UNREACHABLE)
needs_redis = pytest.mark.skipif(not redis_reachable(), reason=REDIS_UNREACHABLE)
needs_chromium = pytest.mark.skipif(browser.chromium_path() is None, reason="Debian chromium is not installed")

# bench -> its smoke-size arguments (and what it needs besides processes)
SMOKE: dict[str, tuple[list[str], list]] = {
    "analysis_impact": (["--seconds", "1"], [pytest.mark.model]),
    "browser_latency": (["--runs", "2"], [pytest.mark.browser, needs_chromium]),
    "code_snapshots": (["--flood-s", "0.5"], []),
    "failover": (["--calls", "2"], [pytest.mark.postgres, pytest.mark.redis, pytest.mark.nginx, needs_pg, needs_redis]),
    "feedback_bench": (["1", "--repeat", "1"], []),
    "frame_size": (["--frames", "40", "--sizes", "2", "--duration", "1", "--warmup", "0.5"], []),
    "fuzz": (["--frames", "300", "--sessions", "2"], []),
    "hostile_input": (
        ["--address-kb", "2", "--bomb-kib", "64", "--signups", "1", "--exports", "1", "--transcript", "10"]
        + ["--snapshots", "5", "--downloads", "20", "--storage-ms", "5"],
        [],
    ),
    "locale_formats": (["--calls", "20"], []),
    "metrics_accuracy": (["--answers", "2"], [pytest.mark.model]),
    "followup_ranker": (["--set", "tuning", "--limit", "2", "--mix", "0", "1"], [pytest.mark.model]),
    "offline_followups": (["--set", "both", "--limit", "2"], []),
    "offline_languages": (["--smoke"], [pytest.mark.model]),
    "offline_voice": (["--lines", "2", "--voice", "espeak"], []),
    "offline_latency": (["--smoke", "--verbose"], [pytest.mark.model]),  # --verbose: its trace runs too
    "recording_cost": (["--minutes", "0.2", "--turn-s", "3"], []),
    "relay_load": (["--sizes", "2", "--duration", "1", "--warmup", "0.5"], []),
    "scorecard": (["--limit", "1"], []),
    "relay_under_ui": (
        ["--candidates", "2", "--users", "1", "--duration", "1", "--warmup", "0.5"],
        [pytest.mark.postgres, needs_pg],
    ),
    "stt_window": (["--chunks", "2"], [pytest.mark.model]),
}

NUMBER = r"(?:-?\d[\d,]*(?:\.\d+)?|nan|inf|none)"
LANG = r"\((?:[a-z]{2,3}|none)\)"


def documented_last_line(bench: str) -> re.Pattern[str]:
    """The bench's docstring shows its last line with single capital letters (``X``, ``N``,
    ``X0``) for the numbers; any number (or nan/none) may stand in each."""
    doc = ast.get_docstring(ast.parse((BENCH / f"{bench}.py").read_text())) or ""
    shown = re.findall(rf"(?m)(?:^\s+|``)({re.escape(bench)}: [^`\n]+)", doc)
    assert shown, f"bench/{bench}.py: its docstring must show its last line ('{bench}: ...')"
    tokens = re.split(r"(\b[A-Z]\d?\b|\(lang\))", shown[-1].strip().rstrip("."))
    # single capitals are numbers; "(lang)" is a language code ("(ja)")
    return re.compile(
        "".join(NUMBER if i % 2 and t != "(lang)" else LANG if i % 2 else re.escape(t) for i, t in enumerate(tokens))
    )


def test_every_bench_has_a_smoke_size() -> None:
    """A bench is a module under bench/ that runs as a program (helpers it imports do not)."""
    benches = {p.stem for p in BENCH.glob("*.py") if '__name__ == "__main__"' in p.read_text()} - HELPERS
    assert benches == set(SMOKE), f"give each bench a smoke size here: {sorted(benches ^ set(SMOKE))}"


def test_the_documented_line_is_a_strict_pattern() -> None:
    pattern = documented_last_line("failover")
    assert pattern.fullmatch("failover: 2/2 resumed, 0 lost, 0 duplicated, resume p50 0.56 s p95 nan s")
    assert not pattern.fullmatch("failover: 2/2 resumed, 0 lost, resume p50 0.56 s p95 0.56 s")
    assert not pattern.fullmatch("failover: K/K resumed, 0 lost, 0 duplicated, resume p50 0.56 s p95 0.56 s")


@pytest.mark.parametrize("bench", [pytest.param(name, marks=marks) for name, (_, marks) in sorted(SMOKE.items())])
def test_bench_runs_at_smoke_size(bench: str, tmp_path: Path) -> None:
    args, _marks = SMOKE[bench]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", f"bench.{bench}", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert run.returncode == 0, f"bench.{bench} failed ({run.returncode}):\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert lines, f"bench.{bench} printed nothing:\n{run.stderr[-3000:]}"
    pattern = documented_last_line(bench)
    assert pattern.fullmatch(lines[-1].strip()), f"bench.{bench}'s last line is not {pattern.pattern!r}:\n{lines[-1]}"
