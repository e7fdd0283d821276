"""gallery: creators' display names and handles, works' descriptions, and the sentence
vectors of published works (search by meaning)

Revision ID: 0004_gallery
Revises: 0003_provenance, 0003_safety
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_gallery"
down_revision: str | tuple[str, ...] | None = ("0003_provenance", "0003_safety")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("handle", sa.String(length=40), nullable=True))
    users = sa.table("users", sa.column("id", sa.String), sa.column("handle", sa.String))
    handle = sa.literal("creator-", sa.String).concat(sa.func.substr(users.c.id, 1, 12))
    op.execute(users.update().values(handle=handle))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("handle", existing_type=sa.String(length=40), nullable=False)
        batch.create_unique_constraint("uq_users_handle", ["handle"])
    with op.batch_alter_table("works") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("works") as batch:  # the default only filled existing rows
        batch.alter_column("description", server_default=None)
    op.create_table(
        "work_embeddings",
        sa.Column("work_id", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["work_id"], ["works.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("work_id"),
    )


def downgrade() -> None:
    op.drop_table("work_embeddings")
    with op.batch_alter_table("works") as batch:
        batch.drop_column("description")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_handle", type_="unique")
        batch.drop_column("handle")
        batch.drop_column("display_name")
