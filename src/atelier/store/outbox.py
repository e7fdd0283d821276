"""The outbox: every event an account is told of (a job's progress and end, a work
published, a licence sold, a payout) is a row written in the same transaction as the
change it reports, so an event is never sent for a change rolled back, nor lost for one
committed. Webhook deliveries (studio/dispatch.py) and the event stream (GET /v1/events)
read from here; an event's id is its webhook-id and its SSE id, the same on every retry.

Ids grow with each event, and an account's events commit in id order: `record` first
locks the account's `EventStream` row, so a later event of the account waits for an
earlier one to commit before it takes its id. A reader that resumes after id N therefore
never skips one of the account's events that commits later with a smaller id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from atelier.store.models import Base, new_id, utcnow

EventType = Literal[
    "job.progress",
    "job.succeeded",
    "job.failed",
    "job.canceled",
    "work.published",
    "licence.sold",
    "payout.requested",
    "payout.paid",
    "webhook.test",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
DELIVERY_STATUSES = ("pending", "delivered", "failed")
Id = BigInteger().with_variant(Integer(), "sqlite")  # SQLite counts only INTEGER keys


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_owner_id_id", "owner_id", "id"),
        {"sqlite_autoincrement": True},  # an id is never given twice, even after deletes
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class EventStream(Base):
    """One row per account that has had an event: `record` locks it (see above)."""

    __tablename__ = "event_streams"
    owner_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # The newest of its events deleted as too old (store/event_pruning.py), 0 if none.
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class WebhookEndpoint(Base):
    """Where an account wants its events POSTed. The secret signs them (Standard Webhooks:
    `whsec_` and base64), so it is kept as it is; it is shown to its owner once."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    types: Mapped[list[str]] = mapped_column(JSON)  # the event types it gets; [] for all
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event to one endpoint: pending until a 2xx answer (delivered) or the last
    attempt (failed). A dispatcher holds it under a lease while it sends."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_events.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebhookAttempt(Base):
    """One try at a delivery, for the delivery log: its answer, and when the next is due."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    seconds: Mapped[float] = mapped_column(Float)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


def record(
    s: Session, owner_id: str, type_: str, data: dict[str, Any], endpoint_id: str | None = None
) -> OutboxEvent:
    """Write an event for `owner_id` in the caller's transaction, with a pending delivery
    to each of their endpoints that takes its type (only `endpoint_id`, when given)."""
    assert type_ in EVENT_TYPES, type_
    stream = _locked_stream(s, owner_id)
    now = utcnow()
    event = OutboxEvent(owner_id=owner_id, type=type_, data=data, created_at=now)
    s.add(event)
    s.flush()
    endpoints = select(WebhookEndpoint).where(WebhookEndpoint.owner_id == owner_id)
    if endpoint_id is not None:
        endpoints = endpoints.where(WebhookEndpoint.id == endpoint_id)
    for endpoint in s.scalars(endpoints):
        if endpoint_id is not None or not endpoint.types or type_ in endpoint.types:
            s.add(
                WebhookDelivery(
                    event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now, created_at=now
                )
            )
    stream.last_event_id = event.id
    return event


def _locked_stream(s: Session, owner_id: str) -> EventStream:
    """The account's stream row (made if it has none), locked until commit."""
    values = {"owner_id": owner_id, "last_event_id": 0}
    if s.get_bind().dialect.name == "postgresql":
        s.execute(postgresql.insert(EventStream).values(values).on_conflict_do_nothing())
    else:
        s.execute(sqlite.insert(EventStream).values(values).on_conflict_do_nothing())
    stream = s.scalar(select(EventStream).where(EventStream.owner_id == owner_id).with_for_update())
    assert stream is not None
    return stream


def since(s: Session, owner_id: str, after: int, limit: int) -> list[OutboxEvent]:
    """The account's events after id `after`, oldest first."""
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.owner_id == owner_id, OutboxEvent.id > after)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return list(s.scalars(query))


def pruned_through(s: Session, owner_id: str) -> int:
    """The newest of the account's events deleted by retention, 0 if none: a stream that
    resumes from an older id has missed events that are gone."""
    stream = s.get(EventStream, owner_id)
    return stream.pruned_through if stream is not None else 0


def last_id(s: Session, owner_id: str) -> int:
    """The id of the account's newest event, 0 if none: a stream without Last-Event-ID
    starts after it."""
    stream = s.get(EventStream, owner_id)
    return stream.last_event_id if stream is not None else 0
