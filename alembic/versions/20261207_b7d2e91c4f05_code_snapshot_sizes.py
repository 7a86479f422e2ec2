"""code snapshot size, step and blank flag: per-interview byte cap without reading code

Revision ID: b7d2e91c4f05
Revises: 8b2d4f6a9c13
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e91c4f05"
down_revision: str | None = "8b2d4f6a9c13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("codesnapshot") as batch:
        batch.add_column(sa.Column("size_bytes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("step_bytes", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("blank", sa.Boolean(), nullable=False, server_default=sa.false()))
    # Rows stored before: their size (characters: close enough for text that is mostly ASCII),
    # a step as large as themselves (kept before small steps), blank when empty.
    op.execute("UPDATE codesnapshot SET size_bytes = length(code), step_bytes = length(code)")
    op.execute("UPDATE codesnapshot SET blank = (length(trim(code)) = 0)")


def downgrade() -> None:
    with op.batch_alter_table("codesnapshot") as batch:
        batch.drop_column("blank")
        batch.drop_column("step_bytes")
        batch.drop_column("size_bytes")
