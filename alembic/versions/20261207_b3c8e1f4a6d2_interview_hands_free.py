"""interview hands-free (False: the candidate holds a key while they think; Gemini: activity signals)

Revision ID: b3c8e1f4a6d2
Revises: 9e4b2d7c1f05
Create Date: 2026-12-07 04:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'b3c8e1f4a6d2'
down_revision: str | None = '9e4b2d7c1f05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hands_free', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('hands_free')
