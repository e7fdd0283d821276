"""The single calls the spine makes into commerce.

Each is one function so that the issue that builds that room changes one place; today
credits are not charged. (Moderation is `Studio.safety` and sealing `Studio.provenance`,
which `submit` and `finish` call themselves.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from atelier.store.models import Job


def reserve_credits(db: Session, job: Job) -> None:
    """Hold the job's estimated cost (commerce issue); idempotent per job."""


def settle_credits(db: Session, job: Job, seconds: float) -> None:
    """Charge the measured cost, release the rest (commerce issue)."""


def release_credits(db: Session, job: Job) -> None:
    """Release the credits of a job that failed or was cancelled, or whose work an admin
    rejected in review (commerce issue; after a settled job this is a refund)."""
