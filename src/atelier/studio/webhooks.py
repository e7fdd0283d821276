"""An account's events going out: its webhook endpoints (made, listed, deleted, tested),
the log of their deliveries, and its events read back for the event stream.

The events themselves are written by whoever makes the change (store/outbox.py `record`);
studio/dispatch.py sends the deliveries. An endpoint's address is checked when it is made
and again before every try: one that resolves to a loopback, private, link-local or other
non-public address is refused unless `webhook_allow_private` is on, so an account cannot
make the studio call the machines of its own network."""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.errors import Conflict, Invalid
from atelier.settings import Settings
from atelier.store import event_pruning, outbox, paging
from atelier.store.db import Database
from atelier.store.models import utcnow
from atelier.store.outbox import (
    EVENT_TYPES,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

MAX_ENDPOINTS = 20  # per account
SECRET_BYTES = 32  # Standard Webhooks asks for 24 to 64


@dataclass(frozen=True)
class Logged:
    """One delivery as its endpoint's log shows it: the event, and every try so far."""

    delivery: WebhookDelivery
    event: OutboxEvent
    attempts: list[WebhookAttempt]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_url(url: str, allow_private: bool) -> None:
    """Refuse an address the studio must not call: not http(s), with a password, or on a
    host that does not resolve or resolves to a non-public address (unless allowed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("url must be an http:// or https:// address with a host", field="url")
    if parts.username or parts.password:
        raise Invalid("url must not carry a user name or password", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, ValueError) as exc:
        raise Invalid(
            "url's host %(hostname)s cannot be reached: %(exc)s",
            field="url",
            params={"hostname": parts.hostname, "exc": exc},
        ) from None
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not allow_private and (not ip.is_global or ip.is_multicast):
            raise Invalid(
                "url's host %(hostname)s is at %(ip)s, a loopback, private or otherwise "
                "non-public address: the studio sends webhooks to public addresses only",
                field="url",
                params={"hostname": parts.hostname, "ip": ip},
            )


@dataclass(frozen=True)
class Resume:
    """Where an event stream starts: after event `after`; `reset` when the events it asked
    to resume from were deleted as too old (it then starts after the newest event)."""

    after: int
    reset: bool = False


@dataclass(frozen=True)
class Pruned:
    """What one pruning run did: events deleted, or `busy` (another process prunes)."""

    events: int
    busy: bool = False


class Webhooks:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    def create(
        self, who: Principal, url: str, description: str = "", types: list[str] | None = None
    ) -> WebhookEndpoint:
        """A new endpoint with a new secret (its owner sees it in this answer only)."""
        authz.require_scope(who, "write")
        if len(url) > 2000:
            raise Invalid("url must be at most 2000 characters", field="url")
        if len(description) > 200:
            raise Invalid("description must be at most 200 characters", field="description")
        unknown = sorted(set(types or []) - set(EVENT_TYPES))
        if unknown:
            raise Invalid(
                "unknown event type(s) %(unknown)s; known: %(known)s",
                field="types",
                params={"unknown": ", ".join(unknown), "known": ", ".join(EVENT_TYPES)},
            )
        check_url(url, self.settings.webhook_allow_private)
        with self.db.transaction() as s:
            count = len(
                s.scalars(
                    select(WebhookEndpoint.id).where(WebhookEndpoint.owner_id == who.user_id)
                ).all()
            )
            if count >= MAX_ENDPOINTS:
                raise Conflict(
                    "an account has at most %(MAX_ENDPOINTS)s webhook endpoints; delete one first",
                    field="url",
                    params={"MAX_ENDPOINTS": MAX_ENDPOINTS},
                )
            endpoint = WebhookEndpoint(
                owner_id=who.user_id,
                url=url,
                description=description,
                types=sorted(set(types or [])),
                secret=new_secret(),
                created_at=utcnow(),
            )
            s.add(endpoint)
            return endpoint

    def mine(
        self, who: Principal, limit: int = 100, after: paging.After | None = None
    ) -> list[WebhookEndpoint]:
        """The account's endpoints, oldest first."""
        query = select(WebhookEndpoint).where(WebhookEndpoint.owner_id == who.user_id)
        query = paging.page(
            query,
            WebhookEndpoint.created_at,
            WebhookEndpoint.id,
            limit,
            after=after,
            oldest_first=True,
        )
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def get(self, who: Principal, endpoint_id: str) -> WebhookEndpoint:
        with self.db.transaction() as s:
            return authz.owned(s, WebhookEndpoint, who, endpoint_id)

    def delete(self, who: Principal, endpoint_id: str) -> WebhookEndpoint:
        """The endpoint goes, with its deliveries and their log."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            endpoint = authz.owned(s, WebhookEndpoint, who, endpoint_id)
            s.delete(endpoint)
            return endpoint

    def test(self, who: Principal, endpoint_id: str) -> OutboxEvent:
        """A `webhook.test` event for this endpoint only (the event stream shows it too)."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            endpoint = authz.owned(s, WebhookEndpoint, who, endpoint_id)
            data = {"endpoint_id": endpoint.id, "message": "a test event, sent on request"}
            return outbox.record(s, who.user_id, "webhook.test", data, endpoint_id=endpoint.id)

    def deliveries(
        self,
        who: Principal,
        endpoint_id: str,
        limit: int = 50,
        after: paging.After | None = None,
    ) -> list[Logged]:
        """The endpoint's deliveries, newest first, each with its tries."""
        query = select(WebhookDelivery, OutboxEvent).join(
            OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id
        )
        query = paging.page(
            query.where(WebhookDelivery.endpoint_id == endpoint_id),
            WebhookDelivery.created_at,
            WebhookDelivery.id,
            limit,
            after=after,
        )
        with self.db.transaction() as s:
            authz.owned(s, WebhookEndpoint, who, endpoint_id)
            rows = s.execute(query).all()
            tries: dict[str, list[WebhookAttempt]] = {d.id: [] for d, _ in rows}
            for attempt in s.scalars(
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(list(tries)))
                .order_by(WebhookAttempt.number)
            ):
                tries[attempt.delivery_id].append(attempt)
            return [Logged(delivery, event, tries[delivery.id]) for delivery, event in rows]

    def events(self, who: Principal, after: int, limit: int = 100) -> list[OutboxEvent]:
        """The account's events after id `after`, oldest first (the event stream)."""
        with self.db.transaction() as s:
            return outbox.since(s, who.user_id, after, limit)

    def resume(self, who: Principal, last_event_id: int | None) -> Resume:
        """Where the account's event stream starts: after `last_event_id` while every event
        since is kept, else (or without one) after its newest event."""
        with self.db.transaction() as s:
            newest = outbox.last_id(s, who.user_id)
            if last_event_id is None:
                return Resume(newest)
            if last_event_id < outbox.pruned_through(s, who.user_id):
                return Resume(newest, reset=True)
            return Resume(last_event_id)

    def prune(self, keep_days: int | None = None, now: datetime | None = None) -> Pruned:
        """Delete the events written more than `keep_days` (events_keep_days) ago whose
        deliveries are all finished since, batch by batch (store/event_pruning.py)."""
        days = keep_days if keep_days is not None else self.settings.events_keep_days
        cutoff = (now or utcnow()) - timedelta(days=days)
        total = 0
        while True:
            with self.db.transaction() as s:
                if not event_pruning.take_turn(s):
                    return Pruned(total, busy=True)
                count = event_pruning.prune_batch(s, cutoff)
            total += count
            if count < event_pruning.BATCH:
                return Pruned(total)
