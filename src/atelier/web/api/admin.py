"""Admin-only endpoints: the moderation policy, the review queue, the audit log.
Everyone else gets 403 (the studio checks the role)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.models import AuditEntry, Review, Work
from atelier.studio import Studio
from atelier.web.deps import get_studio, principal
from atelier.web.schemas import work_out

router = APIRouter(prefix="/admin", tags=["admin"])
Action = Literal["allow", "flag", "block"]


class PolicyChange(BaseModel):
    actions: dict[str, Action] = Field(
        description='Category → action, e.g. {"violence": "block"}; others keep theirs.'
    )


class Decision(BaseModel):
    reason: str = Field("", max_length=1000, description="Why; required to reject.")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def review_out(review: Review, work: Work, owner_email: str) -> dict[str, Any]:
    return {
        "id": review.id,
        "status": review.status,
        "findings": review.findings,
        "reason": review.reason,
        "decided_by": review.decided_by,
        "created_at": _time(review.created_at),
        "decided_at": _time(review.decided_at),
        "job_id": review.job_id,
        "owner": {"id": review.owner_id, "email": owner_email},
        "work": work_out(work),
    }


def audit_out(entry: AuditEntry, actor_email: str | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": _time(entry.at),
        "actor": {"id": entry.actor_id, "email": actor_email} if entry.actor_id else None,
        "action": entry.action,
        "subject": entry.subject,
        "details": entry.details,
    }


@router.get("/moderation/policy")
def get_policy(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    """Every category with its action (allow, flag, block), its default, and whether
    images are screened here."""
    return studio.moderation.policy(who)


@router.put("/moderation/policy")
def put_policy(
    body: PolicyChange, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    """Change the actions of some categories; sexual content involving minors stays blocked."""
    return studio.moderation.change_policy(who, dict(body.actions))


@router.get("/reviews")
def list_reviews(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: Literal["in_review", "approved", "rejected"] | None = "in_review",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    """Held works: waiting ones oldest first (`status=in_review`, the default)."""
    return [review_out(*row) for row in studio.moderation.reviews(who, status, limit, offset)]


@router.post("/reviews/{review_id}/approve")
def approve(
    review_id: str,
    body: Decision | None = None,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Release a held work: it is served again."""
    return review_out(*studio.moderation.decide(who, review_id, True, body.reason if body else ""))


@router.post("/reviews/{review_id}/reject")
def reject(
    review_id: str,
    body: Decision,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Reject a held work, with a reason: it is never served; its job's credits are released."""
    return review_out(*studio.moderation.decide(who, review_id, False, body.reason))


@router.get("/audit")
def audit_log(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    action: str | None = Query(None, max_length=64, description='A prefix, e.g. "key."'),
    actor: str | None = Query(None, max_length=320, description="A user id or e-mail."),
    subject: str | None = Query(None, max_length=200, description='e.g. "work:<id>"'),
    since: datetime | None = Query(None, description="From this time (UTC), inclusive."),
    until: datetime | None = Query(None, description="Before this time (UTC)."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    """The audit log, newest first."""
    rows = studio.moderation.audit_log(who, action, actor, subject, since, until, limit, offset)
    return [audit_out(*row) for row in rows]
