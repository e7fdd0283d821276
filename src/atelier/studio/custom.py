"""The custom model as a product: an admin quotes a model for a client (a price on an
invoice, and the credits its training may use); when the client pays, the credits are
granted and the training job is queued for them. (A creator whose plan includes custom
models runs the same training self-serve: POST /v1/jobs, metered like any job.)

Paying an invoice calls `QuotedTraining.paid` for its `custom_model` line (commerce's
fulfilment registry), inside commerce's transaction: grant and job go in with the
payment, once, however often the payment is replayed."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import credits, invoices, ledger
from atelier.commerce.billing_lines import line_key
from atelier.commerce.invoices import Line
from atelier.commerce.models import Invoice, InvoiceLine
from atelier.commerce.service import Commerce
from atelier.errors import Invalid, NotFound
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import Job, User, utcnow
from atelier.store.paging import After
from atelier.studio.catalogue import Catalogue, Price, validated
from atelier.studio.models import Models
from atelier.studio.spine import MAX_SEED, Spine
from atelier.training.engines import Trainer
from atelier.training.records import CustomQuote

MAX_PRICE = 10**10  # minor units
MAX_CREDITS = 10_000_000


def quote_of(s: Session, line: InvoiceLine) -> CustomQuote:
    quote = s.get(CustomQuote, (line.ref or "").removeprefix("custom_model:"))
    if quote is None:
        raise NotFound(
            "invoice line %(description)s names a missing quote",
            "ref",
            params={"description": repr(line.description)},
        )
    return quote


class QuotedTraining:
    """What paying, voiding or refunding a `custom_model` invoice line does."""

    def __init__(self, spine: Spine, engines: Catalogue) -> None:
        self.spine = spine
        self.engines = engines

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """The quoted credits are granted and the training queued for the client."""
        quote = quote_of(s, line)
        if quote.job_id is not None:
            return
        credits.grant(
            s,
            quote.client_id,
            quote.credits * credits.UNIT,
            line_key(invoice, line),
            f"{line.description}, {invoice.number}",
            ref=f"custom_model:{quote.id}",
        )
        engine = self.engines.get(quote.engine)
        key = f"custom-model:{quote.id}"
        price = Price(seconds=0.0, factor=1.0, credits=quote.credits)  # the quote's, as agreed
        job = self.spine.enqueue(s, quote.client_id, engine, quote.params, quote.seed, key, price)
        quote.status, quote.job_id = "paid", job.id
        self.spine.added.set()

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        quote_of(s, line).status = "void"

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None:
        """The training stops (a queued job is cancelled, a running one asked to stop)
        and the credits still unspent of those granted go back to the studio."""
        quote = quote_of(s, line)
        quote.status = "refunded"
        job = s.get(Job, quote.job_id) if quote.job_id else None
        if job is not None and job.status == "queued":
            job.status, job.finished_at = "canceled", utcnow()
            credits.release(s, job)
        elif job is not None and job.status == "running":
            job.cancel_requested = True
        ledger.lock_user(s, quote.client_id)
        back = min(quote.credits * credits.UNIT, max(0, credits.balance(s, quote.client_id)))
        if back > 0:
            ledger.post(
                s,
                f"{line_key(invoice, line)}:refund",
                "credits.refund",
                [
                    ledger.Leg(credits.credits_account(quote.client_id), ledger.CREDITS, -back),
                    ledger.Leg(credits.GRANTS, ledger.CREDITS, back),
                ],
                memo=f"{line.description}, {invoice.number} refunded: "
                f"{credits.said(back)} credits unspent",
                user_id=quote.client_id,
                ref=f"invoice:{invoice.id}",
            )


class Custom:
    """Quotes: admins make them and see them all; a client sees theirs."""

    def __init__(
        self, db: Database, engines: Catalogue, models: Models, commerce: Commerce
    ) -> None:
        self.db = db
        self.engines = engines
        self.models = models
        self.commerce = commerce

    def quote(
        self,
        admin: Principal,
        email: str,
        engine_name: str,
        params: dict[str, object],
        price: int,
        credits_: int,
        description: str = "",
        seed: int | None = None,
    ) -> tuple[CustomQuote, Invoice]:
        """A quote for a client's model and its open invoice (the client pays it)."""
        authz.require_admin(admin, "write")
        engine = self.engines.get(engine_name)
        if not isinstance(engine, Trainer):
            raise Invalid(
                "%(engine_name)s trains no model; quote a train.* engine",
                "engine",
                params={"engine_name": engine_name},
            )
        if not 0 <= price <= MAX_PRICE:
            raise Invalid(
                "price must be 0 to %(MAX_PRICE)s (minor units)",
                field="price",
                params={"MAX_PRICE": format(MAX_PRICE, ",")},
            )
        if not 1 <= credits_ <= MAX_CREDITS:
            raise Invalid(
                "credits must be 1 to %(MAX_CREDITS)s",
                field="credits",
                params={"MAX_CREDITS": format(MAX_CREDITS, ",")},
            )
        if seed is not None and not 0 <= seed <= MAX_SEED:
            raise Invalid(
                "seed must be 0 to %(MAX_SEED)s", field="seed", params={"MAX_SEED": MAX_SEED}
            )
        if len(description) > 300:
            raise Invalid("description must be at most 300 characters", field="description")
        clean = validated(engine, dict(params)).model_dump(mode="json")
        with self.db.transaction() as s:
            client = s.scalar(select(User).where(User.email == email.strip().lower()))
            if client is None:
                raise NotFound("no user %(email)s", field="email", params={"email": email})
            self.models.check(s, client.id, engine, clean)
            quote = CustomQuote(
                client_id=client.id,
                created_by=admin.user_id,
                engine=engine.name,
                params=clean,
                seed=secrets.randbelow(MAX_SEED + 1) if seed is None else seed,
                price=price,
                currency=self.commerce.currency,
                credits=credits_,
                description=description,
                status="open",
            )
            s.add(quote)
            s.flush()
            what = description or f"Custom model {clean['name']} ({engine.title.lower()})"
            line = Line("custom_model", what[:300], 1, price, f"custom_model:{quote.id}")
            invoice = invoices.open_invoice(
                s, client.id, [line], f"custom_model:{quote.id}", self.commerce.currency
            )
            quote.invoice_id = invoice.id
            return quote, invoice

    def quotes(
        self, who: Principal, limit: int = 200, after: After | None = None
    ) -> list[CustomQuote]:
        """All quotes for an admin; a client's own otherwise; newest first, past `after`."""
        query = select(CustomQuote)
        if not authz.is_admin(who):
            query = query.where(CustomQuote.client_id == who.user_id)
        query = paging.page(query, CustomQuote.created_at, CustomQuote.id, limit, after=after)
        with self.db.transaction() as s:
            return list(s.scalars(query))

    def get(self, who: Principal, quote_id: str) -> CustomQuote:
        with self.db.transaction() as s:
            quote = s.get(CustomQuote, quote_id)
            if quote is None or not (authz.is_admin(who) or authz.is_owner(who, quote.client_id)):
                raise NotFound(
                    "no quote %(quote_id)s", field="quote_id", params={"quote_id": quote_id}
                )
            return quote
