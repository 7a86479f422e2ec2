"""scorecard: question markers and evidence notes recorded during the interview

Revision ID: 5c0a7e3d21b4
Revises: a10f4c2e9b71
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5c0a7e3d21b4'
down_revision: str | None = 'a10f4c2e9b71'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scorecardentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('at_ms', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('competency', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('followup', sa.Boolean(), nullable=False),
    sa.Column('strength', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
    sa.Column('why', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'key')
    )
    with op.batch_alter_table('scorecardentry', schema=None) as batch_op:
        batch_op.create_index('ix_scorecardentry_interview_at', ['interview_id', 'at_ms'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('scorecardentry', schema=None) as batch_op:
        batch_op.drop_index('ix_scorecardentry_interview_at')

    op.drop_table('scorecardentry')
