"""The marketplace as the studio holds it (`Studio.market`): listings, buying, licences,
creators' earnings. It checks who may do what (through accounts/authz.py) and opens the
transactions; what each step does lives beside it: `listings.py` (offers and what lineage
allows), `orders.py` (buying, reservations, what paying a licence line does), `licences.py`
(grants, signed when made), `payouts.py` (earnings, statements, payouts).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import certificates, licences, lineage, listings, payouts, replay
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.licences import Signer
from atelier.commerce.listings import AFFIRMATION as AFFIRMATION
from atelier.commerce.listings import ListingView as ListingView
from atelier.commerce.listings import deletion_obstacle as deletion_obstacle
from atelier.commerce.market_models import (
    PAYOUT_STATUSES,
    LicenceGrant,
    Listing,
    Order,
    Payout,
    UploadRights,
)
from atelier.commerce.models import Invoice
from atelier.commerce.offers import KINDS, OFFERS
from atelier.commerce.orders import Orders, request_hash
from atelier.errors import Conflict, Invalid, NotFound
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import User, Work, WorkFile


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
        self.sign = sign
        self.orders = Orders(settings, fulfilment, sign)
        fulfilment.register("licence", self.orders)

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

    def affirm_upload(self, who: Principal, upload_id: str) -> UploadRights:
        """Record the uploader's statement of rights (once; repeating it is harmless)."""
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            return listings.affirm(s, who.user_id, upload_id)

    def upload_rights(self, who: Principal, upload_ids: list[str]) -> dict[str, UploadRights]:
        with self.db.transaction() as s:
            return listings.rights_of(s, who.user_id, upload_ids)

    # -- listings -----------------------------------------------------------------------

    def listing(self, who: Principal | None, work_id: str) -> ListingView:
        """The owner sees every offer's verdict; others see the listing of a work on
        the market (NotFound otherwise, so they learn nothing of private works)."""
        with self.db.transaction() as s:
            self.orders.expire(s)
            return self._view(*listings.shown(s, who.user_id if who else None, work_id))

    def list_work(
        self, who: Principal, work_id: str, prices: Mapping[str, int | None]
    ) -> ListingView:
        """Put a work on the market (or change its offers): `prices` maps offer kinds to
        prices in minor units (free offers: 0 or None). All refused offers are named."""
        authz.require_scope(who, "write")
        clean = listings.clean_prices(prices, self.currency)
        with self.db.transaction() as s:
            self.orders.expire(s)
            return self._view(*listings.put(s, who.user_id, work_id, clean))

    def unlist(self, who: Principal, work_id: str) -> ListingView:
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            self.orders.expire(s)
            work, listing = listings.withdraw(s, who.user_id, work_id)
            return self._view(work, listing, [])

    def on_market(
        self, limit: int = 24, offset: int = 0, after: paging.After | None = None
    ) -> list[ListingView]:
        """Works for sale, newest listing first."""
        with self.db.transaction() as s:
            self.orders.expire(s)
            rows = listings.for_sale(s, limit, offset, after)
            return [self._view(w, listing, []) for listing, w in rows]

    # -- buying ---------------------------------------------------------------------

    def buy(
        self, who: Principal, work_id: str, kind: str, idempotency_key: str | None = None
    ) -> tuple[Order, bool]:
        """An order for one offer, with its invoice (or, for a free offer, its licence at
        once). Returns it and whether it is new; the same Idempotency-Key returns the
        first order, with another request it is a conflict."""
        authz.require_scope(who, "write")
        if kind not in OFFERS:
            raise Invalid(
                "unknown offer %(kind)s; offers are %(kinds)s",
                field="offer",
                params={"kind": repr(kind), "kinds": ", ".join(KINDS)},
            )
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", field="Idempotency-Key")
        digest = request_hash(work_id, kind)
        with self.db.transaction() as s:
            self.orders.expire(s)

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
                lambda: self.orders.open(s, who.user_id, work_id, kind, idempotency_key),
                lambda order: order.request_hash == digest,
                Conflict(
                    "this Idempotency-Key was used for a different purchase; use a new key",
                    field="Idempotency-Key",
                ),
            )

    # -- orders and licences ------------------------------------------------------------

    def order(self, who: Principal, order_id: str) -> tuple[Order, Invoice | None]:
        with self.db.transaction() as s:
            self.orders.expire(s)
            order = s.get(Order, order_id)
            if order is None or order.buyer_id != who.user_id:
                raise NotFound(
                    "no order %(order_id)s", field="order_id", params={"order_id": order_id}
                )
            invoice = s.get(Invoice, order.invoice_id) if order.invoice_id else None
            return order, invoice

    def licences(
        self, who: Principal, limit: int = 50, offset: int = 0, after: paging.After | None = None
    ) -> list[LicenceGrant]:
        """The licences `who` holds, newest first."""
        query = select(LicenceGrant).where(LicenceGrant.licensee_id == who.user_id)
        with self.db.transaction() as s:
            return list(
                s.scalars(
                    paging.page(
                        query, LicenceGrant.granted_at, LicenceGrant.id, limit, offset, after
                    )
                )
            )

    def licence(self, who: Principal, licence_id: str) -> LicenceGrant:
        """A licence its licensee, its licensor or an admin may read."""
        with self.db.transaction() as s:
            grant = s.get(LicenceGrant, licence_id)
            if grant is None or not (
                who.user_id in (grant.licensee_id, grant.licensor_id) or authz.is_admin(who)
            ):
                raise NotFound(
                    "no licence %(licence_id)s",
                    field="licence_id",
                    params={"licence_id": licence_id},
                )
            return grant

    def licence_of_order(self, who: Principal, order_id: str) -> LicenceGrant:
        with self.db.transaction() as s:
            grant = s.scalar(select(LicenceGrant).where(LicenceGrant.order_id == order_id))
            if grant is None or grant.licensee_id != who.user_id:
                raise NotFound(
                    "order %(order_id)s has no licence yet",
                    field="order_id",
                    params={"order_id": order_id},
                )
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

    def revoke(self, who: Principal, licence_id: str, reason: str) -> LicenceGrant:
        """An admin withdraws a licence (e.g. a chargeback or a rights claim); the
        verification page then says `revoked` with the reason."""
        authz.require_admin(who, "write")
        reason = reason.strip()
        if not 1 <= len(reason) <= 1000:
            raise Invalid("say why the licence is revoked (up to 1000 characters)", field="reason")
        with self.db.transaction() as s:
            grant = s.get(LicenceGrant, licence_id)
            if grant is None:
                raise NotFound(
                    "no licence %(licence_id)s",
                    field="licence_id",
                    params={"licence_id": licence_id},
                )
            return licences.revoke(grant, reason)

    # -- earnings: sales, payouts, statements -------------------------------------------

    def sales(
        self, who: Principal, limit: int = 100, offset: int = 0, after: paging.After | None = None
    ) -> list[LicenceGrant]:
        """Licences granted on `who`'s works, newest first."""
        query = select(LicenceGrant).where(LicenceGrant.licensor_id == who.user_id)
        with self.db.transaction() as s:
            return list(
                s.scalars(
                    paging.page(
                        query, LicenceGrant.granted_at, LicenceGrant.id, limit, offset, after
                    )
                )
            )

    def statement(self, who: Principal) -> payouts.Statement:
        with self.db.transaction() as s:
            return payouts.statement(s, who.user_id, self.currency)

    def available(self, who: Principal) -> int:
        with self.db.transaction() as s:
            return payouts.available(s, who.user_id, self.currency)

    def request_payout(self, who: Principal, amount: int) -> Payout:
        authz.require_scope(who, "write")
        with self.db.transaction() as s:
            return payouts.request(
                s, who.user_id, amount, self.currency, self.settings.market_min_payout
            )

    def my_payouts(
        self, who: Principal, limit: int = 100, after: paging.After | None = None
    ) -> list[Payout]:
        with self.db.transaction() as s:
            return payouts.listed(s, None, who.user_id, limit, 0, after)

    def payouts(
        self,
        who: Principal,
        status: str | None = "requested",
        limit: int = 100,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[tuple[Payout, User | None]]:
        """Payouts for admins, each with the creator it is for."""
        authz.require_admin(who)
        if status is not None and status not in PAYOUT_STATUSES:
            raise Invalid(
                "status must be one of %(choices)s",
                field="status",
                params={"choices": ", ".join(PAYOUT_STATUSES)},
            )
        with self.db.transaction() as s:
            return [
                (p, s.get(User, p.user_id))
                for p in payouts.listed(s, status, None, limit, offset, after)
            ]

    def mark_payout_paid(self, who: Principal, payout_id: str, reference: str = "") -> Payout:
        authz.require_admin(who, "write")
        if len(reference) > 200:
            raise Invalid("reference must be at most 200 characters", field="reference")
        with self.db.transaction() as s:
            return payouts.mark_paid(s, payout_id, who.user_id, reference.strip())

    def licensed_file(self, grant: LicenceGrant) -> tuple[str, str] | None:
        """The name and MIME type of the licensed work's stored file that has the hash the
        licence names; None when the work (or that file) is no longer stored."""
        with self.db.transaction() as s:
            found = s.execute(
                select(WorkFile.name, WorkFile.mime)
                .where(WorkFile.work_id == grant.work_id, WorkFile.sha256 == grant.work_sha256)
                .order_by(WorkFile.position)
            ).first()
            return (found[0], found[1]) if found is not None else None

    def work_sha256(self, work_id: str) -> str | None:
        with self.db.transaction() as s:
            work = s.get(Work, work_id)
            return work.sha256 if work is not None else None
