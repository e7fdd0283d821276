"""Commerce as the studio holds it (`Studio.commerce`): plans and limits, credits,
subscriptions, packs, invoices, payments, usage and revenue.

Methods that take a `Session` run inside the caller's transaction (the studio's submit);
the others open their own. Callers are checked here (through accounts/authz.py): a user
sees and spends only what is theirs, and admin operations need an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.accounts import authz
from atelier.accounts.authz import Principal
from atelier.commerce import (
    billing_lines,
    credits,
    invoices,
    ledger,
    money,
    payment_events,
    payments,
    plans,
    subscriptions,
    usage,
)
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.invoices import Line
from atelier.commerce.models import CreditPack, Invoice, LedgerTransaction, Plan, Subscription
from atelier.commerce.plans import PlanSpec
from atelier.commerce.usage import Revenue, UsageRow
from atelier.engines.base import Budget
from atelier.errors import Invalid, NotFound, Word
from atelier.settings import Settings
from atelier.store import paging
from atelier.store.db import Database
from atelier.store.models import User, utcnow


@dataclass(frozen=True)
class Account:
    """What the account page and GET /v1/account/plan show (credits to the hundredth)."""

    plan: Plan
    subscription: Subscription | None
    balance: float
    held: float
    owed: float
    trial_ends: datetime
    unmetered: bool


class Commerce:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.currency = money.check_currency(settings.currency)
        self.methods = payments.methods(settings)  # "card" (Stripe) when configured, "bank"
        self.provider = next(iter(self.methods.values()))  # the default method's
        # What paying an invoice delivers, by line kind: billing's own kinds here; the
        # marketplace registers its licences (Market).
        self.fulfilment = Fulfilment()
        billing_lines.register(self.fulfilment)

    # -- inside the studio's transactions ---------------------------------------------

    def check_submit(self, s: Session, caller: Principal, budget: Budget) -> None:
        """The plan's limits on a new job (what its engine's budget says it will make);
        locks the user until the job is written."""
        ledger.lock_user(s, caller.user_id)
        plans.check_submit(s, caller.user_id, caller.via, budget)

    def check_training(self, s: Session, caller: Principal) -> None:
        """A self-serve training job needs a plan with custom models."""
        plans.check_custom_models(s, caller.user_id)

    def check_private(self, s: Session, caller: Principal) -> None:
        plans.check_private(s, caller.user_id)

    # -- a user's own account ------------------------------------------------------------

    def account(self, caller: Principal) -> Account:
        with self.db.transaction() as s:
            user = caller.user_id
            balance = credits.spendable(s, user)
            held = ledger.balance(s, credits.held_account(user), ledger.CREDITS)
            owed = -ledger.balance(s, credits.overage_account(user), ledger.CREDITS)
            return Account(
                plan=plans.current_plan(s, user),
                subscription=plans.subscription(s, user),
                balance=credits.in_credits(balance),
                held=credits.in_credits(held),
                owed=credits.in_credits(owed),
                trial_ends=plans.trial_ends(s, user),
                unmetered=plans.user_is_admin(s, user),
            )

    def credit_history(
        self,
        caller: Principal,
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[tuple[LedgerTransaction, float]]:
        """The user's credit movements, newest first, each with its credits."""
        with self.db.transaction() as s:
            credits.ensure_trial(s, caller.user_id)
            account = credits.credits_account(caller.user_id)
            rows = ledger.history(s, account, ledger.CREDITS, limit, offset, after)
            return [(transaction, credits.in_credits(amount)) for transaction, amount in rows]

    def usage(
        self, caller: Principal, since: datetime | None = None, until: datetime | None = None
    ) -> list[UsageRow]:
        since, until = usage.period(since, until)
        with self.db.transaction() as s:
            return usage.by_engine(s, caller.user_id, since, until)

    def plans(self) -> list[Plan]:
        with self.db.transaction() as s:
            return plans.plans(s)

    def packs(self) -> list[CreditPack]:
        with self.db.transaction() as s:
            return plans.packs(s)

    def change_subscription(
        self, caller: Principal, action: str, plan_id: str | None, key: str | None
    ) -> tuple[Subscription | None, Invoice | None]:
        """subscribe | upgrade | downgrade | cancel | resume; an invoice when one is due now."""
        authz.require_scope(caller, "write")
        with self.db.transaction() as s:
            ledger.lock_user(s, caller.user_id)
            return subscriptions.change(s, caller.user_id, action, plan_id, self.currency, key)

    def buy_pack(self, caller: Principal, pack_id: str, key: str | None) -> Invoice:
        authz.require_scope(caller, "write")
        with self.db.transaction() as s:
            pack = plans.pack(s, pack_id)
            line = Line(
                "pack",
                f"{pack.name} (credit pack)",
                1,
                pack.price,
                f"pack:{pack.id}:{pack.credits}",
            )
            invoice_key = f"pack:{caller.user_id}:{key or invoices.fresh_key()}"
            return invoices.open_invoice(s, caller.user_id, [line], invoice_key, self.currency)

    def invoices(
        self,
        caller: Principal,
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[Invoice]:
        with self.db.transaction() as s:
            return invoices.of_user(s, caller.user_id, limit, offset, after)

    def invoice(self, caller: Principal, invoice_id: str) -> Invoice:
        with self.db.transaction() as s:
            found = s.get(Invoice, invoice_id)
            if found is None or (found.user_id != caller.user_id and not authz.is_admin(caller)):
                raise NotFound(
                    "no invoice %(invoice_id)s",
                    field="invoice_id",
                    params={"invoice_id": invoice_id},
                )
            return found

    def customer(self, invoice: Invoice) -> str:
        with self.db.transaction() as s:
            return invoices.customer(s, invoice)

    def instructions(self, invoice: Invoice) -> str:
        """How to pay an open invoice by bank transfer (always offered), else ""."""
        if invoice.status == "open":
            return self.methods["bank"].checkout(invoice, "").instructions
        return ""

    def invoice_pdf(self, invoice: Invoice) -> bytes:
        return invoices.render_pdf(
            invoice,
            self.customer(invoice),
            self.settings.invoice_issuer,
            self.instructions(invoice),
        )

    def checkout(
        self, caller: Principal, invoice_id: str, return_url: str, method: str | None = None
    ) -> payments.Checkout:
        """How to pay an open invoice by `method` ("card", "bank"; None: the default one)."""
        invoice = self.invoice(caller, invoice_id)
        if invoice.user_id != caller.user_id:
            raise NotFound(
                "no invoice %(invoice_id)s", field="invoice_id", params={"invoice_id": invoice_id}
            )
        if invoice.status != "open":
            raise Invalid(
                "invoice %(number)s is %(status)s",
                field="invoice_id",
                params={"number": invoice.number, "status": Word(invoice.status)},
            )
        provider = self.provider if method is None else self.methods.get(method)
        if provider is None:
            offered = " or ".join(repr(m) for m in self.methods)
            raise Invalid(
                "payment method %(method)s is not offered here; choose %(offered)s",
                field="method",
                params={"method": repr(method), "offered": offered},
            )
        return provider.checkout(invoice, return_url)

    def stripe_webhook(self, body: bytes, signature: str) -> str:
        """Verify a Stripe event and apply it once (payments, refunds, disputes: see
        payment_events.py); returns what was done."""
        card = self.methods.get("card")
        if not isinstance(card, payments.StripeProvider):
            raise NotFound("the Stripe provider is not configured", field="provider")
        event = card.verify(body, signature)
        with self.db.transaction() as s:
            return payment_events.apply(s, event, self.fulfilment)

    # -- admins --------------------------------------------------------------------

    def all_plans(self, caller: Principal) -> list[Plan]:
        authz.require_admin(caller)
        with self.db.transaction() as s:
            return plans.plans(s, include_inactive=True)

    def save_plan(self, caller: Principal, plan_id: str, spec: PlanSpec, create: bool) -> Plan:
        authz.require_admin(caller, "write")
        with self.db.transaction() as s:
            return plans.save_plan(s, plan_id, spec, create)

    def retire_plan(self, caller: Principal, plan_id: str) -> Plan:
        authz.require_admin(caller, "write")
        with self.db.transaction() as s:
            return plans.retire_plan(s, plan_id)

    def all_invoices(
        self,
        caller: Principal,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
        after: paging.After | None = None,
    ) -> list[Invoice]:
        authz.require_admin(caller)
        with self.db.transaction() as s:
            return invoices.listed(s, status, limit, offset, after)

    def mark_paid(self, caller: Principal, invoice_id: str, reference: str) -> Invoice:
        """An admin records a bank transfer (the manual provider); paying twice is a no-op."""
        authz.require_admin(caller, "write")
        reference = reference.strip() or f"marked paid by {caller.user_id}"
        if len(reference) > 200:
            raise Invalid("reference must be at most 200 characters", field="reference")
        with self.db.transaction() as s:
            return invoices.pay_invoice(s, invoice_id, "manual", reference, self.fulfilment)

    def void(self, caller: Principal, invoice_id: str) -> Invoice:
        authz.require_admin(caller, "write")
        with self.db.transaction() as s:
            return invoices.void_invoice(s, invoice_id, self.fulfilment)

    def revenue(
        self, caller: Principal, since: datetime | None = None, until: datetime | None = None
    ) -> Revenue:
        authz.require_admin(caller)
        since, until = usage.period(since, until)
        with self.db.transaction() as s:
            return usage.revenue(s, self.currency, since, until)

    def renew_due(self, now: datetime | None = None) -> list[Invoice]:
        """Open the next period's invoices of subscriptions whose period ended, end the
        cancelled ones, switch downgrades (the worker and `atelier admin billing renew`)."""
        with self.db.transaction() as s:
            return subscriptions.renew_due(s, now or utcnow(), self.currency)

    def user_id_by_email(self, email: str) -> str:
        with self.db.transaction() as s:
            user_id = s.scalar(select(User.id).where(User.email == email.strip().lower()))
        if user_id is None:
            raise NotFound("no user %(email)s", field="email", params={"email": email})
        return user_id
