"""Works made through a Studio directly, run here by a real worker (no HTTP)."""

from __future__ import annotations

from typing import Any

from atelier.accounts.authz import Principal
from atelier.store.models import Work
from atelier.studio import Studio
from atelier.studio.runner import Worker
from tests.support.media import image_bytes


def make_work(studio: Studio, who: Principal, engine: str, params: dict[str, Any]) -> Work:
    """Submit a job and run it here with a real worker; returns its first work."""
    job, _ = studio.jobs.submit(who, engine, params, seed=1)
    assert Worker(studio).run_one()
    job = studio.jobs.get(who, job.id)
    assert job.status == "succeeded", job.error
    return job.works[0]


def stylize_work(studio: Studio, who: Principal, affirm: bool) -> Work:
    upload = studio.uploads.add(who, "photo.png", image_bytes(96, 64))
    if affirm:
        studio.market.affirm_upload(who, upload.id)
    return make_work(studio, who, "image.stylize", {"image": upload.id, "style": 3})
