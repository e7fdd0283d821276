"""Creators' earnings: payout requests, payouts an admin marks paid, and statements.

A statement is read from the ledger itself (every transaction that moved the creator's
earnings account), so its totals equal the books to the cent by construction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.commerce import ledger, money
from atelier.commerce.ledger import Leg
from atelier.commerce.market_models import Payout
from atelier.commerce.models import LedgerEntry, LedgerTransaction
from atelier.errors import Conflict, Invalid, NotFound, Word
from atelier.store import outbox, paging
from atelier.store.models import utcnow

SALE, REFUND, PAYOUT = "licence.sale", "licence.refund", "payout"
LINE_KINDS = {SALE: "sale", REFUND: "refund", PAYOUT: "payout"}


def earnings_account(user_id: str) -> str:
    return ledger.user_account(user_id, "earnings")


def requested(s: Session, user_id: str, currency: str) -> int:
    """Money already asked for and not paid yet."""
    total = s.scalar(
        select(func.coalesce(func.sum(Payout.amount), 0)).where(
            Payout.user_id == user_id, Payout.currency == currency, Payout.status == "requested"
        )
    )
    return int(total or 0)


def available(s: Session, user_id: str, currency: str) -> int:
    """Earnings a creator may still ask to be paid."""
    return ledger.balance(s, earnings_account(user_id), currency) - requested(s, user_id, currency)


def request(s: Session, user_id: str, amount: int, currency: str, minimum: int) -> Payout:
    """Ask for `amount` of the creator's available earnings (at least `minimum`)."""
    ledger.lock_user(s, user_id)  # two requests at once never ask for the same money
    free = available(s, user_id, currency)
    if amount < minimum:
        raise Invalid(
            "a payout must be at least %(least)s (%(minimum)s in minor units)",
            params={"least": money.text(minimum, currency), "minimum": minimum},
            field="amount",
        )
    if amount > free:
        raise Invalid(
            "you can ask for at most %(most)s (%(free)s in minor units): your earnings not yet "
            "paid or requested",
            params={"most": money.text(free, currency), "free": free},
            field="amount",
        )
    payout = Payout(user_id=user_id, amount=amount, currency=currency, status="requested")
    s.add(payout)
    s.flush()
    outbox.record(s, user_id, "payout.requested", _told(payout))
    return payout


def mark_paid(s: Session, payout_id: str, admin_id: str, reference: str) -> Payout:
    """Record that the money went out: the creator's earnings fall by the amount."""
    payout = s.scalar(select(Payout).where(Payout.id == payout_id).with_for_update())
    if payout is None:
        raise NotFound(
            "no payout %(payout_id)s", field="payout_id", params={"payout_id": payout_id}
        )
    if payout.status != "requested":
        raise Conflict(
            "payout %(payout_id)s is already %(status)s",
            field="payout_id",
            params={"payout_id": payout_id, "status": Word(payout.status)},
        )
    ledger.post(
        s,
        f"payout:{payout.id}",
        PAYOUT,
        [
            Leg(earnings_account(payout.user_id), payout.currency, -payout.amount),
            Leg("external:payouts", payout.currency, payout.amount),
        ],
        memo=f"payout {payout.id}" + (f" ({reference})" if reference else ""),
        user_id=payout.user_id,
        ref=payout.id,
    )
    payout.status, payout.paid_at, payout.paid_by = "paid", utcnow(), admin_id
    payout.reference = reference or None
    outbox.record(s, payout.user_id, "payout.paid", _told(payout))
    return payout


def _told(payout: Payout) -> dict[str, object]:
    """A payout as its creator's events show it."""
    return {
        "payout_id": payout.id,
        "amount": payout.amount,
        "currency": payout.currency,
        "status": payout.status,
        "reference": payout.reference,
    }


def listed(
    s: Session,
    status: str | None,
    user_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
    after: paging.After | None = None,
) -> list[Payout]:
    query = select(Payout)
    if status is not None:
        query = query.where(Payout.status == status)
    if user_id is not None:
        query = query.where(Payout.user_id == user_id)
    query = paging.page(query, Payout.requested_at, Payout.id, limit, offset, after)
    return list(s.scalars(query))


@dataclass(frozen=True)
class Line:
    """One movement of a creator's earnings: a sale (gross, the studio's commission,
    their share), a refunded sale (the same, negative) or a payout (a negative amount)."""

    at: datetime
    kind: str  # sale | refund | payout | other
    memo: str
    ref: str | None
    gross: int
    commission: int
    amount: int  # the change in earnings


@dataclass(frozen=True)
class Statement:
    user_id: str
    currency: str
    lines: list[Line] = field(default_factory=list)
    requested: int = 0

    def _sold(self) -> list[Line]:
        return [line for line in self.lines if line.kind in ("sale", "refund")]

    @property
    def sales(self) -> int:
        """Sales less refunds."""
        return sum(line.gross for line in self._sold())

    @property
    def commission(self) -> int:
        return sum(line.commission for line in self._sold())

    @property
    def earned(self) -> int:
        return sum(line.amount for line in self._sold())

    @property
    def paid_out(self) -> int:
        return -sum(line.amount for line in self.lines if line.kind == "payout")

    @property
    def balance(self) -> int:
        return sum(line.amount for line in self.lines)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["date", "kind", "memo", "ref", "gross", "commission", "amount"])
        for line in self.lines:
            writer.writerow(
                [
                    line.at.isoformat(timespec="seconds") + "Z",
                    line.kind,
                    line.memo,
                    line.ref or "",
                    line.gross,
                    line.commission,
                    line.amount,
                ]
            )
        writer.writerow(["", "total", "balance", "", self.sales, self.commission, self.balance])
        return out.getvalue()


def statement(s: Session, user_id: str, currency: str) -> Statement:
    """Every transaction that moved the creator's earnings, oldest first."""
    account = earnings_account(user_id)
    moves = s.execute(
        select(LedgerTransaction, LedgerEntry.amount)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerEntry.account == account, LedgerEntry.currency == currency)
        .order_by(LedgerTransaction.created_at, LedgerEntry.id)
    ).all()
    lines = []
    for transaction, amount in moves:
        legs = {e.account: e.amount for e in transaction.entries if e.currency == currency}
        sale = transaction.kind in (SALE, REFUND)
        lines.append(
            Line(
                at=transaction.created_at,
                kind=LINE_KINDS.get(transaction.kind, "other"),
                memo=transaction.memo,
                ref=transaction.ref,
                gross=-legs.get("external:payments", 0) if sale else 0,
                commission=legs.get("studio:revenue:commission", 0) if sale else 0,
                amount=int(amount),
            )
        )
    return Statement(user_id, currency, lines, requested(s, user_id, currency))
