"""The marketplace: listings and offers, buying licences, licences and their certificates,
public verification, creators' sales, statements and payouts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.commerce import certificates
from atelier.commerce.ledger import MAX_AMOUNT
from atelier.commerce.market import ListingView
from atelier.commerce.market_models import LicenceGrant, Order, Payout
from atelier.commerce.models import Invoice
from atelier.commerce.offers import OFFERS, commission
from atelier.commerce.payouts import Statement
from atelier.studio import Studio
from atelier.web.deps import get_studio, optional_principal, principal
from atelier.web.pages.common import render
from atelier.web.schemas import work_out

router = APIRouter(tags=["market"])


def _time(value: Any) -> str | None:
    return value.isoformat() + "Z" if value else None


def listing_out(view: ListingView, owner: bool) -> dict[str, Any]:
    listing, percent = view.listing, view.commission_percent
    offers = []
    for row in listing.offers if listing is not None else []:
        offer = OFFERS[row.kind]
        fee = commission(row.price, percent)
        offers.append(
            {
                "kind": row.kind,
                "title": offer.title,
                "summary": offer.summary,
                "price": row.price,
                "commission": fee,
                "creator_share": row.price - fee,
                "terms": offer.terms(),
                "buy_url": f"/v1/works/{view.work.id}/offers/{row.kind}/buy",
            }
        )
    body: dict[str, Any] = {
        "work": work_out(view.work, owner),
        "state": listing.state if listing is not None else "not listed",
        "reserved_until": _time(listing.reserved_until) if listing is not None else None,
        "currency": view.currency,
        "commission_percent": percent,
        "offers": offers,
    }
    if owner:
        body["allowed"] = [v.kind for v in view.verdicts if v.allowed]
        body["refused"] = [
            {"kind": v.kind, "title": OFFERS[v.kind].title, "reasons": list(v.reasons)}
            for v in view.verdicts
            if not v.allowed
        ]
    return body


def invoice_out(invoice: Invoice | None) -> dict[str, Any] | None:
    if invoice is None:
        return None
    return {
        "id": invoice.id,
        "number": invoice.number,
        "status": invoice.status,
        "total": invoice.total,
        "currency": invoice.currency,
        "url": f"/v1/invoices/{invoice.id}",
    }


def order_out(order: Order, invoice: Invoice | None = None) -> dict[str, Any]:
    return {
        "id": order.id,
        "work_id": order.work_id,
        "offer": order.offer_kind,
        "terms": order.terms,
        "price": order.price,
        "currency": order.currency,
        "status": order.status,
        "created_at": _time(order.created_at),
        "expires_at": _time(order.expires_at),
        "closed_at": _time(order.closed_at),
        "invoice": invoice_out(invoice),
        "checkout_url": f"/checkout/{order.id}",
    }


def licence_out(grant: LicenceGrant) -> dict[str, Any]:
    return {
        **certificates.record(grant),
        "id": grant.id,
        "status": grant.status,
        "revoked_at": _time(grant.revoked_at),
        "revoked_reason": grant.revoked_reason,
        "signature": grant.signature,
        "certificate_html": f"/v1/licences/{grant.id}/certificate.html",
        "certificate_pdf": f"/v1/licences/{grant.id}/certificate.pdf",
        "odrl": f"/v1/licences/{grant.id}/odrl.json",
        "file": f"/v1/licences/{grant.id}/file",
        "verify_url": f"/verify/licences/{grant.id}",
    }


def certificate_html(request: Request, grant: LicenceGrant) -> HTMLResponse:
    """The certificate as a standalone printable page."""
    return render(
        request, "licence_certificate.html", None, licence=licence_out(grant), standalone=True
    )


def payout_out(payout: Payout, email: str | None = None) -> dict[str, Any]:
    body = {
        "id": payout.id,
        "user_id": payout.user_id,
        "amount": payout.amount,
        "currency": payout.currency,
        "status": payout.status,
        "requested_at": _time(payout.requested_at),
        "paid_at": _time(payout.paid_at),
        "reference": payout.reference,
    }
    if email is not None:
        body["email"] = email
    return body


def statement_out(statement: Statement) -> dict[str, Any]:
    return {
        "currency": statement.currency,
        "sales": statement.sales,
        "commission": statement.commission,
        "earned": statement.earned,
        "paid_out": statement.paid_out,
        "requested": statement.requested,
        "balance": statement.balance,
        "lines": [
            {
                "at": _time(line.at),
                "kind": line.kind,
                "memo": line.memo,
                "ref": line.ref,
                "gross": line.gross,
                "commission": line.commission,
                "amount": line.amount,
            }
            for line in statement.lines
        ],
    }


class ListingIn(BaseModel):
    offers: dict[str, int | None] = Field(
        ...,
        description="Offer kind → price in minor units (free offers: 0).",
        max_length=len(OFFERS),
    )


class PayoutIn(BaseModel):
    amount: int = Field(..., ge=1, le=MAX_AMOUNT, description="Minor units.")


class PaidIn(BaseModel):
    reference: str = Field("", max_length=200)


class RevokeIn(BaseModel):
    reason: str = Field(..., min_length=1, max_length=1000)


# -- listings and the market -------------------------------------------------------------


@router.get("/market")
def market(
    studio: Studio = Depends(get_studio),
    limit: int = Query(24, ge=1, le=100),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    """Works for sale, newest first, with their offers."""
    return [listing_out(view, False) for view in studio.market.on_market(limit, offset)]


@router.get("/works/{work_id}/listing")
def get_listing(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    """The offers; for the owner also every offer kind allowed or refused, with reasons."""
    view = studio.market.listing(who, work_id)
    owner = who is not None and view.work.owner_id == who.user_id
    return listing_out(view, owner)


@router.post("/works/{work_id}/listing")
def put_listing(
    work_id: str,
    body: ListingIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    return listing_out(studio.market.list_work(who, work_id, body.offers), True)


@router.delete("/works/{work_id}/listing")
def delete_listing(
    work_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return listing_out(studio.market.unlist(who, work_id), True)


@router.post("/works/{work_id}/offers/{offer}/buy", status_code=201)
def buy(
    work_id: str,
    offer: str,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> dict[str, Any]:
    """Open an order (terms and price frozen) with its invoice to pay; a free offer's
    licence is granted at once. Repeat with the same Idempotency-Key to get the same order."""
    order, new = studio.market.buy(who, work_id, offer, idempotency_key)
    if not new:
        response.status_code = 200
    _, invoice = studio.market.order(who, order.id)
    return order_out(order, invoice)


@router.get("/orders/{order_id}")
def get_order(
    order_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return order_out(*studio.market.order(who, order_id))


@router.post("/uploads/{upload_id}/rights")
def affirm_rights(
    upload_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    """Affirm that you own this upload or may use it commercially: works made from it
    may then get commercial offers."""
    rights = studio.market.affirm_upload(who, upload_id)
    return {
        "upload_id": rights.upload_id,
        "statement": rights.statement,
        "affirmed_at": _time(rights.affirmed_at),
    }


# -- licences ------------------------------------------------------------------------------


@router.get("/licences")
def my_licences(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    """The licences you hold."""
    return [licence_out(g) for g in studio.licences.mine(who, limit, offset)]


@router.get("/licences/{licence_id}")
def get_licence(
    licence_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return licence_out(studio.licences.get(who, licence_id))


@router.get("/licences/{licence_id}/file", response_class=FileResponse)
def licence_file(
    licence_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> FileResponse:
    """The licensed work's original file, for its licensee."""
    name, mime, sha256, path = studio.licences.file(who, licence_id)
    return FileResponse(
        path,
        media_type=mime,
        filename=name,
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, no-cache"},
    )


