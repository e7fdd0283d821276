"""Webhook endpoints (made, listed, deleted, tested, their delivery log) and the account's
event stream: every event with its outbox id as the SSE `id`, resumed after
`Last-Event-ID`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi.concurrency import run_in_threadpool
from sse_starlette import EventSourceResponse, ServerSentEvent

from atelier.accounts.authz import Principal
from atelier.errors import Invalid
from atelier.store.models import utcnow
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.studio.webhooks import Logged
from atelier.web.deps import get_studio, principal
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page
from atelier.web.schemas.webhooks import (
    DeliveryOut,
    EndpointOut,
    EventOut,
    NewEndpoint,
    NewEndpointOut,
    delivery_out,
    endpoint_out,
    event_out,
)

router = APIRouter(tags=["webhooks"])
EVENT_STREAM_SECONDS = 600  # then the client reconnects with Last-Event-ID (EventSource does)
EVENT_BATCH = 100
EVENTS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}},
    **errors(422),
}


@router.post("/webhooks", status_code=201, operation_id="webhooks_create", responses=errors(409))
def create_endpoint(
    body: NewEndpoint, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> NewEndpointOut:
    """A new endpoint for your events; its signing secret is in this answer only."""
    endpoint = studio.webhooks.create(who, body.url, body.description, list(body.types))
    return NewEndpointOut(**endpoint_out(endpoint).model_dump(), secret=endpoint.secret)


@router.get("/webhooks", operation_id="webhooks_list")
def list_endpoints(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(20, 20)),
) -> Page[EndpointOut]:
    """Your webhook endpoints, oldest first (without their secrets)."""
    rows, next_url = page.page(
        studio.webhooks.mine(who, page.fetch, page.after), lambda e: After(e.created_at, e.id)
    )
    return Page[EndpointOut](items=[endpoint_out(e) for e in rows], next=next_url)


@router.get("/webhooks/{endpoint_id}", operation_id="webhooks_get")
def get_endpoint(
    endpoint_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> EndpointOut:
    return endpoint_out(studio.webhooks.get(who, endpoint_id))


@router.delete("/webhooks/{endpoint_id}", status_code=204, operation_id="webhooks_delete")
def delete_endpoint(
    endpoint_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    """The endpoint goes, with its delivery log; nothing more is sent to it."""
    studio.webhooks.delete(who, endpoint_id)
    return Response(status_code=204)


@router.post("/webhooks/{endpoint_id}/test", status_code=202, operation_id="webhooks_test")
def test_endpoint(
    endpoint_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> EventOut:
    """Send a `webhook.test` event to this endpoint (queued: see its deliveries)."""
    return event_out(studio.webhooks.test(who, endpoint_id))


def _logged_key(logged: Logged) -> After:
    return After(logged.delivery.created_at, logged.delivery.id)


@router.get("/webhooks/{endpoint_id}/deliveries", operation_id="webhooks_deliveries")
def list_deliveries(
    endpoint_id: str,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[DeliveryOut]:
    """The endpoint's delivery log, newest first: each event with every try, its answer,
    and when the next try is due."""
    rows, next_url = page.page(
        studio.webhooks.deliveries(who, endpoint_id, page.fetch, page.after), _logged_key
    )
    return Page[DeliveryOut](items=[delivery_out(d) for d in rows], next=next_url)


def _resume_after(last_event_id: str) -> int:
    if not last_event_id.isdigit() or len(last_event_id) > 18:
        raise Invalid(
            "Last-Event-ID must be the id of an event of this stream (a whole number)",
            field="Last-Event-ID",
        )
    return int(last_event_id)


def _reset(newest: int, keep_days: int) -> ServerSentEvent:
    """The stream's first event when the events after Last-Event-ID are gone."""
    detail = (
        f"events older than {keep_days} days are deleted and some you had not seen are gone: "
        "read your jobs and works again; the stream goes on after this event"
    )
    body = EventOut(id=newest, type="reset", timestamp=utcnow(), data={"detail": detail})
    return ServerSentEvent(data=body.model_dump_json(), event="reset", id=str(newest))


@router.get(
    "/events",
    response_class=EventSourceResponse,
    operation_id="events_stream",
    responses=EVENTS,
)
async def event_stream(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=40),
) -> EventSourceResponse:
    """Server-sent events: your account's events as they happen, each with its id (the
    webhook-id of the same event). Reconnect with `Last-Event-ID` to get the ones missed
    first, in order, then the new ones; without it the stream starts with the next event.
    Events are kept `events_keep_days`: resuming from one older than that, whose followers
    were deleted, starts with a `reset` event (its id the newest event's; read your jobs
    and works again from the API) and goes on with the next events."""
    after = None if last_event_id is None else _resume_after(last_event_id)
    start = await run_in_threadpool(studio.webhooks.resume, who, after)
    pause = studio.settings.poll_seconds

    async def stream() -> AsyncIterator[ServerSentEvent]:
        seen, deadline = start.after, time.monotonic() + EVENT_STREAM_SECONDS
        if start.reset:
            yield _reset(seen, studio.settings.events_keep_days)
        while time.monotonic() < deadline:
            batch = await run_in_threadpool(studio.webhooks.events, who, seen, EVENT_BATCH)
            for event in batch:
                seen = event.id
                body = event_out(event).model_dump_json()
                yield ServerSentEvent(data=body, event=event.type, id=str(event.id))
            if len(batch) < EVENT_BATCH:
                await asyncio.sleep(pause)

    return EventSourceResponse(
        stream(), ping=15, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
