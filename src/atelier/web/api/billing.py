"""Plans, credits, usage, invoices and payments (`Studio.commerce`). Purchases take an
`Idempotency-Key`: a repeat returns the first invoice and never opens or charges twice."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.commerce.models import Invoice, LedgerTransaction
from atelier.commerce.plans import PlanSpec
from atelier.errors import Invalid
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web.deps import get_studio, principal
from atelier.web.openapi import content
from atelier.web.pages.common import render
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.commerce import (
    AccountOut,
    CreditHistoryOut,
    InvoiceOut,
    PackOut,
    PlanOut,
    RevenueOut,
    SubscriptionChangeOut,
    UsageOut,
    WebhookOut,
    account_out,
    invoice_out,
    movement_out,
    pack_out,
    plan_out,
    revenue_out,
    subscription_out,
    usage_out,
)
from atelier.web.schemas.common import Page, Words

router = APIRouter(tags=["billing"])
IdempotencyKey = Header(None, alias="Idempotency-Key", min_length=1, max_length=120)


# -- plans and the account -----------------------------------------------------------


@router.get("/plans", operation_id="billing_plans_list")
def list_plans(studio: Studio = Depends(get_studio)) -> Page[PlanOut]:
    """The plans on offer (public, like a pricing page), in one page."""
    return Page[PlanOut](items=[plan_out(p) for p in studio.commerce.plans()], next=None)


@router.get("/credit-packs", operation_id="billing_packs_list")
def list_packs(studio: Studio = Depends(get_studio)) -> Page[PackOut]:
    """The credit packs on offer, in one page."""
    return Page[PackOut](items=[pack_out(p) for p in studio.commerce.packs()], next=None)


@router.get("/account/plan", operation_id="billing_account_plan")
def my_plan(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> AccountOut:
    """Your plan, subscription, credits and when the trial ends."""
    return account_out(studio.commerce.account(who))


class SubscriptionChange(BaseModel):
    action: Literal["subscribe", "upgrade", "downgrade", "cancel", "resume"]
    plan_id: str | None = Field(None, max_length=40)
    return_url: str = Field("/account", max_length=500, description="Where a provider returns.")


def _with_checkout(
    studio: Studio,
    who: Principal,
    invoice: Invoice,
    return_url: str,
    request: Request,
    method: str | None = None,
) -> InvoiceOut:
    target = str(request.base_url).rstrip("/") + "/" + return_url.lstrip("/")
    return invoice_out(invoice, studio.commerce.checkout(who, invoice.id, target, method))


@router.post(
    "/account/subscription", operation_id="billing_subscription_change", responses=errors(409)
)
def change_subscription(
    body: SubscriptionChange,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = IdempotencyKey,
) -> SubscriptionChangeOut:
    """subscribe or upgrade (an invoice to pay now: an upgrade is pro-rated), downgrade
    or cancel (at the period's end), resume (undo those)."""
    sub, invoice = studio.commerce.change_subscription(
        who, body.action, body.plan_id, idempotency_key
    )
    return SubscriptionChangeOut(
        subscription=subscription_out(sub),
        invoice=_with_checkout(studio, who, invoice, body.return_url, request)
        if invoice and invoice.status == "open"
        else (invoice_out(invoice) if invoice else None),
    )


@router.post(
    "/credit-packs/{pack_id}/purchase",
    status_code=201,
    operation_id="billing_packs_purchase",
    responses={**errors(409), 200: {"model": InvoiceOut, "description": "A replay"}},
)
def buy_pack(
    pack_id: str,
    request: Request,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = IdempotencyKey,
) -> InvoiceOut:
    """Open an invoice for a credit pack; its credits arrive when it is paid."""
    invoice = studio.commerce.buy_pack(who, pack_id, idempotency_key)
    response.headers["Location"] = f"/v1/invoices/{invoice.id}"
    if invoice.status != "open":
        response.status_code = 200
        return invoice_out(invoice)
    return _with_checkout(studio, who, invoice, "/account", request)


def _movement_key(row: tuple[LedgerTransaction, float]) -> After:
    return After(row[0].created_at, row[0].id)


@router.get("/account/credits", operation_id="billing_credits")
def my_credits(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(50, 500)),
) -> CreditHistoryOut:
    """The balance (from the ledger) and its movements, newest first."""
    account = studio.commerce.account(who)
    rows = studio.commerce.credit_history(who, page.fetch, after=page.after)
    history, next_url = page.page(rows, _movement_key)
    return CreditHistoryOut(
        balance=account.balance,
        held=account.held,
        owed=account.owed,
        history=[movement_out(t, amount) for t, amount in history],
        next=next_url,
    )


@router.get("/account/usage", operation_id="billing_usage")
def my_usage(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    since: datetime | None = Query(None, description="UTC; default: this month's start"),
    until: datetime | None = Query(None, description="UTC, exclusive; default: next month"),
) -> UsageOut:
    """Jobs, compute seconds and credits per engine in a period."""
    since, until = (t.replace(tzinfo=None) if t else None for t in (since, until))
    return usage_out(studio.commerce.usage(who, since, until))


# -- invoices and payments ----------------------------------------------------------------


def _invoice_key(invoice: Invoice) -> After:
    return After(invoice.issued_at, invoice.id)


