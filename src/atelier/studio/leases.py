"""What a worker holds while it runs a job, and what its heartbeat learns: the spine
(studio/spine.py) hands these out; workers here and on other machines (runner.py,
ray_workers.py) carry them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, case

from atelier.store.models import Job


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds the lease on, with what the engine needs to run it."""

    job_id: str
    engine: str
    params: dict[str, Any]
    seed: int
    attempt: int
    files: dict[str, Path]  # local inputs (models' weights, datasets), by the id ctx.file takes
    # Inputs in the artifact store (uploads), by the same ids: their SHA-256, fetched by
    # whatever runs the engine (runner.py: here; a Ray node: from the object store itself).
    stored: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Beat:
    """What a heartbeat learned: whether the lease is still ours and if cancel was asked."""

    held: bool
    cancel: bool


def never_earlier(lease: datetime) -> ColumnElement[datetime]:
    """The later of a job's lease and `lease`. An engine holding the GIL (ncnn, for
    seconds) can stop a heartbeat between computing its time and writing it, while the
    supervisor renews the lease; written as it was, the stale time moved the lease back
    into the past and another worker took the job over."""
    return case((Job.lease_expires_at > lease, Job.lease_expires_at), else_=lease)
