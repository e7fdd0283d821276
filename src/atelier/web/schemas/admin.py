"""What admins read: the moderation policy, held works with their reviews, the audit log."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from atelier.store.models import AuditEntry, Review, Work
from atelier.web.schemas.common import Out, UtcTime
from atelier.web.schemas.studio import WorkOut, work_out

Action = Literal["allow", "flag", "block"]


class CategoryOut(Out):
    name: str
    title: str
    action: Action
    default: Action
    locked: bool = Field(description="Its action cannot be changed (minors: always blocked).")


class ImageScreen(Out):
    available: bool
    reason: str | None


class PolicyOut(Out):
    categories: list[CategoryOut]
    image_screen: ImageScreen


class Person(Out):
    id: str
    email: str | None


class ReviewOut(Out):
    id: str
    status: Literal["in_review", "approved", "rejected"]
    findings: list[dict[str, Any]]
    reason: str | None
    decided_by: str | None
    created_at: UtcTime
    decided_at: UtcTime | None
    job_id: str
    owner: Person
    work: WorkOut


class AuditOut(Out):
    id: int
    at: UtcTime
    actor: Person | None
    action: str
    subject: str
    details: dict[str, Any]


def policy_out(policy: dict[str, Any]) -> PolicyOut:
    return PolicyOut.model_validate(policy)


def review_out(review: Review, work: Work, owner_email: str) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        status=review.status,  # type: ignore[arg-type]
        findings=review.findings,
        reason=review.reason,
        decided_by=review.decided_by,
        created_at=review.created_at,
        decided_at=review.decided_at,
        job_id=review.job_id,
        owner=Person(id=review.owner_id, email=owner_email),
        work=work_out(work),
    )


def audit_out(entry: AuditEntry, actor_email: str | None) -> AuditOut:
    return AuditOut(
        id=entry.id,
        at=entry.at,
        actor=Person(id=entry.actor_id, email=actor_email) if entry.actor_id else None,
        action=entry.action,
        subject=entry.subject,
        details=entry.details,
    )
