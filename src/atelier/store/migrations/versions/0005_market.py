"""market: listings and offers, orders, licence grants, payouts, upload rights

Revision ID: 0005_market
Revises: 0004_commerce
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_market"
down_revision: str | tuple[str, ...] | None = "0004_commerce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listings",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "work_id",
            sa.String(32),
            sa.ForeignKey("works.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "owner_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reserved_order_id", sa.String(32), nullable=True),
        sa.Column("reserved_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_listings_owner_id", "listings", ["owner_id"])
    op.create_index("ix_listings_state", "listings", ["state"])
    op.create_table(
        "listing_offers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "listing_id",
            sa.String(32),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("listing_id", "kind", name="uq_listing_offers_kind"),
    )
    op.create_index("ix_listing_offers_listing_id", "listing_offers", ["listing_id"])
    op.create_table(
        "market_orders",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "buyer_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "seller_id",
            sa.String(32),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "work_id", sa.String(32), sa.ForeignKey("works.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "listing_id",
            sa.String(32),
            sa.ForeignKey("listings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("offer_kind", sa.String(16), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("invoice_id", sa.String(32), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("buyer_id", "idempotency_key", name="uq_market_orders_buyer_key"),
    )
    for column in ("buyer_id", "seller_id", "work_id", "invoice_id"):
        op.create_index(f"ix_market_orders_{column}", "market_orders", [column])
    op.create_index("ix_market_orders_status_expires", "market_orders", ["status", "expires_at"])
    op.create_table(
        "licence_grants",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("order_id", sa.String(32), nullable=False, unique=True),
        sa.Column("licensee_id", sa.String(32), nullable=False),
        sa.Column("licensor_id", sa.String(32), nullable=False),
        sa.Column("licensee_name", sa.String(320), nullable=False),
        sa.Column("licensor_name", sa.String(320), nullable=False),
        sa.Column("work_id", sa.String(32), nullable=False),
        sa.Column("work_sha256", sa.String(64), nullable=False),
        sa.Column("work_title", sa.String(200), nullable=False),
        sa.Column("offer_kind", sa.String(16), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("territory", sa.String(100), nullable=False),
        sa.Column("attribution", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("signature", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
    )
    for column in ("licensee_id", "licensor_id", "work_id"):
        op.create_index(f"ix_licence_grants_{column}", "licence_grants", [column])
    op.create_table(
        "payouts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("paid_by", sa.String(32), nullable=True),
        sa.Column("reference", sa.String(200), nullable=True),
    )
    op.create_index("ix_payouts_user_id", "payouts", ["user_id"])
    op.create_index("ix_payouts_status", "payouts", ["status"])
    op.create_table(
        "upload_rights",
        sa.Column(
            "upload_id",
            sa.String(32),
            sa.ForeignKey("uploads.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "owner_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("affirmed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_upload_rights_owner_id", "upload_rights", ["owner_id"])


def downgrade() -> None:
    for table in (
        "upload_rights",
        "payouts",
        "licence_grants",
        "market_orders",
        "listing_offers",
        "listings",
    ):
        op.drop_table(table)
