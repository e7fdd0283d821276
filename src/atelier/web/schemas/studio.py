"""The studio's shapes: engines, uploads, jobs and works."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field

from atelier.engines.base import Engine
from atelier.store.models import Job, Upload, Work
from atelier.studio.catalogue import params_schema
from atelier.studio.recognition import recognised
from atelier.studio.warmup import WarmReport
from atelier.studio.works import Shown, preview
from atelier.web.schemas.common import Out, UtcTime

JobStatus = Literal["queued", "running", "succeeded", "failed", "canceled"]
Visibility = Literal["private", "unlisted", "public"]


class ModelCardOut(Out):
    name: str
    version: str
    licence: str
    source: str
    commercial_use: bool
    kind: str = Field(description="model or data")


class EngineOut(Out):
    name: str
    medium: str = Field(description="image, music or text")
    title: str
    description: str
    available: bool
    unavailable_reason: str | None
    params_schema: dict[str, Any] = Field(description="The JSON schema of the job's params.")
    models: list[ModelCardOut]
    credits_per_second: float


class RecognisedOut(Out):
    work_id: str
    method: str
    detail: Any


class UploadOut(Out):
    id: str
    filename: str
    mime: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    created_at: UtcTime
    recognised_as: list[RecognisedOut] = Field(
        description="The studio's works this file is, or was made from, and how each was "
        "found: their lineage comes along into whatever is made from it."
    )


class JobWorkOut(Out):
    """One work a job made: an image engine's variants are its works in order, variant i
    made from the job's seed + i."""

    id: str
    seed: int
    title: str
    url: str = Field(description="Its primary file.")
    thumbnail: str | None = Field(description="Its reduced preview, when it has one.")


class JobOut(Out):
    id: str
    engine: str
    status: JobStatus
    progress: float
    message: str | None
    error: str | None
    params: dict[str, Any]
    seed: int
    cost_estimate: float
    attempts: int
    cancel_requested: bool
    work_ids: list[str]
    works: list[JobWorkOut] = Field(
        description="What it made, in order, each with its own seed: the variants to keep "
        "one of (POST /v1/works/{work_id}/keep)."
    )
    created_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    url: str


class WorkFileOut(Out):
    name: str
    role: str = Field(
        description="primary, rendition, manifest, thumbnail, or preview (what the public gets "
        "instead of the originals)"
    )
    mime: str
    size: int
    sha256: str
    url: str


class ProvenanceOut(Out):
    """How the work was sealed: its primary file's manifest kind, log index and
    watermark, and every sealed file's log entry."""

    manifest: str | None
    log_index: int | None
    watermark: str | None
    entries: list[dict[str, Any]]


class WorkOut(Out):
    id: str
    job_id: str | None = Field(description="Its owner's only.")
    engine: str
    title: str
    mime: str
    sha256: str
    size: int
    visibility: Visibility
    review_status: Literal["in_review", "approved", "rejected"] | None
    meta: dict[str, Any]
    checks_unmet: list[str] = Field(
        description="The engine's own checks this work failed after every redraw."
    )
    lineage: dict[str, Any]
    created_at: UtcTime
    url: str | None = Field(
        description="The original, or its preview for those who may not have the original "
        "(`original` false, and every work listed for others): none when it has none."
    )
    original: bool | None = Field(
        None, description="Whether this viewer may download the original (shown works)."
    )
    files: list[WorkFileOut]
    provenance: ProvenanceOut
    params: dict[str, Any] | None = Field(description="The recipe, to those who may see it.")
    seed: int | None


def engine_out(engine: Engine, reason: str | None) -> EngineOut:
    """`reason`: why a job for it would be refused now (studio.roster.unavailable)."""
    return EngineOut(
        name=engine.name,
        medium=engine.medium,
        title=engine.title,
        description=engine.description,
        available=reason is None,
        unavailable_reason=reason,
        params_schema=params_schema(engine),
        models=[ModelCardOut(**vars(card)) for card in engine.models],
        credits_per_second=engine.credits_per_second,
    )


def upload_out(upload: Upload) -> UploadOut:
    return UploadOut(
        id=upload.id,
        filename=upload.filename,
        mime=upload.mime,
        size=upload.size,
        sha256=upload.sha256,
        width=upload.width,
        height=upload.height,
        created_at=upload.created_at,
        recognised_as=[RecognisedOut(**found) for found in recognised(upload)],
    )


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        engine=job.engine,
        status=job.status,  # type: ignore[arg-type]
        progress=round(job.progress, 4),
        message=job.message,
        error=job.error,
        params=job.params,
        seed=job.seed,
        cost_estimate=job.cost_estimate,
        attempts=job.attempts,
        cancel_requested=job.cancel_requested,
        work_ids=[work.id for work in job.works],
        works=[job_work_out(work) for work in job.works],
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        url=f"/v1/jobs/{job.id}",
    )


