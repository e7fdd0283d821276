"""Evaluation's tables: kept reports (comparisons and image-set metrics), expert panels
(items, reviewers and invitations, votes) and users' feedback on works.

A report's files are one zip in the artifact store (`sha256`), so a report outlives the
machine that made it; its summary numbers are copied into the row, so the admin page lists
and plots them without opening any zip."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from atelier.store.models import Base, new_id, utcnow

REPORT_KINDS = ("compare", "image")
PANEL_KINDS = ("ab", "rate")  # pairs to choose between, or single works to rate


class EvalReport(Base):
    """One kept report: what was compared (`spec`), by whom and when, where its files are
    and its summary (metric → {title, higher_is_better, a, b, difference}). A comparison
    started from the admin page is a job: the row exists from the submit, and takes its
    files and summary when the job has made them."""

    __tablename__ = "eval_reports"
    __table_args__ = (
        Index("ix_eval_reports_kind_created", "kind", "created_at"),
        UniqueConstraint("job_id", name="uq_eval_reports_job_id"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # compare | image
    title: Mapped[str] = mapped_column(String(300))
    engine: Mapped[str | None] = mapped_column(String(100), nullable=True)
    label_a: Mapped[str] = mapped_column(String(100))
    label_b: Mapped[str] = mapped_column(String(100))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(16))  # page | api | cli
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the report's zip
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Panel(Base):
    """An expert panel: items judged blind by reviewers on criteria (`criteria`: a list of
    {"key", "title"}), 1–5 ratings (`rate`) or a choice between two (`ab`)."""

    __tablename__ = "panels"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    criteria: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    instructions: Mapped[str] = mapped_column(Text, default="")
    report_id: Mapped[str | None] = mapped_column(
        ForeignKey("eval_reports.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    items: Mapped[list[PanelItem]] = relationship(
        order_by="PanelItem.position", cascade="all, delete-orphan", lazy="selectin"
    )


class PanelItem(Base):
    """One thing to judge: side A alone (rate) or A against B (ab). Each side is a picture
    stripped of its metadata (no C2PA manifest naming the engine), its model's label
    (never shown to reviewers) and the work it came from, if any."""

    __tablename__ = "panel_items"
    __table_args__ = (UniqueConstraint("panel_id", "position", name="uq_panel_items_position"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    panel_id: Mapped[str] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    brief: Mapped[str] = mapped_column(Text, default="")  # what was asked (the prompt)
    a_label: Mapped[str] = mapped_column(String(100))
    a_sha256: Mapped[str] = mapped_column(String(64))
    a_mime: Mapped[str] = mapped_column(String(100))
    a_work_id: Mapped[str | None] = mapped_column(
        ForeignKey("works.id", ondelete="SET NULL"), nullable=True
    )
    b_label: Mapped[str | None] = mapped_column(String(100), nullable=True)
    b_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    b_mime: Mapped[str | None] = mapped_column(String(100), nullable=True)
    b_work_id: Mapped[str | None] = mapped_column(
        ForeignKey("works.id", ondelete="SET NULL"), nullable=True
    )


class PanelReviewer(Base):
    """A reviewer of one panel: a studio account (`user_id`) or an invitation link that
    needs none (`token_hash`: the link's secret, stored only as its SHA-256). A link
    expires and may be revoked; an account reviewer may be revoked too."""

    __tablename__ = "panel_reviewers"
    __table_args__ = (
        UniqueConstraint("panel_id", "user_id", name="uq_panel_reviewers_user"),
        UniqueConstraint("token_hash", name="uq_panel_reviewers_token_hash"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    panel_id: Mapped[str] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(320))  # shown to the panel's owner only
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PanelVote(Base):
    """A reviewer's judgement of one item, every criterion at once (`answers`: criterion
    key → 1–5, or "a"/"b" for the side chosen). One per reviewer and item: the unique
    constraint stands even when two tabs send the same item at the same moment."""

    __tablename__ = "panel_votes"
    __table_args__ = (UniqueConstraint("reviewer_id", "item_id", name="uq_panel_votes_once"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    panel_id: Mapped[str] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("panel_items.id", ondelete="CASCADE"))
    reviewer_id: Mapped[str] = mapped_column(
        ForeignKey("panel_reviewers.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    swapped: Mapped[bool] = mapped_column(default=False)  # B was shown on the left
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WorkFeedback(Base):
    """A viewer's thumbs up (+1) or down (−1) on a work, with an optional note; one per
    user and work, changed in place."""

    __tablename__ = "work_feedback"
    __table_args__ = (
        UniqueConstraint("work_id", "user_id", name="uq_work_feedback_once"),
        Index("ix_work_feedback_engine_updated", "engine", "updated_at"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    engine: Mapped[str] = mapped_column(String(100))  # copied from the work: grouped by
    model: Mapped[str] = mapped_column(String(200))  # the models its lineage names
    vote: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
