"""The marketplace as the API shows it: listings and offers, orders, licences, payouts
and creators' statements."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from atelier.commerce import certificates
from atelier.commerce.listings import ListingView
from atelier.commerce.market_models import LicenceGrant, Order, Payout, UploadRights
from atelier.commerce.models import Invoice
from atelier.commerce.offers import OFFERS, commission
from atelier.commerce.payouts import Statement
from atelier.web.schemas.common import Out, UtcTime
from atelier.web.schemas.studio import WorkOut, work_out


class OfferOut(Out):
    kind: str
    title: str
    summary: str
    price: int = Field(description="Minor units.")
    commission: int = Field(description="The studio's part of the price.")
    creator_share: int
    terms: dict[str, Any]
    buy_url: str


class RefusedOffer(Out):
    kind: str
    title: str
    reasons: list[str]


class ListingOut(Out):
    work: WorkOut
    state: str = Field(description="listed, reserved, sold, unlisted or not listed")
    reserved_until: UtcTime | None
    currency: str
    commission_percent: int
    offers: list[OfferOut]
    allowed: list[str] | None = Field(description="The owner's only: offer kinds allowed.")
    refused: list[RefusedOffer] | None = Field(
        description="The owner's only: offer kinds refused, with the reasons."
    )


class OrderInvoiceOut(Out):
    id: str
    number: str
    status: str
    total: int
    currency: str
    url: str


class OrderOut(Out):
    id: str
    work_id: str
    offer: str
    terms: dict[str, Any]
    price: int
    currency: str
    status: str
    created_at: UtcTime
    expires_at: UtcTime | None
    closed_at: UtcTime | None
    invoice: OrderInvoiceOut | None
    checkout_url: str


class Party(Out):
    id: str
    name: str


class LicensedWork(Out):
    id: str
    sha256: str
    title: str


class LicenceRecord(Out):
    """What the studio's signature covers."""

    v: int
    licence: str
    order: str
    licensee: Party
    licensor: Party
    work: LicensedWork
    offer: str
    terms: dict[str, Any]
    price: int
    currency: str
    territory: str
    attribution: list[dict[str, str]]
    granted_at: UtcTime
    policy: dict[str, Any] = Field(description="The W3C ODRL 2.2 Agreement.")


class LicenceOut(LicenceRecord):
    id: str
    status: str = Field(description="valid or revoked")
    revoked_at: UtcTime | None
    revoked_reason: str | None
    signature: dict[str, str] | None
    certificate_html: str
    certificate_pdf: str
    odrl: str
    file: str = Field(description="The licensed work's original file, for its licensee.")
    verify_url: str


class VerifiedLicence(LicenceRecord):
    status: str
    revoked_reason: str | None


class LicenceVerdictOut(Out):
    licence_id: str
    verdict: str = Field(description="valid, revoked, invalid or not found")
    checks: list[str]
    licence: VerifiedLicence | None = None


class RightsOut(Out):
    upload_id: str
    statement: str
    affirmed_at: UtcTime


class PayoutOut(Out):
    id: str
    user_id: str
    amount: int
    currency: str
    status: str = Field(description="requested or paid")
    requested_at: UtcTime
    paid_at: UtcTime | None
    reference: str | None
    email: str | None = Field(None, description="The creator's, in admins' listings.")


class PayoutsOut(Out):
    available: int = Field(description="What you may still ask for.")
    minimum: int
    currency: str
    payouts: list[PayoutOut]
    next: str | None = Field(description="The next page's URL, or null on the last page.")


class StatementLineOut(Out):
    at: UtcTime
    kind: str
    memo: str
    ref: str | None
    gross: int
    commission: int
    amount: int


class StatementOut(Out):
    currency: str
    sales: int
    commission: int
    earned: int
    paid_out: int
    requested: int
    balance: int
    lines: list[StatementLineOut]