def job_work_out(work: Work) -> JobWorkOut:
    shown = preview(work)
    return JobWorkOut(
        id=work.id,
        seed=work.seed,
        title=work.title,
        url=f"/v1/works/{work.id}/file",
        thumbnail=f"/v1/works/{work.id}/files/{shown.name}" if shown is not None else None,
    )


def work_out(work: Work, owner: bool = True) -> WorkOut:
    """A work as its owner sees it, or (`owner` False) as others may: without its job,
    recipe and uploads, and with its preview for `url`."""
    return WorkOut(
        id=work.id,
        job_id=work.job_id if owner else None,
        engine=work.engine,
        title=work.title,
        mime=work.mime,
        sha256=work.sha256,
        size=work.size,
        visibility=work.visibility,  # type: ignore[arg-type]
        review_status=work.review_status,  # type: ignore[arg-type]
        meta=work.meta or {},
        checks_unmet=(work.meta or {}).get("checks_unmet", []),
        lineage=work.lineage if owner else shared_lineage(work.lineage),
        created_at=work.created_at,
        url=f"/v1/works/{work.id}/file" if owner else preview_url(work),
        files=[
            WorkFileOut(
                name=f.name,
                role=f.role,
                mime=f.mime,
                size=f.size,
                sha256=f.sha256,
                url=f"/v1/works/{work.id}/files/{f.name}",
            )
            for f in work.files
        ],
        provenance=provenance_out(work),
        # A work's prompt and settings are its owner's; others see the work, not the recipe.
        params=work.params if owner else None,
        seed=work.seed if owner else None,
    )


def shown_out(shown: Shown) -> WorkOut:
    """A work as `Studio.showcase` lets this viewer see it (API and pages alike)."""
    update: dict[str, Any] = {"params": shown.params, "seed": shown.seed}
    # Whether this viewer may download the original; when not, `url` is the preview.
    update["original"] = shown.original
    work = shown.work
    update["url"] = f"/v1/works/{work.id}/file" if shown.original else preview_url(work)
    return work_out(work, shown.owner).model_copy(update=update)


def preview_url(work: Work) -> str | None:
    """Where the preview that stands in for a work's primary file downloads, if any."""
    shown = preview(work)
    return f"/v1/works/{work.id}/files/{shown.name}" if shown is not None else None


def provenance_out(work: Work) -> ProvenanceOut:
    """`Work.log_entries` is a backref from LogEntry."""
    entries = [{"index": e.idx, **json.loads(e.leaf)} for e in getattr(work, "log_entries", [])]
    primary = entries[0] if entries else {}
    return ProvenanceOut(
        manifest=primary.get("manifest"),
        log_index=primary.get("index"),
        watermark=primary.get("watermark"),
        entries=entries,
    )


def shared_lineage(lineage: dict[str, Any]) -> dict[str, Any]:
    """What others may see of a work's lineage: models and sources, only the kind of each
    upload it used (the uploads themselves stay the owner's), and the works it descends
    from with their models and sources (not whose they are, nor their uploads)."""

    def kinds(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"param": i.get("param"), "mime": i.get("mime")} for i in inputs]

    ancestors = [
        {
            "work_id": a.get("work_id"),
            "engine": a.get("engine"),
            "method": a.get("method"),
            "models": a.get("models"),
            "sources": a.get("sources", []),
            "inputs": kinds(a.get("inputs") or []),
        }
        for a in lineage.get("ancestors", [])
    ]
    return {**lineage, "inputs": kinds(lineage.get("inputs", [])), "ancestors": ancestors}


class WarmupOut(Out):
    """Where loading the models stands on this server's machine."""

    state: Literal["warming", "ready"] = Field(
        description="warming: some models are still loading; jobs wait for them in the queue."
    )
    warming: list[str] = Field(description="What is still loading (engines by name).")
    ready: list[str] = Field(description="What has been loaded.")
    failed: dict[str, str] = Field(
        description="What could not be loaded, with why (its first job loads it or says why)."
    )
    loaded_at: UtcTime | None = Field(
        description="When the last warm-up here ended (null while warming, or none ran)."
    )


def warmup_out(report: WarmReport) -> WarmupOut:
    loaded = report.finished
    return WarmupOut(
        state=report.state,
        warming=report.warming,
        ready=report.ready,
        failed=report.failed,
        loaded_at=None if loaded is None else datetime.fromtimestamp(loaded, UTC),
    )
