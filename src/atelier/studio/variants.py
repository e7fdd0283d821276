"""Variants: a job of an engine that takes `variants` (the image engines that generate:
engines/image/variants.py) makes that many works, each sealed with its own seed. Its
estimate, its hold and a refusal for want of credits say how many it is for; the owner
keeps one of them.

Keeping deletes the job's other variants (all or none, as any deletion: `Works.delete`;
their log entries stay, the log being append-only). They are not kept as hidden drafts
to be swept later: that would be a second kind of work that every list, search and
export must tell apart, and a sweep that removes paid-for pictures nobody chose to delete.
Until the owner keeps one, every variant is an ordinary private work of theirs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.engines.base import Engine
from atelier.errors import Said
from atelier.store.db import Database
from atelier.store.models import Job, Work
from atelier.studio.catalogue import params_schema
from atelier.studio.works import Works


def count(engine: Engine[Any], params: Mapping[str, Any]) -> int:
    """How many works a job with these parameters makes as variants: its `variants`, or
    the engine's default when not given; 1 for an engine without variants."""
    field = params_schema(engine).get("properties", {}).get("variants")
    if field is None:
        return 1
    value = params.get("variants", field.get("default", 1))
    return value if isinstance(value, int) and value >= 1 else 1


def cost_for(made: int) -> str:
    """What a cost is for, in words ("for 4 variants"), kept in its %(count)s form for a
    page to say in its reader's language; nothing for a single result."""
    return Said("for %(count)s variants", {"count": made}) if made > 1 else ""


class Variants:
    def __init__(self, db: Database, works: Works) -> None:
        self.db = db
        self.works = works

    def keep(self, who: Principal, work_id: str) -> Job:
        """Keep one of a job's works and delete the job's other variants; returns the job,
        with the one work left. Keeping a job's only work changes nothing."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            job = authz.owned(s, Work, who, work_id).job
            others = [w.id for w in job.works if w.id != work_id]
            job_id = job.id
        if others:
            self.works.delete(who, others)
        with self.db.transaction() as s:
            return authz.owned(s, Job, who, job_id)
