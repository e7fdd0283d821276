"""The studio's shapes: engines, uploads, jobs and works."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field

from atelier.engines.base import Engine
from atelier.store.models import Job, Upload, Work
from atelier.studio.catalogue import params_schema
from atelier.studio.recognition import recognised
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
    created_at: UtcTime
    started_at: UtcTime | None
    finished_at: UtcTime | None
    url: str


class WorkFileOut(Out):
    name: str
    role: str = Field(description="primary, thumbnail or rendition")
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
        description="The original, or (`original` false) its preview: none when it has none."
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
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        url=f"/v1/jobs/{job.id}",
    )


def work_out(work: Work, owner: bool = True) -> WorkOut:
    """A work as its owner sees it, or (`owner` False) as others may: without its job,
    recipe and uploads."""
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
        url=f"/v1/works/{work.id}/file",
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
    if not shown.original:
        shown_preview = preview(shown.work)
        update["url"] = (
            f"/v1/works/{shown.work.id}/files/{shown_preview.name}" if shown_preview else None
        )
    return work_out(shown.work, shown.owner).model_copy(update=update)


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
