"""market: one live order per buyer and offer (a partial unique index)

A buyer may hold one open, paid or free order for each offer of a work. Before this was
a constraint, parallel buys could make several; each extra one is resolved first, keeping
the buyer's first paid or free order (else their first open one): an extra open order is
voided with its open invoice, an extra paid or free one is marked `duplicate` (its
licence stays valid; its money stays in the ledger).

Revision ID: 0006_market_live_orders
Revises: 0005_market
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_market_live_orders"
down_revision: str | tuple[str, ...] | None = "0005_market"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = "status IN ('open', 'paid', 'free')"
orders = sa.table(
    "market_orders",
    sa.column("id", sa.String),
    sa.column("buyer_id", sa.String),
    sa.column("work_id", sa.String),
    sa.column("offer_kind", sa.String),
    sa.column("status", sa.String),
    sa.column("invoice_id", sa.String),
    sa.column("created_at", sa.DateTime),
    sa.column("closed_at", sa.DateTime),
)
invoices = sa.table(
    "invoices",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("voided_at", sa.DateTime),
)


def _resolve_duplicates(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.select(
            orders.c.id,
            orders.c.buyer_id,
            orders.c.work_id,
            orders.c.offer_kind,
            orders.c.status,
            orders.c.invoice_id,
        )
        .where(orders.c.status.in_(("open", "paid", "free")))
        .order_by(orders.c.created_at, orders.c.id)
    ).all()
    groups: dict[tuple[str, str, str], list[sa.Row]] = {}
    for row in rows:
        groups.setdefault((row.buyer_id, row.work_id, row.offer_kind), []).append(row)
    now = datetime.now(UTC).replace(tzinfo=None)
    for group in groups.values():
        if len(group) < 2:
            continue
        keep = next((r for r in group if r.status in ("paid", "free")), group[0])
        for row in group:
            if row is keep:
                continue
            if row.status == "open":
                bind.execute(
                    orders.update()
                    .where(orders.c.id == row.id)
                    .values(status="void", closed_at=now)
                )
                if row.invoice_id is not None:
                    bind.execute(
                        invoices.update()
                        .where(invoices.c.id == row.invoice_id, invoices.c.status == "open")
                        .values(status="void", voided_at=now)
                    )
            else:
                bind.execute(
                    orders.update().where(orders.c.id == row.id).values(status="duplicate")
                )


def upgrade() -> None:
    _resolve_duplicates(op.get_bind())
    op.create_index(
        "uq_market_orders_live",
        "market_orders",
        ["buyer_id", "work_id", "offer_kind"],
        unique=True,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_market_orders_live", table_name="market_orders")
