"""SQLAlchemy models. Timestamps are naive UTC."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_id() -> str:
    return uuid.uuid4().hex


def new_handle() -> str:
    """A creator's handle until they choose one (never derived from the e-mail)."""
    return "creator-" + new_id()[:12]


class Base(DeclarativeBase):
    pass


ROLES = ("admin", "creator", "customer", "reviewer")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "canceled")
TERMINAL_STATUSES = ("succeeded", "failed", "canceled")
VISIBILITIES = ("private", "unlisted", "public")


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="creator")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The name shown on a creator's public works, and the creator page's /creators/HANDLE.
    display_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    handle: Mapped[str] = mapped_column(String(40), unique=True, default=new_handle)
    # The interface language chosen on the switch (e.g. zh_CN); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)


class LoginSession(Base):
    __tablename__ = "login_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Upload(Base):
    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A recording's length; a score's, played at its own tempo, with its bars and quarters,
    # and its melody's notes (what the music engines' work follows).
    seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    bars: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quarters: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The studio's works this file is, or was made from, each with how it was recognised
    # and the lineage it brings along (studio/recognition.py); None or [] when none.
    origins: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key", name="uq_jobs_owner_idempotency_key"),
        Index("ix_jobs_status_created", "status", "created_at"),
        Index("ix_jobs_finished", "finished_at"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    engine: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    cost_estimate: Mapped[float] = mapped_column(Float, default=0.0)
    # The engine's estimate of its seconds (before this machine's factor) and the seconds
    # it was charged for: what studio/calibration.py learns this machine's speed from.
    estimate_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    charged_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    works: Mapped[list[Work]] = relationship(
        back_populates="job", order_by="Work.position", lazy="selectin"
    )


class Work(Base):
    __tablename__ = "works"
    __table_args__ = (UniqueConstraint("job_id", "position", name="uq_works_job_position"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    engine: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200), default="")
    mime: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the work draws on: the engine's models and data, the user's uploads, and any
    # further sources (e.g. clip art), each with its licence; the marketplace reads it.
    lineage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    # None, or in_review | approved | rejected: a held work is served to admins only.
    review_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")  # the owner's, for the gallery
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    job: Mapped[Job] = relationship(back_populates="works")
    files: Mapped[list[WorkFile]] = relationship(
        back_populates="work",
        order_by="WorkFile.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class WorkFile(Base):
    """One file of a work: its primary file, another rendition, a signed manifest, a
    thumbnail, or a preview the public gets instead of the originals."""

    __tablename__ = "work_files"
    __table_args__ = (UniqueConstraint("work_id", "name", name="uq_work_files_work_name"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # primary|rendition|manifest|thumbnail|preview
    mime: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    work: Mapped[Work] = relationship(back_populates="files")


class MelodyPrint(Base):
    """One shingle of a music work's melody (datasets/melodies.py `fingerprint`, hashed to
    64 bits): an upload that shares most of a work's shingles is that melody again, or made
    from it (studio/recognition.py)."""

    __tablename__ = "melody_prints"
    work_id: Mapped[str] = mapped_column(
        ForeignKey("works.id", ondelete="CASCADE"), primary_key=True
    )
    shingle: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, index=True
    )


class WorkEmbedding(Base):
    """A published work's meaning as a unit sentence vector (float32 bytes) of its title,
    prompt and description: the gallery's search ranks by cosine against these."""

    __tablename__ = "work_embeddings"
    work_id: Mapped[str] = mapped_column(
        ForeignKey("works.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# -- provenance: the transparency log (append-only; see atelier/provenance/log.py) ------


class LogEntry(Base):
    """One leaf of the log: a sealed file's hash and its manifest's, as the JSON `leaf`
    whose bytes are hashed. No foreign key: the log keeps an entry when a work goes."""

    __tablename__ = "log_entries"
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    work_id: Mapped[str] = mapped_column(String(32), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    leaf: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    work: Mapped[Work | None] = relationship(
        primaryjoin="foreign(LogEntry.work_id) == Work.id",
        # Work.log_entries: the work's provenance summary (schemas.work_out)
        backref=("log_entries", {"order_by": "LogEntry.idx", "lazy": "selectin", "viewonly": True}),
        viewonly=True,
    )


class LogNode(Base):
    """The hash of a complete subtree: (level, idx) covers leaves [idx·2^level, …)."""

    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class LogCheckpoint(Base):
    """A signed tree head (C2SP checkpoint note) for every size the log has had."""

    __tablename__ = "log_checkpoints"
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class LogHead(Base):
    """The one row every append locks first, so appends happen one at a time."""

    __tablename__ = "log_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)


# -- safety: moderation policy, screenings, the review queue, the audit log -------------

REVIEW_STATUSES = ("in_review", "approved", "rejected")


class ModerationRule(Base):
    """An admin's action for one moderation category; a category without a row keeps
    its default (atelier/safety/categories.py)."""

    __tablename__ = "moderation_rules"
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(8))  # allow | flag | block
    updated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Screening(Base):
    """What the prompt screen found in a request it flagged: the job runs, and its works
    are held for review with these reasons."""

    __tablename__ = "screenings"
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Review(Base):
    """A work held for an admin's decision, with the findings that held it."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_status_created", "status", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), unique=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="in_review")
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """One event of the audit log. Append-only: the migration adds triggers that refuse
    UPDATE and DELETE. No foreign keys, so entries outlive what they name."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SignInGuard(Base):
    """Failed sign-ins in a row for one e-mail, and the lock they led to. Kept for any
    e-mail tried, known or not, so a lock tells nobody which e-mails have accounts."""

    __tablename__ = "sign_in_guards"
    email: Mapped[str] = mapped_column(String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PasswordReset(Base):
    """A single-use link to choose a new password; the token is stored only as a hash."""

    __tablename__ = "password_resets"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)  # an admin
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# -- scale-out: the workers serving this studio, its one signing root -------------------


class WorkerRecord(Base):
    """A worker process as it announced itself; its heartbeat refreshes `seen_at`."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    engines: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class StudioRoot(Base):
    """The studio's signing root (one row, id 1), recorded by the node that made it."""

    __tablename__ = "studio_root"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fingerprint: Mapped[str] = mapped_column(String(64))
    certificate: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
