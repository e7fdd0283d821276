"""work lineage: the models, data, uploads and sources a work draws on

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("works") as batch:
        batch.add_column(sa.Column("lineage", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("works") as batch:  # the default only filled existing rows
        batch.alter_column("lineage", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("works") as batch:
        batch.drop_column("lineage")
