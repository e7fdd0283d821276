"""evaluation: kept reports, expert panels (items, reviewers, votes), feedback on works

Revision ID: 0009_evaluation
Revises: 0008_one_head
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_evaluation"
down_revision: str | tuple[str, ...] | None = "0008_one_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.String(32), primary_key=True)


def _ref(name: str, table: str, ondelete: str, nullable: bool = False) -> sa.Column:
    return sa.Column(
        name, sa.String(32), sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "eval_reports",
        _id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("engine", sa.String(100), nullable=True),
        sa.Column("label_a", sa.String(100), nullable=False),
        sa.Column("label_b", sa.String(100), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        _ref("created_by", "users", "SET NULL", nullable=True),
        _ref("job_id", "jobs", "SET NULL", nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("job_id", name="uq_eval_reports_job_id"),
    )
    op.create_index("ix_eval_reports_kind_created", "eval_reports", ["kind", "created_at"])
    op.create_index("ix_eval_reports_created_by", "eval_reports", ["created_by"])

    op.create_table(
        "panels",
        _id(),
        _ref("owner_id", "users", "CASCADE"),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        _ref("report_id", "eval_reports", "SET NULL", nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_panels_owner_id", "panels", ["owner_id"])
    op.create_index("ix_panels_report_id", "panels", ["report_id"])

    op.create_table(
        "panel_items",
        _id(),
        _ref("panel_id", "panels", "CASCADE"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("a_label", sa.String(100), nullable=False),
        sa.Column("a_sha256", sa.String(64), nullable=False),
        sa.Column("a_mime", sa.String(100), nullable=False),
        _ref("a_work_id", "works", "SET NULL", nullable=True),
        sa.Column("b_label", sa.String(100), nullable=True),
        sa.Column("b_sha256", sa.String(64), nullable=True),
        sa.Column("b_mime", sa.String(100), nullable=True),
        _ref("b_work_id", "works", "SET NULL", nullable=True),
        sa.UniqueConstraint("panel_id", "position", name="uq_panel_items_position"),
    )

    op.create_table(
        "panel_reviewers",
        _id(),
        _ref("panel_id", "panels", "CASCADE"),
        sa.Column("name", sa.String(320), nullable=False),
        _ref("user_id", "users", "CASCADE", nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("panel_id", "user_id", name="uq_panel_reviewers_user"),
        sa.UniqueConstraint("token_hash", name="uq_panel_reviewers_token_hash"),
    )
    op.create_index("ix_panel_reviewers_panel_id", "panel_reviewers", ["panel_id"])
    op.create_index("ix_panel_reviewers_user_id", "panel_reviewers", ["user_id"])

    op.create_table(
        "panel_votes",
        _id(),
        _ref("panel_id", "panels", "CASCADE"),
        _ref("item_id", "panel_items", "CASCADE"),
        _ref("reviewer_id", "panel_reviewers", "CASCADE"),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("swapped", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("reviewer_id", "item_id", name="uq_panel_votes_once"),
    )
    op.create_index("ix_panel_votes_panel_id", "panel_votes", ["panel_id"])
    op.create_index("ix_panel_votes_reviewer_id", "panel_votes", ["reviewer_id"])

    op.create_table(
        "work_feedback",
        _id(),
        _ref("work_id", "works", "CASCADE"),
        _ref("user_id", "users", "CASCADE"),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("vote", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("work_id", "user_id", name="uq_work_feedback_once"),
    )
    op.create_index("ix_work_feedback_work_id", "work_feedback", ["work_id"])
    op.create_index("ix_work_feedback_user_id", "work_feedback", ["user_id"])
    op.create_index("ix_work_feedback_engine_updated", "work_feedback", ["engine", "updated_at"])


def downgrade() -> None:
    op.drop_table("work_feedback")
    op.drop_table("panel_votes")
    op.drop_table("panel_reviewers")
    op.drop_table("panel_items")
    op.drop_table("panels")
    op.drop_table("eval_reports")
