"""feedback is queued by the COMPLETED transition: backfill the rows it never made

From this revision on, an interview's move to COMPLETED creates its PENDING feedback row in
the same transaction (services.interviews.lifecycle), and nothing else creates one. Interviews that
completed before, and whose row was never made (the old triggers: the relay's hook, the
HTTP API, the feedback page's first visit), get it now, so the jobs find what is owed.

Revision ID: c4e7a1b9d3f2
Revises: b7d2e91c4f05
Create Date: 2026-12-07 05:30:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "c4e7a1b9d3f2"
down_revision: str | None = "b7d2e91c4f05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

feedback = sa.table(
    "feedback",
    sa.column("interview_id", sa.String),
    sa.column("status", sa.String),
    sa.column("source", sa.String),
    sa.column("summary", sa.Text),
    sa.column("scores", sa.JSON),
    sa.column("strengths", sa.JSON),
    sa.column("improvements", sa.JSON),
    sa.column("question_notes", sa.JSON),
    sa.column("metrics", sa.JSON),
    sa.column("attempts", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    owed = op.get_bind().execute(
        sa.text(
            "SELECT i.id FROM interview i LEFT JOIN feedback f ON f.interview_id = i.id "
            "WHERE i.status = 'COMPLETED' AND f.id IS NULL"
        )
    )
    now = datetime.now(UTC)
    rows = [
        {
            "interview_id": interview_id,
            "status": "PENDING",
            "source": "",
            "summary": "",
            "scores": {},
            "strengths": [],
            "improvements": [],
            "question_notes": [],
            "metrics": {},
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for (interview_id,) in owed
    ]
    if rows:
        op.bulk_insert(feedback, rows)


def downgrade() -> None:
    # Rows made here are ordinary feedback rows by now (some READY): nothing to undo.
    pass
