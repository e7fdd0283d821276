"""Scratch folders: one per job attempt, `scratch_dir/JOBID-ATTEMPT`, removed when the
attempt ends. A worker that was killed cannot remove its own, so the worker that takes
its job over removes the earlier attempts' folders, and every worker sweeps, when it
starts, the folders no live attempt holds (a killed worker's job may have been taken
over on another machine, cancelled, or finished)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import select

from atelier.store.db import Database
from atelier.store.models import Job, utcnow

NAME = re.compile(r"^([0-9a-f]{32})-([0-9]+)$")


def folder(scratch_dir: Path, job_id: str, attempt: int) -> Path:
    """The attempt's folder, made empty and ready; earlier attempts' folders removed."""
    for earlier in range(1, attempt):
        shutil.rmtree(scratch_dir / f"{job_id}-{earlier}", ignore_errors=True)
    path = scratch_dir / f"{job_id}-{attempt}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep(scratch_dir: Path, db: Database) -> list[str]:
    """Remove the folders whose attempt is not running under a live lease; returns their
    names. Folders are listed before the jobs are read: a folder made meanwhile belongs
    to a claim the read will see."""
    if not scratch_dir.is_dir():
        return []
    attempts: dict[str, list[tuple[int, Path]]] = {}
    for path in scratch_dir.iterdir():
        match = NAME.match(path.name)
        if match and path.is_dir():
            attempts.setdefault(match.group(1), []).append((int(match.group(2)), path))
    if not attempts:
        return []
    with db.transaction() as s:
        live = dict(
            s.execute(
                select(Job.id, Job.attempts).where(
                    Job.id.in_(list(attempts)),
                    Job.status == "running",
                    Job.lease_expires_at >= utcnow(),
                )
            ).all()
        )
    removed = []
    for job_id, paths in attempts.items():
        for attempt, path in paths:
            if live.get(job_id) != attempt:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
    return sorted(removed)