@router.get("/invoices", operation_id="billing_invoices_list")
def my_invoices(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[InvoiceOut]:
    """Your invoices, newest first."""
    rows = studio.commerce.invoices(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _invoice_key)
    return Page[InvoiceOut](items=[invoice_out(i) for i in shown], next=next_url)


@router.get(
    "/invoices/{invoice_id}.pdf",
    response_class=Response,
    operation_id="billing_invoices_pdf",
    responses=content("application/pdf"),
)
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


@router.get(
    "/invoices/{invoice_id}.html",
    response_class=Response,
    operation_id="billing_invoices_html",
    responses=content("text/html"),
)
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


@router.get("/invoices/{invoice_id}", operation_id="billing_invoices_get")
def get_invoice(
    invoice_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> InvoiceOut:
    return invoice_out(studio.commerce.invoice(who, invoice_id))


@router.post(
    "/invoices/{invoice_id}/checkout",
    operation_id="billing_invoices_checkout",
    responses=errors(409),
)
def checkout(
    invoice_id: str,
    request: Request,
    method: Literal["card", "bank"] | None = Query(
        None,
        description="card (Stripe Checkout, when configured) or bank (transfer); "
        "default: card where offered",
    ),
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> InvoiceOut:
    """How to pay an open invoice: the card provider's page, or bank-transfer instructions."""
    return _with_checkout(
        studio, who, studio.commerce.invoice(who, invoice_id), "/account", request, method
    )


@router.post(
    "/payments/stripe/webhook",
    operation_id="billing_stripe_webhook",
    responses=errors(400, 404, 503),
)
async def stripe_webhook(
    request: Request,
    studio: Studio = Depends(get_studio),
    signature: str = Header("", alias="Stripe-Signature", max_length=2000),
) -> WebhookOut:
    """Stripe's events, verified with the webhook secret; a replay pays nothing twice."""
    body = await request.body()
    return WebhookOut(result=studio.commerce.stripe_webhook(body, signature))


# -- admins ------------------------------------------------------------------------


class PlanIn(BaseModel):
    id: str = Field(min_length=1, max_length=40, pattern="^[a-z0-9][a-z0-9-]*$")
    name: Words = Field(min_length=1, max_length=100)
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


@router.get("/admin/plans", tags=["admin"], operation_id="admin_plans_list")
def admin_plans(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> Page[PlanOut]:
    """Every plan, retired ones included, in one page."""
    return Page[PlanOut](items=[plan_out(p) for p in studio.commerce.all_plans(who)], next=None)


@router.post(
    "/admin/plans",
    tags=["admin"],
    status_code=201,
    operation_id="admin_plans_create",
    responses=errors(409),
)
def create_plan(
    body: PlanIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlanOut:
    return plan_out(studio.commerce.save_plan(who, body.id, body.spec(), create=True))


@router.put("/admin/plans/{plan_id}", tags=["admin"], operation_id="admin_plans_update")
def update_plan(
    plan_id: str,
    body: PlanIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> PlanOut:
    """Replace a plan's values (the body's id must be the path's)."""
    if body.id != plan_id:
        raise Invalid("the body's id must be the plan's", field="id")
    return plan_out(studio.commerce.save_plan(who, plan_id, body.spec(), create=False))


@router.delete("/admin/plans/{plan_id}", tags=["admin"], operation_id="admin_plans_retire")
def retire_plan(
    plan_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PlanOut:
    """Stop offering a plan (plans are never deleted: invoices name them)."""
    return plan_out(studio.commerce.retire_plan(who, plan_id))


@router.get("/admin/invoices", tags=["admin"], operation_id="admin_invoices_list")
def admin_invoices(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: Literal["open", "paid", "void", "refunded"] | None = None,
    page: Window = Depends(window()),
) -> Page[InvoiceOut]:
    """Every invoice, newest first."""
    rows = studio.commerce.all_invoices(who, status, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _invoice_key)
    return Page[InvoiceOut](items=[invoice_out(i) for i in shown], next=next_url)


@router.post(
    "/admin/invoices/{invoice_id}/paid",
    tags=["admin"],
    operation_id="admin_invoices_paid",
    responses=errors(409),
)
def mark_paid(
    invoice_id: str,
    body: Payment | None = None,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> InvoiceOut:
    """Record a payment received outside the studio (the manual provider); once only."""
    reference = body.reference if body else ""
    return invoice_out(studio.commerce.mark_paid(who, invoice_id, reference))


@router.post(
    "/admin/invoices/{invoice_id}/void",
    tags=["admin"],
    operation_id="admin_invoices_void",
    responses=errors(409),
)
def void_invoice(
    invoice_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> InvoiceOut:
    return invoice_out(studio.commerce.void(who, invoice_id))


@router.get("/admin/revenue", tags=["admin"], operation_id="admin_revenue")
def revenue(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    since: datetime | None = Query(None, description="UTC; default: this month's start"),
    until: datetime | None = Query(None, description="UTC, exclusive; default: next month"),
) -> RevenueOut:
    """Money earned by kind, plan, creator (commission) and day; credits per engine.
    Sums of ledger entries."""
    since, until = (t.replace(tzinfo=None) if t else None for t in (since, until))
    return revenue_out(studio.commerce.revenue(who, since, until))
