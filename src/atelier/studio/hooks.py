"""The single calls the spine makes into commerce's credits for jobs.

Each is one function so that the spine reads the same whatever commerce does; all are
idempotent per job (keys `job:<id>:reserve|settle|release|refund`). (Moderation is
`Studio.safety` and sealing `Studio.provenance`, which `submit` and `finish` call
themselves.)
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from atelier.commerce import credits
from atelier.store.models import Job


def reserve_credits(db: Session, job: Job) -> None:
    """Hold the job's estimated cost; PaymentRequired when the balance does not cover it."""
    credits.reserve(db, job)


def settle_credits(db: Session, job: Job, seconds: float, credits_per_second: float) -> None:
    """Charge the measured cost (seconds × the engine's rate, a minimum charge), release
    the rest of the reservation."""
    credits.settle(db, job, seconds, credits_per_second)


def release_credits(db: Session, job: Job) -> None:
    """Release the credits of a job that failed or was cancelled, or whose work an admin
    rejected in review (after a settled job this is a refund)."""
    credits.release(db, job)
