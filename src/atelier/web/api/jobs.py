"""Jobs: submit a creation, follow it (server-sent events), cancel it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.models import TERMINAL_STATUSES, Job
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio, principal
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page
from atelier.web.schemas.studio import JobOut, JobStatus, job_out

router = APIRouter(tags=["jobs"])
EVENT_POLL_SECONDS = 0.25  # for jobs run by another process; this one's push at once
# After a progress event, the next waits this long and carries the latest state: a text
# job's tokens then go out a few to an event (at most 20 events a second), not one each.
# An event per token cost the server ~1.1 ms of a ~19 ms token and the client ~0.4 ms,
# taken from llama.cpp's two threads on a two-core machine. The first EAGER_EVENTS go at
# once, so a job's first words are not held back.
EVENT_MIN_GAP_SECONDS = 0.05
EAGER_EVENTS = 8
EVENT_STREAM_SECONDS = 600  # then the client reconnects (EventSource does so by itself)
EVENTS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}
}


class NewJob(BaseModel):
    engine: str = Field(min_length=1, max_length=100)
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None


def _key(job: Job) -> After:
    return After(job.created_at, job.id)


@router.post(
    "/jobs",
    status_code=201,
    operation_id="jobs_create",
    dependencies=[Depends(ratelimit.limit("jobs"))],
    responses={**errors(402, 409, 429, 503), 200: {"model": JobOut, "description": "A replay"}},
)
def create_job(
    body: NewJob,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> JobOut:
    """Queue a creation. With `Idempotency-Key`, a repeat returns the first job (200)."""
    job, created = studio.jobs.submit(who, body.engine, body.params, body.seed, idempotency_key)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_out(job)


@router.get("/jobs", operation_id="jobs_list")
def list_jobs(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: JobStatus | None = None,
    page: Window = Depends(window()),
) -> Page[JobOut]:
    """Your jobs, newest first."""
    rows, next_url = page.page(studio.jobs.mine(who, status, page.fetch, after=page.after), _key)
    return Page[JobOut](items=[job_out(j) for j in rows], next=next_url)


@router.get("/jobs/{job_id}", operation_id="jobs_get")
def get_job(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> JobOut:
    return job_out(studio.jobs.get(who, job_id))


@router.post("/jobs/{job_id}/cancel", operation_id="jobs_cancel", responses=errors(409))
def cancel_job(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> JobOut:
    """A queued job is cancelled at once, a running one at its engine's next check."""
    return job_out(studio.jobs.cancel(who, job_id))


@router.get(
    "/jobs/{job_id}/events",
    response_class=StreamingResponse,
    operation_id="jobs_events",
    responses=EVENTS,
)
async def job_events(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> StreamingResponse:
    """Server-sent events: `progress` while it runs, then one of `done`, `failed`, `canceled`.

    A job running in this process pushes its progress as it comes (a text job: its first
    tokens one to an event, then a few to an event, EVENT_MIN_GAP_SECONDS apart);
    otherwise, and to catch its start and end, the job is read every poll interval."""
    first = await run_in_threadpool(studio.jobs.get, who, job_id)
    live = studio.live

    async def stream() -> AsyncIterator[str]:
        stored: dict[str, Any] = job_out(first).model_dump(mode="json")
        last, deadline, sent = None, time.monotonic() + EVENT_STREAM_SECONDS, 0
        while True:
            seen, now = live.version(job_id), live.latest(job_id)
            body = stored
            if now is not None and stored["status"] == "running":
                body = {**stored, "progress": round(now[0], 4), "message": now[1]}
            state = (body["status"], round(body["progress"], 3), body["message"])
            if state != last:
                last = state
                if body["status"] in TERMINAL_STATUSES:
                    name = {"succeeded": "done"}.get(body["status"], body["status"])
                    yield f"event: {name}\ndata: {json.dumps(body)}\n\n"
                    return
                yield f"event: progress\ndata: {json.dumps(body)}\n\n"
                sent += 1
                if sent > EAGER_EVENTS:
                    await asyncio.sleep(EVENT_MIN_GAP_SECONDS)
            if time.monotonic() > deadline:
                return
            await live.wait(job_id, seen, EVENT_POLL_SECONDS)
            if (
                live.version(job_id) == seen
                or live.latest(job_id) is None
                or (stored["status"] != "running")
            ):  # no news pushed, or the job started or ended: read it
                job = await run_in_threadpool(studio.jobs.get, who, job_id)
                stored = job_out(job).model_dump(mode="json")

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
