"""tests/unit holds pure unit tests: no database, no other process, no model files — the
tier that runs in seconds. A test here that opens a database connection or starts a process
fails with where it belongs instead (tests/db, tests/processes; model-loading tests go to
tests/models), so the tier keeps saying what it is."""

from __future__ import annotations

import multiprocessing.util
import os
import subprocess
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

WRONG_TIER = "tests/unit is for pure unit tests: this one {did}; move it to {home} (tests/README.md)"


def _refuse(did: str, home: str):
    def refuse(*_args, **_kwargs):
        raise AssertionError(WRONG_TIER.format(did=did, home=home))

    return refuse


@pytest.fixture(autouse=True)
def _pure_unit_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    connect = _refuse("opens a database connection", "tests/db")
    sa.event.listen(sa.Engine, "engine_connect", connect)
    start = _refuse("starts a process", "tests/processes (or tests/integration)")
    monkeypatch.setattr(subprocess.Popen, "_execute_child", start)
    monkeypatch.setattr(multiprocessing.util, "spawnv_passfds", start)
    for name in ("fork", "posix_spawn", "posix_spawnp"):
        monkeypatch.setattr(os, name, start)
    try:
        yield
    finally:
        sa.event.remove(sa.Engine, "engine_connect", connect)
