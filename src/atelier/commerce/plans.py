"""Plans: what a user may do, and the admin's catalogue of plans and credit packs.

A user without a running subscription is on the trial plan (the one with `trial_days`
> 0), so every new user has a plan however the account was made. Admins are unmetered:
they run the studio, and their jobs are neither charged nor limited."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.accounts.authz import ADMIN
from atelier.commerce.models import CreditPack, Plan, Subscription
from atelier.engines.base import Budget
from atelier.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Word
from atelier.store.models import Job, User, utcnow

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class PlanSpec:
    """An admin's values for a plan, each with its limits (checked by `check`)."""

    name: str
    monthly_credits: int
    price: int
    concurrency: int
    max_pixels: int
    max_seconds: int
    private_works: bool = True
    commercial_use: bool = False
    api_access: bool = True
    overage: bool = False
    overage_price: int = 0
    custom_models: bool = False  # its users may train their own models (self-serve)
    trial_days: int = 0
    position: int = 0
    active: bool = True

    def check(self) -> None:
        limits = {
            "monthly_credits": (0, 10_000_000),
            "price": (0, 100_000_000),
            "concurrency": (1, 10_000),
            "max_pixels": (64 * 64, 100_000_000),
            "max_seconds": (1, 86_400),
            "overage_price": (0, 100_000),
            "trial_days": (0, 365),
            "position": (0, 1000),
        }
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if not isinstance(value, int) or not low <= value <= high:
                raise Invalid(
                    "%(name)s must be an integer from %(low)s to %(high)s",
                    field=name,
                    params={"name": name, "low": format(low, ","), "high": format(high, ",")},
                )
        if not 1 <= len(self.name.strip()) <= 100:
            raise Invalid("name must be 1 to 100 characters", field="name")
        if self.overage and self.overage_price == 0:
            raise Invalid("a plan with overage needs an overage_price per credit", field="overage")


def user_is_admin(db: Session, user_id: str) -> bool:
    return db.scalar(select(User.role).where(User.id == user_id)) == ADMIN


def trial_plan(db: Session) -> Plan:
    plan = db.scalar(select(Plan).where(Plan.trial_days > 0).order_by(Plan.position, Plan.id))
    if plan is None:
        raise NotFound("no trial plan is configured; an admin must add one", field="plan")
    return plan


def subscription(db: Session, user_id: str) -> Subscription | None:
    return db.scalar(select(Subscription).where(Subscription.user_id == user_id))


def running(sub: Subscription | None, now: datetime) -> bool:
    """A subscription whose paid period covers `now`."""
    return (
        sub is not None
        and sub.status == "active"
        and sub.period_end is not None
        and sub.period_end > now
    )


def current_plan(db: Session, user_id: str, now: datetime | None = None) -> Plan:
    sub = subscription(db, user_id)
    if running(sub, now or utcnow()):
        assert sub is not None
        plan = db.get(Plan, sub.plan_id)
        if plan is not None:
            return plan
    return trial_plan(db)


def trial_ends(db: Session, user_id: str) -> datetime:
    created = db.scalar(select(User.created_at).where(User.id == user_id))
    if created is None:
        raise NotFound("no user %(user_id)s", field="user_id", params={"user_id": user_id})
    return created + timedelta(days=trial_plan(db).trial_days)


def check_submit(db: Session, user_id: str, via: str, budget: Budget) -> None:
    """Refuse a job the user's plan does not allow: API access, jobs at once, and what the
    job will make (its engine's budget): a picture's size, a piece's length. Call with the
    user locked, so the count of jobs is exact."""
    if user_is_admin(db, user_id):
        return
    plan = current_plan(db, user_id)
    if via == "key" and not plan.api_access:
        raise Forbidden(
            "the %(name)s plan has no API access; use the web pages or change plan",
            field="plan",
            params={"name": Word(plan.name)},
        )
    waiting = db.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.owner_id == user_id, Job.status.in_(("queued", "running")))
    )
    if (waiting or 0) >= plan.concurrency:
        raise TooManyRequests(
            "the %(name)s plan allows %(concurrency)s jobs queued or running at once; wait for "
            "one to finish",
            field="plan",
            params={"name": Word(plan.name), "concurrency": plan.concurrency},
        )
    field = f"params.{budget.field}" if budget.field else "params"
    if budget.pixels > plan.max_pixels:
        raise Invalid(
            "this job would make a picture of %(pixels)s pixels; the %(name)s plan's image size "
            "limit is %(max_pixels)s pixels",
            field=field,
            params={
                "pixels": format(budget.pixels, ","),
                "name": Word(plan.name),
                "max_pixels": format(plan.max_pixels, ","),
            },
        )
    if budget.audio_seconds > plan.max_seconds:
        raise Invalid(
            "this job would make %(audio_seconds)s seconds of audio; the %(name)s plan's audio "
            "length limit is %(max_seconds)s seconds",
            field=field,
            params={
                "audio_seconds": format(budget.audio_seconds, ",.1f"),
                "name": Word(plan.name),
                "max_seconds": format(plan.max_seconds, ","),
            },
        )


