"""Plans, credits, usage, invoices and payments as the API shows them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from atelier.commerce.models import CreditPack, Invoice, LedgerTransaction, Plan, Subscription
from atelier.commerce.payments import Checkout
from atelier.commerce.service import Account
from atelier.commerce.usage import Revenue, UsageRow
from atelier.web.schemas.common import Out, UtcTime


class PlanOut(Out):
    id: str
    name: str
    active: bool
    position: int
    monthly_credits: int
    price: int = Field(description="Minor units per month.")
    trial_days: int
    concurrency: int
    max_pixels: int
    max_seconds: int
    private_works: bool
    commercial_use: bool
    api_access: bool
    overage: bool
    overage_price: int
    custom_models: bool


class PackOut(Out):
    id: str
    name: str
    credits: int
    price: int


class SubscriptionOut(Out):
    id: str
    plan_id: str
    status: str
    period_start: UtcTime | None
    period_end: UtcTime | None
    next_plan_id: str | None
    cancel_at_period_end: bool


class InvoiceLineOut(Out):
    kind: str
    description: str
    quantity: int
    unit_amount: int
    amount: int
    ref: str | None


class InvoiceLinks(Out):
    html: str
    pdf: str


class CheckoutOut(Out):
    provider: str
    url: str | None = Field(description="Where to pay, when the provider hosts the payment.")
    instructions: str


class InvoiceOut(Out):
    id: str
    number: str
    status: Literal["open", "paid", "void", "refunded"]
    currency: str
    total: int
    issued_at: UtcTime
    paid_at: UtcTime | None
    provider: str | None
    lines: list[InvoiceLineOut]
    links: InvoiceLinks
    checkout: CheckoutOut | None = Field(
        None, description="How to pay it: in answers that open or pay an invoice."
    )


class CreditsOut(Out):
    """Credits to the hundredth: a job is charged its measured cost, 1.37 credits."""

    balance: float
    held: float
    owed: float


class AccountOut(Out):
    plan: PlanOut
    subscription: SubscriptionOut | None
    credits: CreditsOut
    trial_ends: UtcTime
    unmetered: bool


class SubscriptionChangeOut(Out):
    subscription: SubscriptionOut | None
    invoice: InvoiceOut | None


class MovementOut(Out):
    id: str
    at: UtcTime
    kind: str
    amount: float = Field(description="Credits, to the hundredth.")
    memo: str
    job_id: str | None


class CreditHistoryOut(CreditsOut):
    history: list[MovementOut] = Field(description="Newest first.")
    next: str | None = Field(description="The next page's URL, or null on the last page.")


class UsageRowOut(Out):
    engine: str
    jobs: int
    seconds: float
    credits: float


class UsageOut(Out):
    engines: list[UsageRowOut]
    credits: float


class RevenueOut(Out):
    currency: str
    since: UtcTime
    until: UtcTime
    total: int
    by_kind: dict[str, int]
    by_plan: dict[str, int]
    by_creator: dict[str, int]
    by_day: dict[date, int]
    credits_by_engine: dict[str, float]


class WebhookOut(Out):
    result: str


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        name=plan.name,
        active=plan.active,
        position=plan.position,
        monthly_credits=plan.monthly_credits,
        price=plan.price,
        trial_days=plan.trial_days,
        concurrency=plan.concurrency,
        max_pixels=plan.max_pixels,
        max_seconds=plan.max_seconds,
        private_works=plan.private_works,
        commercial_use=plan.commercial_use,
        api_access=plan.api_access,
        overage=plan.overage,
        overage_price=plan.overage_price,
        custom_models=plan.custom_models,
    )


def pack_out(pack: CreditPack) -> PackOut:
    return PackOut(id=pack.id, name=pack.name, credits=pack.credits, price=pack.price)


def subscription_out(sub: Subscription | None) -> SubscriptionOut | None:
    if sub is None:
        return None
    return SubscriptionOut(
        id=sub.id,
        plan_id=sub.plan_id,
        status=sub.status,
        period_start=sub.period_start,
        period_end=sub.period_end,
        next_plan_id=sub.next_plan_id,
        cancel_at_period_end=sub.cancel_at_period_end,
    )


def invoice_out(invoice: Invoice, checkout: Checkout | None = None) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.id,
        number=invoice.number,
        status=invoice.status,  # type: ignore[arg-type]
        currency=invoice.currency,
        total=invoice.total,
        issued_at=invoice.issued_at,
        paid_at=invoice.paid_at,
        provider=invoice.provider,
        lines=[
            InvoiceLineOut(
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                amount=line.amount,
                ref=line.ref,
            )
            for line in invoice.lines
        ],
        links=InvoiceLinks(
            html=f"/v1/invoices/{invoice.id}.html", pdf=f"/v1/invoices/{invoice.id}.pdf"
        ),
        checkout=CheckoutOut(
            provider=checkout.provider, url=checkout.url, instructions=checkout.instructions
        )
        if checkout is not None
        else None,
    )


def account_out(account: Account) -> AccountOut:
    return AccountOut(
        plan=plan_out(account.plan),
        subscription=subscription_out(account.subscription),
        credits=CreditsOut(balance=account.balance, held=account.held, owed=account.owed),
        trial_ends=account.trial_ends,
        unmetered=account.unmetered,
    )


def movement_out(transaction: LedgerTransaction, amount: float) -> MovementOut:
    return MovementOut(
        id=transaction.id,
        at=transaction.created_at,
        kind=transaction.kind,
        amount=amount,
        memo=transaction.memo,
        job_id=transaction.job_id,
    )


def usage_out(rows: list[UsageRow]) -> UsageOut:
    return UsageOut(
        engines=[
            UsageRowOut(engine=r.engine, jobs=r.jobs, seconds=r.seconds, credits=r.credits)
            for r in rows
        ],
        credits=round(sum(r.credits for r in rows), 2),
    )


def revenue_out(report: Revenue) -> RevenueOut:
    return RevenueOut(
        currency=report.currency,
        since=report.since,
        until=report.until,
        total=report.total,
        by_kind=report.by_kind,
        by_plan=report.by_plan,
        by_creator=report.by_creator,
        by_day=report.by_day,
        credits_by_engine=report.credits_by_engine,
    )
