"""Credits for jobs: the trial grant, reserve at submit, settle at finish, release or
refund. Each movement is one ledger transaction keyed by its job, so a retried call
never moves credits twice; the user is locked first, so concurrent spends never
overdraw.

A job is settled on its compute (`Compute`): the CPU seconds its run took, divided by the
cores its engine keeps busy, where they can be read for the job alone (a worker process
runs one job at a time); else its wall-clock seconds. CPU seconds do not grow when other
work shares the machine, as wall-clock seconds do, so the same job costs the same
whoever else is busy; on an idle machine the two are about equal (docs/commerce.md).
The time an engine spent drawing again a draft that missed its own checks is taken off
(engines/checks.py): the user pays for the drafts asked for, not for the engine's misses.
The ledger counts credits in hundredths (`UNIT`), as it counts money in cents: costs and
holds are rounded to the nearest hundredth, at least `MIN_CHARGE`. With whole credits a job
of a credit or two came out one credit against two when its estimate and its cost were a
few tenths of a second apart, 100 % off for a 30 % miss; plans, packs and quotes are still
set in whole credits, and every door shows credits, never ledger units (`in_credits`).

Admins are unmetered: no credits move for their jobs."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from atelier.accounts.authz import ADMIN
from atelier.commerce import ledger, plans
from atelier.commerce.ledger import CREDITS, Leg, user_account
from atelier.commerce.models import LedgerEntry, LedgerTransaction
from atelier.errors import NotEnoughCredits, NotFound, credits_text
from atelier.store.models import Job, User, utcnow

UNIT = 100  # ledger units in one credit
MIN_CHARGE = 10  # ledger units (a tenth of a credit): the least a job costs, however fast it ran
GRANTS = "studio:grants"
USAGE = "studio:usage"


def credits_account(user_id: str) -> str:
    return user_account(user_id, "credits")


def held_account(user_id: str) -> str:
    return user_account(user_id, "held")


def overage_account(user_id: str) -> str:
    return user_account(user_id, "overage")


@dataclass(frozen=True)
class Compute:
    """What a job's run measured: its wall-clock `seconds` and, where they are the job's
    own, its `cpu_seconds` (every thread of the process that ran it), with the `cores` its
    engine keeps busy (1 for an engine that works on one core)."""

    seconds: float
    cpu_seconds: float | None = None
    cores: int = 1
    redraw_seconds: float = 0.0  # of `seconds`, those spent on redraws (not charged)
    redraw_cpu_seconds: float = 0.0  # of `cpu_seconds`, likewise

    @property
    def charged_seconds(self) -> float:
        """The seconds a job pays for: its CPU seconds per core, else its wall clock,
        without its redraws."""
        if self.cpu_seconds is None:
            return max(0.0, self.seconds - self.redraw_seconds)
        return max(0.0, self.cpu_seconds - self.redraw_cpu_seconds) / max(1, self.cores)

    def describe(self) -> str:
        """What was measured, as the ledger's memo says it: "12.40 CPU s ÷ 2 cores", or
        "3.10 CPU s", or "6.20 s of clock time" (where CPU time could not be read), with
        what its redraws took and were not charged: "3.10 CPU s less 1.20 of redraws"."""
        if self.cpu_seconds is None:
            measured, redraws = f"{self.seconds:.2f} s of clock time", self.redraw_seconds
        else:
            measured, redraws = f"{self.cpu_seconds:.2f} CPU s", self.redraw_cpu_seconds
        if redraws >= 0.005:
            measured += f" less {redraws:.2f} of redraws"
        if self.cpu_seconds is not None and self.cores > 1:
            measured += f" ÷ {self.cores} cores"
        return measured


def units(amount: float) -> int:
    """`amount` credits in ledger units: the nearest hundredth of a credit (a half rounds
    up), at least the minimum charge."""
    return max(MIN_CHARGE, math.floor(round(amount * UNIT, 6) + 0.5))


def in_credits(amount: int) -> float:
    """Ledger units as the credits a user reads (1.5 for 150)."""
    return amount / UNIT


def said(amount: int) -> str:
    """Ledger units as a memo says them: "1,234.5" for 123450."""
    return credits_text(in_credits(amount))


def job_cost(compute: Compute | float, credits_per_second: float) -> int:
    """Ledger units for a job's measured compute (a bare number: wall-clock seconds)."""
    if not isinstance(compute, Compute):
        compute = Compute(compute)
    return units(compute.charged_seconds * credits_per_second)


