"""The marketplace's tables: listings and their offers, orders, licence grants, payouts,
and creators' rights affirmations for their uploads. Money is integer minor units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from atelier.store.models import Base, new_id, utcnow

LISTING_STATES = ("listed", "reserved", "sold", "unlisted")
# live: open, paid, free (one per buyer and offer); closed: void, expired, refunded;
# duplicate: a second live order from before that was a constraint (migration 0006)
ORDER_STATUSES = ("open", "paid", "void", "expired", "free", "refunded", "duplicate")
LIVE_ORDERS = "status IN ('open', 'paid', 'free')"
PAYOUT_STATUSES = ("requested", "paid")


class Listing(Base):
    """A work on the market. `reserved` while an exclusive order waits for payment;
    `sold` after an exclusive sale (for good)."""

    __tablename__ = "listings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="listed", index=True)
    reserved_order_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reserved_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    offers: Mapped[list[ListingOffer]] = relationship(
        back_populates="listing",
        order_by="ListingOffer.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class ListingOffer(Base):
    __tablename__ = "listing_offers"
    __table_args__ = (UniqueConstraint("listing_id", "kind", name="uq_listing_offers_kind"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    listing_id: Mapped[str] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    price: Mapped[int] = mapped_column(BigInteger)
    listing: Mapped[Listing] = relationship(back_populates="offers")


class Order(Base):
    """A purchase with its terms and price frozen; paid through a billing invoice (free
    offers are granted at once, status `free`)."""

    __tablename__ = "market_orders"
    __table_args__ = (
        UniqueConstraint("buyer_id", "idempotency_key", name="uq_market_orders_buyer_key"),
        Index("ix_market_orders_status_expires", "status", "expires_at"),
        # One live order per buyer and offer, however many buys race (migration 0006).
        Index(
            "uq_market_orders_live",
            "buyer_id",
            "work_id",
            "offer_kind",
            unique=True,
            sqlite_where=text(LIVE_ORDERS),
            postgresql_where=text(LIVE_ORDERS),
        ),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[str] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    offer_kind: Mapped[str] = mapped_column(String(16))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    price: Mapped[int] = mapped_column(BigInteger)
    commission: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="open")
    invoice_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LicenceGrant(Base):
    """A licence as granted: who, what (the work by its hash), the frozen terms, price,
    the ODRL policy, and the studio's signature over its canonical JSON. No foreign keys:
    a licence outlives the accounts and the work it names."""

    __tablename__ = "licence_grants"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(String(32), unique=True)
    licensee_id: Mapped[str] = mapped_column(String(32), index=True)
    licensor_id: Mapped[str] = mapped_column(String(32), index=True)
    licensee_name: Mapped[str] = mapped_column(String(320))
    licensor_name: Mapped[str] = mapped_column(String(320))
    work_id: Mapped[str] = mapped_column(String(32), index=True)
    work_sha256: Mapped[str] = mapped_column(String(64))
    work_title: Mapped[str] = mapped_column(String(200))
    offer_kind: Mapped[str] = mapped_column(String(16))
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    price: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    territory: Mapped[str] = mapped_column(String(100))
    attribution: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    granted_at: Mapped[datetime] = mapped_column(DateTime)
    signature: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Payout(Base):
    """A creator's request to be paid their earnings; an admin marks it paid, which
    posts the ledger legs."""

    __tablename__ = "payouts"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paid_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)


class UploadRights(Base):
    """The uploader's statement that they own an upload or may use it commercially;
    without it, works made from the upload get no commercial offers."""

    __tablename__ = "upload_rights"
    upload_id: Mapped[str] = mapped_column(
        ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text)
    affirmed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
