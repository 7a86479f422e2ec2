"""One default per setting: with no environment, every setting is the default its declaration
in ``preppal.settings.Settings`` states, and the relay's timings start from the same values.

A fallback written a second time in ``get_settings`` (``_env("X", "other")``) or in
``RelayConfig`` would drift from the declaration; these tests see the drift."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from preppal import settings
from preppal.realtime.config import RelayConfig
from preppal.settings import Settings, get_settings, reset_settings

READERS = {"_env", "_read", "_choice", "_secret"}


def _variables_read() -> set[str]:
    """Every environment variable get_settings reads (the first argument of its readers)."""
    tree = ast.parse(inspect.getsource(settings))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in READERS
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


@pytest.fixture
def bare_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    """The settings of a process started with none of our variables set (but a data dir)."""
    names = _variables_read()
    assert {"PREPPAL_RELAY_GRACE_S", "PREPPAL_LEASE_TTL_S", "GEMINI_MODEL"} <= names
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(tmp_path))
    reset_settings()
    yield get_settings()
    reset_settings()


def test_every_setting_without_environment_is_its_declared_default(bare_settings: Settings) -> None:
    declared = [f for f in dataclasses.fields(Settings) if f.default is not dataclasses.MISSING]
    assert len(declared) > 40
    drifted = {f.name: (getattr(bare_settings, f.name), f.default) for f in declared}
    drifted = {name: pair for name, pair in drifted.items() if pair[0] != pair[1]}
    assert drifted == {}, f"get_settings falls back to another default than the declaration: {drifted}"


def test_the_relay_starts_from_the_settings_defaults(bare_settings: Settings) -> None:
    built = RelayConfig.from_settings(bare_settings)
    bare = RelayConfig()
    assert (built.grace_s, built.lease_ttl_s, built.sweep_s) == (bare.grace_s, bare.lease_ttl_s, bare.sweep_s)