def reservation(estimate: float) -> int:
    """Ledger units held for an estimate of `estimate` credits."""
    return units(estimate)


def grant(
    db: Session, user_id: str, amount: int, key: str, memo: str, ref: str | None = None
) -> None:
    """Issue `amount` ledger units to a user (a trial, a pack, a plan's month)."""
    ledger.post(
        db,
        key,
        "credits.grant",
        [Leg(GRANTS, CREDITS, -amount), Leg(credits_account(user_id), CREDITS, amount)],
        memo=memo,
        user_id=user_id,
        ref=ref,
    )


def used_by_jobs(db: Session, user_id: str) -> int:
    """Ledger units the user's jobs have consumed (settled, less refunds)."""
    total = db.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerEntry.account == USAGE, LedgerTransaction.user_id == user_id)
    )
    return int(total or 0)


def ensure_trial(db: Session, user_id: str, now: datetime | None = None) -> bool:
    """Grant the trial's credits the first time a user's balance is needed, and expire
    what is left of them once the trial is over. Credits a user bought stay: jobs are
    taken to spend trial credits first. Locks the user (in the read of their role and
    age); False for an admin, who is unmetered."""
    user = db.execute(
        select(User.role, User.created_at)
        .where(User.id == user_id)
        .with_for_update(key_share=True)  # as ledger.lock_user
    ).one_or_none()
    if user is None:
        raise NotFound("no user %(user_id)s", field="user_id", params={"user_id": user_id})
    if user.role == ADMIN:
        return False
    trial = plans.trial_plan(db)
    key, expire_key = f"trial:{user_id}", f"trial:{user_id}:expire"
    ended = (now or utcnow()) >= user.created_at + timedelta(days=trial.trial_days)
    done = set(
        db.scalars(
            select(LedgerTransaction.key).where(
                LedgerTransaction.key.in_([key, expire_key] if ended else [key])
            )
        )
    )
    if key not in done:
        grant(
            db,
            user_id,
            trial.monthly_credits * UNIT,
            key,
            f"{trial.name} credits",
            ref=f"plan:{trial.id}",
        )
    if not ended or expire_key in done:
        return True
    granted = -sum(
        e.amount
        for e in (ledger.find(db, key) or LedgerTransaction()).entries
        if e.account == GRANTS
    )
    left = min(balance(db, user_id), max(0, granted - used_by_jobs(db, user_id)))
    ledger.post(
        db,
        expire_key,
        "credits.expire",
        [Leg(credits_account(user_id), CREDITS, -left), Leg(GRANTS, CREDITS, left)],
        memo=f"{trial.name} credits expired",
        user_id=user_id,
    )
    return True


def balance(db: Session, user_id: str) -> int:
    """The user's spendable credits, in ledger units."""
    return ledger.balance(db, credits_account(user_id), CREDITS)


def spendable(db: Session, user_id: str) -> int:
    ensure_trial(db, user_id)
    return balance(db, user_id)


def _movements(db: Session, job: Job) -> dict[str, LedgerTransaction]:
    """The job's ledger transactions by step (reserve, settle, release, refund): one query,
    and one for their entries."""
    keys = {f"job:{job.id}:{step}": step for step in ("reserve", "settle", "release", "refund")}
    found = db.scalars(select(LedgerTransaction).where(LedgerTransaction.key.in_(keys)))
    return {keys[transaction.key]: transaction for transaction in found}


def _held(job: Job, reserve: LedgerTransaction) -> int:
    return sum(e.amount for e in reserve.entries if e.account == held_account(job.owner_id))


