"""Account and billing pages: /account (plan, credits, invoices, usage), /account/plans
(choose a plan, buy packs), and the admin's /admin/plans, /admin/invoices and
/admin/revenue. Forms post with the session's CSRF token and a one-time key, so a double
click opens one invoice."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.commerce.models import Invoice
from atelier.commerce.plans import PlanSpec
from atelier.errors import Invalid, StudioError
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import admin, admin_form, checked_form, get_studio, signed_in
from atelier.web.pages.common import render

router = APIRouter(include_in_schema=False)
CHART_WIDTH, CHART_HEIGHT = 640, 180
MAX_BAR = 72  # px: a lone bar stays a bar
PLAN_NUMBERS = (
    "monthly_credits",
    "price",
    "trial_days",
    "concurrency",
    "max_pixels",
    "max_seconds",
    "overage_price",
    "position",
)
PLAN_FLAGS = (
    "private_works",
    "commercial_use",
    "api_access",
    "overage",
    "custom_models",
    "active",
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


def bars(values: list[tuple[str, float]]) -> list[Bar]:
    """Bar geometry for an inline SVG chart (no scripts, no libraries)."""
    if not values:
        return []
    top = max(max(v for _, v in values), 1)
    slot = CHART_WIDTH / len(values)
    usable = CHART_HEIGHT - 30  # room for the labels below
    out = []
    for i, (label, value) in enumerate(values):
        height = usable * max(value, 0) / top
        width = min(slot * 0.7, MAX_BAR)
        x = i * slot + (slot - width) / 2
        out.append(Bar(label, value, x, usable - height, width, height))
    return out


def _form_key() -> str:
    return secrets.token_hex(12)


@router.get("/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    done: str | None = None,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _account(request, who, studio, done=done)


def _account(
    request: Request,
    who: Principal,
    studio: Studio,
    error: str | None = None,
    done: str | None = None,
    code: int = 200,
) -> Response:
    commerce = studio.commerce
    usage = commerce.usage(who)
    return render(
        request,
        "account.html",
        who,
        status=code,
        account=commerce.account(who),
        history=commerce.credit_history(who, 20, 0),
        invoices=commerce.invoices(who, 20, 0),
        usage=usage,
        chart=bars([(row.engine, row.credits) for row in usage]),
        chart_size=(CHART_WIDTH, CHART_HEIGHT),
        error=error,
        done=done,
        methods=list(commerce.methods),
    )


@router.get("/account/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _plans(request, who, studio)


def _plans(
    request: Request, who: Principal, studio: Studio, error: str | None = None, code: int = 200
) -> Response:
    return render(
        request,
        "account_plans.html",
        who,
        status=code,
        account=studio.commerce.account(who),
        plans=studio.commerce.plans(),
        packs=studio.commerce.packs(),
        currency=studio.commerce.currency,
        methods=list(studio.commerce.methods),
        key=_form_key(),
        error=error,
    )


@router.post("/account/plans", response_class=HTMLResponse)
async def change_plan(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Buy a pack or change plan; an invoice to pay is paid by the `method` the buyer
    pressed: "card" goes on to Stripe Checkout, "bank" leaves it open for a transfer."""
    action, plan_id = str(form.get("action", "")), str(form.get("plan_id", "")) or None
    key = str(form.get("key", ""))[:64] or None
    method = str(form.get("method", "")) or None
    invoice: Invoice | None
    try:
        if action == "buy":
            invoice = studio.commerce.buy_pack(who, str(form.get("pack_id", "")), key)
        else:
            _, invoice = studio.commerce.change_subscription(who, action, plan_id, key)
        if invoice is not None and invoice.status == "open":
            return _pay(request, who, studio, invoice, method)
    except StudioError as exc:
        return _plans(request, who, studio, i18n.shown(exc), exc.status)
    done = f"invoice {invoice.number} opened" if invoice else f"{action} done"
    return RedirectResponse(f"/account?done={done}", status_code=303)


