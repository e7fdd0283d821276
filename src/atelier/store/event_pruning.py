"""Retention of the outbox (store/outbox.py): events, their webhook deliveries and the
deliveries' tries are deleted once they are older than the window and finished with.

An event goes when it was written before the cut-off and none of its deliveries is
pending (still to be tried) or finished after the cut-off: a delivery that gave up
(failed) stays in its endpoint's log for the window too, then goes. Each account's
stream remembers the newest id pruned from it (`EventStream.pruned_through`), so a
stream resumed from an older `Last-Event-ID` is told its events are gone instead of
silently skipping them (web/api/webhooks.py sends a `reset` event).

Pruning runs in small batches, one transaction each, so writers wait on it for a moment
at most; on PostgreSQL a transaction-scoped advisory lock lets one process prune at a
time (the others skip their turn), on SQLite every write transaction is alone anyway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session

from atelier.store.outbox import EventStream, OutboxEvent, WebhookAttempt, WebhookDelivery

# pg_try_advisory_xact_lock's key for pruning: "prune" in ASCII.
PRUNE_LOCK = 0x7072756E65
BATCH = 500  # events deleted per transaction


def take_turn(s: Session) -> bool:
    """Whether this transaction may prune: False while another process's batch runs
    (PostgreSQL; the lock ends with the transaction, even if its process dies)."""
    if s.get_bind().dialect.name != "postgresql":
        return True
    return bool(s.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": PRUNE_LOCK}))


def prune_batch(s: Session, cutoff: datetime, limit: int = BATCH) -> int:
    """Delete up to `limit` events written before `cutoff` whose deliveries are all
    finished before it, with their deliveries and tries; returns how many events went."""
    unfinished = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.event_id == OutboxEvent.id,
            or_(
                WebhookDelivery.status == "pending",
                WebhookDelivery.finished_at.is_(None),
                WebhookDelivery.finished_at >= cutoff,
            ),
        )
        .exists()
    )
    rows = s.execute(
        select(OutboxEvent.id, OutboxEvent.owner_id)
        .where(OutboxEvent.created_at < cutoff, ~unfinished)
        .order_by(OutboxEvent.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    ids = [event_id for event_id, _ in rows]
    newest: dict[str, int] = {}
    for event_id, owner_id in rows:
        newest[owner_id] = max(event_id, newest.get(owner_id, 0))
    for owner_id in sorted(newest):  # one order for every process: no deadlock between them
        stream = s.get(EventStream, owner_id, with_for_update=True)
        if stream is not None:  # every account with an event has one (outbox.record)
            stream.pruned_through = max(stream.pruned_through, newest[owner_id])
    deliveries = select(WebhookDelivery.id).where(WebhookDelivery.event_id.in_(ids))
    s.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
    s.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(ids)))
    s.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(ids)))
    return len(ids)