def reserve(db: Session, job: Job, what: str = "") -> None:
    """Hold the job's estimate; 402 when the balance does not cover it. `what`: what the
    estimate is for ("for 4 variants"), named in the refusal and the hold's memo."""
    if not ensure_trial(db, job.owner_id) or ledger.find(db, f"job:{job.id}:reserve"):
        return
    amount = reservation(job.cost_estimate)
    have = balance(db, job.owner_id)
    if have < amount:
        raise NotEnoughCredits(in_credits(amount), in_credits(have), what)
    ledger.post(
        db,
        f"job:{job.id}:reserve",
        "job.reserve",
        [
            Leg(credits_account(job.owner_id), CREDITS, -amount),
            Leg(held_account(job.owner_id), CREDITS, amount),
        ],
        memo=f"{job.engine} (estimate{' ' + what if what else ''})",
        user_id=job.owner_id,
        job_id=job.id,
    )


def settle(db: Session, job: Job, compute: Compute | float, credits_per_second: float) -> None:
    """Charge the measured cost (a bare number: wall-clock seconds) and return the rest of
    the reservation; the memo says what was measured, and the job keeps the seconds its own
    CPU time charged (studio/calibration.py learns the machine's speed from them; a job
    settled by the clock, its worker loading models or shared, says more of the moment). A
    job that cost more than reserved is charged only the reservation, unless the plan has
    overage: then the extra comes from the balance and, past it, is owed (billed monthly).
    Call with the owner locked (`ledger.lock_user`), as spine.finish does first."""
    if not isinstance(compute, Compute):
        compute = Compute(compute)
    if job.charged_seconds is None and compute.cpu_seconds is not None:  # the first measure
        job.charged_seconds = round(compute.charged_seconds, 3)  # an admin's job too
    moved = _movements(db, job)
    if "reserve" not in moved or "release" in moved or "settle" in moved:
        return
    reserved = _held(job, moved["reserve"])
    key = f"job:{job.id}:settle"
    user = job.owner_id
    cost = job_cost(compute, credits_per_second)
    legs = [Leg(held_account(user), CREDITS, -reserved)]
    if cost <= reserved or not plans.current_plan(db, user).overage:
        charged = min(cost, reserved)
        legs.append(Leg(credits_account(user), CREDITS, reserved - charged))
    else:
        charged = cost
        extra = cost - reserved
        from_balance = min(extra, balance(db, user))
        legs += [
            Leg(credits_account(user), CREDITS, -from_balance),
            Leg(overage_account(user), CREDITS, -(extra - from_balance)),
        ]
    legs.append(Leg(USAGE, CREDITS, charged))
    ledger.post(
        db,
        key,
        "job.settle",
        legs,
        memo=f"{job.engine}: {compute.describe()} × {credits_per_second:g} credits/s",
        user_id=user,
        job_id=job.id,
    )


def release(db: Session, job: Job) -> None:
    """Give back a failed or cancelled job's reservation; for a job already settled
    (its work rejected in review), refund what it was charged."""
    moved = _movements(db, job)
    if "reserve" not in moved:
        return
    reserve_, settled = moved["reserve"], moved.get("settle")
    if settled is None:
        reserved = _held(job, reserve_)
        legs = [
            Leg(held_account(job.owner_id), CREDITS, -reserved),
            Leg(credits_account(job.owner_id), CREDITS, reserved),
        ]
        ledger.post(
            db,
            f"job:{job.id}:release",
            "job.release",
            legs,
            memo=f"{job.engine} released",
            user_id=job.owner_id,
            job_id=job.id,
        )
        return
    net: dict[str, int] = defaultdict(int)
    for entry in [*reserve_.entries, *settled.entries]:
        net[entry.account] += entry.amount
    legs = [Leg(account, CREDITS, -amount) for account, amount in net.items() if amount]
    ledger.post(
        db,
        f"job:{job.id}:refund",
        "job.refund",
        legs,
        memo=f"{job.engine} refunded",
        user_id=job.owner_id,
        job_id=job.id,
    )
