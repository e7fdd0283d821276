"""A job's changes as events for its owner (store/outbox.py): how far it has come, a
tenth of the way at a time, and how it ended; written by the spine in the transaction
of the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.store import outbox
from atelier.store.models import Job, Work

PROGRESS_STEPS = 10  # job.progress events per job at most: one per tenth of the way


def next_step(before: float | None, now: float | None) -> bool:
    """Whether progress went from `before` into a later tenth of the way."""
    if before is None or now is None:
        return False
    return int(now * PROGRESS_STEPS) > int(before * PROGRESS_STEPS)


def tell(s: Session, job: Job, work_ids: list[str] | None = None) -> None:
    """The job's state as an event: job.progress while it runs, else how it ended
    (`work_ids`: a succeeded job's works, in order, when the caller has just made them)."""
    data: dict[str, Any] = {
        "job_id": job.id,
        "engine": job.engine,
        "status": job.status,
        "progress": round(job.progress, 4),
    }
    if job.status == "running":
        data["message"] = job.message
    if job.status == "succeeded" and work_ids is not None:
        data["work_ids"] = work_ids
    elif job.status == "succeeded":
        s.flush()
        data["work_ids"] = list(
            s.scalars(select(Work.id).where(Work.job_id == job.id).order_by(Work.position))
        )
    if job.status == "failed":
        data["error"] = job.error
    kind = "progress" if job.status == "running" else job.status
    outbox.record(s, job.owner_id, f"job.{kind}", data)
