"""feedback keeps the scorecard its scores stand on

Revision ID: 8b2d4f6a9c13
Revises: b3c8e1f4a6d2
Create Date: 2026-12-01 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '8b2d4f6a9c13'
down_revision: str | None = 'b3c8e1f4a6d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scorecard', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_column('scorecard')