def _pay(
    request: Request, who: Principal, studio: Studio, invoice: Invoice, method: str | None
) -> Response:
    """On to the card provider's page, or back to the account with the invoice open."""
    back = str(request.base_url).rstrip("/") + "/account"
    checkout = studio.commerce.checkout(who, invoice.id, back, method)
    if checkout.url:  # a hosted payment page (Stripe Checkout)
        return RedirectResponse(checkout.url, status_code=303)
    done = f"invoice {invoice.number} opened: pay it by bank transfer"
    return RedirectResponse(f"/account?done={done}", status_code=303)


@router.post("/account/invoices/{invoice_id}/pay", response_class=HTMLResponse)
async def pay_invoice(
    invoice_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Pay an open invoice of yours by card (the account page's button)."""
    try:
        invoice = studio.commerce.invoice(who, invoice_id[:32])
        return _pay(request, who, studio, invoice, str(form.get("method", "card")))
    except StudioError as exc:
        return _account(request, who, studio, error=i18n.shown(exc), code=exc.status)


# -- admins ---------------------------------------------------------------------------


@router.get("/admin/plans", response_class=HTMLResponse)
def admin_plans_page(
    request: Request,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _admin_plans(request, who, studio)


def _admin_plans(
    request: Request,
    who: Principal,
    studio: Studio,
    error: str | None = None,
    done: str | None = None,
    code: int = 200,
) -> Response:
    return render(
        request,
        "admin_plans.html",
        who,
        status=code,
        plans=studio.commerce.all_plans(who),
        numbers=PLAN_NUMBERS,
        flags=PLAN_FLAGS,
        error=error,
        done=done,
    )


def _spec(form: Any) -> PlanSpec:
    values: dict[str, Any] = {"name": str(form.get("name", "")).strip()}
    for name in PLAN_NUMBERS:
        raw = str(form.get(name, "0")).strip() or "0"
        try:
            values[name] = int(raw)
        except ValueError:
            raise Invalid(
                "%(name)s must be a whole number", field=name, params={"name": name}
            ) from None
    for name in PLAN_FLAGS:
        values[name] = form.get(name) == "on"
    return PlanSpec(**values)


@router.post("/admin/plans", response_class=HTMLResponse)
async def save_plan(
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    plan_id = str(form.get("id", "")).strip()
    try:
        studio.commerce.save_plan(who, plan_id, _spec(form), create=form.get("create") == "1")
    except StudioError as exc:
        return _admin_plans(request, who, studio, i18n.shown(exc), code=exc.status)
    return _admin_plans(request, who, studio, done=f"plan {plan_id} saved")


@router.get("/admin/invoices", response_class=HTMLResponse)
def admin_invoices_page(
    request: Request,
    status: str = "open",
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _admin_invoices(request, who, studio, status)


def _admin_invoices(
    request: Request,
    who: Principal,
    studio: Studio,
    status: str,
    error: str | None = None,
    done: str | None = None,
    code: int = 200,
) -> Response:
    shown = status if status in ("open", "paid", "void", "refunded") else "open"
    listed = studio.commerce.all_invoices(who, shown, 200, 0)
    return render(
        request,
        "admin_invoices.html",
        who,
        status=code,
        shown=shown,
        invoices=[(i, studio.commerce.customer(i)) for i in listed],
        error=error,
        done=done,
    )


@router.post("/admin/invoices/{invoice_id}", response_class=HTMLResponse)
async def settle_invoice(
    invoice_id: str,
    request: Request,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        if form.get("do") == "void":
            invoice = studio.commerce.void(who, invoice_id)
        else:
            reference = str(form.get("reference", ""))[:200]
            invoice = studio.commerce.mark_paid(who, invoice_id, reference)
    except StudioError as exc:
        return _admin_invoices(request, who, studio, "open", i18n.shown(exc), code=exc.status)
    done = f"{invoice.number} is {invoice.status}"
    return _admin_invoices(request, who, studio, "open", done=done)


@router.get("/admin/revenue", response_class=HTMLResponse)
def admin_revenue_page(
    request: Request,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    report = studio.commerce.revenue(who)
    return render(
        request,
        "admin_revenue.html",
        who,
        report=report,
        chart=bars([(day.strftime("%d"), amount) for day, amount in report.by_day.items()]),
        chart_size=(CHART_WIDTH, CHART_HEIGHT),
    )
