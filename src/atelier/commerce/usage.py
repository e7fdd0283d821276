"""Usage (per user, per engine, per period) and the studio's revenue, both read from the
jobs and the ledger: the figures shown are sums of ledger entries, so they agree with it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.commerce.credits import USAGE, in_credits
from atelier.commerce.ledger import CREDITS
from atelier.commerce.models import Invoice, InvoiceLine, LedgerEntry, LedgerTransaction
from atelier.errors import Invalid
from atelier.store.models import Job, User, utcnow

REVENUE_PREFIX = "studio:revenue:"
COMMISSION = "studio:revenue:commission"
MAX_DAYS = 366 * 3


@dataclass(frozen=True)
class UsageRow:
    engine: str
    jobs: int
    seconds: float
    credits: float


@dataclass
class Revenue:
    currency: str
    since: datetime
    until: datetime
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # subscriptions, packs, …
    by_plan: dict[str, int] = field(default_factory=dict)
    by_creator: dict[str, int] = field(default_factory=dict)  # e-mail → commission
    by_day: dict[date, int] = field(default_factory=dict)
    credits_by_engine: dict[str, float] = field(default_factory=dict)


def period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    """Default: this calendar month (UTC)."""
    now = utcnow()
    start = since or now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = until or (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if end <= start:
        raise Invalid("until must be after since", field="until")
    if (end - start).days > MAX_DAYS:
        raise Invalid(
            "a period is at most %(MAX_DAYS)s days", field="until", params={"MAX_DAYS": MAX_DAYS}
        )
    return start, end


def by_engine(db: Session, user_id: str, since: datetime, until: datetime) -> list[UsageRow]:
    """Jobs and compute seconds from the jobs table, credits (ledger units) from the ledger."""
    rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    jobs = db.execute(
        select(Job.engine, Job.started_at, Job.finished_at).where(
            Job.owner_id == user_id,
            Job.status == "succeeded",
            Job.finished_at >= since,
            Job.finished_at < until,
        )
    )
    for engine, started, finished in jobs:
        rows[engine][0] += 1
        if started is not None and finished is not None:
            rows[engine][1] += (finished - started).total_seconds()
    charged = db.execute(
        select(Job.engine, func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(Job, Job.id == LedgerTransaction.job_id)
        .where(
            LedgerEntry.account == USAGE,
            LedgerEntry.currency == CREDITS,
            LedgerTransaction.user_id == user_id,
            LedgerTransaction.created_at >= since,
            LedgerTransaction.created_at < until,
        )
        .group_by(Job.engine)
    )
    for engine, amount in charged:
        rows[engine][2] += int(amount)
    return [
        UsageRow(engine, int(jobs_), round(seconds, 2), in_credits(int(used)))
        for engine, (jobs_, seconds, used) in sorted(rows.items())
    ]


def revenue(db: Session, currency: str, since: datetime, until: datetime) -> Revenue:
    """Money the studio earned in the period, by kind, plan, creator (the marketplace's
    commission) and day; and credits consumed per engine."""
    report = Revenue(currency, since, until)
    in_period = (LedgerTransaction.created_at >= since, LedgerTransaction.created_at < until)
    entries = db.execute(
        select(
            LedgerTransaction.id,
            LedgerTransaction.created_at,
            LedgerEntry.account,
            LedgerEntry.amount,
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerEntry.account.startswith(REVENUE_PREFIX),
            LedgerEntry.currency == currency,
            *in_period,
        )
    ).all()
    by_kind: dict[str, int] = defaultdict(int)
    by_day: dict[date, int] = defaultdict(int)
    commission_txs: dict[str, int] = defaultdict(int)
    for tx_id, created, account, amount in entries:
        by_kind[account.removeprefix(REVENUE_PREFIX)] += amount
        by_day[created.date()] += amount
        if account == COMMISSION:
            commission_txs[tx_id] += amount
    report.by_kind, report.by_day = dict(by_kind), dict(sorted(by_day.items()))
    report.total = sum(by_kind.values())
    report.by_plan = _by_plan(db, currency, since, until)
    report.by_creator = _by_creator(db, currency, commission_txs)
    used = db.execute(
        select(Job.engine, func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .join(Job, Job.id == LedgerTransaction.job_id)
        .where(LedgerEntry.account == USAGE, LedgerEntry.currency == CREDITS, *in_period)
        .group_by(Job.engine)
    )
    report.credits_by_engine = {engine: in_credits(int(amount)) for engine, amount in used}
    return report


def _by_plan(db: Session, currency: str, since: datetime, until: datetime) -> dict[str, int]:
    """Subscription money by plan: each paid subscription line's amount, by the plan its
    ref names (a credit for unused time counts against the old plan)."""
    lines = db.execute(
        select(InvoiceLine.ref, InvoiceLine.amount)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.status == "paid",
            Invoice.currency == currency,
            InvoiceLine.kind == "subscription",
            Invoice.paid_at >= since,
            Invoice.paid_at < until,
        )
    )
    totals: dict[str, int] = defaultdict(int)
    for ref, amount in lines:
        totals[(ref or "::unknown").split(":")[2]] += int(amount)
    return dict(totals)


def _by_creator(db: Session, currency: str, commission_txs: dict[str, int]) -> dict[str, int]:
    """Commission by the creator whose earnings the same sale credited."""
    if not commission_txs:
        return {}
    earners = db.execute(
        select(LedgerEntry.transaction_id, LedgerEntry.account).where(
            LedgerEntry.transaction_id.in_(list(commission_txs)),
            LedgerEntry.currency == currency,
            LedgerEntry.account.like("user:%:earnings"),
        )
    ).all()
    creator_of = {tx: account.split(":")[1] for tx, account in earners}
    rows = db.execute(select(User.id, User.email).where(User.id.in_(set(creator_of.values()))))
    emails = {user_id: email for user_id, email in rows}
    totals: dict[str, int] = defaultdict(int)
    for tx, amount in commission_txs.items():
        creator = creator_of.get(tx)
        totals[emails.get(creator, creator) if creator else "(no creator)"] += amount
    return dict(totals)
