"""Payment providers behind one interface.

`manual` (the default, works offline): the invoice stays open with bank-transfer
instructions until an admin marks it paid. `stripe`: a Checkout Session per invoice,
and webhooks verified with the endpoint's signing secret (`Stripe-Signature:
t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`); `checkout.session.completed`
pays the invoice named by the session's `client_reference_id`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from atelier.commerce import money
from atelier.commerce.models import Invoice
from atelier.errors import StudioError
from atelier.settings import Settings

TOLERANCE_SECONDS = 300  # Stripe's own libraries' default


@dataclass(frozen=True)
class Checkout:
    provider: str
    url: str | None  # where to send the buyer, when the provider hosts the payment
    instructions: str  # what to show when it does not


class PaymentProvider(Protocol):
    name: str

    def checkout(self, invoice: Invoice, return_url: str) -> Checkout: ...


class PaymentError(StudioError):
    status = 502
    title = "Payment provider error"


class ManualProvider:
    name = "manual"

    def __init__(self, instructions: str) -> None:
        self.instructions = instructions

    def checkout(self, invoice: Invoice, return_url: str) -> Checkout:
        text = (
            f"Pay {money.text(invoice.total, invoice.currency)} by bank transfer, quoting "
            f"{invoice.number}. {self.instructions}".strip()
        )
        return Checkout(self.name, None, text)


class StripeProvider:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.api_base = api_base.rstrip("/")

    def checkout(self, invoice: Invoice, return_url: str) -> Checkout:
        """Create a Checkout Session for the invoice's total; returns its URL."""
        form = {
            "mode": "payment",
            "client_reference_id": invoice.id,
            "metadata[invoice_id]": invoice.id,
            "success_url": return_url,
            "cancel_url": return_url,
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": invoice.currency.lower(),
            "line_items[0][price_data][unit_amount]": str(invoice.total),
            "line_items[0][price_data][product_data][name]": f"Invoice {invoice.number}",
        }
        try:
            answer = httpx.post(
                f"{self.api_base}/v1/checkout/sessions",
                data=form,
                headers={
                    "Authorization": f"Bearer {self.secret_key}",
                    "Idempotency-Key": f"checkout-{invoice.id}",
                },
                timeout=30.0,
            )
        except httpx.HTTPError as exc:
            raise PaymentError(f"Stripe could not be reached: {exc}", field="provider") from None
        if answer.status_code != 200:
            raise PaymentError(
                f"Stripe refused the checkout ({answer.status_code}): {answer.text[:300]}",
                field="provider",
            )
        return Checkout(self.name, str(answer.json()["url"]), "")

    def verify(self, body: bytes, header: str, now: float | None = None) -> dict[str, Any]:
        """The event, if the signature is the endpoint secret's and recent; else 400."""
        parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
        stamps = [v for k, v in parts if k.strip() == "t"]
        signatures = [v.strip() for k, v in parts if k.strip() == "v1"]
        if len(stamps) != 1 or not stamps[0].strip().isdigit() or not signatures:
            raise StudioError("malformed Stripe-Signature header", field="Stripe-Signature")
        stamp = int(stamps[0])
        signed = stamps[0].strip().encode() + b"." + body
        expected = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
        if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in signatures):
            raise StudioError("the Stripe signature does not match", field="Stripe-Signature")
        if abs((time.time() if now is None else now) - stamp) > TOLERANCE_SECONDS:
            raise StudioError("the Stripe event is too old (replayed?)", field="Stripe-Signature")
        try:
            event = json.loads(body)
        except ValueError:
            raise StudioError("the event is not JSON", field="body") from None
        if not isinstance(event, dict):
            raise StudioError("the event is not a JSON object", field="body")
        return event

    @staticmethod
    def paid_invoice(event: dict[str, Any]) -> tuple[str, str] | None:
        """(invoice id, session id) for a completed, paid Checkout Session; else None."""
        if event.get("type") != "checkout.session.completed":
            return None
        session = event.get("data", {}).get("object", {})
        if session.get("payment_status") != "paid":
            return None
        invoice_id = session.get("client_reference_id") or session.get("metadata", {}).get(
            "invoice_id"
        )
        if not isinstance(invoice_id, str):
            raise StudioError("the session names no invoice", field="client_reference_id")
        return invoice_id, str(session.get("id", ""))


def provider(settings: Settings) -> ManualProvider | StripeProvider:
    if settings.payment_provider == "stripe":
        return StripeProvider(
            settings.stripe_secret_key.get_secret_value(),
            settings.stripe_webhook_secret.get_secret_value(),
            settings.stripe_api_base,
        )
    return ManualProvider(settings.payment_instructions)
