"""Alembic environment: Preppal's SQLModel metadata, URL from preppal.settings.

A caller may pass a connection in ``config.attributes["connection"]`` (tests do, to
migrate a throwaway database); otherwise the settings' DATABASE_URL is used.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import preppal.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from preppal.db import engine_for
from preppal.settings import get_settings

target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs need batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=get_settings().database_url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine_for(get_settings().database_url).connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
