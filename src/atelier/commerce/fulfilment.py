"""What paying (or voiding) an invoice does for each of its lines, by the line's kind:

- pack: grant its credits;
- subscription: start, change or renew the plan's period and grant its monthly credits
  (a negative line, credit for unused time on the old plan, needs nothing more);
- overage: clear the overage credits it billed;
- licence: the marketplace issues the licence (`market.fulfil_licence`).

Each movement is keyed by the invoice line, so paying twice fulfils once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from atelier.commerce import credits, ledger, plans
from atelier.commerce.ledger import CREDITS, Leg
from atelier.commerce.models import Invoice, InvoiceLine, Plan, Subscription
from atelier.errors import NotFound


def _key(invoice: Invoice, line: InvoiceLine) -> str:
    return f"invoice:{invoice.id}:line:{line.position}"


def fulfil(db: Session, invoice: Invoice, line: InvoiceLine) -> None:
    if line.kind == "pack":
        _pack(db, invoice, line)
    elif line.kind == "subscription":
        _subscription(db, invoice, line)
    elif line.kind == "overage":
        _overage(db, invoice, line)
    elif line.kind == "licence":
        from atelier.commerce import market  # the marketplace's part (commerce/market.py)

        market.fulfil_licence(db, invoice, line)


def withdraw(db: Session, invoice: Invoice, line: InvoiceLine) -> None:
    """An unpaid invoice was voided: only a licence line holds anything (its order)."""
    if line.kind == "licence":
        from atelier.commerce import market

        market.release_order(db, line)


def _pack(db: Session, invoice: Invoice, line: InvoiceLine) -> None:
    """ref `pack:<id>:<credits>`: the credits are frozen when the invoice is opened."""
    _, pack_id, amount = (line.ref or "").split(":")
    credits.grant(
        db,
        invoice.user_id,
        int(amount) * line.quantity,
        _key(invoice, line),
        f"{line.description}, {invoice.number}",
        ref=f"pack:{pack_id}",
    )


def _subscription(db: Session, invoice: Invoice, line: InvoiceLine) -> None:
    """ref `subscription:<subscription id>:<plan id>:<start|upgrade|renew|credit>`."""
    _, sub_id, plan_id, mode = (line.ref or "").split(":", 3)
    if mode == "credit":
        return
    sub = db.get(Subscription, sub_id)
    plan = db.get(Plan, plan_id)
    if sub is None or plan is None:
        raise NotFound(f"invoice {invoice.number} names a missing subscription or plan", "ref")
    paid = invoice.paid_at
    assert paid is not None
    start = _period_start(sub, mode, paid)
    sub.plan_id, sub.status = plan.id, "active"
    sub.period_start, sub.period_end = start, plans.next_month(start)
    sub.next_plan_id, sub.cancel_at_period_end = None, False
    credits.grant(
        db,
        invoice.user_id,
        plan.monthly_credits * line.quantity,
        _key(invoice, line),
        f"{plan.name} plan credits, {start:%Y-%m-%d} to {sub.period_end:%Y-%m-%d}",
        ref=f"plan:{plan.id}",
    )


def _period_start(sub: Subscription, mode: str, paid: datetime) -> datetime:
    """A renewal continues where the last period ended (or from payment, if that is a
    whole period late); a new or upgraded subscription starts when paid."""
    late = sub.period_end is None or plans.next_month(sub.period_end) <= paid
    if mode.startswith("renew") and not late:
        assert sub.period_end is not None
        return sub.period_end
    return paid


def _overage(db: Session, invoice: Invoice, line: InvoiceLine) -> None:
    """Paid overage clears that many credits the user owed."""
    owed = credits.overage_account(invoice.user_id)
    ledger.post(
        db,
        _key(invoice, line),
        "credits.overage_paid",
        [Leg(owed, CREDITS, line.quantity), Leg(credits.GRANTS, CREDITS, -line.quantity)],
        memo=f"{line.description}, {invoice.number}",
        user_id=invoice.user_id,
        ref=f"invoice:{invoice.id}",
    )
