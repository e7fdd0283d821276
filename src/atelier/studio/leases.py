"""What a worker holds while it runs a job, and what its heartbeat learns: the spine
(studio/spine.py) hands these out; workers here and on other machines (runner.py,
ray_workers.py) carry them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds the lease on, with what the engine needs to run it."""

    job_id: str
    engine: str
    params: dict[str, Any]
    seed: int
    attempt: int
    files: dict[str, Path]


@dataclass(frozen=True)
class Beat:
    """What a heartbeat learned: whether the lease is still ours and if cancel was asked."""

    held: bool
    cancel: bool
