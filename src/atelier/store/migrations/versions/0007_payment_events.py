"""billing: payment events applied once, refunded invoices, invoices found by payment

Revision ID: 0007_payment_events
Revises: 0006_market_live_orders
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_payment_events"
down_revision: str | tuple[str, ...] | None = "0006_market_live_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payment_events",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("invoice_id", sa.String(32), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_payment_events_invoice_id", "payment_events", ["invoice_id"])
    # Plain ALTER TABLE on both databases (a batch copy of `invoices` on SQLite would drop
    # the table and cascade to its lines).
    op.add_column("invoices", sa.Column("refunded_at", sa.DateTime(), nullable=True))
    op.create_index("ix_invoices_provider_ref", "invoices", ["provider_ref"])


def downgrade() -> None:
    op.drop_index("ix_invoices_provider_ref", table_name="invoices")
    op.drop_column("invoices", "refunded_at")
    op.drop_index("ix_payment_events_invoice_id", table_name="payment_events")
    op.drop_table("payment_events")
