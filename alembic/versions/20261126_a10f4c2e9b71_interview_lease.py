"""interview lease (owner, lease_until) and backend checkpoint

Revision ID: a10f4c2e9b71
Revises: 6d25cf9bd00f
Create Date: 2026-11-26 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a10f4c2e9b71"
down_revision: str | None = "6d25cf9bd00f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.add_column(sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch.add_column(sa.Column("lease_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("checkpoint", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interview") as batch:
        batch.drop_column("checkpoint")
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
