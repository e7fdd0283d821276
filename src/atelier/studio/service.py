"""The studio: every creation goes submit → queue → runner → engine → finish through here."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from atelier.accounts import service as accounts
from atelier.accounts.service import Principal
from atelier.engines import registry
from atelier.engines.base import Creation, Engine, EngineConfig
from atelier.engines.image.inputs import check_image
from atelier.provenance import Claim, Ingredient, Provenance
from atelier.safety import audit
from atelier.safety.findings import Verdict
from atelier.safety.policy import PolicyError
from atelier.safety.service import Safety, free_text
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import (
    REVIEW_STATUSES,
    VISIBILITIES,
    AuditEntry,
    Job,
    Review,
    Upload,
    Work,
    WorkFile,
    new_id,
    utcnow,
)
from atelier.store.thumbnails import thumbnail
from atelier.studio import hooks
from atelier.studio.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unsupported

MAX_SEED = 2**32 - 1
T = TypeVar("T", Job, Upload, Work)
CREATOR_ROLES = ("admin", "creator")


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


def upload_fields(engine: Engine) -> dict[str, list[str]]:
    """The engine's parameters that name uploads, with the kinds each accepts."""
    schema = engine.Params.model_json_schema()
    fields = {}
    for name, prop in schema.get("properties", {}).items():
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("format") == "upload":
                fields[name] = option.get("accept", [])
    return fields


