"""Alembic: empty → head works on SQLite and PostgreSQL, and head matches the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import preppal.models  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _upgrade(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    cfg = Config(str(ROOT / "alembic.ini"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return engine


def _assert_matches_models(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert diff == [], f"models and migrations disagree (run alembic revision --autogenerate): {diff}"
    tables = set(sa.inspect(engine).get_table_names())
    assert {"user", "interview", "transcriptentry", "feedback", "loginsession"} <= tables


def test_sqlite_upgrade_from_empty_to_head(tmp_path: Path) -> None:
    engine = _upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    _assert_matches_models(engine)


@pytest.mark.postgres
def test_postgres_upgrade_from_empty_to_head(pg_url: str) -> None:
    engine = _upgrade(pg_url)
    _assert_matches_models(engine)
    engine.dispose()


def test_downgrade_to_base_and_back(tmp_path: Path) -> None:
    engine = _upgrade(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = Config(str(ROOT / "alembic.ini"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    _assert_matches_models(_upgrade(f"sqlite:///{tmp_path / 'm.db'}"))
