"""The marketplace: listings with licence offers, orders, licence grants.

A creator lists a work under the offers its rights lineage and their plan allow. Buying
freezes the offer's terms and price in an order and opens a billing invoice with one
`licence` line; paying it (billing's `pay_invoice`) calls `fulfil_licence`, which grants
the licence and credits the creator's share. An exclusive order reserves the listing
with one conditional UPDATE, so of two racing buyers exactly one gets an invoice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from atelier.commerce import (
    certificates,
    invoices,
    ledger,
    lineage,
    money,
    odrl,
    payouts,
    plans,
    replay,
)
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.ledger import Leg
from atelier.commerce.market_models import (
    PAYOUT_STATUSES,
    LicenceGrant,
    Listing,
    ListingOffer,
    Order,
    Payout,
    UploadRights,
)
from atelier.commerce.models import Invoice, InvoiceLine
from atelier.commerce.offers import KINDS, OFFERS, commission, price_range
from atelier.errors import Conflict, Forbidden, Invalid, NotFound
from atelier.settings import Settings
from atelier.store.db import Database
from atelier.store.models import Upload, User, Work, utcnow

AFFIRMATION = (
    "I own this file or have the right to use it, including commercially, in works I sell."
)


Signer = Callable[[bytes], dict[str, str]]


class Actor(Protocol):
    """Who is asking (accounts.Principal fits; commerce does not import accounts)."""

    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    def can(self, scope: str) -> bool: ...


@dataclass(frozen=True)
class ListingView:
    """A work's place on the market: its listing (None if never listed) and, for its
    owner, every offer kind allowed or refused with reasons."""

    work: Work
    listing: Listing | None
    verdicts: list[lineage.Verdict]
    commission_percent: int
    currency: str

    @property
    def on_sale(self) -> bool:
        return self.listing is not None and self.listing.state == "listed"


def _held(work: Work) -> bool:
    return work.review_status in ("in_review", "rejected")


def _name(user: User | None) -> str:
    if user is None:
        return "a former user"
    return user.display_name or user.handle


def _writer(who: Actor) -> None:
    if not who.can("write"):
        raise Forbidden("this API key may only read; create a key with the write scope")


def _admin(who: Actor, scope: str = "read") -> None:
    if who.role != "admin":
        raise Forbidden("only admins may do this")
    if not who.can(scope):
        raise Forbidden(f"this API key lacks the {scope} scope")


def _owned_work(s: Session, who: Actor, work_id: str) -> Work:
    work = s.get(Work, work_id)
    if work is None or work.owner_id != who.user_id:
        raise NotFound(f"no work {work_id}", field="work_id")
    return work


def _listing_of(s: Session, work_id: str, lock: bool = False) -> Listing | None:
    query = select(Listing).where(Listing.work_id == work_id)
    return s.scalar(query.with_for_update() if lock else query)


def offer_verdicts(s: Session, work: Work) -> list[lineage.Verdict]:
    """What the work's lineage, its uploads' affirmations and its owner's plan allow."""
    upload_ids = [i.get("upload_id") for i in work.lineage.get("inputs", [])]
    affirmed = set(
        s.scalars(
            select(UploadRights.upload_id).where(
                UploadRights.upload_id.in_([u for u in upload_ids if u]),
                UploadRights.owner_id == work.owner_id,
            )
        )
    )
    plan = plans.current_plan(s, work.owner_id)
    return lineage.verdicts(work.engine, work.lineage, affirmed, plan.name, plan.commercial_use)


def deletion_obstacle(s: Session, work_ids: list[str]) -> str | None:
    """Why these works must stay, if one must: a work on sale, reserved, sold or
    licensed is part of the market's records (its buyers' certificates name it)."""
    if not work_ids:
        return None
    listed = s.scalar(
        select(Listing.work_id).where(
            Listing.work_id.in_(work_ids), Listing.state.in_(("listed", "reserved", "sold"))
        )
    )
    if listed is not None:
        return f"work {listed} is on the market or sold; unlist it instead of deleting it"
    licensed = s.scalar(select(LicenceGrant.work_id).where(LicenceGrant.work_id.in_(work_ids)))
    if licensed is not None:
        return f"work {licensed} has licences granted; it stays for its licensees"
    return None


def _request_hash(work_id: str, kind: str) -> str:
    return hashlib.sha256(f"{work_id}\n{kind}".encode()).hexdigest()


