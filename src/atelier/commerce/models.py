"""Billing's tables: the ledger, plans, credit packs, subscriptions, invoices.

On the shared `Base` (store.models) so Alembic and `create_all` see them; the
marketplace keeps its own tables in `commerce/market_models.py`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from atelier.store.models import Base, new_id, utcnow

INVOICE_STATUSES = ("open", "paid", "void", "refunded")
LINE_KINDS = ("subscription", "pack", "overage", "licence", "custom_model")
SUBSCRIPTION_STATUSES = ("pending", "active", "ended")


class LedgerTransaction(Base):
    """One movement of credits or money: entries that sum to zero per currency.

    Append-only (the migration adds triggers that refuse UPDATE and DELETE); `key` makes
    every write idempotent."""

    __tablename__ = "ledger_transactions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    memo: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    entries: Mapped[list[LedgerEntry]] = relationship(
        back_populates="transaction", order_by="LedgerEntry.position", lazy="selectin"
    )


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    account: Mapped[str] = mapped_column(String(120), index=True)
    currency: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    transaction: Mapped[LedgerTransaction] = relationship(back_populates="entries")


class Plan(Base):
    """A tier an admin configures. `trial_days` > 0 marks the trial: its credits are
    granted once and expire; other plans are monthly subscriptions."""

    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # a slug: "creator"
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    monthly_credits: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Integer)  # minor units per month
    trial_days: Mapped[int] = mapped_column(Integer, default=0)
    concurrency: Mapped[int] = mapped_column(Integer)  # jobs queued or running at once
    max_pixels: Mapped[int] = mapped_column(Integer)  # width × height of an image asked for
    max_seconds: Mapped[int] = mapped_column(Integer)  # length of audio or music asked for
    private_works: Mapped[bool] = mapped_column(Boolean, default=False)
    commercial_use: Mapped[bool] = mapped_column(Boolean, default=False)
    api_access: Mapped[bool] = mapped_column(Boolean, default=False)
    overage: Mapped[bool] = mapped_column(Boolean, default=False)
    overage_price: Mapped[int] = mapped_column(Integer, default=0)  # minor units per credit
    custom_models: Mapped[bool] = mapped_column(  # its users may train models self-serve
        Boolean, default=False, server_default=false()
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class CreditPack(Base):
    """Pay-as-you-go credits at a set price."""

    __tablename__ = "credit_packs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    credits: Mapped[int] = mapped_column(Integer)
    price: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Subscription(Base):
    """A user's plan over time: one row per user (unique), its current period and what
    happens at the period's end (renew, switch to `next_plan_id`, or end)."""

    __tablename__ = "subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    period_start: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    period_end: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    next_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"), nullable=True)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class InvoiceCounter(Base):
    """The last invoice number of each year, bumped in the invoice's own transaction."""

    __tablename__ = "invoice_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # INV-2026-000001
    key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    currency: Mapped[str] = mapped_column(String(8))
    total: Mapped[int] = mapped_column(BigInteger)
    provider: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # the provider's payment (Stripe: the PaymentIntent), by which refunds and disputes
    # find the invoice
    provider_ref: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceLine.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_amount: Mapped[int] = mapped_column(BigInteger)  # may be negative: a credit
    amount: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class PaymentEvent(Base):
    """A payment provider's event, applied once: a webhook delivered again (providers
    retry) finds its row and changes nothing."""

    __tablename__ = "payment_events"
    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # the provider's event id
    provider: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(100))
    invoice_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    result: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
