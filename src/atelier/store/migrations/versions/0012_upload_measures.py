"""upload measures: a recording's or a score's length, recorded when it arrives

A job's budget (what it will make: pixels, seconds of audio) is declared at submit from
its uploads' measures, without opening the files. Pictures had their width and height
already; recordings now keep their length in seconds, and scores their bars, quarter
notes and seconds at their own tempo. Uploads from before stay without (a job on one is
budgeted as on a typical input).

Revision ID: 0012_upload_measures
Revises: 0011_upload_origins
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_upload_measures"
down_revision: str | tuple[str, ...] | None = "0011_upload_origins"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("bars", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quarters", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("quarters")
        batch.drop_column("bars")
        batch.drop_column("seconds")