class Market:
    def __init__(
        self, db: Database, settings: Settings, fulfilment: Fulfilment, sign: Signer
    ) -> None:
        """`fulfilment`: billing's registry of invoice line kinds (Commerce.fulfilment),
        where the market registers what paying a licence line does. `sign`: the studio's
        signature over a grant's canonical bytes (provenance holds the keys; commerce
        never touches them), taken when the licence is granted."""
        self.db = db
        self.settings = settings
        self.fulfilment = fulfilment
        self.sign = sign
        fulfilment.register("licence", LicenceLine(sign))

    @property
    def currency(self) -> str:
        return self.settings.currency

    def _view(
        self, work: Work, listing: Listing | None, verdicts: list[lineage.Verdict]
    ) -> ListingView:
        return ListingView(
            work, listing, verdicts, self.settings.market_commission_percent, self.currency
        )

    # -- rights affirmations for uploads ----------------------------------------------

    def affirm_upload(self, who: Actor, upload_id: str) -> UploadRights:
        """Record the uploader's statement of rights (once; repeating it is harmless)."""
        _writer(who)
        with self.db.transaction() as s:
            upload = s.get(Upload, upload_id)
            if upload is None or upload.owner_id != who.user_id:
                raise NotFound(f"no upload {upload_id}", field="upload_id")
            rights = s.get(UploadRights, upload_id)
            if rights is None:
                rights = UploadRights(
                    upload_id=upload_id, owner_id=who.user_id, statement=AFFIRMATION
                )
                s.add(rights)
            return rights

    def upload_rights(self, who: Actor, upload_ids: list[str]) -> dict[str, UploadRights]:
        with self.db.transaction() as s:
            rows = s.scalars(
                select(UploadRights).where(
                    UploadRights.upload_id.in_(upload_ids), UploadRights.owner_id == who.user_id
                )
            )
            return {r.upload_id: r for r in rows}

    # -- listings -----------------------------------------------------------------------

    def listing(self, who: Actor | None, work_id: str) -> ListingView:
        """The owner sees every offer's verdict; others see the listing of a work on
        the market (NotFound otherwise, so they learn nothing of private works)."""
        with self.db.transaction() as s:
            self._expire(s)
            work = s.get(Work, work_id)
            listing = _listing_of(s, work_id)
            owner = work is not None and who is not None and work.owner_id == who.user_id
            public = (
                work is not None
                and listing is not None
                and listing.state in ("listed", "reserved")
                and work.visibility != "private"
                and not _held(work)
            )
            if work is None or not (owner or public):
                raise NotFound(f"no listing for work {work_id}", field="work_id")
            verdicts = offer_verdicts(s, work) if owner else []
            return self._view(work, listing, verdicts)

    def list_work(self, who: Actor, work_id: str, prices: Mapping[str, int | None]) -> ListingView:
        """Put a work on the market (or change its offers): `prices` maps offer kinds to
        prices in minor units (free offers: 0 or None). All refused offers are named."""
        _writer(who)
        if not prices:
            raise Invalid("choose at least one offer", field="offers")
        clean: dict[str, int] = {}
        low, high = price_range(self.currency)
        for kind, price in prices.items():
            offer = OFFERS.get(kind)
            if offer is None:
                raise Invalid(
                    f"unknown offer {kind!r}; offers are {', '.join(KINDS)}", field=f"offers.{kind}"
                )
            if offer.free:
                if price not in (None, 0):
                    raise Invalid(f"{offer.title} is free: its price is 0", field=f"offers.{kind}")
                clean[kind] = 0
            elif price is None or not low <= price <= high:
                raise Invalid(
                    f"{offer.title} needs a price of {money.text(low, self.currency)} to "
                    f"{money.text(high, self.currency)} (in minor units: {low} to {high})",
                    field=f"offers.{kind}",
                )
            else:
                clean[kind] = price
        with self.db.transaction() as s:
            self._expire(s)
            work = _owned_work(s, who, work_id)
            if _held(work):
                held = "rejected" if work.review_status == "rejected" else "in review"
                raise Conflict(f"work {work_id} is {held}: it cannot be listed", field="work_id")
            verdicts = {v.kind: v for v in offer_verdicts(s, work)}
            refused = [(k, verdicts[k]) for k in clean if not verdicts[k].allowed]
            if refused:
                errors = [
                    (f"offers.{k}", f"{OFFERS[k].title} is not allowed: {'; '.join(v.reasons)}")
                    for k, v in refused
                ]
                raise Invalid("; ".join(m for _, m in errors), errors=errors)
            listing = _listing_of(s, work_id, lock=True)
            if listing is not None and listing.state in ("reserved", "sold"):
                raise Conflict(
                    "this work was sold exclusively and has left the market"
                    if listing.state == "sold"
                    else "an exclusive order is waiting for payment; try again later",
                    field="work_id",
                )
            if listing is None:
                listing = Listing(work_id=work_id, owner_id=who.user_id)
                s.add(listing)
            listing.state, listing.updated_at = "listed", utcnow()
            listing.offers = [
                ListingOffer(position=KINDS.index(kind), kind=kind, price=price)
                for kind, price in sorted(clean.items(), key=lambda kv: KINDS.index(kv[0]))
            ]
            if work.visibility == "private":
                work.visibility = "public"  # buyers must see what they license
            s.flush()
            return self._view(work, listing, list(verdicts.values()))

    def unlist(self, who: Actor, work_id: str) -> ListingView:
        _writer(who)
        with self.db.transaction() as s:
            self._expire(s)
            work = _owned_work(s, who, work_id)
            listing = _listing_of(s, work_id, lock=True)
            if listing is None or listing.state == "unlisted":
                raise NotFound(f"work {work_id} is not on the market", field="work_id")
            if listing.state != "listed":
                raise Conflict(f"the listing is {listing.state}; it cannot be withdrawn now")
            listing.state, listing.updated_at = "unlisted", utcnow()
            return self._view(work, listing, [])

    def on_market(self, limit: int = 24, offset: int = 0) -> list[ListingView]:
        """Works for sale, newest listing first."""
        with self.db.transaction() as s:
            self._expire(s)
            rows = s.execute(
                select(Listing, Work)
                .join(Work, Work.id == Listing.work_id)
                .where(
                    Listing.state.in_(("listed", "reserved")),
                    Work.visibility != "private",
                    Work.review_status.is_(None) | (Work.review_status == "approved"),
                )
                .order_by(Listing.updated_at.desc(), Listing.id)
                .limit(limit)
                .offset(offset)
            )
            return [self._view(work, listing, []) for listing, work in rows]

    # -- buying ---------------------------------------------------------------------

    def buy(
        self, who: Actor, work_id: str, kind: str, idempotency_key: str | None = None
    ) -> tuple[Order, bool]:
        """An order for one offer, with its invoice (or, for a free offer, its licence at
        once). Returns it and whether it is new; the same Idempotency-Key returns the
        first order, with another request it is a conflict."""
        _writer(who)
        if kind not in OFFERS:
            raise Invalid(f"unknown offer {kind!r}; offers are {', '.join(KINDS)}", field="offer")
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", field="Idempotency-Key")
        digest = _request_hash(work_id, kind)
        with self.db.transaction() as s:
            self._expire(s)

            def earlier() -> Order | None:
                if idempotency_key is None:
                    return None
                return s.scalar(
                    select(Order).where(
                        Order.buyer_id == who.user_id, Order.idempotency_key == idempotency_key
                    )
                )

            return replay.once(
                s,
                earlier,
                lambda: self._open_order(s, who, work_id, kind, idempotency_key, digest),
                lambda order: order.request_hash == digest,
                Conflict(
                    "this Idempotency-Key was used for a different purchase; use a new key",
                    field="Idempotency-Key",
                ),
            )

    def _open_order(
        self, s: Session, who: Actor, work_id: str, kind: str, key: str | None, digest: str
    ) -> Order:
        work = s.get(Work, work_id)
        listing = _listing_of(s, work_id)
        if (
            work is None
            or listing is None
            or listing.state == "unlisted"
            or work.visibility == "private"
            or _held(work)
        ):
            raise NotFound(f"work {work_id} is not on the market", field="work_id")
        if listing.state == "sold":
            raise Conflict("this work was sold exclusively and has left the market")
        if listing.state == "reserved":
            raise Conflict(
                "another buyer's exclusive order is waiting for payment; try again later"
            )
        if work.owner_id == who.user_id:
            raise Forbidden("you cannot buy a licence for your own work", field="work_id")
        offer_row = next((o for o in listing.offers if o.kind == kind), None)
        if offer_row is None:
            raise NotFound(f"this work is not offered under {kind}", field="offer")
        pending = s.scalar(
            select(Order.id).where(
                Order.buyer_id == who.user_id,
                Order.work_id == work_id,
                Order.offer_kind == kind,
                Order.status.in_(("open", "paid", "free")),
            )
        )
        if pending is not None:
            raise Conflict(
                f"you already have order {pending} for this offer (see /v1/licences)",
                field="offer",
            )
        offer = OFFERS[kind]
        if (
            offer.commercial
            and not next(v for v in offer_verdicts(s, work) if v.kind == kind).allowed
        ):
            # e.g. the creator's plan lapsed since listing: what we sell must be ours to sell
            raise Conflict(
                f"the creator can no longer sell {offer.title} licences for this work",
                field="offer",
            )
        now = utcnow()
        order = Order(
            buyer_id=who.user_id,
            seller_id=work.owner_id,
            work_id=work_id,
            listing_id=listing.id,
            offer_kind=kind,
            terms=offer.terms(),
            price=offer_row.price,
            commission=commission(offer_row.price, self.settings.market_commission_percent),
            currency=self.currency,
            status="free" if offer.free else "open",
            idempotency_key=key,
            request_hash=digest,
            created_at=now,
        )
        s.add(order)
        s.flush()
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
            _grant(s, order, self.sign)
            return order
        invoice = invoices.open_invoice(
            s,
            who.user_id,
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

    def _expire(self, s: Session) -> None:
        """Void the invoices of exclusive orders whose reservation ran out (billing's
        void_invoice calls release_order, which puts the work back on the market)."""
        now = utcnow()
        stale = s.scalars(select(Order).where(Order.status == "open", Order.expires_at < now)).all()
        for order in stale:
            if order.invoice_id is not None:
                invoices.void_invoice(s, order.invoice_id, self.fulfilment)  # releases it
            else:
                _release(s, order, "void")
            order.status = "expired"

    # -- orders and licences ------------------------------------------------------------

    def order(self, who: Actor, order_id: str) -> tuple[Order, Invoice | None]:
        with self.db.transaction() as s:
            self._expire(s)
            order = s.get(Order, order_id)
            if order is None or order.buyer_id != who.user_id:
                raise NotFound(f"no order {order_id}", field="order_id")
            invoice = s.get(Invoice, order.invoice_id) if order.invoice_id else None
            return order, invoice

    def licences(self, who: Actor, limit: int = 50, offset: int = 0) -> list[LicenceGrant]:
        """The licences `who` holds, newest first."""
        with self.db.transaction() as s:
            return list(
                s.scalars(
                    select(LicenceGrant)
                    .where(LicenceGrant.licensee_id == who.user_id)
                    .order_by(LicenceGrant.granted_at.desc(), LicenceGrant.id)
                    .limit(limit)
                    .offset(offset)
                )
            )

    def licence(self, who: Actor, licence_id: str) -> LicenceGrant:
        """A licence its licensee, its licensor or an admin may read."""
        with self.db.transaction() as s:
            grant = s.get(LicenceGrant, licence_id)
            if grant is None or not (
                who.user_id in (grant.licensee_id, grant.licensor_id) or who.role == "admin"
            ):
                raise NotFound(f"no licence {licence_id}", field="licence_id")
            return grant

    def licence_of_order(self, who: Actor, order_id: str) -> LicenceGrant:
        with self.db.transaction() as s:
            grant = s.scalar(select(LicenceGrant).where(LicenceGrant.order_id == order_id))
            if grant is None or grant.licensee_id != who.user_id:
                raise NotFound(f"order {order_id} has no licence yet", field="order_id")
            return grant

    def find_licence(self, licence_id: str) -> LicenceGrant | None:
        """For public verification: anyone holding a licence id may check it."""
        with self.db.transaction() as s:
            return s.get(LicenceGrant, licence_id)

    def sign_pending(self) -> int:
        """Sign grants made before licences were signed when granted (the studio does it
        once at start, so reading or verifying a licence never writes); returns how many."""
        with self.db.transaction() as s:
            pending = list(s.scalars(select(LicenceGrant).where(LicenceGrant.signature.is_(None))))
            for grant in pending:
                grant.signature = self.sign(certificates.canonical(grant))
            return len(pending)

    def revoke(self, who: Actor, licence_id: str, reason: str) -> LicenceGrant:
        """An admin withdraws a licence (e.g. a chargeback or a rights claim); the
        verification page then says `revoked` with the reason."""
        _admin(who, "write")
        reason = reason.strip()
        if not 1 <= len(reason) <= 1000:
            raise Invalid("say why the licence is revoked (up to 1000 characters)", field="reason")
        with self.db.transaction() as s:
            grant = s.get(LicenceGrant, licence_id)
            if grant is None:
                raise NotFound(f"no licence {licence_id}", field="licence_id")
            if grant.status == "revoked":
                raise Conflict(f"licence {licence_id} is already revoked", field="licence_id")
            grant.status, grant.revoked_at, grant.revoked_reason = "revoked", utcnow(), reason
            return grant

    # -- earnings: sales, payouts, statements -------------------------------------------

    def sales(self, who: Actor, limit: int = 100, offset: int = 0) -> list[LicenceGrant]:
        """Licences granted on `who`'s works, newest first."""
        with self.db.transaction() as s:
            return list(
                s.scalars(
                    select(LicenceGrant)
                    .where(LicenceGrant.licensor_id == who.user_id)
                    .order_by(LicenceGrant.granted_at.desc(), LicenceGrant.id)
                    .limit(limit)
                    .offset(offset)
                )
            )

    def statement(self, who: Actor) -> payouts.Statement:
        with self.db.transaction() as s:
            return payouts.statement(s, who.user_id, self.currency)

    def available(self, who: Actor) -> int:
        with self.db.transaction() as s:
            return payouts.available(s, who.user_id, self.currency)

    def request_payout(self, who: Actor, amount: int) -> Payout:
        _writer(who)
        with self.db.transaction() as s:
            return payouts.request(
                s, who.user_id, amount, self.currency, self.settings.market_min_payout
            )

    def my_payouts(self, who: Actor) -> list[Payout]:
        with self.db.transaction() as s:
            return payouts.listed(s, None, who.user_id)

    def payouts(
        self, who: Actor, status: str | None = "requested", limit: int = 100, offset: int = 0
    ) -> list[tuple[Payout, User | None]]:
        """Payouts for admins, each with the creator it is for."""
        _admin(who)
        if status is not None and status not in PAYOUT_STATUSES:
            raise Invalid(f"status must be one of {', '.join(PAYOUT_STATUSES)}", field="status")
        with self.db.transaction() as s:
            return [
                (p, s.get(User, p.user_id)) for p in payouts.listed(s, status, None, limit, offset)
            ]

    def mark_payout_paid(self, who: Actor, payout_id: str, reference: str = "") -> Payout:
        _admin(who, "write")
        if len(reference) > 200:
            raise Invalid("reference must be at most 200 characters", field="reference")
        with self.db.transaction() as s:
            return payouts.mark_paid(s, payout_id, who.user_id, reference.strip())

    def work_sha256(self, work_id: str) -> str | None:
        with self.db.transaction() as s:
            work = s.get(Work, work_id)
            return work.sha256 if work is not None else None


# -- what paying or voiding a licence line does (registered in billing's fulfilment) ------


class LicenceLine:
    def __init__(self, sign: Signer) -> None:
        self.sign = sign

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        fulfil_licence(s, invoice, line, self.sign)

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        release_order(s, line)


def _order_of(s: Session, line: InvoiceLine) -> Order:
    order = s.get(Order, line.ref or "")
    if order is None:
        raise NotFound(f"invoice line {line.id} names no market order", field="ref")
    return order


def fulfil_licence(s: Session, invoice: Invoice, line: InvoiceLine, sign: Signer) -> LicenceGrant:
    """Grant the licence of a paid order and credit the creator's share (idempotent: a
    replayed payment grants and credits once). An exclusive sale takes the work off the
    market; licences sold before it stay valid."""
    order = _order_of(s, line)
    existing = s.scalar(select(LicenceGrant).where(LicenceGrant.order_id == order.id))
    if existing is not None:
        return existing
    if order.status != "open":
        raise Conflict(f"order {order.id} is {order.status}; it cannot be fulfilled")
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
    return _grant(s, order, sign)


def release_order(s: Session, line: InvoiceLine) -> None:
    """An unpaid order's invoice was voided: close the order, free a reservation."""
    order = _order_of(s, line)
    if order.status == "open":
        _release(s, order, "void")


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


def _grant(s: Session, order: Order, sign: Signer) -> LicenceGrant:
    """The licence of an order, with its ODRL policy, signed by the studio."""
    work = s.get(Work, order.work_id)
    if work is None:
        raise NotFound(f"work {order.work_id} no longer exists", field="work_id")
    licensee, licensor = s.get(User, order.buyer_id), s.get(User, order.seller_id)
    grant = LicenceGrant(
        order_id=order.id,
        licensee_id=order.buyer_id,
        licensor_id=order.seller_id,
        licensee_name=_name(licensee),
        licensor_name=_name(licensor),
        work_id=work.id,
        work_sha256=work.sha256,
        work_title=work.title,
        offer_kind=order.offer_kind,
        terms=order.terms,
        price=order.price,
        currency=order.currency,
        territory=str(order.terms.get("territory", odrl.WORLDWIDE)),
        attribution=lineage.attributions(work.lineage),
        policy={},
        granted_at=utcnow().replace(microsecond=0),
    )
    s.add(grant)
    s.flush()  # the id names the policy
    grant.policy = odrl.policy(
        grant.id,
        (grant.licensor_id, grant.licensor_name),
        (grant.licensee_id, grant.licensee_name),
        work.id,
        work.sha256,
        work.title,
        order.terms,
    )
    grant.signature = sign(certificates.canonical(grant))
    return grant
