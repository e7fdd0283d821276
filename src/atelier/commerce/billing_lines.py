"""What billing's own invoice lines deliver when paid:

- pack: its credits;
- subscription: the plan's period starts, changes or renews, with its monthly credits
  (a negative line, credit for unused time on the old plan, needs nothing more);
- overage: the overage credits it billed are cleared.

and what a refund takes back: the credits still unspent of those the line granted (credits
already used stay used), the plan's period (it ends now), the overage it cleared (owed
again). Each movement is keyed by the invoice line, so paying or refunding twice moves
once. Voiding an unpaid invoice frees nothing: these lines hold nothing before payment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from atelier.commerce import credits, ledger, plans
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.ledger import CREDITS, Leg
from atelier.commerce.models import Invoice, InvoiceLine, Plan, Subscription
from atelier.errors import NotFound
from atelier.store.models import utcnow


def line_key(invoice: Invoice, line: InvoiceLine) -> str:
    return f"invoice:{invoice.id}:line:{line.position}"


def _take_back_credits(s: Session, invoice: Invoice, line: InvoiceLine) -> None:
    """Return to the studio what is left of the credits this line granted."""
    granted = ledger.find(s, line_key(invoice, line))
    if granted is None:
        return
    user = invoice.user_id
    ledger.lock_user(s, user)
    amount = sum(e.amount for e in granted.entries if e.account == credits.credits_account(user))
    back = min(amount, max(0, credits.balance(s, user)))
    if back <= 0:
        return
    unspent = f"{credits.said(back)} of {credits.said(amount)} credits unspent"
    ledger.post(
        s,
        f"{line_key(invoice, line)}:refund",
        "credits.refund",
        [Leg(credits.credits_account(user), CREDITS, -back), Leg(credits.GRANTS, CREDITS, back)],
        memo=f"{line.description}, {invoice.number} refunded: {unspent}",
        user_id=user,
        ref=f"invoice:{invoice.id}",
    )


class Pack:
    """ref `pack:<id>:<credits>`: the credits are frozen when the invoice is opened."""

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        _, pack_id, amount = (line.ref or "").split(":")
        credits.grant(
            s,
            invoice.user_id,
            int(amount) * line.quantity * credits.UNIT,
            line_key(invoice, line),
            f"{line.description}, {invoice.number}",
            ref=f"pack:{pack_id}",
        )

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        return None

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        _take_back_credits(s, invoice, line)


class Period:
    """ref `subscription:<subscription id>:<plan id>:<start|upgrade|renew-…|credit>`."""

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        _, sub_id, plan_id, mode = (line.ref or "").split(":", 3)
        if mode == "credit":
            return
        sub = s.get(Subscription, sub_id)
        plan = s.get(Plan, plan_id)
        if sub is None or plan is None:
            raise NotFound(
                "invoice %(number)s names a missing subscription or plan",
                "ref",
                params={"number": invoice.number},
            )
        paid = invoice.paid_at
        assert paid is not None
        start = _period_start(sub, mode, paid)
        sub.plan_id, sub.status = plan.id, "active"
        sub.period_start, sub.period_end = start, plans.next_month(start)
        sub.next_plan_id, sub.cancel_at_period_end = None, False
        credits.grant(
            s,
            invoice.user_id,
            plan.monthly_credits * line.quantity * credits.UNIT,
            line_key(invoice, line),
            f"{plan.name} plan credits, {start:%Y-%m-%d} to {sub.period_end:%Y-%m-%d}",
            ref=f"plan:{plan.id}",
        )

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        return None

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """The period this line paid for ends now (if it is still the current one)."""
        _, sub_id, plan_id, mode = (line.ref or "").split(":", 3)
        if mode == "credit":
            return
        sub = s.get(Subscription, sub_id)
        now = utcnow()
        if (
            sub is not None
            and sub.status == "active"
            and sub.plan_id == plan_id
            and sub.period_end is not None
            and sub.period_end > now
        ):
            sub.status, sub.period_end = "ended", now
        _take_back_credits(s, invoice, line)


def _period_start(sub: Subscription, mode: str, paid: datetime) -> datetime:
    """A renewal continues where the last period ended (or from payment, if that is a
    whole period late); a new or upgraded subscription starts when paid."""
    late = sub.period_end is None or plans.next_month(sub.period_end) <= paid
    if mode.startswith("renew") and not late:
        assert sub.period_end is not None
        return sub.period_end
    return paid


class Overage:
    """Paid overage clears the whole credits it billed (a fraction of a credit owed is
    billed with the next)."""

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        ledger.post(
            s,
            line_key(invoice, line),
            "credits.overage_paid",
            [
                Leg(credits.overage_account(invoice.user_id), CREDITS, cleared(line)),
                Leg(credits.GRANTS, CREDITS, -cleared(line)),
            ],
            memo=f"{line.description}, {invoice.number}",
            user_id=invoice.user_id,
            ref=f"invoice:{invoice.id}",
        )

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        return None

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """The overage this line cleared is owed again."""
        ledger.post(
            s,
            f"{line_key(invoice, line)}:refund",
            "credits.overage_refunded",
            [
                Leg(credits.overage_account(invoice.user_id), CREDITS, -cleared(line)),
                Leg(credits.GRANTS, CREDITS, cleared(line)),
            ],
            memo=f"{line.description}, {invoice.number} refunded",
            user_id=invoice.user_id,
            ref=f"invoice:{invoice.id}",
        )


def cleared(line: InvoiceLine) -> int:
    """The ledger units an overage line clears: its whole credits."""
    return line.quantity * credits.UNIT


def register(kinds: Fulfilment) -> None:
    kinds.register("pack", Pack())
    kinds.register("subscription", Period())
    kinds.register("overage", Overage())
