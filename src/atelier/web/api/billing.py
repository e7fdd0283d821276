"""Plans, credits, usage, invoices and payments (`Studio.commerce`). Purchases take an
`Idempotency-Key`: a repeat returns the first invoice and never opens or charges twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.commerce.models import CreditPack, Invoice, LedgerTransaction, Plan, Subscription
from atelier.commerce.plans import PlanSpec
from atelier.commerce.service import Account
from atelier.commerce.usage import Revenue, UsageRow
from atelier.errors import Invalid
from atelier.studio import Studio
from atelier.web.deps import get_studio, principal
from atelier.web.pages.common import render

router = APIRouter(tags=["billing"])
IdempotencyKey = Header(None, alias="Idempotency-Key", min_length=1, max_length=120)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "name": plan.name,
        "active": plan.active,
        "position": plan.position,
        "monthly_credits": plan.monthly_credits,
        "price": plan.price,
        "trial_days": plan.trial_days,
        "concurrency": plan.concurrency,
        "max_pixels": plan.max_pixels,
        "max_seconds": plan.max_seconds,
        "private_works": plan.private_works,
        "commercial_use": plan.commercial_use,
        "api_access": plan.api_access,
        "overage": plan.overage,
        "overage_price": plan.overage_price,
        "custom_models": plan.custom_models,
    }


def pack_out(pack: CreditPack) -> dict[str, Any]:
    return {"id": pack.id, "name": pack.name, "credits": pack.credits, "price": pack.price}


def subscription_out(sub: Subscription | None) -> dict[str, Any] | None:
    if sub is None:
        return None
    return {
        "id": sub.id,
        "plan_id": sub.plan_id,
        "status": sub.status,
        "period_start": _time(sub.period_start),
        "period_end": _time(sub.period_end),
        "next_plan_id": sub.next_plan_id,
        "cancel_at_period_end": sub.cancel_at_period_end,
    }


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "number": invoice.number,
        "status": invoice.status,
        "currency": invoice.currency,
        "total": invoice.total,
        "issued_at": _time(invoice.issued_at),
        "paid_at": _time(invoice.paid_at),
        "provider": invoice.provider,
        "lines": [
            {
                "kind": line.kind,
                "description": line.description,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "amount": line.amount,
                "ref": line.ref,
            }
            for line in invoice.lines
        ],
        "links": {
            "html": f"/v1/invoices/{invoice.id}.html",
            "pdf": f"/v1/invoices/{invoice.id}.pdf",
        },
    }


def account_out(account: Account) -> dict[str, Any]:
    return {
        "plan": plan_out(account.plan),
        "subscription": subscription_out(account.subscription),
        "credits": {"balance": account.balance, "held": account.held, "owed": account.owed},
        "trial_ends": _time(account.trial_ends),
        "unmetered": account.unmetered,
    }


def movement_out(transaction: LedgerTransaction, amount: int) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "at": _time(transaction.created_at),
        "kind": transaction.kind,
        "amount": amount,
        "memo": transaction.memo,
        "job_id": transaction.job_id,
    }


def usage_out(rows: list[UsageRow]) -> list[dict[str, Any]]:
    return [
        {"engine": r.engine, "jobs": r.jobs, "seconds": r.seconds, "credits": r.credits}
        for r in rows
    ]


def revenue_out(report: Revenue) -> dict[str, Any]:
    return {
        "currency": report.currency,
        "since": _time(report.since),
        "until": _time(report.until),
        "total": report.total,
        "by_kind": report.by_kind,
        "by_plan": report.by_plan,
        "by_creator": report.by_creator,
        "by_day": {day.isoformat(): amount for day, amount in report.by_day.items()},
        "credits_by_engine": report.credits_by_engine,
    }


# -- plans and the account -----------------------------------------------------------


@router.get("/plans")
def list_plans(studio: Studio = Depends(get_studio)) -> list[dict[str, Any]]:
    """The plans on offer (public, like a pricing page)."""
    return [plan_out(p) for p in studio.commerce.plans()]


@router.get("/credit-packs")
def list_packs(studio: Studio = Depends(get_studio)) -> list[dict[str, Any]]:
    return [pack_out(p) for p in studio.commerce.packs()]


@router.get("/account/plan")
def my_plan(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    """Your plan, subscription, credits and when the trial ends."""
    return account_out(studio.commerce.account(who))


class SubscriptionChange(BaseModel):
    action: Literal["subscribe", "upgrade", "downgrade", "cancel", "resume"]
    plan_id: str | None = Field(None, max_length=40)
    return_url: str = Field("/account", max_length=500, description="Where a provider returns.")


def _with_checkout(
    studio: Studio, who: Principal, invoice: Invoice, return_url: str, request: Request
) -> dict[str, Any]:
    target = str(request.base_url).rstrip("/") + "/" + return_url.lstrip("/")
    checkout = studio.commerce.checkout(who, invoice.id, target)
    return {
        **invoice_out(invoice),
        "checkout": {
            "provider": checkout.provider,
            "url": checkout.url,
            "instructions": checkout.instructions,
        },
    }


@router.post("/account/subscription")
def change_subscription(
    body: SubscriptionChange,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = IdempotencyKey,
) -> dict[str, Any]:
    """subscribe or upgrade (an invoice to pay now: an upgrade is pro-rated), downgrade
    or cancel (at the period's end), resume (undo those)."""
    sub, invoice = studio.commerce.change_subscription(
        who, body.action, body.plan_id, idempotency_key
    )
    return {
        "subscription": subscription_out(sub),
        "invoice": _with_checkout(studio, who, invoice, body.return_url, request)
        if invoice and invoice.status == "open"
        else (invoice_out(invoice) if invoice else None),
    }


@router.post("/credit-packs/{pack_id}/purchase", status_code=201)
def buy_pack(
    pack_id: str,
    request: Request,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = IdempotencyKey,
) -> dict[str, Any]:
    """Open an invoice for a credit pack; its credits arrive when it is paid."""
    invoice = studio.commerce.buy_pack(who, pack_id, idempotency_key)
    response.headers["Location"] = f"/v1/invoices/{invoice.id}"
    if invoice.status != "open":
        response.status_code = 200
        return invoice_out(invoice)
    return _with_checkout(studio, who, invoice, "/account", request)


@router.get("/account/credits")
def my_credits(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> dict[str, Any]:
    """The balance (from the ledger) and its movements, newest first."""
    account = studio.commerce.account(who)
    history = studio.commerce.credit_history(who, limit, offset)
    return {
        "balance": account.balance,
        "held": account.held,
        "owed": account.owed,
        "history": [movement_out(t, amount) for t, amount in history],
    }


@router.get("/account/usage")
def my_usage(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    since: datetime | None = Query(None, description="UTC; default: this month's start"),
    until: datetime | None = Query(None, description="UTC, exclusive; default: next month"),
) -> dict[str, Any]:
    """Jobs, compute seconds and credits per engine in a period."""
    since, until = (t.replace(tzinfo=None) if t else None for t in (since, until))
    rows = studio.commerce.usage(who, since, until)
    return {"engines": usage_out(rows), "credits": sum(r.credits for r in rows)}


# -- invoices and payments ----------------------------------------------------------------


@router.get("/invoices")
def my_invoices(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return [invoice_out(i) for i in studio.commerce.invoices(who, limit, offset)]


@router.get("/invoices/{invoice_id}.pdf", response_class=Response)
def invoice_pdf(
    invoice_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Response:
    invoice = studio.commerce.invoice(who, invoice_id)
    pdf = studio.commerce.invoice_pdf(invoice)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.number}.pdf"'},
    )


@router.get("/invoices/{invoice_id}.html", response_class=Response)
def invoice_html(
    invoice_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    """The invoice as a printable page."""
    invoice = studio.commerce.invoice(who, invoice_id)
    return render(
        request,
        "invoice.html",
        who,
        invoice=invoice,
        customer=studio.commerce.customer(invoice),
        issuer=studio.settings.invoice_issuer,
        instructions=studio.commerce.instructions(invoice),
    )


@router.get("/invoices/{invoice_id}")
def get_invoice(
    invoice_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return invoice_out(studio.commerce.invoice(who, invoice_id))


@router.post("/invoices/{invoice_id}/checkout")
def checkout(
    invoice_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """How to pay an open invoice: the provider's page, or bank-transfer instructions."""
    return _with_checkout(
        studio, who, studio.commerce.invoice(who, invoice_id), "/account", request
    )


@router.post("/payments/stripe/webhook")
async def stripe_webhook(
    request: Request,
    studio: Studio = Depends(get_studio),
    signature: str = Header("", alias="Stripe-Signature", max_length=2000),
) -> dict[str, str]:
    """Stripe's events, verified with the webhook secret; a replay pays nothing twice."""
    body = await request.body()
    return {"result": studio.commerce.stripe_webhook(body, signature)}


# -- admins ------------------------------------------------------------------------


class PlanIn(BaseModel):
    id: str = Field(min_length=1, max_length=40, pattern="^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=100)
    monthly_credits: int = Field(ge=0, le=10_000_000)
    price: int = Field(ge=0, le=100_000_000, description="Minor units per month.")
    concurrency: int = Field(ge=1, le=10_000, description="Jobs queued or running at once.")
    max_pixels: int = Field(ge=64 * 64, le=100_000_000)
    max_seconds: int = Field(ge=1, le=86_400)
    private_works: bool = True
    commercial_use: bool = False
    api_access: bool = True
    overage: bool = False
    overage_price: int = Field(0, ge=0, le=100_000, description="Minor units per credit.")
    custom_models: bool = Field(False, description="Its users may train their own models.")
    trial_days: int = Field(0, ge=0, le=365)
    position: int = Field(0, ge=0, le=1000)
    active: bool = True

    def spec(self) -> PlanSpec:
        return PlanSpec(**self.model_dump(exclude={"id"}))


class Payment(BaseModel):
    reference: str = Field("", max_length=200, description="e.g. the bank transfer's reference")


@router.get("/admin/plans", tags=["admin"])
def admin_plans(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> list[dict[str, Any]]:
    """Every plan, retired ones included."""
    return [plan_out(p) for p in studio.commerce.all_plans(who)]


@router.post("/admin/plans", tags=["admin"], status_code=201)
def create_plan(
    body: PlanIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return plan_out(studio.commerce.save_plan(who, body.id, body.spec(), create=True))


@router.put("/admin/plans/{plan_id}", tags=["admin"])
def update_plan(
    plan_id: str,
    body: PlanIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Replace a plan's values (the body's id must be the path's)."""
    if body.id != plan_id:
        raise Invalid("the body's id must be the plan's", field="id")
    return plan_out(studio.commerce.save_plan(who, plan_id, body.spec(), create=False))


@router.delete("/admin/plans/{plan_id}", tags=["admin"])
def retire_plan(
    plan_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    """Stop offering a plan (plans are never deleted: invoices name them)."""
    return plan_out(studio.commerce.retire_plan(who, plan_id))


@router.get("/admin/invoices", tags=["admin"])
def admin_invoices(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: Literal["open", "paid", "void", "refunded"] | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return [invoice_out(i) for i in studio.commerce.all_invoices(who, status, limit, offset)]


@router.post("/admin/invoices/{invoice_id}/paid", tags=["admin"])
def mark_paid(
    invoice_id: str,
    body: Payment | None = None,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """Record a payment received outside the studio (the manual provider); once only."""
    reference = body.reference if body else ""
    return invoice_out(studio.commerce.mark_paid(who, invoice_id, reference))


@router.post("/admin/invoices/{invoice_id}/void", tags=["admin"])
def void_invoice(
    invoice_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return invoice_out(studio.commerce.void(who, invoice_id))


@router.get("/admin/revenue", tags=["admin"])
def revenue(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    since: datetime | None = Query(None, description="UTC; default: this month's start"),
    until: datetime | None = Query(None, description="UTC, exclusive; default: next month"),
) -> dict[str, Any]:
    """Money earned by kind, plan, creator (commission) and day; credits per engine.
    Sums of ledger entries."""
    since, until = (t.replace(tzinfo=None) if t else None for t in (since, until))
    return revenue_out(studio.commerce.revenue(who, since, until))
