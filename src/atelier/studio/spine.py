"""The spine: every creation goes submit → queue → claim → heartbeat → finish (or fail)
through here, whichever door it came in by. The only place that knows the order of the
steps; sealing, uploads, safety and credits each do their own part when called.

    submit     validate params (the engine's schema), check uploads, screen the prompt,
               hold the engine's budget to the plan's limits, reserve credits, persist
               the job as queued; idempotent by key
    claim      a worker takes the oldest runnable job under a lease
    heartbeat  it renews the lease, reports progress, learns of a cancel
    finish     seal and store the result, record the works, settle the credits
    fail       give the credits back (failed or cancelled)"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Collection, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, lazyload

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import credits, ledger
from atelier.commerce.service import Commerce
from atelier.engines.base import Creation, Engine
from atelier.engines.checks import Redraws
from atelier.errors import Conflict, Invalid, StudioError, Word
from atelier.safety.service import Safety, free_text
from atelier.settings import Settings
from atelier.store import notices, paging
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import Job, new_id, utcnow
from atelier.studio import job_events, uploads, variants
from atelier.studio.catalogue import Catalogue, Price, params_schema, upload_fields, validated
from atelier.studio.leases import Beat, Claimed, never_earlier
from atelier.studio.models import Models
from atelier.studio.roster import Roster
from atelier.studio.sealing import Sealing, drawn_on
from atelier.training.engines import Trainer

MAX_SEED = 2**32 - 1


def request_hash(engine: str, params: dict[str, Any], seed: int | None) -> str:
    body = json.dumps({"engine": engine, "params": params, "seed": seed}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


class Spine:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        artifacts: ArtifactStore,
        engines: Catalogue,
        safety: Safety,
        commerce: Commerce,
        sealing: Sealing,
        models: Models,
        roster: Roster,
    ) -> None:
        self.settings = settings
        self.db = db
        self.artifacts = artifacts
        self.engines = engines
        self.safety = safety
        self.commerce = commerce
        self.sealing = sealing
        self.models = models
        self.roster = roster
        self.added = threading.Event()  # set on every submit: idle in-process workers wake
        self.step_events = True  # job.progress events from heartbeats (see tell_progress)

    # -- a door's side: submit, look, cancel -----------------------------------------------

    def submit(
        self,
        who: Principal,
        engine_name: str,
        params: dict[str, Any],
        seed: int | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Job, bool]:
        """Validate, then persist a queued job; returns it and whether it is new. The same
        idempotency key with the same request returns the first job; with another request
        it is a conflict. Nothing is written when anything is wrong."""
        authz.require_creator(who)
        engine = self.engines.get(engine_name)
        authz.require_engine(who, engine.medium)
        reason = engine.available()
        if reason:  # it cannot run here: a worker elsewhere may serve it
            self.roster.require_served(engine.name, reason)
        if not isinstance(params, dict):
            raise Invalid("params must be an object", field="params")
        checked = validated(engine, params, refuse=self.safety.refuse_unchecked)
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise Invalid("seed must be 0 to %(MAX_SEED)s", "seed", params={"MAX_SEED": MAX_SEED})
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", field="Idempotency-Key")
        clean = checked.model_dump(mode="json")
        with self.db.transaction() as s:
            inputs = uploads.check_params(s, who, engine, clean)
            self.models.check_submit(s, who, engine, clean)
        budget = engine.output_budget(checked, inputs)  # what it makes: the plan limits it
        verdict = self.safety.screen_request(
            free_text(clean, params_schema(engine), upload_fields(engine))
        )
        if verdict.blocked_by is not None:  # refused before anything is written
            raise self.safety.refusal(verdict)
        digest = request_hash(engine.name, clean, seed)
        price = self.engines.price(engine, checked, budget)
        try:
            with self.db.transaction() as s:
                if idempotency_key is not None:
                    earlier = self._job_by_key(s, who.user_id, idempotency_key)
                    if earlier is not None:
                        return self._replay(earlier, digest), False
                self.commerce.check_submit(s, who, budget)  # locks the user
                job = self.enqueue(s, who.user_id, engine, clean, seed, idempotency_key, price)
                self.safety.note_request(s, job.id, verdict)  # flagged: its works are held
                notices.notify(s)  # workers elsewhere wake at commit (PostgreSQL)
        except IntegrityError:
            # Another request with the same key won the race; answer as its replay.
            with self.db.transaction() as s:
                earlier = self._job_by_key(s, who.user_id, idempotency_key or "")
                if earlier is None:
                    raise
                return self._replay(earlier, digest), False
        self.added.set()
        return job, True

    @staticmethod
    def enqueue(
        s: Session,
        owner_id: str,
        engine: Engine,
        params: dict[str, Any],
        seed: int | None,
        key: str | None,
        price: Price,
    ) -> Job:
        """A queued job with its credits reserved, in the caller's transaction (`submit`,
        or a paid quote for a custom model: studio/custom.py)."""
        job = Job(
            id=new_id(),
            owner_id=owner_id,
            engine=engine.name,
            params=params,
            seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
            idempotency_key=key,
            request_hash=request_hash(engine.name, params, seed),
            cost_estimate=price.credits,
            estimate_seconds=price.seconds or None,  # what calibration.py learns against
            works=[],
            created_at=utcnow(),
        )
        s.add(job)
        s.flush()
        credits.reserve(s, job, variants.cost_for(variants.count(engine, params)))
        return job

    @staticmethod
    def _job_by_key(s: Session, owner_id: str, key: str) -> Job | None:
        return s.scalar(select(Job).where(Job.owner_id == owner_id, Job.idempotency_key == key))

    @staticmethod
    def _replay(earlier: Job, digest: str) -> Job:
        if earlier.request_hash != digest:
            raise Conflict(
                "this Idempotency-Key was used for a different request; use a new key",
                field="Idempotency-Key",
            )
        return earlier

    def get(self, who: Principal, job_id: str) -> Job:
        with self.db.transaction() as s:
            return authz.owned(s, Job, who, job_id)

    def mine(
        self,
        who: Principal,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[Job]:
        query = select(Job).where(Job.owner_id == who.user_id)
        if status:
            query = query.where(Job.status == status)
        query = paging.page(query, Job.created_at, Job.id, limit, offset, after)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def cancel(self, who: Principal, job_id: str) -> Job:
        """A queued job is cancelled at once; a running one at its engine's next check."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            job = authz.owned(s, Job, who, job_id)
            if job.status == "queued":
                job.status, job.finished_at = "canceled", utcnow()
                credits.release(s, job)
                job_events.tell(s, job)
            elif job.status == "running":
                job.cancel_requested = True
            else:
                said = {"job_id": job_id, "status": Word(job.status)}
                raise Conflict("job %(job_id)s has already %(status)s", "job_id", params=said)
            return job

    # -- a worker's side: claim, heartbeat, finish, fail ---------------------------------

    def claim(self, worker_id: str, engines: Collection[str] | None = None) -> Claimed | None:
        """Atomically take the oldest queued job (or one whose worker's lease ran out)
        among the engines this process can run (of `engines`, when it names some).
        PostgreSQL skips rows other workers have locked (FOR UPDATE SKIP LOCKED); SQLite
        runs the whole claim inside one write transaction."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        expired = and_(Job.status == "running", Job.lease_expires_at < now)
        # A claim lost with the database server only returns the job to the queue: its
        # worker's result is then refused (its lease is gone) and the job runs again.
        runnable = [e for e in self.engines.runnable() if engines is None or e in engines]
        with self.db.transaction(durable=False) as s:
            self._reap(s, expired)
            candidate = (
                select(Job.id)
                .where(or_(Job.status == "queued", expired), Job.engine.in_(runnable))
                .order_by(Job.created_at, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            row = s.execute(
                update(Job)
                .where(Job.id == candidate)
                .values(
                    status="running",
                    lease_owner=worker_id,
                    lease_expires_at=lease,
                    attempts=Job.attempts + 1,
                    started_at=func.coalesce(Job.started_at, now),
                )
                .returning(Job.id, Job.engine, Job.params, Job.seed, Job.attempts),
                execution_options={"synchronize_session": False},
            ).one_or_none()
            if row is None:
                return None
            job_id, engine_name, params, seed, attempts = row
            engine = self.engines.get(engine_name)
            used = uploads.used(s, engine, params)
            stored = {upload.id: upload.sha256 for _, upload in used}
            claimed = Claimed(job_id, engine_name, dict(params), seed, attempts, {}, stored)
        try:  # clients' models and datasets, staged outside the claim's transaction
            claimed.files.update(self.models.stage(engine, claimed.job_id, claimed.params))
        except StudioError as exc:  # deleted since the job was queued
            self.fail(claimed.job_id, worker_id, exc.detail)
            return None
        return claimed

    def _reap(self, s: Session, expired: Any) -> None:
        """Settle jobs whose worker died: cancelled if asked, failed after the last attempt."""
        for job in s.scalars(
            select(Job)
            .where(expired, or_(Job.cancel_requested, Job.attempts >= self.settings.max_attempts))
            .with_for_update(skip_locked=True)
        ):
            dead = f"the worker running this job stopped answering {job.attempts} times"
            self._end(s, job, job.cancel_requested, f"{dead}; giving up")

    def heartbeat(
        self, job_id: str, worker_id: str, progress: float | None = None, message: str | None = None
    ) -> Beat:
        """Each statement its own transaction: in a worker process an engine holding the GIL
        (ncnn, for seconds) can stop this thread between any two Python steps, never while
        it holds the write lock (on SQLite every request waited behind it for the run)."""
        lease = utcnow() + timedelta(seconds=self.settings.lease_seconds)
        values: dict[str, Any] = {"lease_expires_at": never_earlier(lease)}
        if progress is not None:
            values["progress"] = progress
        if message is not None:
            values["message"] = message[:500]
        mine = and_(Job.id == job_id, Job.lease_owner == worker_id, Job.status == "running")
        with self.db.statements() as c:
            before = c.scalar(select(Job.progress).where(mine)) if progress is not None else None
            held = c.execute(update(Job).where(mine).values(**values)).rowcount == 1
            cancel = held and bool(c.scalar(select(Job.cancel_requested).where(Job.id == job_id)))
        if held and self.step_events and job_events.next_step(before, progress):
            self.tell_progress(job_id)
        return Beat(held=held, cancel=cancel)

    def tell_progress(self, job_id: str) -> None:
        """A job.progress event (a tenth more of the way). A worker process leaves it to its
        server, which hears every report: its engine could stop a transaction half way."""
        with self.db.transaction() as s:
            job = s.get(Job, job_id, options=[lazyload(Job.works)])
            if job is not None and job.status == "running":  # not one that has ended since
                job_events.tell(s, job)

    def finish(
        self,
        job_id: str,
        worker_id: str,
        creations: Sequence[Creation],
        seconds: float,
        cpu_seconds: float | None = None,
        redraws: Redraws | None = None,
    ) -> bool:
        """Seal and store the works, log them, mark the job succeeded and settle its credits
        on `cpu_seconds` (every thread's) where read, else `seconds`, less its `redraws`.
        Files are sealed before the one transaction that records the works, their log
        entries, the job's success and its credits, and written beside it (it commits once
        they are on disk); False (nothing recorded) when this worker no longer holds the job.
        The lease is checked (not renewed: the heartbeat does) before sealing; output screens
        start first and run beside all that (`Sealing.screen`)."""
        screens = self.sealing.screen(creations)
        with self.db.reading() as s:
            claimed = self._leased(s, job_id, worker_id, lock=False)
            if claimed is None:
                return False  # checked before storing files, so a lost job leaves none behind
            engine = self.engines.get(claimed.engine)
            drawn = drawn_on(
                s, engine, claimed.params, self.models.lineage(s, engine, claimed.params)
            )
            quality = claimed.params.get("quality")
        trained = isinstance(engine, Trainer)  # its result is a model record, not works
        kept = self.models.keep(list(creations)) if trained else None
        made = [] if trained else self.sealing.seal(engine, creations, screens, drawn, quality)
        with self.db.transaction() as s:
            job = self._leased(s, job_id, worker_id)
            if job is None:
                return False
            # The owner's row before the log head, as settling needs it: recording the works
            # takes a key-share lock on it (their foreign key), so two finishes of one owner
            # that locked it only to settle deadlocked on PostgreSQL.
            ledger.lock_user(s, job.owner_id)
            now = utcnow()
            if kept is not None:
                self.models.record(s, job, creations[0], kept)
            else:
                self.sealing.record(s, job, made, drawn, now)
            job.status, job.progress, job.finished_at = "succeeded", 1.0, now
            job.message, job.lease_owner, job.lease_expires_at = None, None, None
            cpu = None if engine.needs.gpus else cpu_seconds  # a GPU's work: by the clock
            cores, r = engine.cores(self.settings.engine_threads), redraws or Redraws()
            used = credits.Compute(seconds, cpu, cores, r.seconds, r.cpu_seconds)
            credits.settle(s, job, used, engine.credits_per_second)
            self.sealing.hold(s, job, made)  # the files and a quick screen are waited for here
            job_events.tell(s, job, [item.work_id for item in made])
        self.models.release(job_id)
        return True

    def fail(self, job_id: str, worker_id: str, error: str, canceled: bool = False) -> None:
        with self.db.transaction() as s:
            job = self._leased(s, job_id, worker_id)
            if job is None:
                return
            self._end(s, job, canceled, error)
        self.models.release(job_id)

    def requeue(self, job_id: str, worker_id: str, reason: str) -> None:
        """Queue again at once a job whose run was lost through no fault of its own (its Ray
        node died); as a dead worker's, cancelled if asked, failed after its last attempt."""
        with self.db.transaction() as s:
            job = self._leased(s, job_id, worker_id)
            if job is None:
                return
            if job.cancel_requested or job.attempts >= self.settings.max_attempts:
                self._end(s, job, job.cancel_requested, f"{reason}; giving up")
            else:
                job.status, job.message, job.lease_owner = "queued", reason[:500], None
                notices.notify(s)  # workers elsewhere wake at commit (PostgreSQL)
        self.added.set()

    @staticmethod
    def _end(s: Session, job: Job, canceled: bool, error: str) -> None:
        """A job that will not run again, cancelled or failed: its credits go back, and
        its owner hears of it (job.canceled or job.failed)."""
        job.status = "canceled" if canceled else "failed"
        job.error = None if canceled else error[:2000]
        job.finished_at, job.lease_owner, job.lease_expires_at = utcnow(), None, None
        credits.release(s, job)
        job_events.tell(s, job)

    @staticmethod
    def _leased(s: Session, job_id: str, worker_id: str, lock: bool = True) -> Job | None:
        """The job (locked, unless only read) if this worker still holds its lease."""
        query = (
            select(Job)
            .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == "running")
            .options(lazyload(Job.works))  # a running job has none yet
        )
        return s.scalar(query.with_for_update() if lock else query)
