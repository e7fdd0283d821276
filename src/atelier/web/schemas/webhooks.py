"""Webhook endpoints, their delivery log, and the events they carry."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from atelier.store.outbox import EventType, OutboxEvent, WebhookAttempt, WebhookEndpoint
from atelier.studio.webhooks import Logged
from atelier.web.schemas.common import Out, UtcTime


class NewEndpoint(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="Where events are POSTed.")
    description: str = Field("", max_length=200)
    types: list[EventType] = Field(
        default_factory=list, max_length=20, description="The event types it gets; [] for all."
    )


class EndpointOut(Out):
    id: str
    url: str
    description: str
    types: list[str]
    created_at: UtcTime


class NewEndpointOut(EndpointOut):
    secret: str = Field(
        description="The signing secret (whsec_…): shown in this answer only; verify each "
        "webhook's webhook-signature with it."
    )


class EventOut(Out):
    """An event as the stream and a webhook carry it; `id` is its webhook-id."""

    id: int
    type: str
    timestamp: UtcTime
    data: dict[str, Any]


class AttemptOut(Out):
    number: int
    at: UtcTime
    status_code: int | None = Field(description="The endpoint's answer; null if none came.")
    error: str | None
    seconds: float
    retry_at: UtcTime | None = Field(description="When the next try is due; null if none.")


class DeliveryOut(Out):
    id: str
    event: EventOut
    status: Literal["pending", "delivered", "failed"]
    attempts: list[AttemptOut]
    next_attempt_at: UtcTime | None
    created_at: UtcTime


def endpoint_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        types=list(endpoint.types),
        created_at=endpoint.created_at,
    )


def event_out(event: OutboxEvent) -> EventOut:
    return EventOut(id=event.id, type=event.type, timestamp=event.created_at, data=event.data)


def attempt_out(attempt: WebhookAttempt) -> AttemptOut:
    return AttemptOut(
        number=attempt.number,
        at=attempt.at,
        status_code=attempt.status_code,
        error=attempt.error,
        seconds=attempt.seconds,
        retry_at=attempt.retry_at,
    )


def delivery_out(logged: Logged) -> DeliveryOut:
    delivery = logged.delivery
    return DeliveryOut(
        id=delivery.id,
        event=event_out(logged.event),
        status=delivery.status,  # type: ignore[arg-type]
        attempts=[attempt_out(a) for a in logged.attempts],
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        created_at=delivery.created_at,
    )
