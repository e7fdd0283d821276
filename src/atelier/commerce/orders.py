"""Orders: buying one offer of a listed work. The order freezes the offer's terms, price
and the commission, and opens a billing invoice with one `licence` line; a free offer is
granted at once. An exclusive order reserves the listing with one conditional UPDATE, so
of buyers racing for it exactly one gets an invoice; an unpaid reservation expires.

`Orders` is also what billing's fulfilment runs for `licence` lines: paying one grants the
licence and credits the creator's share; voiding one closes the order and frees the work;
refunding one revokes the licence and takes the sale back out of the books."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atelier.commerce import invoices, ledger, licences
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.ledger import Leg
from atelier.commerce.licences import Signer
from atelier.commerce.listings import held, listing_of, offer_verdicts
from atelier.commerce.market_models import LicenceGrant, Listing, Order
from atelier.commerce.models import Invoice, InvoiceLine
from atelier.commerce.offers import OFFERS, commission
from atelier.errors import Conflict, Forbidden, NotFound, Word
from atelier.settings import Settings
from atelier.store import outbox
from atelier.store.models import Work, utcnow


def request_hash(work_id: str, kind: str) -> str:
    """What an Idempotency-Key promises to buy: the same key must mean the same offer."""
    return hashlib.sha256(f"{work_id}\n{kind}".encode()).hexdigest()


class Orders:
    def __init__(self, settings: Settings, fulfilment: Fulfilment, sign: Signer) -> None:
        self.settings = settings
        self.fulfilment = fulfilment
        self.sign = sign

    def open(self, s: Session, buyer_id: str, work_id: str, kind: str, key: str | None) -> Order:
        """A new order (with its invoice, or its licence when the offer is free)."""
        work = s.get(Work, work_id)
        listing = listing_of(s, work_id)
        if (
            work is None
            or listing is None
            or listing.state == "unlisted"
            or work.visibility == "private"
            or held(work)
        ):
            raise NotFound(
                "work %(work_id)s is not on the market",
                field="work_id",
                params={"work_id": work_id},
            )
        if listing.state == "sold":
            raise Conflict("this work was sold exclusively and has left the market")
        if listing.state == "reserved":
            raise Conflict(
                "another buyer's exclusive order is waiting for payment; try again later"
            )
        if work.owner_id == buyer_id:
            raise Forbidden("you cannot buy a licence for your own work", field="work_id")
        offer_row = next((o for o in listing.offers if o.kind == kind), None)
        if offer_row is None:
            raise NotFound(
                "this work is not offered under %(kind)s", field="offer", params={"kind": kind}
            )
        _refuse_second(s, buyer_id, work_id, kind)
        offer = OFFERS[kind]
        if (
            offer.commercial
            and not next(v for v in offer_verdicts(s, work) if v.kind == kind).allowed
        ):
            # e.g. the creator's plan lapsed since listing: what we sell must be ours to sell
            raise Conflict(
                "the creator can no longer sell %(title)s licences for this work",
                field="offer",
                params={"title": offer.title},
            )
        now = utcnow()
        order = Order(
            buyer_id=buyer_id,
            seller_id=work.owner_id,
            work_id=work_id,
            listing_id=listing.id,
            offer_kind=kind,
            terms=offer.terms(),
            price=offer_row.price,
            commission=commission(offer_row.price, self.settings.market_commission_percent),
            currency=self.settings.currency,
            status="free" if offer.free else "open",
            idempotency_key=key,
            request_hash=request_hash(work_id, kind),
            created_at=now,
        )
        try:
            with s.begin_nested():
                s.add(order)
                s.flush()
        except IntegrityError:  # a buy racing this one won: one live order per offer
            _refuse_second(s, buyer_id, work_id, kind)
            raise
        if offer.exclusive:
            reserved_until = now + timedelta(minutes=self.settings.market_reservation_minutes)
            won = s.execute(
                update(Listing)
                .where(Listing.id == listing.id, Listing.state == "listed")
                .values(state="reserved", reserved_order_id=order.id, reserved_until=reserved_until)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise Conflict("another buyer is buying this work exclusively", field="offer")
            order.expires_at = reserved_until
        if offer.free:
            order.closed_at = now
            _sold(s, order, licences.grant(s, order, self.sign))
            return order
        invoice = invoices.open_invoice(
            s,
            buyer_id,
            [
                invoices.Line(
                    kind="licence",
                    description=f"{offer.title} licence: {work.title or 'untitled'} ({work.id})",
                    quantity=1,
                    unit_amount=order.price,
                    ref=order.id,
                )
            ],
            key=f"order:{order.id}",
            currency=order.currency,
        )
        order.invoice_id = invoice.id
        return order

    def expire(self, s: Session) -> None:
        """Void the invoices of exclusive orders whose reservation ran out (voiding runs
        `voided` below, which puts the work back on the market)."""
        now = utcnow()
        stale = s.scalars(select(Order).where(Order.status == "open", Order.expires_at < now)).all()
        for order in stale:
            if order.invoice_id is not None:
                invoices.void_invoice(s, order.invoice_id, self.fulfilment)
            else:
                _release(s, order, "void")
            order.status = "expired"

    # -- billing's fulfilment of `licence` lines -------------------------------------------

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """Grant the licence of a paid order and credit the creator's share (idempotent: a
        replayed payment grants and credits once). An exclusive sale takes the work off the
        market; licences sold before it stay valid."""
        order = _order_of(s, line)
        if s.scalar(select(LicenceGrant.id).where(LicenceGrant.order_id == order.id)):
            return
        if order.status != "open":
            raise Conflict(
                "order %(id)s is %(status)s; it cannot be fulfilled",
                params={"id": order.id, "status": Word(order.status)},
            )
        now = utcnow()
        order.status, order.closed_at = "paid", now
        ledger.post(
            s,
            f"licence:{order.id}",
            "licence.sale",
            [
                Leg("external:payments", order.currency, -order.price),
                Leg(
                    ledger.user_account(order.seller_id, "earnings"),
                    order.currency,
                    order.price - order.commission,
                ),
                Leg("studio:revenue:commission", order.currency, order.commission),
            ],
            memo=f"{order.terms.get('title', order.offer_kind)} licence for work {order.work_id}",
            user_id=order.seller_id,
            ref=order.id,
        )
        if order.terms.get("exclusive"):
            listing = s.get(Listing, order.listing_id)
            work = s.get(Work, order.work_id)
            if listing is not None:
                listing.state, listing.reserved_until, listing.updated_at = "sold", None, now
                listing.reserved_order_id = order.id
            if work is not None and work.visibility == "public":
                work.visibility = "unlisted"  # off the gallery; licence holders keep their link
        _sold(s, order, licences.grant(s, order, self.sign))

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """An unpaid order's invoice was voided: close the order, free a reservation."""
        order = _order_of(s, line)
        if order.status == "open":
            _release(s, order, "void")

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """The buyer's money went back: the licence is revoked, the sale's legs are reversed
        (the creator's share and the commission), and a work sold exclusively returns to
        its creator, off the market until they list it again."""
        order = _order_of(s, line)
        if order.status != "paid":
            return
        order.status = "refunded"
        sale = ledger.find(s, f"licence:{order.id}")
        if sale is not None:
            ledger.post(
                s,
                f"licence:{order.id}:refund",
                "licence.refund",
                [Leg(e.account, e.currency, -e.amount) for e in sale.entries],
                memo=f"{sale.memo} refunded ({invoice.number})",
                user_id=order.seller_id,
                ref=order.id,
            )
        grant = s.scalar(select(LicenceGrant).where(LicenceGrant.order_id == order.id))
        if grant is not None and grant.status != "revoked":
            licences.revoke(grant, f"refunded: the payment for {invoice.number} was returned")
        listing = s.get(Listing, order.listing_id)
        if (
            listing is not None
            and listing.state == "sold"
            and listing.reserved_order_id == order.id
        ):
            listing.state, listing.reserved_order_id = "unlisted", None
            listing.updated_at = utcnow()


