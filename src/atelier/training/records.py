"""The custom models' tables: a client's trained model (its dataset version, base, config,
metrics, weights as a content-addressed artifact, and the lineage cards every work made
with it carries), who it is shared with, and the quotes an admin makes for a client.

On the shared `Base` (store.models), so Alembic and `create_all` see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from atelier.store.models import Base, new_id, utcnow

# What a model is, and the engine parameter that takes it by id.
KINDS = ("melody", "style", "lora", "voice")
QUOTE_STATUSES = ("open", "paid", "void", "refunded")


class CustomModel(Base):
    __tablename__ = "custom_models"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), unique=True, nullable=True
    )
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    medium: Mapped[str] = mapped_column(String(8))
    engine: Mapped[str] = mapped_column(String(100))  # the training engine that made it
    base: Mapped[str] = mapped_column(String(200))
    dataset_version_id: Mapped[str | None] = mapped_column(
        ForeignKey("dataset_versions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    dataset_name: Mapped[str] = mapped_column(String(100))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    weights_sha256: Mapped[str] = mapped_column(String(64))
    weights_name: Mapped[str] = mapped_column(String(100))
    weights_size: Mapped[int] = mapped_column(BigInteger)
    lineage: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # ModelCards, as dicts
    commercial_use: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    shares: Mapped[list[ModelShare]] = relationship(
        back_populates="model", cascade="all, delete-orphan", lazy="selectin"
    )


class ModelShare(Base):
    """A user the owner lets use the model (never change or share it)."""

    __tablename__ = "model_shares"
    model_id: Mapped[str] = mapped_column(
        ForeignKey("custom_models.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    model: Mapped[CustomModel] = relationship(back_populates="shares")


class CustomQuote(Base):
    """An admin's offer to train a model for a client: a price (money, on an invoice)
    and the credits its training may use. Paying the invoice queues the training."""

    __tablename__ = "custom_quotes"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    engine: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    price: Mapped[int] = mapped_column(BigInteger)  # minor units
    currency: Mapped[str] = mapped_column(String(8))
    credits: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    invoice_id: Mapped[str | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL"), nullable=True, index=True
    )
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
