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


def test_completed_interviews_without_feedback_get_their_row(tmp_path: Path) -> None:
    """c4e7a1b9d3f2: feedback is queued by the COMPLETED transition from then on; interviews
    that completed before without a row get a PENDING one (and nothing else does)."""
    from alembic.script import ScriptDirectory
    from sqlmodel import Session, select

    from preppal.models import Feedback, FeedbackStatus, Interview, InterviewStatus, User

    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = sa.create_engine(url)
    cfg = Config(str(ROOT / "alembic.ini"))
    before = ScriptDirectory.from_config(cfg).get_revision("c4e7a1b9d3f2").down_revision
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, before)
    with Session(engine) as session:
        user = User(email="ada@example.com")
        session.add(user)
        session.flush()
        made = {
            status: Interview(user_id=user.id, role="Engineer", status=status)
            for status in (InterviewStatus.COMPLETED, InterviewStatus.PENDING, InterviewStatus.ERROR)
        }
        done_with_row = Interview(user_id=user.id, role="Engineer", status=InterviewStatus.COMPLETED)
        session.add_all([*made.values(), done_with_row])
        session.flush()
        session.add(Feedback(interview_id=done_with_row.id, status=FeedbackStatus.READY))
        session.commit()
        owed, ready = made[InterviewStatus.COMPLETED].id, done_with_row.id
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with Session(engine) as session:
        rows = {f.interview_id: f.status for f in session.exec(select(Feedback))}
    assert rows == {owed: FeedbackStatus.PENDING, ready: FeedbackStatus.READY}
