"""job seconds: what a job was expected to take and what it was charged for

Each job keeps its engine's estimate of its seconds (before the machine's factor) and the
seconds it was charged for, so the studio learns how fast this machine runs each engine
against the rates fitted elsewhere (studio/calibration.py), reading the newest finished
jobs (an index on finished_at). Jobs from before have neither and are not read.

Revision ID: 0019_job_seconds
Revises: 0018_credit_hundredths
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_job_seconds"
down_revision: str | tuple[str, ...] | None = "0018_credit_hundredths"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as 0015 does (no batch copy of the table).
def upgrade() -> None:
    op.add_column("jobs", sa.Column("estimate_seconds", sa.Float(), nullable=True))
    op.add_column("jobs", sa.Column("charged_seconds", sa.Float(), nullable=True))
    op.create_index("ix_jobs_finished", "jobs", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_finished", table_name="jobs")
    op.drop_column("jobs", "charged_seconds")
    op.drop_column("jobs", "estimate_seconds")