@router.get("/licences/{licence_id}/odrl.json")
def licence_odrl(
    licence_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> JSONResponse:
    grant = studio.licences.get(who, licence_id)
    return JSONResponse(grant.policy, media_type="application/ld+json")


@router.get("/licences/{licence_id}/certificate.pdf")
def licence_pdf(
    licence_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> Response:
    grant = studio.licences.get(who, licence_id)
    url = str(request.base_url).rstrip("/") + f"/verify/licences/{grant.id}"
    return Response(
        certificates.pdf(grant, url),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="licence-{grant.id}.pdf"'},
    )


@router.get("/licences/{licence_id}/certificate.html", response_class=HTMLResponse)
def licence_html(
    licence_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> HTMLResponse:
    """The printable certificate (the page /licences/{id} shows the same)."""
    grant = studio.licences.get(who, licence_id)
    return certificate_html(request, grant)


@router.get("/verify/licences/{licence_id}")
def verify_licence(licence_id: str, studio: Studio = Depends(get_studio)) -> dict[str, Any]:
    """Public: is this licence genuine (the studio's signature over its record, the
    work's hash) and still valid?"""
    verdict, grant, checks = studio.licences.verify(licence_id)
    body: dict[str, Any] = {"licence_id": licence_id, "verdict": verdict, "checks": checks}
    if grant is not None:
        body["licence"] = {
            **certificates.record(grant),
            "status": grant.status,
            "revoked_reason": grant.revoked_reason,
        }
    return body


# -- creators' earnings ---------------------------------------------------------------------


@router.get("/account/sales")
def my_sales(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    """Licences granted on your works."""
    return [licence_out(g) for g in studio.market.sales(who, limit, offset)]


@router.get("/account/statement", response_model=None)
def my_statement(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> dict[str, Any] | Response:
    """Sales, commission, payouts and balance, read from the ledger (`?format=csv`)."""
    statement = studio.market.statement(who)
    if format == "csv":
        return Response(
            statement.csv(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="statement.csv"'},
        )
    return statement_out(statement)


@router.get("/account/payouts")
def my_payouts(
    who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return {
        "available": studio.market.available(who),
        "minimum": studio.settings.market_min_payout,
        "currency": studio.market.currency,
        "payouts": [payout_out(p) for p in studio.market.my_payouts(who)],
    }


@router.post("/account/payouts", status_code=201)
def request_payout(
    body: PayoutIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> dict[str, Any]:
    return payout_out(studio.market.request_payout(who, body.amount))


@router.get("/admin/payouts")
def admin_payouts(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: str | None = Query("requested", max_length=16),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    return [
        payout_out(p, user.email if user else None)
        for p, user in studio.market.payouts(who, status or None, limit, offset)
    ]


@router.post("/admin/payouts/{payout_id}/paid")
def admin_payout_paid(
    payout_id: str,
    body: PaidIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    return payout_out(studio.market.mark_payout_paid(who, payout_id, body.reference))


@router.post("/admin/licences/{licence_id}/revoke")
def admin_revoke(
    licence_id: str,
    body: RevokeIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> dict[str, Any]:
    return licence_out(studio.market.revoke(who, licence_id, body.reason))
