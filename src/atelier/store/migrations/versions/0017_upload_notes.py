"""upload notes: a score's melody is measured by its notes as well as its length

The music engines' work follows the notes of the melody they read, not its bars: a waltz
of two notes a bar cost 0.55-0.65 of what its quarter notes priced it at
(docs/benchmarks.md, "Estimates against settled costs"). Scores now keep their melody's
note count; uploads from before stay without (priced at a note a quarter).

Revision ID: 0017_upload_notes
Revises: 0016_scale17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_upload_notes"
down_revision: str | tuple[str, ...] | None = "0016_scale17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as 0015 does (no batch copy of the table).
def upgrade() -> None:
    op.add_column("uploads", sa.Column("notes", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("uploads", "notes")
