"""The studio: every creation goes submit → queue → runner → engine → finish through here."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from atelier import embeddings, optional_parts
from atelier.accounts import directory
from atelier.accounts import service as accounts
from atelier.accounts.service import Principal
from atelier.commerce import certificates, credits, market
from atelier.commerce.market import Market
from atelier.commerce.market_models import LicenceGrant
from atelier.commerce.service import Commerce
from atelier.engines import registry
from atelier.engines.base import Creation, Engine, EngineConfig
from atelier.engines.bounds import OverLimit
from atelier.engines.image.inputs import check_image, upright
from atelier.engines.music.files import check_audio, check_music, mime_kind, upload_kind
from atelier.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge, Unsupported
from atelier.provenance import Claim, Ingredient, Provenance
from atelier.safety import audit
from atelier.safety.findings import Verdict
from atelier.safety.policy import PolicyError
from atelier.safety.service import Safety, free_text
from atelier.settings import Settings
from atelier.store.artifacts import ArtifactStore
from atelier.store.db import Database
from atelier.store.models import (
    JOB_STATUSES,
    REVIEW_STATUSES,
    VISIBILITIES,
    AuditEntry,
    Job,
    Review,
    Upload,
    User,
    Work,
    WorkEmbedding,
    WorkFile,
    new_id,
    utcnow,
)
from atelier.store.thumbnails import thumbnail
from atelier.studio import gallery

MAX_SEED = 2**32 - 1
MAX_BULK = 200  # works one bulk action (publish, delete, download) may touch
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
class Shown:
    """A work as its page shows it to someone: whether they own it, may see its recipe
    (parameters, seed, uploads' kinds), whether it is in the gallery, and who made it."""

    work: Work
    owner: bool
    recipe: bool
    public: bool
    creator: User
    params: dict[str, Any] | None  # the recipe as this viewer may see it, or None
    seed: int | None


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
        self.commerce = Commerce(self.db, settings)
        self.market = Market(
            self.db, settings, self.commerce.fulfilment, sign=self.provenance.sign_bytes
        )

    def prepare(self) -> str | None:
        """Create folders, migrate the database, make the signing keys if there are none,
        make the first admin.

        Returns the admin's generated password when one was made (print it once)."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.artifacts.root.mkdir(parents=True, exist_ok=True)
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        self.db.migrate()
        self.provenance.prepare()
        self.market.sign_pending()  # grants from before licences were signed when granted
        with self.db.transaction() as s:
            return accounts.ensure_admin(s, self.settings.admin_email, self.settings.admin_password)

    def close(self) -> None:
        self.db.dispose()

    # -- engines -------------------------------------------------------------------

    def engines(self) -> list[Engine]:
        return list(self._engines.values())

    def _engines_of(self, medium: str) -> list[str]:
        return [e.name for e in self._engines.values() if e.medium == medium]

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
        data = upright(data, self.settings.max_upload_pixels)
        try:
            mime, width, height = self._check_upload(filename, data)
        except OverLimit as exc:
            raise Invalid(str(exc), field="file") from None
        except ValueError as exc:
            raise Unsupported(str(exc), field="file") from None
        digest = self.artifacts.put(data)
        with self.db.transaction() as s:
            upload = Upload(
                owner_id=who.user_id,
                filename=(filename or "upload")[:255],
                mime=mime,
                size=len(data),
                sha256=digest,
                width=width,
                height=height,
            )
            s.add(upload)
        return upload

    def _check_upload(self, filename: str, data: bytes) -> tuple[str, int | None, int | None]:
        """The upload's MIME type (and pixel size for images), told from its content: a
        music file, a recording or else an image; ValueError when it is none of them."""
        kind = upload_kind(filename, data)
        if kind == "music":
            return check_music(data, self.settings.music_check_seconds), None, None
        if kind == "audio":
            return check_audio(data), None, None
        info = check_image(data, self.settings.max_upload_pixels)
        return info.mime, info.width, info.height

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
                self.commerce.check_submit(s, who, engine.medium, clean)  # locks the user
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
                credits.reserve(s, job)
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
                if accept and mime_kind(upload.mime) not in accept:
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
                credits.release(s, job)
            elif job.status == "running":
                job.cancel_requested = True
            else:
                raise Conflict(f"job {job_id} has already {job.status}", field="job_id")
            return job

    # -- works ---------------------------------------------------------------------

    def works(
        self,
        who: Principal,
        engine: str | None = None,
        limit: int = 50,
        offset: int = 0,
        medium: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Work]:
        """The owner's works, newest first; `medium` (image, music, text) and the dates
        (UTC, `until` exclusive) narrow it."""
        query = select(Work).where(Work.owner_id == who.user_id)
        if engine:
            query = query.where(Work.engine == engine)
        if medium:
            query = query.where(Work.engine.in_(self._engines_of(medium)))
        if since:
            query = query.where(Work.created_at >= since)
        if until:
            query = query.where(Work.created_at < until)
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
        self,
        who: Principal,
        work_id: str,
        visibility: str | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> Work:
        return self.update_works(who, [work_id], visibility, title, description)[0]

    def update_works(
        self,
        who: Principal,
        work_ids: list[str],
        visibility: str | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> list[Work]:
        """Change the owner's works, all or none. A work that is public afterwards gets
        its meaning embedded for the gallery's search (computed before the transaction,
        stored in it with the change)."""
        if visibility is not None and visibility not in VISIBILITIES:
            raise Invalid(
                f"visibility must be one of {', '.join(VISIBILITIES)}", field="visibility"
            )
        if title is not None and len(title) > 200:
            raise Invalid("title must be at most 200 characters", field="title")
        if description is not None and len(description) > 2000:
            raise Invalid("description must be at most 2000 characters", field="description")
        ids = self._work_ids(work_ids)
        with self.db.transaction() as s:
            texts = {}
            for work in (self._owned(s, Work, who, i) for i in ids):
                if (visibility or work.visibility) == "public":
                    text = gallery.about(
                        work.title if title is None else title,
                        work.description if description is None else description,
                        work.params,
                    )
                    stored = s.get(WorkEmbedding, work.id)
                    if stored is None or stored.text != text:
                        texts[work.id] = text
        vectors = dict(zip(texts, embeddings.embed(list(texts.values())), strict=True))
        with self.db.transaction() as s:
            works = [self._owned(s, Work, who, i) for i in ids]
            if visibility == "private":
                self.commerce.check_private(s, who)
            for work in works:
                if visibility is not None:
                    work.visibility = visibility
                if title is not None:
                    work.title = title
                if description is not None:
                    work.description = description
                if work.id in vectors:
                    gallery.keep_vector(s, work, texts[work.id], vectors[work.id].tobytes())
            return works

    @staticmethod
    def _work_ids(work_ids: list[str]) -> list[str]:
        ids = list(dict.fromkeys(work_ids))
        if not 1 <= len(ids) <= MAX_BULK:
            raise Invalid(f"choose 1 to {MAX_BULK} works", field="work_ids")
        return ids

    # -- licences: the market grants them, signed with provenance's key ----------------

    def licences(self, who: Principal, limit: int = 50, offset: int = 0) -> list[LicenceGrant]:
        return self.market.licences(who, limit, offset)

    def licence(self, who: Principal, licence_id: str) -> LicenceGrant:
        return self.market.licence(who, licence_id)

    def verify_licence(self, licence_id: str) -> tuple[str, LicenceGrant | None, list[str]]:
        """Anyone's check of a licence by id: `valid`, `revoked`, `invalid` (the record
        does not match the studio's signature, or the work's file changed) or `not found`;
        with the grant and what was checked."""
        grant = self.market.find_licence(licence_id)
        if grant is None:
            return "not found", None, [f"no licence {licence_id}"]
        notes = []
        signed = grant.signature is not None and self.provenance.verify_bytes(
            certificates.canonical(grant), grant.signature
        )
        notes.append(
            "the studio's signature matches the licence record"
            if signed
            else "the studio's signature does not match the licence record"
        )
        stored = self.market.work_sha256(grant.work_id)
        if stored is None:
            notes.append("the work is no longer stored here; its SHA-256 is in the licence")
        elif stored == grant.work_sha256:
            notes.append("the work's file has the SHA-256 the licence names")
        else:
            notes.append("the work's stored file does not have the SHA-256 the licence names")
        intact = signed and stored in (None, grant.work_sha256)
        if not intact:
            return "invalid", grant, notes
        if grant.status == "revoked":
            notes.append(f"revoked: {grant.revoked_reason}")
            return "revoked", grant, notes
        return "valid", grant, notes

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
                credits.release(s, job)
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
            credits.release(s, job)

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
            credits.settle(s, job, seconds, engine.credits_per_second)
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
            credits.release(s, job)

    # -- my works: bulk actions ---------------------------------------------------------

    def delete_works(self, who: Principal, work_ids: list[str]) -> int:
        """Delete the owner's works, all or none. Their files stay in the content-addressed
        store (another work or upload may share one) and their log entries stay (the log
        is append-only)."""
        ids = self._work_ids(work_ids)
        try:
            with self.db.transaction() as s:
                works = [self._owned(s, Work, who, i) for i in ids]
                obstacle = market.deletion_obstacle(s, ids)
                if obstacle is not None:
                    raise Conflict(obstacle, field="work_ids")
                for work in works:
                    s.delete(work)
        except IntegrityError:
            raise Conflict(
                "a chosen work has records that must stay (e.g. licences sold); unlist it instead",
                field="work_ids",
            ) from None
        return len(ids)

    def export_works(self, who: Principal, work_ids: list[str]) -> Path:
        """A zip of the owner's works in the scratch folder: per work a folder with its
        files and a manifest.json (params, seed, lineage, hashes, log entries). A work held
        in review gets its manifest only. The caller deletes the file."""
        ids = self._work_ids(work_ids)
        with self.db.transaction() as s:
            works = [self._owned(s, Work, who, i) for i in ids]
        self.settings.scratch_dir.mkdir(parents=True, exist_ok=True)
        target = self.settings.scratch_dir / f"export-{new_id()}.zip"
        try:
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                for work in works:
                    folder = export_folder(work)
                    held = _held(work)
                    if not held:
                        for file in work.files:
                            archive.write(self.artifacts.path(file.sha256), f"{folder}/{file.name}")
                    manifest = export_manifest(work, withheld=held)
                    archive.writestr(f"{folder}/manifest.json", json.dumps(manifest, indent=2))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return target

    def upload_from_work(self, who: Principal, work_id: str, accept: Sequence[str] = ()) -> Upload:
        """The owner's work's file as a new upload ("use as input" for another engine):
        its first file of a kind in `accept` (a score's MIDI rather than its recording),
        else its primary file; it goes through the same checks as any upload."""
        with self.db.transaction() as s:
            work = self._owned(s, Work, who, work_id)
            if _held(work):
                raise Forbidden(f"work {work_id} is held in review", field="work_id")
            files = input_files(work)
            chosen = next((f for f in files if mime_kind(f.mime) in accept), work.files[0])
        return self.add_upload(who, chosen.name, self.artifacts.read(chosen.sha256))

    # -- the public gallery (studio/gallery.py) -------------------------------------------

    def gallery(
        self, medium: str | None = None, limit: int = 48, offset: int = 0
    ) -> list[tuple[Work, User]]:
        """Published works anyone may see (never private, unlisted or held), newest first."""
        with self.db.transaction() as s:
            engines = self._engines_of(medium) if medium else None
            return gallery.wall(s, engines, min(limit, 200), offset)

    def search_gallery(self, text: str, limit: int = 48) -> list[tuple[Work, User, float]]:
        """Published works ranked by meaning (cosine of sentence vectors) against `text`."""
        text = text.strip()
        if not 1 <= len(text) <= 300:
            raise Invalid("a search is 1 to 300 characters", field="q")
        vector = embeddings.embed([text])[0]
        with self.db.transaction() as s:
            return gallery.ranked(s, vector, min(limit, 200))

    def similar_works(self, work_id: str, limit: int = 12) -> list[tuple[Work, User, float]]:
        """More like this: the published works nearest in meaning to a published work."""
        with self.db.transaction() as s:
            published = s.scalar(select(Work.id).where(Work.id == work_id, gallery.shown()))
            vector = gallery.stored_vector(s, work_id)
            if published is None or vector is None:
                raise NotFound(f"no published work {work_id}", field="work_id")
            return gallery.ranked(s, vector, min(limit, 200), exclude=work_id)

    def creator(
        self, handle: str, limit: int = 48, offset: int = 0
    ) -> tuple[User, list[tuple[Work, User]]]:
        """A creator (by handle) and their published works."""
        with self.db.transaction() as s:
            user = directory.by_handle(s, handle)
            if user is None:
                raise NotFound(f"no creator {handle}", field="handle")
            return user, gallery.wall(s, None, min(limit, 200), offset, owner_id=user.id)

    def showcase(self, who: Principal | None, work_id: str) -> Shown:
        """A work for its page: who may see it is `work`'s rule; its recipe (parameters
        and seed) is shown to its owner, and to everyone once it is published."""
        work, owner = self.work(who, work_id)
        with self.db.transaction() as s:
            creator = s.get(User, work.owner_id)
            assert creator is not None  # a work goes with its owner
        public = work.visibility == "public" and not _held(work)
        recipe = owner or public
        params: dict[str, Any] | None = None
        if owner:
            params = work.params
        elif public:  # a published recipe, but never the ids of its owner's uploads
            try:
                uploads = upload_fields(self.engine(work.engine))
            except NotFound:  # the engine is gone: keep only what cannot be an upload
                uploads = {k: [] for k, v in work.params.items() if isinstance(v, str)}
            params = {k: v for k, v in work.params.items() if k not in uploads}
        return Shown(work, owner, recipe, public, creator, params, work.seed if recipe else None)

    # -- accounts: sign-up and the admin's users page --------------------------------------

    def sign_up(self, email: str, password: str, display_name: str) -> User:
        """A new creator account (open sign-up; ATELIER_SIGNUP_OPEN=false closes it)."""
        if not self.settings.signup_open:
            raise Forbidden("sign-up is closed here; ask an admin for an account")
        try:
            with self.db.transaction() as s:
                return directory.sign_up(s, email[:320], password[:256], display_name[:200])
        except accounts.AccountError as exc:
            raise Invalid(str(exc), field=exc.field) from None
        except IntegrityError:  # the same e-mail signed up at the same moment
            raise Conflict("a user with this e-mail exists already", field="email") from None

    def users(self, who: Principal, text: str = "", limit: int = 50, offset: int = 0) -> list[User]:
        self._require_admin(who)
        with self.db.transaction() as s:
            return directory.find(s, text[:320], min(limit, 200), offset)

    def change_user(
        self, who: Principal, user_id: str, role: str | None = None, disabled: bool | None = None
    ) -> User:
        """Set a user's role and/or disable them (admins; audited; all or nothing)."""
        self._require_admin(who, "write")
        try:
            with self.db.transaction() as s:
                user = s.get(User, user_id)
                if user is None:
                    raise NotFound(f"no user {user_id}", field="user_id")
                if role is not None:
                    accounts.set_role(s, user, role, actor=who.user_id)
                if disabled is not None:
                    directory.set_disabled(s, user, disabled, actor=who.user_id)
                return user
        except accounts.AccountError as exc:
            raise Invalid(str(exc), field=exc.field) from None

    def system_status(self, who: Principal) -> dict[str, Any]:
        """What an admin checks first: busy workers (from job leases), queue depth by
        status, engines and why any is unavailable, the database, the artifact store."""
        self._require_admin(who)
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
        files = [p for p in self.artifacts.root.rglob("*") if p.is_file()]
        disk = shutil.disk_usage(self.artifacts.root) if self.artifacts.root.exists() else None
        return {
            "queue": {status: counts.get(status, 0) for status in JOB_STATUSES},
            "workers": [
                {"worker": owner, "job_id": job_id, "engine": engine, "lease_expires_at": until}
                for owner, job_id, engine, until in leases
            ],
            "in_process_workers": self.settings.workers,
            "engines": [
                {"name": e.name, "medium": e.medium, "unavailable": e.available()}
                for e in self.engines()
            ],
            "optional_parts": optional_parts.active(),
            "database": self.db.engine.dialect.name,
            "artifacts": {
                "files": len(files),
                "bytes": sum(p.stat().st_size for p in files),
                "free_bytes": disk.free if disk else None,
            },
        }

    # -- the create page -----------------------------------------------------------------

    def estimate(self, engine_name: str, params: dict[str, Any]) -> dict[str, float]:
        """Seconds and credits an engine expects for these parameters, before submitting.
        Upload fields may be left out: an estimate reads parameters, never files."""
        engine = self.engine(engine_name)
        filled = dict(params)
        for name in upload_fields(engine):
            if not filled.get(name):
                filled[name] = "0" * 32
        try:
            validated = engine.Params.model_validate(filled)
        except ValidationError as exc:
            errors = [
                (".".join(["params", *(str(p) for p in e["loc"])]), e["msg"]) for e in exc.errors()
            ]
            raise Invalid("; ".join(f"{f}: {m}" for f, m in errors), errors=errors) from None
        return {
            "seconds": round(engine.estimate_seconds(validated), 1),
            "credits": engine.estimate_cost(validated),
        }


def input_files(work: Work) -> list[WorkFile]:
    """A work's files that may become another engine's input: its primary file and its
    renditions, but no drawn score (uploads take photos, recordings and notation)."""
    return [
        f for f in work.files if f.role in ("primary", "rendition") and f.mime != "image/svg+xml"
    ]


def export_folder(work: Work) -> str:
    """A work's folder in an export: a readable name that stays unique (its id)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", work.title).strip("-")[:40] or work.engine
    return f"{slug}-{work.id[:8]}"


def export_manifest(work: Work, withheld: bool) -> dict[str, Any]:
    return {
        "id": work.id,
        "title": work.title,
        "description": work.description,
        "engine": work.engine,
        "params": work.params,
        "seed": work.seed,
        "created_at": work.created_at.isoformat() + "Z",
        "visibility": work.visibility,
        "review_status": work.review_status,
        "lineage": work.lineage,
        "files": [
            {"name": f.name, "role": f.role, "mime": f.mime, "size": f.size, "sha256": f.sha256}
            for f in work.files
        ],
        "files_withheld": withheld,
        "log_entries": [
            {"index": e.idx, **json.loads(e.leaf)} for e in getattr(work, "log_entries", [])
        ],
    }