def request_hash(engine: str, params: dict[str, Any], seed: int | None) -> str:
    body = json.dumps({"engine": engine, "params": params, "seed": seed}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _held(work: Work) -> bool:
    """Withheld by moderation: waiting for review, or rejected."""
    return work.review_status in ("in_review", "rejected")


def _admin(who: Principal | None) -> bool:
    return who is not None and who.role == "admin"


class Studio:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.resolved_database_url)
        self.artifacts = ArtifactStore(settings.artifacts_dir)
        self.job_added = threading.Event()
        config = EngineConfig(
            assets_dir=settings.resolved_assets_dir,
            models_dir=settings.models_dir,
            threads=settings.engine_threads,
            text_model=settings.text_model,
            text_server_url=settings.text_server_url or "",
            text_server_model=settings.text_server_model,
            text_server_key=settings.text_server_key,
            text_context=settings.text_context,
        )
        self._engines = registry.build(config, settings.engine_modules)
        self.safety = Safety(self.db, threads=settings.engine_threads)
        self.provenance = Provenance(settings, self.db, audit=self.safety.audit_event)

    def prepare(self) -> str | None:
        """Create folders, migrate the database, make the signing keys if there are none,
        make the first admin.

        Returns the admin's generated password when one was made (print it once)."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.artifacts.root.mkdir(parents=True, exist_ok=True)
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        self.db.migrate()
        self.provenance.prepare()
        with self.db.transaction() as s:
            return accounts.ensure_admin(s, self.settings.admin_email, self.settings.admin_password)

    def close(self) -> None:
        self.db.dispose()

    # -- engines -------------------------------------------------------------------

    def engines(self) -> list[Engine]:
        return list(self._engines.values())

    def engine(self, name: str) -> Engine:
        engine = self._engines.get(name)
        if engine is None:
            known = ", ".join(self._engines)
            raise Invalid(f"unknown engine {name!r}; known engines: {known}", field="engine")
        return engine

    # -- uploads -------------------------------------------------------------------

    def add_upload(self, who: Principal, filename: str, data: bytes) -> Upload:
        self._require_creator(who)
        if len(data) > self.settings.max_upload_bytes:
            raise TooLarge(
                f"file is larger than the limit of {self.settings.max_upload_bytes:,} bytes",
                field="file",
            )
        if not data:
            raise Invalid("file is empty", field="file")
        try:
            info = check_image(data, self.settings.max_upload_pixels)
        except ValueError as exc:
            raise Unsupported(str(exc), field="file") from None
        digest = self.artifacts.put(data)
        with self.db.transaction() as s:
            upload = Upload(
                owner_id=who.user_id,
                filename=(filename or "upload")[:255],
                mime=info.mime,
                size=len(data),
                sha256=digest,
                width=info.width,
                height=info.height,
            )
            s.add(upload)
        return upload

    def upload(self, who: Principal, upload_id: str) -> Upload:
        with self.db.transaction() as s:
            return self._owned(s, Upload, who, upload_id)

    # -- jobs ----------------------------------------------------------------------

    def submit(
        self,
        who: Principal,
        engine_name: str,
        params: dict[str, Any],
        seed: int | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Job, bool]:
        """Validate, then persist a queued job; returns it and whether it is new.

        The same idempotency key with the same request returns the first job; with another
        request it is a conflict. Nothing is written when anything is wrong."""
        self._require_creator(who)
        engine = self.engine(engine_name)
        reason = engine.available()
        if reason:
            raise Invalid(f"engine {engine.name} is unavailable: {reason}", field="engine")
        if not isinstance(params, dict):
            raise Invalid("params must be an object", field="params")
        try:
            validated = engine.Params.model_validate(params)
        except ValidationError as exc:
            errors = [
                (
                    ".".join(["params", *(str(p) for p in e["loc"])]),
                    e["msg"].removeprefix("Value error, "),  # pydantic's prefix says nothing
                )
                for e in exc.errors()
            ]
            raise Invalid("; ".join(f"{f}: {m}" for f, m in errors), errors=errors) from None
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise Invalid(f"seed must be 0 to {MAX_SEED}", field="seed")
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", field="Idempotency-Key")
        clean = validated.model_dump(mode="json")
        self._check_uploads(who, engine, clean)
        verdict = self.safety.screen_request(
            free_text(clean, engine.Params.model_json_schema(), upload_fields(engine))
        )
        if verdict.blocked_by is not None:  # refused before anything is written
            raise Invalid(self.safety.message(verdict), field=verdict.blocked_by.field)
        digest = request_hash(engine.name, clean, seed)
        try:
            with self.db.transaction() as s:
                if idempotency_key is not None:
                    earlier = self._job_by_key(s, who.user_id, idempotency_key)
                    if earlier is not None:
                        return self._replay(earlier, digest), False
                job = Job(
                    id=new_id(),
                    owner_id=who.user_id,
                    engine=engine.name,
                    params=clean,
                    seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
                    status="queued",
                    idempotency_key=idempotency_key,
                    request_hash=digest,
                    cost_estimate=engine.estimate_cost(validated),
                    works=[],
                    created_at=utcnow(),
                )
                s.add(job)
                s.flush()
                self.safety.note_request(s, job.id, verdict)  # flagged: its works are held
                hooks.reserve_credits(s, job)
        except IntegrityError:
            # Another request with the same key won the race; answer as its replay.
            with self.db.transaction() as s:
                earlier = self._job_by_key(s, who.user_id, idempotency_key or "")
                if earlier is None:
                    raise
                return self._replay(earlier, digest), False
        self.job_added.set()
        return job, True

    @staticmethod
    def _job_by_key(s: Any, owner_id: str, key: str) -> Job | None:
        return s.scalar(select(Job).where(Job.owner_id == owner_id, Job.idempotency_key == key))

    @staticmethod
    def _replay(earlier: Job, digest: str) -> Job:
        if earlier.request_hash != digest:
            raise Conflict(
                "this Idempotency-Key was used for a different request; use a new key",
                field="Idempotency-Key",
            )
        return earlier

    def _check_uploads(self, who: Principal, engine: Engine, params: dict[str, Any]) -> None:
        with self.db.transaction() as s:
            for name, accept in upload_fields(engine).items():
                upload_id = params.get(name)
                if upload_id is None:
                    continue
                upload = s.get(Upload, upload_id)
                if upload is None or upload.owner_id != who.user_id:
                    raise Invalid(
                        f"no upload {upload_id} (send files to POST /v1/uploads first)",
                        field=f"params.{name}",
                    )
                if accept and upload.mime.split("/")[0] not in accept:
                    raise Invalid(
                        f"upload {upload_id} is {upload.mime}; expected {', '.join(accept)}",
                        field=f"params.{name}",
                    )

    def _require_creator(self, who: Principal) -> None:
        if not who.can("write"):
            raise Forbidden("this API key may only read; create a key with the write scope")
        if who.role not in CREATOR_ROLES:
            raise Forbidden(f"a {who.role} account cannot create; ask an admin for a creator role")

    @staticmethod
    def _owned(s: Any, model: type[T], who: Principal, object_id: str) -> T:
        """The row if `who` owns it; NotFound otherwise, so others learn nothing of it."""
        row = s.get(model, object_id)
        if row is None or row.owner_id != who.user_id:
            label = model.__tablename__.removesuffix("s")
            raise NotFound(f"no {label} {object_id}", field=f"{label}_id")
        return row  # type: ignore[no-any-return]

    def job(self, who: Principal, job_id: str) -> Job:
        with self.db.transaction() as s:
            return self._owned(s, Job, who, job_id)

    def jobs(
        self, who: Principal, status: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[Job]:
        query = select(Job).where(Job.owner_id == who.user_id)
        if status:
            query = query.where(Job.status == status)
        query = query.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def cancel(self, who: Principal, job_id: str) -> Job:
        """A queued job is cancelled at once; a running one at its engine's next check."""
        with self.db.transaction() as s:
            job = self._owned(s, Job, who, job_id)
            if job.status == "queued":
                job.status, job.finished_at = "canceled", utcnow()
                hooks.release_credits(s, job)
            elif job.status == "running":
                job.cancel_requested = True
            else:
                raise Conflict(f"job {job_id} has already {job.status}", field="job_id")
            return job

    # -- works ---------------------------------------------------------------------

    def works(
        self, who: Principal, engine: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[Work]:
        query = select(Work).where(Work.owner_id == who.user_id)
        if engine:
            query = query.where(Work.engine == engine)
        query = query.order_by(Work.created_at.desc(), Work.position).limit(limit).offset(offset)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def work(self, who: Principal | None, work_id: str) -> tuple[Work, bool]:
        """A work its owner may see, or anyone when it is public or unlisted.

        Returns it and whether `who` owns it (only owners see its parameters)."""
        with self.db.transaction() as s:
            work = s.get(Work, work_id)
            owner = work is not None and who is not None and work.owner_id == who.user_id
            # A work held for review is its owner's and the reviewing admins' to see only.
            shared = work is not None and work.visibility != "private" and not _held(work)
            reviewer = work is not None and _admin(who) and work.review_status is not None
            if work is None or not (owner or shared or reviewer):
                raise NotFound(f"no work {work_id}", field="work_id")
            return work, owner

    def work_file(
        self, who: Principal | None, work_id: str, name: str | None
    ) -> tuple[WorkFile, Path]:
        work, _ = self.work(who, work_id)
        if _held(work) and not _admin(who):
            raise Forbidden(
                f"work {work_id} is in review; its files are served once an admin approves it"
                if work.review_status == "in_review"
                else f"work {work_id} was rejected in review; its files are not served",
                field="work_id",
            )
        for file in work.files:
            if (name is None and file.role == "primary") or file.name == name:
                return file, self.artifacts.path(file.sha256)
        raise NotFound(f"work {work_id} has no file {name}", field="name")

    def update_work(
        self, who: Principal, work_id: str, visibility: str | None = None, title: str | None = None
    ) -> Work:
        if visibility is not None and visibility not in VISIBILITIES:
            raise Invalid(
                f"visibility must be one of {', '.join(VISIBILITIES)}", field="visibility"
            )
        if title is not None and len(title) > 200:
            raise Invalid("title must be at most 200 characters", field="title")
        with self.db.transaction() as s:
            work = self._owned(s, Work, who, work_id)
            if visibility is not None:
                work.visibility = visibility
            if title is not None:
                work.title = title
            return work

    # -- moderation: the safety service's admin side, sequenced here -----------------

    def _require_admin(self, who: Principal, scope: str = "read") -> None:
        if who.role != "admin":
            raise Forbidden("only admins may do this")
        if not who.can(scope):
            raise Forbidden(f"this API key lacks the {scope} scope")

    def moderation_policy(self, who: Principal) -> dict[str, Any]:
        self._require_admin(who)
        return self.safety.describe_policy()

    def change_moderation_policy(self, who: Principal, actions: dict[str, str]) -> dict[str, Any]:
        """Set categories' actions (allow, flag, block); all or nothing, audited."""
        self._require_admin(who, "write")
        try:
            return self.safety.change_policy(who.user_id, actions)
        except PolicyError as exc:
            raise Invalid(str(exc), field=exc.field) from None

    def reviews(
        self, who: Principal, status: str | None = "in_review", limit: int = 50, offset: int = 0
    ) -> list[tuple[Review, Work, str]]:
        """Held works with their reviews and owners' e-mails (admins only)."""
        self._require_admin(who)
        if status is not None and status not in REVIEW_STATUSES:
            raise Invalid(f"status must be one of {', '.join(REVIEW_STATUSES)}", field="status")
        return self.safety.reviews(status, limit, offset)

    def decide_review(
        self, who: Principal, review_id: str, approve: bool, reason: str
    ) -> tuple[Review, Work, str]:
        """Approve a held work (it is served again) or reject it (never served, and its
        job's credits are released). A rejection needs a reason; both are audited."""
        self._require_admin(who, "write")
        reason = reason.strip()
        if not approve and not reason:
            raise Invalid("say why the work is rejected", field="reason")
        if len(reason) > 1000:
            raise Invalid("reason must be at most 1000 characters", field="reason")
        with self.db.transaction() as s:
            row = self.safety.review(s, review_id)
            if row is None:
                raise NotFound(f"no review {review_id}", field="review_id")
            item, work, _ = row
            if item.status != "in_review":
                raise Conflict(f"review {review_id} is already {item.status}", field="review_id")
            self.safety.decide(s, who.user_id, item, work, approve, reason)
            if not approve:
                job = s.get(Job, item.job_id)
                assert job is not None  # a review goes with its job
                hooks.release_credits(s, job)
            return row

    def audit_log(
        self,
        who: Principal,
        action: str | None = None,
        actor: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[tuple[AuditEntry, str | None]]:
        """Audit entries, newest first, each with its actor's e-mail (admins only)."""
        self._require_admin(who)
        since, until = (
            t.astimezone(UTC).replace(tzinfo=None) if t and t.tzinfo else t for t in (since, until)
        )
        with self.db.transaction() as s:
            return audit.query(s, action, actor, subject, since, until, limit, offset)

    # -- the runner's side -----------------------------------------------------------

    def claim(self, worker_id: str) -> Claimed | None:
        """Atomically take the oldest queued job (or one whose worker's lease ran out)
        among the engines this process can run.

        PostgreSQL skips rows other workers have locked (FOR UPDATE SKIP LOCKED); SQLite
        runs the whole claim inside one write transaction."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        expired = and_(Job.status == "running", Job.lease_expires_at < now)
        with self.db.transaction() as s:
            self._reap(s, expired, now)
            runnable = [e.name for e in self._engines.values() if e.available() is None]
            candidate = (
                select(Job.id)
                .where(or_(Job.status == "queued", expired), Job.engine.in_(runnable))
                .order_by(Job.created_at, Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
                .scalar_subquery()
            )
            job_id = s.execute(
                update(Job)
                .where(Job.id == candidate)
                .values(
                    status="running",
                    lease_owner=worker_id,
                    lease_expires_at=lease,
                    attempts=Job.attempts + 1,
                    started_at=func.coalesce(Job.started_at, now),
                )
                .returning(Job.id),
                execution_options={"synchronize_session": False},
            ).scalar()
            if job_id is None:
                return None
            job = s.get(Job, job_id)
            assert job is not None
            engine = self.engine(job.engine)
            files = {}
            for name in upload_fields(engine):
                upload_id = job.params.get(name)
                if upload_id:
                    upload = s.get(Upload, upload_id)
                    if upload is not None:
                        files[upload_id] = self.artifacts.path(upload.sha256)
            return Claimed(job.id, job.engine, dict(job.params), job.seed, job.attempts, files)

    def _reap(self, s: Any, expired: Any, now: Any) -> None:
        """Settle jobs whose worker died: cancelled if asked, failed after the last attempt."""
        for job in s.scalars(
            select(Job)
            .where(expired, or_(Job.cancel_requested, Job.attempts >= self.settings.max_attempts))
            .with_for_update(skip_locked=True)
        ):
            if job.cancel_requested:
                job.status = "canceled"
            else:
                job.status = "failed"
                job.error = (
                    f"the worker running this job stopped answering {job.attempts} times; giving up"
                )
            job.finished_at, job.lease_owner = now, None
            hooks.release_credits(s, job)

    def heartbeat(
        self, job_id: str, worker_id: str, progress: float | None = None, message: str | None = None
    ) -> Beat:
        values: dict[str, Any] = {
            "lease_expires_at": utcnow() + timedelta(seconds=self.settings.lease_seconds)
        }
        if progress is not None:
            values["progress"] = progress
        if message is not None:
            values["message"] = message[:500]
        with self.db.transaction() as s:
            cancel = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == "running")
                .values(**values)
                .returning(Job.cancel_requested),
                execution_options={"synchronize_session": False},
            ).scalar()
        return Beat(held=cancel is not None, cancel=bool(cancel))

    def finish(
        self, job_id: str, worker_id: str, creations: Sequence[Creation], seconds: float
    ) -> bool:
        """Seal and store the works, log them and mark the job succeeded.

        Each work's id is chosen first: its watermark carries it. Files are sealed
        (watermark, then C2PA manifest) and written before the transaction,
        content-addressed, so a retry never stores one twice; the log entries go in with
        the work rows, in one transaction. False (nothing recorded) when this worker no
        longer holds the job."""
        if not self.heartbeat(job_id, worker_id).held:
            return False  # checked before storing files, so a lost job leaves none behind
        with self.db.transaction() as s:
            claimed = s.get(Job, job_id)
            if claimed is None:
                return False
            inputs = self._inputs(s, claimed)
            engine = self.engine(claimed.engine)
            quality = claimed.params.get("quality")
        ingredients = [
            Ingredient(i["param"], i["filename"], i["mime"], self.artifacts.path(i["sha256"]))
            for i in inputs
        ]
        stored = []
        verdicts: list[Verdict] = []  # the output screen's, one per creation
        for creation in creations:
            verdicts.append(
                self.safety.screen_output((a.name, a.mime, a.data) for a in creation.files)
            )
            if not creation.files:
                raise ValueError("an engine returned a creation without files")
            work_id = new_id()
            models = [asdict(card) for card in (creation.models or engine.models)]
            claim = Claim(work_id, creation.title, engine.name, models, ingredients)
            sealed = self.provenance.seal(
                claim,
                [(a.name, a.mime, a.data) for a in creation.files],
                quality if isinstance(quality, int) else None,
            )
            files = []
            for item in sealed:
                role = "primary" if item is sealed[0] else "rendition"
                files.append(
                    (item.name, role, item.mime, self.artifacts.put(item.data), len(item.data))
                )
            for item in sealed:
                if item.sidecar is not None:
                    files.append(
                        (
                            item.sidecar_name,
                            "manifest",
                            "application/json",
                            self.artifacts.put(item.sidecar),
                            len(item.sidecar),
                        )
                    )
            primary = sealed[0]
            preview = thumbnail(primary.data, primary.mime)
            if preview is not None:
                files.append(
                    (
                        "thumbnail.webp",
                        "thumbnail",
                        "image/webp",
                        self.artifacts.put(preview),
                        len(preview),
                    )
                )
            stored.append((work_id, creation, files, sealed, models))
        with self.db.transaction() as s:
            job = s.scalar(
                select(Job)
                .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == "running")
                .with_for_update()
            )
            if job is None:
                return False
            now = utcnow()
            for position, (work_id, creation, files, _, models) in enumerate(stored):
                _, _, mime, digest, size = files[0]
                work = Work(
                    id=work_id,
                    owner_id=job.owner_id,
                    job_id=job.id,
                    position=position,
                    engine=job.engine,
                    title=creation.title[:200],
                    mime=mime,
                    sha256=digest,
                    size=size,
                    params=job.params,
                    seed=job.seed,
                    meta=creation.meta,
                    lineage={
                        "models": models,
                        "inputs": inputs,
                        "sources": creation.sources,
                    },
                    created_at=now,
                )
                work.files = [
                    WorkFile(
                        position=i, name=name, role=role, mime=fmime, sha256=fdigest, size=fsize
                    )
                    for i, (name, role, fmime, fdigest, fsize) in enumerate(files)
                ]
                s.add(work)
                self.safety.hold(s, job, work, verdicts[position])
            s.flush()
            self.provenance.record(s, [(work_id, sealed) for work_id, _, _, sealed, _ in stored])
            job.status, job.progress, job.finished_at = "succeeded", 1.0, now
            job.message = None
            job.lease_owner, job.lease_expires_at = None, None
            hooks.settle_credits(s, job, seconds)
        return True

    def _inputs(self, s: Any, job: Job) -> list[dict[str, Any]]:
        """The uploads a job used, by parameter: part of each work's lineage."""
        inputs = []
        for name in upload_fields(self.engine(job.engine)):
            upload = s.get(Upload, job.params.get(name) or "")
            if upload is not None:
                inputs.append(
                    {
                        "param": name,
                        "upload_id": upload.id,
                        "sha256": upload.sha256,
                        "mime": upload.mime,
                        "filename": upload.filename,
                    }
                )
        return inputs

    def fail(self, job_id: str, worker_id: str, error: str, canceled: bool = False) -> None:
        with self.db.transaction() as s:
            job = s.scalar(
                select(Job)
                .where(Job.id == job_id, Job.lease_owner == worker_id, Job.status == "running")
                .with_for_update()
            )
            if job is None:
                return
            job.status = "canceled" if canceled else "failed"
            job.error = None if canceled else error[:2000]
            job.finished_at, job.lease_owner, job.lease_expires_at = utcnow(), None, None
            hooks.release_credits(s, job)
