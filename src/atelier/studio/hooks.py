"""The single calls the spine makes into safety, commerce and provenance.

Each is one function so that the issues that build those rooms change one place;
today moderation allows everything, credits are not charged and works are not sealed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from atelier.engines.base import Creation
from atelier.store.models import Job


def moderate_request(engine: str, params: dict[str, Any]) -> None:
    """Screen a request before a job exists (safety issue: raise Invalid to refuse)."""


def reserve_credits(db: Session, job: Job) -> None:
    """Hold the job's estimated cost (commerce issue); idempotent per job."""


def moderate_output(creation: Creation) -> None:
    """Screen what an engine made before it is stored (safety issue)."""


def seal(creation: Creation) -> None:
    """Watermark, sign (C2PA) and log a creation (provenance issue)."""


def settle_credits(db: Session, job: Job, seconds: float) -> None:
    """Charge the measured cost, release the rest (commerce issue)."""


def release_credits(db: Session, job: Job) -> None:
    """Release the hold of a job that failed or was cancelled (commerce issue)."""
