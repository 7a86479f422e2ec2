"""interview language (BCP-47 tag, English for existing rows)

Revision ID: 7a1e4c2b9d30
Revises: c59d0acd1a5a
Create Date: 2026-11-26 00:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '7a1e4c2b9d30'
down_revision: str | None = 'c59d0acd1a5a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='en-US', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('language')
