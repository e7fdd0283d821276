"""Subscriptions: subscribe, upgrade (now, pro-rated), downgrade and cancel (at the
period's end), and renewal. Whatever costs money opens an invoice; the plan changes
when it is paid (commerce/fulfilment.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.commerce import credits, invoices, ledger, plans
from atelier.commerce.invoices import Line
from atelier.commerce.ledger import CREDITS
from atelier.commerce.models import Invoice, Plan, Subscription
from atelier.errors import Conflict, Invalid, Word
from atelier.store.models import utcnow

ACTIONS = ("subscribe", "upgrade", "downgrade", "cancel", "resume")


def prorated_credit(price: int, start: datetime, end: datetime, now: datetime) -> int:
    """The unused part of a period's price, in minor units: price × unused seconds /
    period seconds, rounded half up to the cent."""
    total = int((end - start).total_seconds())
    unused = max(0, min(total, int((end - now).total_seconds())))
    if total <= 0:
        return 0
    return (2 * price * unused + total) // (2 * total)


def _paid_plan(db: Session, plan_id: str | None) -> Plan:
    if not plan_id:
        raise Invalid("name the plan", field="plan_id")
    plan = plans.plan(db, plan_id)
    if not plan.active:
        raise Invalid(
            "plan %(name)s is no longer offered", field="plan_id", params={"name": Word(plan.name)}
        )
    if plan.trial_days > 0:
        raise Invalid("the trial is not a subscription; choose a paid plan", field="plan_id")
    return plan


def change(
    db: Session, user_id: str, action: str, plan_id: str | None, currency: str, key: str | None
) -> tuple[Subscription | None, Invoice | None]:
    """Apply one subscription action; returns the subscription and any invoice opened.
    Call with the user locked."""
    if action not in ACTIONS:
        raise Invalid(
            "action must be one of %(choices)s",
            field="action",
            params={"choices": ", ".join(ACTIONS)},
        )
    now = utcnow()
    sub = plans.subscription(db, user_id)
    live = plans.running(sub, now)
    key = key or invoices.fresh_key()
    if action == "subscribe":
        plan = _paid_plan(db, plan_id)
        if live:
            raise Conflict("you have a plan already; upgrade or downgrade it", field="action")
        if sub is None:
            sub = Subscription(user_id=user_id, plan_id=plan.id, status="pending")
            db.add(sub)
            db.flush()
        elif sub.status != "active":
            sub.plan_id, sub.status = plan.id, "pending"
        line = Line(
            "subscription",
            f"{plan.name} plan, one month",
            1,
            plan.price,
            f"subscription:{sub.id}:{plan.id}:start",
        )
        invoice = invoices.open_invoice(db, user_id, [line], f"subscribe:{user_id}:{key}", currency)
        return sub, invoice
    if not live or sub is None:
        raise Conflict(
            "there is no running subscription to %(action)s",
            field="action",
            params={"action": action},
        )
    current = plans.plan(db, sub.plan_id)
    if action == "upgrade":
        plan = _paid_plan(db, plan_id)
        if plan.price <= current.price:
            raise Invalid(
                "%(name)s does not cost more than %(name2)s; downgrade instead",
                field="plan_id",
                params={"name": Word(plan.name), "name2": Word(current.name)},
            )
        assert sub.period_start is not None and sub.period_end is not None
        credit = prorated_credit(current.price, sub.period_start, sub.period_end, now)
        days_left = (sub.period_end - now).days
        days = (sub.period_end - sub.period_start).days
        lines = [
            Line(
                "subscription",
                f"{plan.name} plan, one month from the upgrade",
                1,
                plan.price,
                f"subscription:{sub.id}:{plan.id}:upgrade",
            ),
            Line(
                "subscription",
                f"Unused time on the {current.name} plan ({days_left} of {days} days)",
                1,
                -credit,
                f"subscription:{sub.id}:{current.id}:credit",
            ),
        ]
        invoice = invoices.open_invoice(db, user_id, lines, f"upgrade:{user_id}:{key}", currency)
        return sub, invoice
    if action == "downgrade":
        plan = _paid_plan(db, plan_id)
        if plan.price >= current.price:
            raise Invalid(
                "%(name)s does not cost less than %(name2)s; upgrade instead",
                field="plan_id",
                params={"name": Word(plan.name), "name2": Word(current.name)},
            )
        sub.next_plan_id, sub.cancel_at_period_end = plan.id, False
    elif action == "cancel":
        sub.cancel_at_period_end, sub.next_plan_id = True, None
    else:  # resume
        sub.cancel_at_period_end, sub.next_plan_id = False, None
    return sub, None


def renew_due(db: Session, now: datetime, currency: str) -> list[Invoice]:
    """For every subscription whose period has ended: end it if cancelled, else open the
    next period's invoice (the downgraded plan if one was chosen), with a line for any
    overage credits owed. Safe to run any number of times (keyed by the period)."""
    opened = []
    due = db.scalars(
        select(Subscription)
        .where(Subscription.status == "active", Subscription.period_end <= now)
        .with_for_update(skip_locked=True)
    )
    for sub in list(due):
        assert sub.period_end is not None
        if sub.cancel_at_period_end:
            sub.status = "ended"
            continue
        stamp = f"{sub.period_end:%Y%m%dT%H%M%S}"
        key = f"renew:{sub.id}:{stamp}"
        earlier = db.scalar(select(Invoice).where(Invoice.key == key))
        if earlier is not None:
            opened.append(earlier)
            continue
        current = plans.plan(db, sub.plan_id)
        plan = plans.plan(db, sub.next_plan_id or sub.plan_id)
        lines = [
            Line(
                "subscription",
                f"{plan.name} plan, {sub.period_end:%Y-%m-%d} to "
                f"{plans.next_month(sub.period_end):%Y-%m-%d}",
                1,
                plan.price,
                f"subscription:{sub.id}:{plan.id}:renew-{stamp}",
            )
        ]
        owed = -ledger.balance(db, credits.overage_account(sub.user_id), CREDITS) // credits.UNIT
        if owed > 0 and current.overage:  # whole credits; a fraction waits for the next
            lines.append(
                Line(
                    "overage",
                    f"Overage: {owed:,} credits beyond the {current.name} plan's",
                    owed,
                    current.overage_price,
                    f"overage:{sub.user_id}",
                )
            )
        opened.append(invoices.open_invoice(db, sub.user_id, lines, key, currency))
    return opened
