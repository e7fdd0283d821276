"""The review queue: works held because their request or their output was flagged wait
here for an admin to approve or reject them, with a reason, every step audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.safety import audit
from atelier.safety.findings import Verdict
from atelier.store import paging
from atelier.store.models import Job, Review, Screening, User, Work, utcnow


def note_request(session: Session, job_id: str, verdict: Verdict) -> None:
    """Keep a flagged request's findings with its job, for the works it will make."""
    if verdict.action == "flag":
        session.add(Screening(job_id=job_id, findings=[f.as_dict() for f in verdict.findings]))


def hold(session: Session, job: Job, work: Work, output: Verdict) -> Review | None:
    """Hold a new work for review when its request or its output was flagged."""
    screening = session.get(Screening, job.id)
    findings = (screening.findings if screening else []) + [f.as_dict() for f in output.findings]
    if not findings:
        return None
    session.flush()  # the work's row first: the review refers to it
    work.review_status = "in_review"
    review = Review(work_id=work.id, job_id=job.id, owner_id=job.owner_id, findings=findings)
    session.add(review)
    categories = sorted({f["category"] for f in findings})
    audit.record(session, None, "moderation.hold", f"work:{work.id}", {"categories": categories})
    return review


def _rows():  # type: ignore[no-untyped-def]
    return (
        select(Review, Work, User.email)
        .join(Work, Work.id == Review.work_id)
        .join(User, User.id == Review.owner_id)
    )


def one(session: Session, review_id: str) -> tuple[Review, Work, str] | None:
    """A review with its work and owner's e-mail, locked for a decision."""
    row = session.execute(_rows().where(Review.id == review_id).with_for_update()).first()
    return (row[0], row[1], row[2]) if row else None


def listing(
    session: Session,
    status: str | None = "in_review",
    limit: int = 50,
    offset: int = 0,
    after: paging.After | None = None,
) -> list[tuple[Review, Work, str]]:
    """Reviews with their works and owners' e-mails: waiting ones oldest first, the others
    newest first."""
    query = _rows()
    if status:
        query = query.where(Review.status == status)
    oldest_first = status == "in_review"
    query = paging.page(query, Review.created_at, Review.id, limit, offset, after, oldest_first)
    return [(r, w, e) for r, w, e in session.execute(query)]


def decide(
    session: Session, actor: str, review: Review, work: Work, approve: bool, reason: str
) -> None:
    """Approve (the work is served again) or reject (never served); audited."""
    review.status = "approved" if approve else "rejected"
    review.decided_by, review.decided_at, review.reason = actor, utcnow(), reason or None
    work.review_status = review.status
    details = {
        "review_id": review.id,
        "job_id": review.job_id,
        "owner_id": review.owner_id,
        "reason": reason,
        "categories": sorted({f["category"] for f in review.findings}),
    }
    action = "moderation.approve" if approve else "moderation.reject"
    audit.record(session, actor, action, f"work:{work.id}", details)
