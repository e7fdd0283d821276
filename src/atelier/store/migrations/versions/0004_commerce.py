"""commerce (billing): the append-only ledger, plans and credit packs (seeded),
subscriptions, invoices and their lines

Revision ID: 0004_commerce
Revises: 0003_provenance, 0003_safety
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004_commerce"
down_revision: str | tuple[str, ...] | None = ("0003_provenance", "0003_safety")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEDGER_TABLES = ("ledger_transactions", "ledger_entries")


def _append_only(table: str) -> dict[str, list[str]]:
    return {
        "sqlite": [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
        ],
        "postgresql": [
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()",
        ],
    }


PLANS = [
    # id, name, position, monthly credits, price (cents/month), trial days, concurrency,
    # max pixels, max seconds, private works, commercial use, api access, overage, price
    ("trial", "Trial", 0, 200, 0, 14, 50, 1024 * 1024, 30, True, False, True, False, 0),
    ("creator", "Creator", 1, 2000, 1200, 0, 100, 2048 * 2048, 180, True, True, True, False, 0),
    ("studio", "Studio", 2, 10000, 4900, 0, 500, 4096 * 4096, 600, True, True, True, True, 1),
]
PACKS = [
    ("pack-500", "500 credits", 500, 500),
    ("pack-2000", "2,000 credits", 2000, 1800),
    ("pack-10000", "10,000 credits", 10000, 8000),
]


def upgrade() -> None:
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("ledger_transactions") as batch:
        for column in ("kind", "user_id", "job_id", "ref", "created_at"):
            batch.create_index(f"ix_ledger_transactions_{column}", [column], unique=False)
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("transaction_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["transaction_id"], ["ledger_transactions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ledger_entries") as batch:
        batch.create_index("ix_ledger_entries_transaction_id", ["transaction_id"], unique=False)
        batch.create_index("ix_ledger_entries_account", ["account"], unique=False)
    plans = op.create_table(
        "plans",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("monthly_credits", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("trial_days", sa.Integer(), nullable=False),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("max_pixels", sa.Integer(), nullable=False),
        sa.Column("max_seconds", sa.Integer(), nullable=False),
        sa.Column("private_works", sa.Boolean(), nullable=False),
        sa.Column("commercial_use", sa.Boolean(), nullable=False),
        sa.Column("api_access", sa.Boolean(), nullable=False),
        sa.Column("overage", sa.Boolean(), nullable=False),
        sa.Column("overage_price", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    packs = op.create_table(
        "credit_packs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("plan_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=True),
        sa.Column("period_end", sa.DateTime(), nullable=True),
        sa.Column("next_plan_id", sa.String(length=40), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"]),
        sa.ForeignKeyConstraint(["next_plan_id"], ["plans.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("subscriptions") as batch:
        batch.create_index("ix_subscriptions_period_end", ["period_end"], unique=False)
    op.create_table(
        "invoice_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=True),
        sa.Column("provider_ref", sa.String(length=200), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("invoices") as batch:
        batch.create_index("ix_invoices_user_id", ["user_id"], unique=False)
        batch.create_index("ix_invoices_status", ["status"], unique=False)
        batch.create_index("ix_invoices_issued_at", ["issued_at"], unique=False)
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_amount", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("invoice_lines") as batch:
        batch.create_index("ix_invoice_lines_invoice_id", ["invoice_id"], unique=False)

    stamp = datetime.now(UTC).replace(tzinfo=None)
    columns = [
        "id",
        "name",
        "position",
        "monthly_credits",
        "price",
        "trial_days",
        "concurrency",
        "max_pixels",
        "max_seconds",
        "private_works",
        "commercial_use",
        "api_access",
        "overage",
        "overage_price",
    ]
    op.bulk_insert(
        plans,
        [
            {**dict(zip(columns, row, strict=True)), "active": True, "updated_at": stamp}
            for row in PLANS
        ],
    )
    op.bulk_insert(
        packs,
        [
            {"id": id_, "name": name, "credits": credits, "price": price, "active": True}
            for id_, name, credits, price in PACKS
        ],
    )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$"
        )
    for table in LEDGER_TABLES:
        for statement in _append_only(table).get(dialect, []):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in LEDGER_TABLES:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION ledger_append_only()")
    for table in (
        "invoice_lines",
        "invoices",
        "invoice_counters",
        "subscriptions",
        "credit_packs",
        "plans",
        "ledger_entries",
        "ledger_transactions",
    ):
        op.drop_table(table)