def check_custom_models(db: Session, user_id: str) -> None:
    """Training one's own models self-serve is a plan's feature (admins may always)."""
    if user_is_admin(db, user_id):
        return
    plan = current_plan(db, user_id)
    if not plan.custom_models:
        raise Forbidden(
            "the %(name)s plan does not include training your own models; change plan, or ask the "
            "studio for a quote",
            field="engine",
            params={"name": Word(plan.name)},
        )


def check_private(db: Session, user_id: str) -> None:
    if user_is_admin(db, user_id):
        return
    plan = current_plan(db, user_id)
    if not plan.private_works:
        raise Forbidden(
            "the %(name)s plan has no private works; make it unlisted or public, or change plan",
            field="visibility",
            params={"name": Word(plan.name)},
        )


# -- the catalogue -----------------------------------------------------------------


def plans(db: Session, include_inactive: bool = False) -> list[Plan]:
    query = select(Plan).order_by(Plan.position, Plan.id)
    if not include_inactive:
        query = query.where(Plan.active)
    return list(db.scalars(query))


def plan(db: Session, plan_id: str) -> Plan:
    found = db.get(Plan, plan_id)
    if found is None:
        raise NotFound("no plan %(plan_id)s", field="plan_id", params={"plan_id": plan_id})
    return found


def save_plan(db: Session, plan_id: str, spec: PlanSpec, create: bool) -> Plan:
    """Create a plan (`create`) or replace an existing one's values. A change applies to
    its subscribers from now on; invoices already issued keep their prices."""
    if not SLUG.match(plan_id):
        raise Invalid("id must be 1 to 40 lowercase letters, digits or dashes", field="id")
    spec.check()
    existing = db.get(Plan, plan_id)
    if create and existing is not None:
        raise Conflict("plan %(plan_id)s exists already", field="id", params={"plan_id": plan_id})
    if not create and existing is None:
        raise NotFound("no plan %(plan_id)s", field="plan_id", params={"plan_id": plan_id})
    row = existing or Plan(id=plan_id)
    if existing is not None and existing.trial_days > 0 and spec.trial_days == 0:
        raise Invalid("the trial plan needs trial_days (every new user starts on it)", "trial_days")
    for field in fields(PlanSpec):
        setattr(row, field.name, getattr(spec, field.name))
    row.updated_at = utcnow()
    db.add(row)
    db.flush()
    return row


def retire_plan(db: Session, plan_id: str) -> Plan:
    """Plans are never deleted (invoices and subscriptions name them): a retired plan is
    no longer offered; its subscribers keep it until they change or cancel."""
    row = plan(db, plan_id)
    if row.trial_days > 0:
        raise Conflict("the trial plan cannot be retired: every new user starts on it", "plan_id")
    row.active = False
    return row


def packs(db: Session) -> list[CreditPack]:
    return list(db.scalars(select(CreditPack).where(CreditPack.active).order_by(CreditPack.price)))


def pack(db: Session, pack_id: str) -> CreditPack:
    found = db.get(CreditPack, pack_id)
    if found is None or not found.active:
        raise NotFound("no credit pack %(pack_id)s", field="pack_id", params={"pack_id": pack_id})
    return found


def next_month(moment: datetime) -> datetime:
    """The same day and time a calendar month later (the 31st → the month's last day)."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month)
