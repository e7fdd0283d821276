"""The webhook dispatcher: a thread beside the worker pool that sends due deliveries as
Standard Webhooks (https://www.standardwebhooks.com): a JSON body
`{"type", "timestamp", "data"}` with `webhook-id` (the outbox event's id, the same on
every try, so a receiver drops repeats), `webhook-timestamp` and `webhook-signature`
(HMAC-SHA256 with the endpoint's `whsec_` secret, by the `standardwebhooks` package).

Any number of processes may dispatch: each claims due deliveries under a lease (FOR
UPDATE SKIP LOCKED on PostgreSQL, one write transaction on SQLite), so one try is sent by
one process at a time. A process that dies mid-send leaves its lease to run out, and the
delivery is sent again: delivery is at least once, and the id makes it once for a
receiver that remembers the ids it has seen. A try that fails (no 2xx answer in time) is
retried after webhook_retry_seconds, doubled each time, until webhook_max_attempts.

Every events_prune_seconds (and when it starts) the dispatcher also deletes the events
older than events_keep_days that are finished with (studio/webhooks.py `prune`): one
process at a time, the others skip their turn."""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select
from standardwebhooks.webhooks import Webhook

import atelier
from atelier.errors import Invalid
from atelier.settings import Settings
from atelier.store.db import Database
from atelier.store.models import utcnow
from atelier.store.outbox import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from atelier.studio.service import Studio
from atelier.studio.webhooks import Webhooks, check_url

log = logging.getLogger("atelier.webhooks")
BATCH = 16  # deliveries claimed at once
SENDERS = 4  # of them sent at the same time, so one slow endpoint does not hold the rest


@dataclass(frozen=True)
class Due:
    """A claimed delivery with what sending it needs."""

    delivery_id: str
    event_id: int
    url: str
    secret: str
    body: str


def body(event: OutboxEvent) -> str:
    """The webhook's JSON body, as signed and sent."""
    payload: dict[str, Any] = {
        "type": event.type,
        "timestamp": event.created_at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def signed_headers(event_id: int, secret: str, text: str, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one try (its timestamp is the try's)."""
    return {
        "webhook-id": str(event_id),
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(str(event_id), now, text),
        "content-type": "application/json",
        "user-agent": f"Atelier-Webhooks/{atelier.__version__}",
    }


def retry_delay(settings: Settings, attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling, capped."""
    return min(
        settings.webhook_retry_seconds * 2 ** (attempts - 1), settings.webhook_retry_max_seconds
    )


class Dispatcher:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.id = f"{socket.gethostname()[:30]}:{os.getpid()}:hooks:{secrets.token_hex(4)}"
        self.client = httpx.Client(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
        )
        self._next_prune = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="atelier-webhooks", daemon=True)

    def start(self) -> Dispatcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._prune_when_due()
            try:
                sent = self.run_due()
            except Exception:  # a database hiccup: try again at the next poll
                log.exception("webhook dispatcher %s: claiming deliveries failed", self.id)
                sent = 0
            if not sent:
                self._stop.wait(self.settings.webhook_poll_seconds)

    def _prune_when_due(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + self.settings.events_prune_seconds
        try:
            pruned = Webhooks(self.settings, self.db).prune()
        except Exception:  # a database hiccup: try again at the next turn
            log.exception("webhook dispatcher %s: pruning old events failed", self.id)
            return
        if pruned.events:
            log.info("webhook dispatcher %s: deleted %d old events", self.id, pruned.events)

    def run_due(self) -> int:
        """Send the deliveries due now (a batch); returns how many were tried."""
        due = self._claim()
        if len(due) == 1:
            self._send(due[0])
        elif due:
            with ThreadPoolExecutor(min(SENDERS, len(due))) as pool:
                list(pool.map(self._send, due))
        return len(due)

    def _claim(self) -> list[Due]:
        now = utcnow()
        # Longer than a try can take, so a live dispatcher never loses one it is sending.
        lease = now + timedelta(seconds=self.settings.webhook_timeout_seconds + 30)
        with self.db.transaction(durable=False) as s:
            deliveries = s.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.status == "pending",
                    WebhookDelivery.next_attempt_at <= now,
                    or_(
                        WebhookDelivery.lease_expires_at.is_(None),
                        WebhookDelivery.lease_expires_at < now,
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            due = []
            for delivery in deliveries:
                delivery.lease_owner, delivery.lease_expires_at = self.id, lease
                event = s.get(OutboxEvent, delivery.event_id)
                endpoint = s.get(WebhookEndpoint, delivery.endpoint_id)
                assert event is not None and endpoint is not None  # both cascade to it
                due.append(Due(delivery.id, event.id, endpoint.url, endpoint.secret, body(event)))
            return due

    def _send(self, due: Due) -> None:
        started = time.monotonic()
        code: int | None = None
        error: str | None = None
        try:
            check_url(due.url, self.settings.webhook_allow_private)  # its DNS may have changed
            now = datetime.now(UTC)
            headers = signed_headers(due.event_id, due.secret, due.body, now)
            code = self.client.post(due.url, content=due.body, headers=headers).status_code
            if not 200 <= code < 300:
                error = f"the endpoint answered {code}"
        except Invalid as exc:
            error = exc.detail
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        self._record(due, code, error, time.monotonic() - started)

    def _record(self, due: Due, code: int | None, error: str | None, seconds: float) -> None:
        """Log the try; the delivery is done, failed for good, or due again later."""
        now = utcnow()
        with self.db.transaction() as s:
            delivery = s.scalar(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.id == due.delivery_id,
                    WebhookDelivery.lease_owner == self.id,
                    WebhookDelivery.status == "pending",
                )
                .with_for_update()
            )
            if delivery is None:  # its endpoint was deleted meanwhile, or the lease ran out
                return
            delivery.attempts += 1
            retry_at = None
            if error is None:
                delivery.status, delivery.finished_at = "delivered", now
            elif delivery.attempts >= self.settings.webhook_max_attempts:
                delivery.status, delivery.finished_at = "failed", now
            else:
                delay = retry_delay(self.settings, delivery.attempts)
                retry_at = delivery.next_attempt_at = now + timedelta(seconds=delay)
            delivery.lease_owner, delivery.lease_expires_at = None, None
            s.add(
                WebhookAttempt(
                    delivery_id=delivery.id,
                    number=delivery.attempts,
                    at=now,
                    status_code=code,
                    error=error,
                    seconds=round(seconds, 4),
                    retry_at=retry_at,
                )
            )
        if error is not None:
            log.info("webhook %s to %s: %s", due.event_id, due.url, error)


def start_dispatcher(studio: Studio) -> Dispatcher | None:
    """The dispatcher a server or worker command runs, unless the settings turn it off."""
    settings = studio.settings
    return Dispatcher(settings, studio.db).start() if settings.webhook_dispatch else None
