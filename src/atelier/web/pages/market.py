"""Marketplace pages: the market, a work's licences (offers and Buy; the owner's listing
form with every refused offer's reasons), checkout, my licences and their certificates,
public licence verification, a creator's sales and payouts, and the admins' payouts.
Every change is a POST carrying the session's CSRF token."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from atelier.accounts.authz import Principal
from atelier.commerce import money
from atelier.commerce.market import AFFIRMATION
from atelier.commerce.offers import CATALOGUE, OFFERS
from atelier.errors import NotFound, StudioError
from atelier.studio import Studio
from atelier.web import i18n
from atelier.web.deps import (
    admin,
    admin_form,
    checked_form,
    get_studio,
    page_principal,
    signed_in,
)
from atelier.web.pages.common import render
from atelier.web.schemas.market import (
    licence_out,
    listing_out,
    order_out,
    payout_out,
    statement_out,
)

router = APIRouter(include_in_schema=False)


def _page(
    request: Request, name: str, who: Principal | None, studio: Studio, **context: Any
) -> HTMLResponse:
    return render(request, name, who, currency=studio.market.currency, **context)


def _missing(request: Request, who: Principal | None, what: str) -> Response:
    return render(request, "missing.html", who, status=404, what=what)


# -- the market and a work's licences -----------------------------------------------------


@router.get("/market", response_class=HTMLResponse)
def market_page(
    request: Request,
    page: int = 1,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    page = max(1, min(page, 10_000))
    size = 24
    views = studio.market.on_market(size + 1, (page - 1) * size)
    items = [listing_out(view, False).model_dump(mode="json") for view in views[:size]]
    return _page(
        request, "market.html", who, studio, items=items, page=page, more=len(views) > size
    )


def _licences_page(
    request: Request,
    who: Principal | None,
    studio: Studio,
    work_id: str,
    error: str | None = None,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    status: int = 200,
    chosen: dict[str, str] | None = None,
) -> Response:
    """`chosen`: the offers and prices as typed, kept when the form comes back with errors."""
    try:
        view = studio.market.listing(who, work_id)
    except NotFound:
        return _missing(request, who, "listing")
    owner = who is not None and view.work.owner_id == who.user_id
    body = listing_out(view, owner).model_dump(mode="json")
    unaffirmed = []
    if owner and who is not None:
        inputs = view.work.lineage.get("inputs", [])
        rights = studio.market.upload_rights(who, [i["upload_id"] for i in inputs])
        unaffirmed = [i for i in inputs if i["upload_id"] not in rights]
    return _page(
        request,
        "market_work.html",
        who,
        studio,
        status=status,
        listing=body,
        owner=owner,
        catalogue=CATALOGUE,
        chosen=chosen
        if chosen is not None
        else {o["kind"]: money.plain(o["price"], view.currency) for o in body["offers"]},
        refused={r["kind"]: r["reasons"] for r in body["refused"] or []},
        unaffirmed=unaffirmed,
        affirmation=AFFIRMATION,
        buy_key=secrets.token_hex(16),
        error=error,
        errors=errors or {},
        done=done,
    )


@router.get("/works/{work_id}/licences", response_class=HTMLResponse)
def work_licences(
    work_id: str,
    request: Request,
    done: str | None = None,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _licences_page(request, who, studio, work_id, done=done)


@router.post("/works/{work_id}/listing", response_class=HTMLResponse)
async def list_submit(
    work_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    action = str(form.get("action", "list"))
    chosen = {
        offer.kind: str(form.get(f"price-{offer.kind}", ""))[:20]
        for offer in CATALOGUE
        if form.get(f"offer-{offer.kind}") == "on"
    }
    try:
        if action == "unlist":
            studio.market.unlist(who, work_id)
        else:
            prices = {
                kind: 0 if OFFERS[kind].free else money.parse(text, studio.market.currency)
                for kind, text in chosen.items()
            }
            studio.market.list_work(who, work_id, prices)
    except StudioError as exc:
        errors = i18n.shown_errors(exc)
        return _licences_page(
            request,
            who,
            studio,
            work_id,
            error=i18n.shown(exc),
            errors=errors,
            status=exc.status,
            chosen=chosen,
        )
    return RedirectResponse(
        f"/works/{work_id}/licences?done={'unlisted' if action == 'unlist' else 'listed'}",
        status_code=303,
    )


@router.post("/uploads/{upload_id}/rights", response_class=HTMLResponse)
async def affirm_submit(
    upload_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    work_id = str(form.get("work_id", ""))
    try:
        studio.market.affirm_upload(who, upload_id)
    except StudioError as exc:
        return _licences_page(
            request, who, studio, work_id, error=i18n.shown(exc), status=exc.status
        )
    return RedirectResponse(f"/works/{work_id}/licences?done=affirmed", status_code=303)


@router.post("/works/{work_id}/licences/buy", response_class=HTMLResponse)
async def buy_submit(
    work_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        order, _ = studio.market.buy(
            who, work_id, str(form.get("offer", ""))[:16], str(form.get("key", ""))[:64] or None
        )
    except StudioError as exc:
        return _licences_page(
            request, who, studio, work_id, error=i18n.shown(exc), status=exc.status
        )
    if order.status == "free":
        licence = studio.market.licence_of_order(who, order.id)
        return RedirectResponse(f"/licences/{licence.id}", status_code=303)
    return RedirectResponse(f"/checkout/{order.id}", status_code=303)


@router.get("/checkout/{order_id}", response_class=HTMLResponse)
def checkout_page(
    order_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        order, invoice = studio.market.order(who, order_id)
    except NotFound:
        return _missing(request, who, "order")
    licence = studio.market.licence_of_order(who, order.id) if order.status == "paid" else None
    return _page(
        request,
        "checkout.html",
        who,
        studio,
        order=order_out(order, invoice).model_dump(mode="json"),
        offer=OFFERS[order.offer_kind],
        licence_id=licence.id if licence else None,
        methods=list(studio.commerce.methods),
        # Bank transfer is always offered: the page says how (as the manual provider does),
        # then the operator's own details.
        bank_details=studio.settings.payment_instructions,
    )


@router.post("/checkout/{order_id}/pay", response_class=HTMLResponse)
async def checkout_pay(
    order_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    """Hand the buyer to the payment provider's own page (Stripe Checkout)."""
    try:
        order, invoice = studio.market.order(who, order_id)
        if invoice is None:
            raise NotFound(
                "order %(order_id)s has nothing to pay",
                field="order_id",
                params={"order_id": order_id},
            )
        back = str(request.url_for("checkout_page", order_id=order_id))
        checkout = studio.commerce.checkout(who, invoice.id, back, "card")
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    return RedirectResponse(checkout.url or f"/checkout/{order_id}", status_code=303)


