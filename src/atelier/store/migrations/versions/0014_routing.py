"""routing: the workers serving this studio, and the studio's one signing root

- `workers`: each worker process records itself (host, pid, the engines it serves) and
  its heartbeat refreshes `seen_at`; submit accepts a job for an engine this process
  cannot run while some worker serving it has been seen recently (studio/roster.py).
- `studio_root`: the signing root of this studio, recorded by the first node that made
  it; a node with other keys, or none, refuses to start rather than make a second root
  (provenance/service.py).

Revision ID: 0014_routing
Revises: 0013_outbox
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_routing"
down_revision: str | tuple[str, ...] | None = "0013_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("engines", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_workers_seen_at", "workers", ["seen_at"])
    op.create_table(
        "studio_root",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("certificate", sa.Text(), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("studio_root")
    op.drop_index("ix_workers_seen_at", table_name="workers")
    op.drop_table("workers")
