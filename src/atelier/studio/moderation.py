"""Moderation decisions, the admins' side of safety: the policy, the review queue (a
rejection gives the job's credits back) and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import credits
from atelier.errors import Conflict, Invalid, NotFound
from atelier.safety import audit
from atelier.safety.policy import PolicyError
from atelier.safety.service import Safety
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import REVIEW_STATUSES, AuditEntry, Job, Review, Work


class Moderation:
    def __init__(self, db: Database, safety: Safety) -> None:
        self.db = db
        self.safety = safety

    def policy(self, who: Principal) -> dict[str, Any]:
        authz.require_admin(who)
        return self.safety.describe_policy()

    def change_policy(self, who: Principal, actions: dict[str, str]) -> dict[str, Any]:
        """Set categories' actions (allow, flag, block); all or nothing, audited."""
        authz.require_admin(who, "write")
        try:
            return self.safety.change_policy(who.user_id, actions)
        except PolicyError as exc:
            raise Invalid(str(exc), field=exc.field) from None

    def reviews(
        self,
        who: Principal,
        status: str | None = "in_review",
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[tuple[Review, Work, str]]:
        """Held works with their reviews and owners' e-mails (admins only)."""
        authz.require_admin(who)
        if status is not None and status not in REVIEW_STATUSES:
            raise Invalid(
                "status must be one of %(choices)s",
                field="status",
                params={"choices": ", ".join(REVIEW_STATUSES)},
            )
        return self.safety.reviews(status, limit, offset, after)

    def decide(
        self, who: Principal, review_id: str, approve: bool, reason: str
    ) -> tuple[Review, Work, str]:
        """Approve a held work (it is served again) or reject it (never served, and its
        job's credits are released). A rejection needs a reason; both are audited."""
        authz.require_admin(who, "write")
        reason = reason.strip()
        if not approve and not reason:
            raise Invalid("say why the work is rejected", field="reason")
        if len(reason) > 1000:
            raise Invalid("reason must be at most 1000 characters", field="reason")
        with self.db.transaction() as s:
            row = self.safety.review(s, review_id)
            if row is None:
                raise NotFound(
                    "no review %(review_id)s", field="review_id", params={"review_id": review_id}
                )
            item, work, _ = row
            if item.status != "in_review":
                raise Conflict(
                    "review %(review_id)s is already %(status)s",
                    field="review_id",
                    params={"review_id": review_id, "status": item.status},
                )
            self.safety.decide(s, who.user_id, item, work, approve, reason)
            if not approve:
                job = s.get(Job, item.job_id)
                assert job is not None  # a review goes with its job
                credits.release(s, job)
            return row

    def audit_log(
        self,
        who: Principal,
        action: str | None = None,
        actor: str | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[tuple[AuditEntry, str | None]]:
        """Audit entries, newest first, each with its actor's e-mail (admins only)."""
        authz.require_admin(who)
        since, until = (
            t.astimezone(UTC).replace(tzinfo=None) if t and t.tzinfo else t for t in (since, until)
        )
        with self.db.transaction() as s:
            return audit.query(s, action, actor, subject, since, until, limit, offset, after)