# -- licences ------------------------------------------------------------------------------


@router.get("/licences", response_class=HTMLResponse)
def licences_page(
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    licences = [licence_out(g).model_dump(mode="json") for g in studio.licences.mine(who, 200, 0)]
    return _page(request, "licences.html", who, studio, licences=licences)


@router.get("/licences/{licence_id}", response_class=HTMLResponse)
def licence_page(
    licence_id: str,
    request: Request,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        grant = studio.licences.get(who, licence_id)
    except NotFound:
        return _missing(request, who, "licence")
    licence = licence_out(grant).model_dump(mode="json")
    return _page(request, "licence.html", who, studio, licence=licence)


@router.get("/verify/licences/{licence_id}", response_class=HTMLResponse)
def verify_licence_page(
    licence_id: str,
    request: Request,
    who: Principal | None = Depends(page_principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    verdict, grant, checks = studio.licences.verify(licence_id[:64])
    return _page(
        request,
        "licence_verify.html",
        who,
        studio,
        status=404 if grant is None else 200,
        verdict=verdict,
        checks=checks,
        licence=licence_out(grant).model_dump(mode="json") if grant is not None else None,
        licence_id=licence_id[:64],
    )


# -- creators' sales and payouts; admins' payouts --------------------------------------------


def _sales_page(
    request: Request,
    who: Principal,
    studio: Studio,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    return _page(
        request,
        "sales.html",
        who,
        studio,
        status=status,
        sales=[licence_out(g).model_dump(mode="json") for g in studio.market.sales(who, 200, 0)],
        statement=statement_out(studio.market.statement(who)).model_dump(mode="json"),
        available=studio.market.available(who),
        minimum=studio.settings.market_min_payout,
        payouts=[payout_out(p).model_dump(mode="json") for p in studio.market.my_payouts(who)],
        error=error,
        done=done,
    )


@router.get("/account/sales", response_class=HTMLResponse)
def sales_page(
    request: Request,
    done: str | None = None,
    who: Principal = Depends(signed_in),
    studio: Studio = Depends(get_studio),
) -> Response:
    return _sales_page(request, who, studio, done=done)


@router.post("/account/payouts", response_class=HTMLResponse)
async def payout_submit(
    request: Request,
    who: Principal = Depends(signed_in),
    form: FormData = Depends(checked_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    amount = money.parse(str(form.get("amount", "")), studio.market.currency)
    try:
        if amount is None:
            raise StudioError(
                i18n.lazy("the amount must be a number like 25 or 25.50"), field="amount"
            )
        studio.market.request_payout(who, amount)
    except StudioError as exc:
        return _sales_page(request, who, studio, error=i18n.shown(exc), status=422)
    return RedirectResponse("/account/sales?done=requested", status_code=303)


@router.get("/admin/payouts", response_class=HTMLResponse)
def admin_payouts_page(
    request: Request,
    status: str = "requested",
    done: str | None = None,
    who: Principal = Depends(admin),
    studio: Studio = Depends(get_studio),
) -> Response:
    shown = status if status in ("requested", "paid") else "requested"
    rows = studio.market.payouts(who, shown, 200, 0)
    return _page(
        request,
        "admin_payouts.html",
        who,
        studio,
        payouts=[payout_out(p, u.email if u else None).model_dump(mode="json") for p, u in rows],
        shown=shown,
        done=done,
    )


@router.post("/admin/payouts/{payout_id}/paid", response_class=HTMLResponse)
async def admin_payout_paid(
    payout_id: str,
    who: Principal = Depends(admin),
    form: FormData = Depends(admin_form),
    studio: Studio = Depends(get_studio),
) -> Response:
    try:
        studio.market.mark_payout_paid(who, payout_id, str(form.get("reference", ""))[:200])
    except StudioError as exc:
        return Response(i18n.shown(exc), status_code=exc.status)
    return RedirectResponse("/admin/payouts?done=paid", status_code=303)
