"""Jobs: submit a creation, follow it (server-sent events), cancel it."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.models import TERMINAL_STATUSES
from atelier.studio import Studio
from atelier.web import ratelimit
from atelier.web.deps import get_studio, principal
from atelier.web.schemas import job_out

router = APIRouter(tags=["jobs"])
EVENT_POLL_SECONDS = 0.25  # for jobs run by another process; this one's push at once
EVENT_STREAM_SECONDS = 600  # then the client reconnects (EventSource does so by itself)


class NewJob(BaseModel):
    engine: str = Field(min_length=1, max_length=100)
    params: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None


@router.post("/jobs", status_code=201, dependencies=[Depends(ratelimit.limit("jobs"))])
def create_job(
    body: NewJob,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> dict[str, Any]:
    """Queue a creation. With `Idempotency-Key`, a repeat returns the first job (200)."""
    job, created = studio.jobs.submit(who, body.engine, body.params, body.seed, idempotency_key)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return job_out(job)


@router.get("/jobs")
def list_jobs(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: Literal["queued", "running", "succeeded", "failed", "canceled"] | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return [job_out(j) for j in studio.jobs.mine(who, status, limit, offset)]


@router.get("/jobs/{job_id}")
def get_job(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return job_out(studio.jobs.get(who, job_id))


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return job_out(studio.jobs.cancel(who, job_id))


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
async def job_events(
    job_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> StreamingResponse:
    """Server-sent events: `progress` while it runs, then one of `done`, `failed`, `canceled`.

    A job running in this process pushes each progress report (a text job: each token) at
    once; otherwise, and to catch its start and end, the job is read every poll interval."""
    first = await run_in_threadpool(studio.jobs.get, who, job_id)
    live = studio.live

    async def stream() -> AsyncIterator[str]:
        stored, last, deadline = job_out(first), None, time.monotonic() + EVENT_STREAM_SECONDS
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
            if time.monotonic() > deadline:
                return
            await live.wait(job_id, seen, EVENT_POLL_SECONDS)
            if (
                live.version(job_id) == seen
                or live.latest(job_id) is None
                or (stored["status"] != "running")
            ):  # no news pushed, or the job started or ended: read it
                stored = job_out(await run_in_threadpool(studio.jobs.get, who, job_id))

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