def _sold(s: Session, order: Order, grant: LicenceGrant) -> None:
    """Tell the seller (an event, with the sale's transaction); free licences too."""
    outbox.record(
        s,
        order.seller_id,
        "licence.sold",
        {
            "order_id": order.id,
            "licence_id": grant.id,
            "work_id": order.work_id,
            "offer": order.offer_kind,
            "price": order.price,
            "earnings": order.price - order.commission,
            "currency": order.currency,
        },
    )


def _refuse_second(s: Session, buyer_id: str, work_id: str, kind: str) -> None:
    """Conflict when the buyer holds a live (open, paid or free) order for this offer."""
    live = s.scalar(
        select(Order.id).where(
            Order.buyer_id == buyer_id,
            Order.work_id == work_id,
            Order.offer_kind == kind,
            Order.status.in_(("open", "paid", "free")),
        )
    )
    if live is not None:
        raise Conflict(
            "you already have order %(live)s for this offer (see /v1/licences)",
            field="offer",
            params={"live": live},
        )


def _order_of(s: Session, line: InvoiceLine) -> Order:
    order = s.get(Order, line.ref or "")
    if order is None:
        raise NotFound(
            "invoice line %(id)s names no market order", field="ref", params={"id": line.id}
        )
    return order


def _release(s: Session, order: Order, status: str) -> None:
    order.status, order.closed_at = status, utcnow()
    s.execute(
        update(Listing)
        .where(
            Listing.id == order.listing_id,
            Listing.reserved_order_id == order.id,
            Listing.state == "reserved",
        )
        .values(state="listed", reserved_order_id=None, reserved_until=None)
        .execution_options(synchronize_session=False)
    )
