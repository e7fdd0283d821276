"""The ledger: append-only, double-entry books for credits and money.

Every movement is one transaction whose legs sum to zero per currency; a balance is the
sum of an account's entries, never a stored counter. Amounts are integers: money in its
minor units, credits in hundredths (`credits.UNIT`). Every write carries a key: posting
the same key again returns the first transaction, so a retried request or a replayed
webhook never moves anything twice.

Accounts: `user:<id>:credits` (spendable), `user:<id>:held` (reserved for jobs),
`user:<id>:overage` (credits used beyond the balance, owed), `user:<id>:earnings`
(money owed to a creator), `studio:grants`, `studio:usage`, `studio:revenue:<kind>`,
`external:payments`, `external:payouts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.commerce import replay
from atelier.commerce.models import LedgerEntry, LedgerTransaction
from atelier.errors import Conflict
from atelier.store import paging
from atelier.store.models import User

CREDITS = "credits"  # counted in hundredths of a credit
MAX_AMOUNT = 10**15


@dataclass(frozen=True)
class Leg:
    account: str  # "user:<user_id>:<name>", "studio:<name>" or "external:<name>"
    currency: str  # "credits" or the money currency, e.g. "EUR"
    amount: int  # signed; a transaction's legs sum to zero per currency


def user_account(user_id: str, name: str) -> str:
    return f"user:{user_id}:{name}"


def _normalised(legs: Sequence[Leg]) -> list[Leg]:
    """Legs merged per (account, currency), zeros dropped, in a stable order."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for leg in legs:
        if not isinstance(leg.amount, int) or abs(leg.amount) > MAX_AMOUNT:
            raise ValueError(f"leg amount {leg.amount!r} must be an integer up to {MAX_AMOUNT}")
        sums[(leg.account, leg.currency)] += leg.amount
    return [Leg(a, c, n) for (a, c), n in sorted(sums.items()) if n != 0]


def _check_balanced(legs: Sequence[Leg]) -> None:
    per_currency: dict[str, int] = defaultdict(int)
    for leg in legs:
        per_currency[leg.currency] += leg.amount
    unbalanced = {c: n for c, n in per_currency.items() if n != 0}
    if unbalanced:
        raise ValueError(f"legs do not sum to zero: {unbalanced}")


def _legs_of(transaction: LedgerTransaction) -> list[Leg]:
    return [Leg(e.account, e.currency, e.amount) for e in transaction.entries]


def find(db: Session, key: str) -> LedgerTransaction | None:
    return db.scalar(select(LedgerTransaction).where(LedgerTransaction.key == key))


def post(
    db: Session,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    *,
    memo: str = "",
    user_id: str | None = None,
    job_id: str | None = None,
    ref: str | None = None,
) -> LedgerTransaction:
    """Record one balanced transaction, once per key.

    The same key with the same legs returns the first transaction; with other legs it
    is a Conflict. A concurrent post of the same key waits for the first (the unique
    key), then returns it."""
    if not 1 <= len(key) <= 200:
        raise ValueError("a ledger key must be 1 to 200 characters")
    clean = _normalised(legs)
    _check_balanced(clean)

    def make() -> LedgerTransaction:
        transaction = LedgerTransaction(
            key=key, kind=kind, memo=memo[:2000], user_id=user_id, job_id=job_id, ref=ref
        )
        transaction.entries = [
            LedgerEntry(position=i, account=leg.account, currency=leg.currency, amount=leg.amount)
            for i, leg in enumerate(clean)
        ]
        db.add(transaction)
        return transaction

    transaction, _ = replay.once(
        db,
        lambda: find(db, key),
        make,
        lambda earlier: _legs_of(earlier) == clean,
        Conflict(
            "ledger key %(key)s was used for another movement",
            field="key",
            params={"key": repr(key)},
        ),
    )
    return transaction


def balance(db: Session, account: str, currency: str) -> int:
    total = db.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.account == account, LedgerEntry.currency == currency
        )
    )
    return int(total or 0)


def lock_user(db: Session, user_id: str) -> None:
    """Serialise spending by one user: the users row is locked FOR NO KEY UPDATE on
    PostgreSQL until the transaction ends (not FOR UPDATE: that also blocks the key-share
    lock a new row referencing the user takes, and a progress event holding the user's
    event stream while it inserts deadlocked with a finish; tests/test_locks_postgres.py);
    SQLite transactions hold the write lock from BEGIN."""
    db.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def history(
    db: Session,
    account: str,
    currency: str,
    limit: int = 50,
    offset: int = 0,
    after: paging.After | None = None,
) -> list[tuple[LedgerTransaction, int]]:
    """An account's transactions, newest first, each with the amount it moved there."""
    query = (
        select(LedgerTransaction, LedgerEntry.amount)
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerEntry.account == account, LedgerEntry.currency == currency)
    )
    rows = db.execute(
        paging.page(query, LedgerTransaction.created_at, LedgerTransaction.id, limit, offset, after)
    )
    return [(t, int(amount)) for t, amount in rows]


def totals(db: Session, currency: str) -> dict[str, int]:
    """Every account's balance in one currency (the books; they sum to zero)."""
    rows = db.execute(
        select(LedgerEntry.account, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.currency == currency)
        .group_by(LedgerEntry.account)
    )
    return {account: int(total) for account, total in rows}
