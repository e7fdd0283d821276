"""The datasets' tables: a client's collection (one medium, private to its owner), the
items as supplied (bytes in the artifact store, with the rights affirmed and who supplied
them), and its versions: immutable, content-addressed manifests with their cards.

On the shared `Base` (store.models), so Alembic and `create_all` see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from atelier.store.models import Base, new_id, utcnow

MEDIA = ("image", "music", "text")


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    medium: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    items: Mapped[list[DatasetItem]] = relationship(
        back_populates="dataset",
        order_by="DatasetItem.name",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    versions: Mapped[list[DatasetVersion]] = relationship(
        back_populates="dataset",
        order_by="DatasetVersion.created_at.desc()",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class DatasetItem(Base):
    """One file as supplied (a zip's member by its path inside it)."""

    __tablename__ = "dataset_items"
    __table_args__ = (UniqueConstraint("dataset_id", "name", name="uq_dataset_items_name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    rights: Mapped[str] = mapped_column(String(32))
    caption: Mapped[str] = mapped_column(String(500), default="")
    supplied_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dataset: Mapped[Dataset] = relationship(back_populates="items")


class DatasetVersion(Base):
    """A cleaned, frozen version: its manifest (artifact `manifest_sha256`, which is the
    version's content address), the card's data, and the card's plots {name: sha256}."""

    __tablename__ = "dataset_versions"
    __table_args__ = (
        UniqueConstraint("dataset_id", "manifest_sha256", name="uq_dataset_versions_manifest"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), index=True
    )
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(Integer)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    plots: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    dataset: Mapped[Dataset] = relationship(back_populates="versions")


class WorkFingerprint(Base):
    """A published picture's perceptual hash, computed once when a dataset is first
    checked against the gallery ("already published by someone else")."""

    __tablename__ = "work_fingerprints"
    work_id: Mapped[str] = mapped_column(
        ForeignKey("works.id", ondelete="CASCADE"), primary_key=True
    )
    phash: Mapped[str | None] = mapped_column(String(32), nullable=True)