def listing_out(view: ListingView, owner: bool) -> ListingOut:
    listing, percent = view.listing, view.commission_percent
    offers = []
    for row in listing.offers if listing is not None else []:
        offer = OFFERS[row.kind]
        fee = commission(row.price, percent)
        offers.append(
            OfferOut(
                kind=row.kind,
                title=offer.title,
                summary=offer.summary,
                price=row.price,
                commission=fee,
                creator_share=row.price - fee,
                terms=offer.terms(),
                buy_url=f"/v1/works/{view.work.id}/offers/{row.kind}/buy",
            )
        )
    return ListingOut(
        work=work_out(view.work, owner),
        state=listing.state if listing is not None else "not listed",
        reserved_until=listing.reserved_until if listing is not None else None,
        currency=view.currency,
        commission_percent=percent,
        offers=offers,
        allowed=[v.kind for v in view.verdicts if v.allowed] if owner else None,
        refused=[
            RefusedOffer(kind=v.kind, title=OFFERS[v.kind].title, reasons=list(v.reasons))
            for v in view.verdicts
            if not v.allowed
        ]
        if owner
        else None,
    )


def order_out(order: Order, invoice: Invoice | None = None) -> OrderOut:
    return OrderOut(
        id=order.id,
        work_id=order.work_id,
        offer=order.offer_kind,
        terms=order.terms,
        price=order.price,
        currency=order.currency,
        status=order.status,
        created_at=order.created_at,
        expires_at=order.expires_at,
        closed_at=order.closed_at,
        invoice=OrderInvoiceOut(
            id=invoice.id,
            number=invoice.number,
            status=invoice.status,
            total=invoice.total,
            currency=invoice.currency,
            url=f"/v1/invoices/{invoice.id}",
        )
        if invoice is not None
        else None,
        checkout_url=f"/checkout/{order.id}",
    )


def licence_out(grant: LicenceGrant) -> LicenceOut:
    return LicenceOut(
        **certificates.record(grant),
        id=grant.id,
        status=grant.status,
        revoked_at=grant.revoked_at,
        revoked_reason=grant.revoked_reason,
        signature=grant.signature,
        certificate_html=f"/v1/licences/{grant.id}/certificate.html",
        certificate_pdf=f"/v1/licences/{grant.id}/certificate.pdf",
        odrl=f"/v1/licences/{grant.id}/odrl.json",
        file=f"/v1/licences/{grant.id}/file",
        verify_url=f"/verify/licences/{grant.id}",
    )


def verdict_out(
    licence_id: str, verdict: str, grant: LicenceGrant | None, checks: list[str]
) -> LicenceVerdictOut:
    return LicenceVerdictOut(
        licence_id=licence_id,
        verdict=verdict,
        checks=checks,
        licence=VerifiedLicence(
            **certificates.record(grant),
            status=grant.status,
            revoked_reason=grant.revoked_reason,
        )
        if grant is not None
        else None,
    )


def rights_out(rights: UploadRights) -> RightsOut:
    return RightsOut(
        upload_id=rights.upload_id, statement=rights.statement, affirmed_at=rights.affirmed_at
    )


def payout_out(payout: Payout, email: str | None = None) -> PayoutOut:
    return PayoutOut(
        id=payout.id,
        user_id=payout.user_id,
        amount=payout.amount,
        currency=payout.currency,
        status=payout.status,
        requested_at=payout.requested_at,
        paid_at=payout.paid_at,
        reference=payout.reference,
        email=email,
    )


def statement_out(statement: Statement) -> StatementOut:
    return StatementOut(
        currency=statement.currency,
        sales=statement.sales,
        commission=statement.commission,
        earned=statement.earned,
        paid_out=statement.paid_out,
        requested=statement.requested,
        balance=statement.balance,
        lines=[
            StatementLineOut(
                at=line.at,
                kind=line.kind,
                memo=line.memo,
                ref=line.ref,
                gross=line.gross,
                commission=line.commission,
                amount=line.amount,
            )
            for line in statement.lines
        ],
    )
