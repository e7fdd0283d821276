"""The JSON shapes of the API: how studio records are shown to a caller."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from atelier.engines.base import Engine
from atelier.store.models import ApiKey, Job, Upload, Work
from atelier.studio.recognition import recognised
from atelier.studio.works import Shown, preview


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def engine_out(engine: Engine) -> dict[str, Any]:
    reason = engine.available()
    return {
        "name": engine.name,
        "medium": engine.medium,
        "title": engine.title,
        "description": engine.description,
        "available": reason is None,
        "unavailable_reason": reason,
        "params_schema": engine.Params.model_json_schema(),
        "models": [vars(card) for card in engine.models],
        "credits_per_second": engine.credits_per_second,
    }


def upload_out(upload: Upload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "filename": upload.filename,
        "mime": upload.mime,
        "size": upload.size,
        "sha256": upload.sha256,
        "width": upload.width,
        "height": upload.height,
        "created_at": _time(upload.created_at),
        # The studio's works this file is, or was made from, and how each was found: their
        # lineage comes along into whatever is made from it.
        "recognised_as": recognised(upload),
    }


def job_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "engine": job.engine,
        "status": job.status,
        "progress": round(job.progress, 4),
        "message": job.message,
        "error": job.error,
        "params": job.params,
        "seed": job.seed,
        "cost_estimate": job.cost_estimate,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "work_ids": [work.id for work in job.works],
        "created_at": _time(job.created_at),
        "started_at": _time(job.started_at),
        "finished_at": _time(job.finished_at),
        "url": f"/v1/jobs/{job.id}",
    }


def work_out(work: Work, owner: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": work.id,
        "job_id": work.job_id if owner else None,
        "engine": work.engine,
        "title": work.title,
        "mime": work.mime,
        "sha256": work.sha256,
        "size": work.size,
        "visibility": work.visibility,
        "review_status": work.review_status,  # None, in_review, approved or rejected
        "meta": work.meta,
        # The engine's own checks this work failed after every redraw ([] when all passed).
        "checks_unmet": (work.meta or {}).get("checks_unmet", []),
        "lineage": work.lineage if owner else shared_lineage(work.lineage),
        "created_at": _time(work.created_at),
        "url": f"/v1/works/{work.id}/file",
        "files": [
            {
                "name": f.name,
                "role": f.role,
                "mime": f.mime,
                "size": f.size,
                "sha256": f.sha256,
                "url": f"/v1/works/{work.id}/files/{f.name}",
            }
            for f in work.files
        ],
    }
    body["provenance"] = provenance_out(work)
    # A work's prompt and settings are its owner's; others see the work, not the recipe.
    body["params"] = work.params if owner else None
    body["seed"] = work.seed if owner else None
    return body


def shown_out(shown: Shown) -> dict[str, Any]:
    """A work as `Studio.showcase` lets this viewer see it (API and pages alike)."""
    body = work_out(shown.work, shown.owner)
    body["params"], body["seed"] = shown.params, shown.seed
    # Whether this viewer may download the original; when not, `url` is the preview.
    body["original"] = shown.original
    if not shown.original:
        shown_preview = preview(shown.work)
        body["url"] = (
            f"/v1/works/{shown.work.id}/files/{shown_preview.name}" if shown_preview else None
        )
    return body


def provenance_out(work: Work) -> dict[str, Any]:
    """How the work was sealed: its primary file's manifest kind, log index and watermark,
    and every sealed file's log entry (`Work.log_entries` is a backref from LogEntry)."""
    entries = [{"index": e.idx, **json.loads(e.leaf)} for e in getattr(work, "log_entries", [])]
    primary = entries[0] if entries else {}
    return {
        "manifest": primary.get("manifest"),
        "log_index": primary.get("index"),
        "watermark": primary.get("watermark"),
        "entries": entries,
    }


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


def key_out(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "scopes": key.scopes,
        "created_at": _time(key.created_at),
        "last_used_at": _time(key.last_used_at),
        "revoked_at": _time(key.revoked_at),
    }
