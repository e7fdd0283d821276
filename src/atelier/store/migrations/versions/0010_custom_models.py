"""custom models: datasets (items, versions), published pictures' fingerprints, clients'
trained models and their shares, admins' quotes; plans say whether their users may train
models self-serve (the seeded Studio plan does)

Revision ID: 0010_custom_models
Revises: 0009_evaluation
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_custom_models"
down_revision: str | tuple[str, ...] | None = "0009_evaluation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _user(column: str = "owner_id", nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        column,
        sa.String(32),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=nullable,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(32), primary_key=True),
        _user(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("medium", sa.String(8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "dataset_items",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.String(32),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("rights", sa.String(32), nullable=False),
        sa.Column("caption", sa.String(500), nullable=False),
        sa.Column("supplied_by", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("dataset_id", "name", name="uq_dataset_items_name"),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "dataset_id",
            sa.String(32),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("plots", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("dataset_id", "manifest_sha256", name="uq_dataset_versions_manifest"),
    )
    op.create_table(
        "work_fingerprints",
        sa.Column(
            "work_id",
            sa.String(32),
            sa.ForeignKey("works.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("phash", sa.String(32), nullable=True),
    )
    op.create_table(
        "custom_models",
        sa.Column("id", sa.String(32), primary_key=True),
        _user(),
        sa.Column(
            "job_id",
            sa.String(32),
            sa.ForeignKey("jobs.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("medium", sa.String(8), nullable=False),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("base", sa.String(200), nullable=False),
        sa.Column(
            "dataset_version_id",
            sa.String(32),
            sa.ForeignKey("dataset_versions.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.Column("dataset_name", sa.String(100), nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("weights_sha256", sa.String(64), nullable=False),
        sa.Column("weights_name", sa.String(100), nullable=False),
        sa.Column("weights_size", sa.BigInteger(), nullable=False),
        sa.Column("lineage", sa.JSON(), nullable=False),
        sa.Column("commercial_use", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "model_shares",
        sa.Column(
            "model_id",
            sa.String(32),
            sa.ForeignKey("custom_models.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.String(32),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
            index=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "custom_quotes",
        sa.Column("id", sa.String(32), primary_key=True),
        _user("client_id"),
        sa.Column("created_by", sa.String(32), nullable=True),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column(
            "invoice_id",
            sa.String(32),
            sa.ForeignKey("invoices.id", ondelete="SET NULL"),
            nullable=True,
            index=True,
        ),
        sa.Column(
            "job_id", sa.String(32), sa.ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    # Plain ALTER TABLE on both databases (a batch copy of `plans` on SQLite would drop the
    # table that subscriptions point at).
    op.add_column(
        "plans",
        sa.Column("custom_models", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE plans SET custom_models = true WHERE id = 'studio'")


def downgrade() -> None:
    op.drop_column("plans", "custom_models")
    for table in (
        "custom_quotes",
        "model_shares",
        "custom_models",
        "work_fingerprints",
        "dataset_versions",
        "dataset_items",
        "datasets",
    ):
        op.drop_table(table)
