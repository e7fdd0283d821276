"""The marketplace: listings and offers, buying licences, licences and their certificates,
public verification, creators' sales, statements and payouts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from atelier.accounts.authz import Principal
from atelier.commerce import certificates
from atelier.commerce.ledger import MAX_AMOUNT
from atelier.commerce.listings import ListingView
from atelier.commerce.market_models import LicenceGrant, Payout
from atelier.commerce.offers import OFFERS
from atelier.store.models import User
from atelier.store.paging import After
from atelier.studio import Studio
from atelier.web.deps import get_studio, optional_principal, principal
from atelier.web.openapi import content
from atelier.web.pages.common import render
from atelier.web.paging import Window, window
from atelier.web.problems import errors
from atelier.web.schemas.common import Page, Words
from atelier.web.schemas.market import (
    LicenceOut,
    LicenceVerdictOut,
    ListingOut,
    OrderOut,
    PayoutOut,
    PayoutsOut,
    RightsOut,
    StatementOut,
    licence_out,
    listing_out,
    order_out,
    payout_out,
    rights_out,
    statement_out,
    verdict_out,
)

router = APIRouter(tags=["market"])


A_FILE = content("*/*")  # the licensed work's own type


def certificate_html(request: Request, grant: LicenceGrant) -> HTMLResponse:
    """The certificate as a standalone printable page."""
    return render(
        request,
        "licence_certificate.html",
        None,
        licence=licence_out(grant).model_dump(mode="json"),
        standalone=True,
    )


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
    reason: Words = Field(..., min_length=1, max_length=1000)


# -- listings and the market -------------------------------------------------------------


def _listed_key(view: ListingView) -> After:
    assert view.listing is not None  # the market lists listed works only
    return After(view.listing.created_at, view.listing.id)


@router.get("/market", operation_id="market_list")
def market(
    studio: Studio = Depends(get_studio), page: Window = Depends(window(24, 100))
) -> Page[ListingOut]:
    """Works for sale, newest listing first, with their offers."""
    views = studio.market.on_market(page.fetch, after=page.after)
    shown, next_url = page.page(views, _listed_key)
    return Page[ListingOut](items=[listing_out(view, False) for view in shown], next=next_url)


@router.get("/works/{work_id}/listing", operation_id="market_listing_get")
def get_listing(
    work_id: str,
    who: Principal | None = Depends(optional_principal),
    studio: Studio = Depends(get_studio),
) -> ListingOut:
    """The offers; for the owner also every offer kind allowed or refused, with reasons."""
    view = studio.market.listing(who, work_id)
    owner = who is not None and view.work.owner_id == who.user_id
    return listing_out(view, owner)


@router.post("/works/{work_id}/listing", operation_id="market_listing_put", responses=errors(409))
def put_listing(
    work_id: str,
    body: ListingIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> ListingOut:
    """List or re-price a work (its owner)."""
    return listing_out(studio.market.list_work(who, work_id, body.offers), True)


@router.delete(
    "/works/{work_id}/listing", operation_id="market_listing_withdraw", responses=errors(409)
)
def delete_listing(
    work_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> ListingOut:
    """Take a work off the market (licences sold stay valid)."""
    return listing_out(studio.market.unlist(who, work_id), True)


@router.post(
    "/works/{work_id}/offers/{offer}/buy",
    status_code=201,
    operation_id="market_buy",
    responses={**errors(409), 200: {"model": OrderOut, "description": "A replay"}},
)
def buy(
    work_id: str,
    offer: str,
    response: Response,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=255),
) -> OrderOut:
    """Open an order (terms and price frozen) with its invoice to pay; a free offer's
    licence is granted at once. Repeat with the same Idempotency-Key to get the same order."""
    order, new = studio.market.buy(who, work_id, offer, idempotency_key)
    if not new:
        response.status_code = 200
    _, invoice = studio.market.order(who, order.id)
    return order_out(order, invoice)


@router.get("/orders/{order_id}", operation_id="market_orders_get")
def get_order(
    order_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> OrderOut:
    return order_out(*studio.market.order(who, order_id))


@router.post("/uploads/{upload_id}/rights", operation_id="market_rights_affirm")
def affirm_rights(
    upload_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> RightsOut:
    """Affirm that you own this upload or may use it commercially: works made from it
    may then get commercial offers."""
    return rights_out(studio.market.affirm_upload(who, upload_id))


# -- licences ------------------------------------------------------------------------------


def _granted_key(grant: LicenceGrant) -> After:
    return After(grant.granted_at, grant.id)


@router.get("/licences", operation_id="market_licences_list")
def my_licences(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window()),
) -> Page[LicenceOut]:
    """The licences you hold, newest first."""
    rows = studio.licences.mine(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _granted_key)
    return Page[LicenceOut](items=[licence_out(g) for g in shown], next=next_url)


@router.get("/licences/{licence_id}", operation_id="market_licences_get")
def get_licence(
    licence_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> LicenceOut:
    return licence_out(studio.licences.get(who, licence_id))


@router.get(
    "/licences/{licence_id}/file",
    response_class=FileResponse,
    operation_id="market_licences_file",
    responses=A_FILE,
)
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


@router.get(
    "/licences/{licence_id}/odrl.json",
    response_class=Response,
    operation_id="market_licences_odrl",
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
def licence_odrl(
    licence_id: str, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> JSONResponse:
    grant = studio.licences.get(who, licence_id)
    return JSONResponse(grant.policy, media_type="application/ld+json")


@router.get(
    "/licences/{licence_id}/certificate.pdf",
    response_class=Response,
    operation_id="market_licences_pdf",
    responses=content("application/pdf"),
)
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


@router.get(
    "/licences/{licence_id}/certificate.html",
    response_class=HTMLResponse,
    operation_id="market_licences_html",
    responses=content("text/html"),
)
def licence_html(
    licence_id: str,
    request: Request,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> HTMLResponse:
    """The printable certificate (the page /licences/{id} shows the same)."""
    grant = studio.licences.get(who, licence_id)
    return certificate_html(request, grant)


@router.get("/verify/licences/{licence_id}", operation_id="market_licences_verify")
def verify_licence(licence_id: str, studio: Studio = Depends(get_studio)) -> LicenceVerdictOut:
    """Public: is this licence genuine (the studio's signature over its record, the
    work's hash) and still valid?"""
    return verdict_out(licence_id, *studio.licences.verify(licence_id))


# -- creators' earnings ---------------------------------------------------------------------


@router.get("/account/sales", operation_id="market_sales_list")
def my_sales(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(100, 500)),
) -> Page[LicenceOut]:
    """Licences granted on your works, newest first."""
    rows = studio.market.sales(who, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _granted_key)
    return Page[LicenceOut](items=[licence_out(g) for g in shown], next=next_url)


