"""event retention: each account's stream remembers the newest event pruned from it

Events older than ATELIER_EVENTS_KEEP_DAYS are deleted once delivered
(store/event_pruning.py); a stream resumed from an id at or below `pruned_through` is told
its events are gone (a `reset` event) instead of skipping them silently.

Revision ID: 0016_scale17
Revises: 0015_chinese
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_scale17"
down_revision: str | tuple[str, ...] | None = "0015_chinese"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as 0015 does (no batch copy of the table).
def upgrade() -> None:
    op.add_column(
        "event_streams",
        sa.Column("pruned_through", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("event_streams", "pruned_through")
