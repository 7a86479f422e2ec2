"""Issue 9: secrets are never blank or short, and the data directory is private."""

from __future__ import annotations

import os
import stat

import pytest

from preppal.settings import InsecureSettings, get_settings, reset_settings


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_blank_worker_secret_counts_as_unset(monkeypatch) -> None:
    monkeypatch.setenv("PREPPAL_WORKER_SECRET", "   ")
    monkeypatch.setenv("PREPPAL_SECRET_KEY", "")
    reset_settings()
    settings = get_settings()
    assert len(settings.worker_secret) >= 32 and len(settings.secret_key) >= 32  # the generated ones


@pytest.mark.parametrize("name", ["PREPPAL_WORKER_SECRET", "PREPPAL_SECRET_KEY"])
def test_short_secret_refuses_to_start(monkeypatch, name) -> None:
    monkeypatch.setenv(name, "x" * 31)
    reset_settings()
    with pytest.raises(InsecureSettings, match=name):
        get_settings()
    monkeypatch.setenv(name, "x" * 32)
    reset_settings()
    get_settings()


def test_secrets_file_is_created_0600_in_a_private_dir(monkeypatch, tmp_path) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(data))
    created: list[int] = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith("secrets.json"):
            created.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    old_umask = os.umask(0o022)
    try:
        reset_settings()
        first = get_settings()
    finally:
        os.umask(old_umask)
    assert created == [0o600]  # born private: never written first and chmod-ed after
    assert _mode(data / "secrets.json") == 0o600 and _mode(data) == 0o700
    reset_settings()
    assert get_settings().secret_key == first.secret_key  # read back, not regenerated


def test_existing_world_readable_data_dir_is_tightened(monkeypatch, tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("PREPPAL_DATA_DIR", str(data))
    reset_settings()
    get_settings()
    assert _mode(data) == 0o700


def test_sqlite_database_file_is_private(monkeypatch, tmp_path) -> None:
    from preppal.db import engine_for

    path = tmp_path / "fresh.db"
    old_umask = os.umask(0o022)
    try:
        with engine_for(f"sqlite:///{path}").connect():
            pass
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600
