"""Admin-only endpoints: the moderation policy, the review queue, the audit log.
Everyone else gets 403 (the studio checks the role)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.store.models import AuditEntry, Review, Work
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web.deps import get_studio, principal
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.admin import (
    Action,
    AuditOut,
    PolicyOut,
    ReviewOut,
    audit_out,
    policy_out,
    review_out,
)
from atelier.web.schemas.common import Page

router = APIRouter(prefix="/admin", tags=["admin"])


class PolicyChange(BaseModel):
    actions: dict[str, Action] = Field(
        description='Category → action, e.g. {"violence": "block"}; others keep theirs.'
    )


class Decision(BaseModel):
    reason: str = Field("", max_length=1000, description="Why; required to reject.")


@router.get("/moderation/policy", operation_id="admin_policy_get")
def get_policy(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PolicyOut:
    """Every category with its action (allow, flag, block), its default, and whether
    images are screened here."""
    return policy_out(studio.moderation.policy(who))


@router.put("/moderation/policy", operation_id="admin_policy_update")
def put_policy(
    body: PolicyChange, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PolicyOut:
    """Change the actions of some categories; sexual content involving minors stays blocked."""
    return policy_out(studio.moderation.change_policy(who, dict(body.actions)))


def _review_key(row: tuple[Review, Work, str]) -> After:
    return After(row[0].created_at, row[0].id)


@router.get("/reviews", operation_id="admin_reviews_list")
def list_reviews(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: Literal["in_review", "approved", "rejected"] | None = "in_review",
    page: Window = Depends(window()),
) -> Page[ReviewOut]:
    """Held works: waiting ones oldest first (`status=in_review`, the default), the
    others newest first."""
    rows = studio.moderation.reviews(who, status, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _review_key)
    return Page[ReviewOut](items=[review_out(*row) for row in shown], next=next_url)


@router.post(
    "/reviews/{review_id}/approve", operation_id="admin_reviews_approve", responses=errors(409)
)
def approve(
    review_id: str,
    body: Decision | None = None,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ReviewOut:
    """Release a held work: it is served again."""
    return review_out(*studio.moderation.decide(who, review_id, True, body.reason if body else ""))


@router.post(
    "/reviews/{review_id}/reject", operation_id="admin_reviews_reject", responses=errors(409)
)
def reject(
    review_id: str,
    body: Decision,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ReviewOut:
    """Reject a held work, with a reason: it is never served; its job's credits are released."""
    return review_out(*studio.moderation.decide(who, review_id, False, body.reason))


def _audit_key(row: tuple[AuditEntry, str | None]) -> After:
    return After(row[0].at, row[0].id)


@router.get("/audit", operation_id="admin_audit_list")
def audit_log(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    action: str | None = Query(None, max_length=64, description='A prefix, e.g. "key."'),
    actor: str | None = Query(None, max_length=320, description="A user id or e-mail."),
    subject: str | None = Query(None, max_length=200, description='e.g. "work:<id>"'),
    since: datetime | None = Query(None, description="From this time (UTC), inclusive."),
    until: datetime | None = Query(None, description="Before this time (UTC)."),
    page: Window = Depends(window(50, 500)),
) -> Page[AuditOut]:
    """The audit log, newest first."""
    rows = studio.moderation.audit_log(
        who, action, actor, subject, since, until, page.fetch, after=page.after
    )
    shown, next_url = page.page(rows, _audit_key)
    return Page[AuditOut](items=[audit_out(*row) for row in shown], next=next_url)
