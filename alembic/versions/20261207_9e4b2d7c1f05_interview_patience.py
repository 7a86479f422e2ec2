"""interview patience (how long the interviewer waits; empty: the difficulty's default)

Revision ID: 9e4b2d7c1f05
Revises: 5c0a7e3d21b4
Create Date: 2026-12-07 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '9e4b2d7c1f05'
down_revision: str | None = '5c0a7e3d21b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('patience', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('patience')