@router.get(
    "/account/statement",
    response_model=StatementOut,
    operation_id="market_statement",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def my_statement(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> StatementOut | Response:
    """Sales, commission, payouts and balance, read from the ledger (`?format=csv`)."""
    statement = studio.market.statement(who)
    if format == "csv":
        return Response(
            statement.csv(),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="statement.csv"'},
        )
    return statement_out(statement)


def _payout_key(payout: Payout) -> After:
    return After(payout.requested_at, payout.id)


@router.get("/account/payouts", operation_id="market_payouts_mine")
def my_payouts(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    page: Window = Depends(window(100, 500)),
) -> PayoutsOut:
    """Your payouts, newest first, and what you may still ask for."""
    rows = studio.market.my_payouts(who, page.fetch, page.after)
    shown, next_url = page.page(rows, _payout_key)
    return PayoutsOut(
        available=studio.market.available(who),
        minimum=studio.settings.market_min_payout,
        currency=studio.market.currency,
        payouts=[payout_out(p) for p in shown],
        next=next_url,
    )


@router.post(
    "/account/payouts",
    status_code=201,
    operation_id="market_payouts_request",
    responses=errors(409),
)
def request_payout(
    body: PayoutIn, who: Principal = Depends(principal), studio: Studio = Depends(get_studio)
) -> PayoutOut:
    return payout_out(studio.market.request_payout(who, body.amount))


def _admin_payout_key(row: tuple[Payout, User | None]) -> After:
    return _payout_key(row[0])


@router.get("/admin/payouts", tags=["admin"], operation_id="admin_payouts_list")
def admin_payouts(
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
    status: str | None = Query("requested", max_length=16),
    page: Window = Depends(window(100, 500)),
) -> Page[PayoutOut]:
    """Payout requests (`status=requested`, the default, or `paid`), newest first."""
    rows = studio.market.payouts(who, status or None, page.fetch, after=page.after)
    shown, next_url = page.page(rows, _admin_payout_key)
    return Page[PayoutOut](
        items=[payout_out(p, user.email if user else None) for p, user in shown], next=next_url
    )


@router.post(
    "/admin/payouts/{payout_id}/paid",
    tags=["admin"],
    operation_id="admin_payouts_paid",
    responses=errors(409),
)
def admin_payout_paid(
    payout_id: str,
    body: PaidIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> PayoutOut:
    return payout_out(studio.market.mark_payout_paid(who, payout_id, body.reference))


@router.post(
    "/admin/licences/{licence_id}/revoke",
    tags=["admin"],
    operation_id="admin_licences_revoke",
    responses=errors(409),
)
def admin_revoke(
    licence_id: str,
    body: RevokeIn,
    who: Principal = Depends(principal),
    studio: Studio = Depends(get_studio),
) -> LicenceOut:
    return licence_out(studio.market.revoke(who, licence_id, body.reason))
