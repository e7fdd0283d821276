"""What an admin checks first: the queue, the busy workers, the engines, the database
and the artifact store."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from atelier import optional_parts
from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import JOB_STATUSES, Job, utcnow
from atelier.studio.catalogue import Catalogue


class Status:
    def __init__(
        self, settings: Settings, db: Database, artifacts: ArtifactStore, engines: Catalogue
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.engines = engines

    def report(self, who: Principal) -> dict[str, Any]:
        """Busy workers (from job leases), queue depth by status, engines and why any is
        unavailable, the database, the artifact store (admins only)."""
        authz.require_admin(who)
        now = utcnow()
        with self.db.transaction() as s:
            counts = {
                status: count
                for status, count in s.execute(
                    select(Job.status, func.count()).group_by(Job.status)
                )
            }
            leases = s.execute(
                select(Job.lease_owner, Job.id, Job.engine, Job.lease_expires_at)
                .where(Job.status == "running", Job.lease_expires_at >= now)
                .order_by(Job.lease_owner)
            ).all()
        usage = self.artifacts.usage()
        return {
            "queue": {status: counts.get(status, 0) for status in JOB_STATUSES},
            "workers": [
                {"worker": owner, "job_id": job_id, "engine": engine, "lease_expires_at": until}
                for owner, job_id, engine, until in leases
            ],
            "server_workers": {
                "mode": self.settings.worker_mode,
                "count": self.settings.workers,
                "threads": self.settings.worker_threads,
            },
            "engines": [
                {"name": e.name, "medium": e.medium, "unavailable": e.available()}
                for e in self.engines.all()
            ],
            "optional_parts": optional_parts.active(),
            "database": self.db.engine.dialect.name,
            "artifacts": {
                "files": usage.files,
                "bytes": usage.bytes,
                "free_bytes": usage.free_bytes,
            },
        }
