"""Payment providers behind one interface, offered to the buyer as payment methods.

`bank` (the manual provider, always offered, works offline): the invoice stays open with
bank-transfer instructions until an admin marks it paid. `card` (the Stripe provider,
offered beside it when the studio has Stripe keys: `payment_provider=stripe`): the official
`stripe` library makes a Checkout Session per invoice and checks each webhook's signature
(the endpoint's signing secret, five minutes' tolerance); what the events do is
`payment_events.py`.

Stripe counts money in its own units per currency: most currencies with two decimals,
its zero-decimal ones (JPY, KRW…) without, five with three (the last digit 0); so ISK,
which has no decimals here, is sent in hundredths."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import stripe

from atelier.commerce import money
from atelier.commerce.models import Invoice
from atelier.errors import StudioError
from atelier.settings import Settings

TOLERANCE_SECONDS = 300  # Stripe's own libraries' default
# https://docs.stripe.com/currencies#zero-decimal and #three-decimal
STRIPE_ZERO_DECIMAL = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "JPY",
        "KMF",
        "KRW",
        "MGA",
        "PYG",
        "RWF",
        "UGX",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
STRIPE_THREE_DECIMAL = frozenset(["BHD", "JOD", "KWD", "OMR", "TND"])


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


def _stripe_shift(currency: str) -> int:
    """Stripe's decimals for the currency less ours: how far to move the decimal point."""
    code = currency.upper()
    theirs = 0 if code in STRIPE_ZERO_DECIMAL else 3 if code in STRIPE_THREE_DECIMAL else 2
    return theirs - money.decimals(code)


def to_stripe(amount: int, currency: str) -> int:
    """Minor units (ours) → Stripe's amount; PaymentError when Stripe cannot charge it."""
    shift = _stripe_shift(currency)
    value = amount * 10**shift if shift >= 0 else amount // 10**-shift
    exact = shift >= 0 or amount % 10**-shift == 0
    if not exact or (currency.upper() in STRIPE_THREE_DECIMAL and value % 10):
        raise PaymentError(
            "Stripe cannot charge %(amount)s: it takes %(currency)s amounts in coarser steps; "
            "change the price",
            params={"amount": money.text(amount, currency), "currency": currency},
            field="total",
        )
    return value


def from_stripe(value: int, currency: str) -> int:
    """Stripe's amount → minor units (ours)."""
    shift = _stripe_shift(currency)
    return value // 10**shift if shift >= 0 else value * 10**-shift


class StripeProvider:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str) -> None:
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(secret_key, base_addresses={"api": api_base})

    def checkout(self, invoice: Invoice, return_url: str) -> Checkout:
        """A Checkout Session for the invoice's total (the same one however often asked:
        its idempotency key is the invoice's); returns its URL."""
        params: dict[str, Any] = {
            "mode": "payment",
            "client_reference_id": invoice.id,
            "metadata": {"invoice_id": invoice.id},
            "payment_intent_data": {"metadata": {"invoice_id": invoice.id}},
            "success_url": return_url,
            "cancel_url": return_url,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": invoice.currency.lower(),
                        "unit_amount": to_stripe(invoice.total, invoice.currency),
                        "product_data": {"name": f"Invoice {invoice.number}"},
                    },
                }
            ],
        }
        try:
            session = self.client.v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"checkout-{invoice.id}"},
            )
        except stripe.StripeError as exc:
            raise PaymentError(
                "Stripe refused the checkout or could not be reached: %(reason)s",
                params={"reason": exc.user_message or exc},
                field="provider",
            ) from None
        if not session.url:
            raise PaymentError("Stripe's checkout session has no URL", field="provider")
        return Checkout(self.name, session.url, "")

    def verify(self, body: bytes, signature: str) -> dict[str, Any]:
        """The event, if it carries the endpoint secret's signature and is recent; else 400."""
        try:
            stripe.WebhookSignature.verify_header(
                body.decode(), signature, self.webhook_secret, TOLERANCE_SECONDS
            )
        except stripe.SignatureVerificationError as exc:
            raise StudioError(
                "the Stripe signature does not hold: %(reason)s",
                params={"reason": exc.user_message or exc},
                field="Stripe-Signature",
            ) from None
        except UnicodeDecodeError:
            raise StudioError("the event is not UTF-8 text", field="body") from None
        try:
            event = json.loads(body)
        except ValueError:
            raise StudioError("the event is not JSON", field="body") from None
        if not isinstance(event, dict):
            raise StudioError("the event is not a JSON object", field="body")
        return event


def methods(settings: Settings) -> dict[str, ManualProvider | StripeProvider]:
    """The ways a buyer may pay, the default first: card (Stripe Checkout) when the studio
    is configured for Stripe, and bank transfer always."""
    bank = ManualProvider(settings.payment_instructions)
    if settings.payment_provider != "stripe":
        return {"bank": bank}
    card = StripeProvider(
        settings.stripe_secret_key.get_secret_value(),
        settings.stripe_webhook_secret.get_secret_value(),
        settings.stripe_api_base,
    )
    return {"card": card, "bank": bank}
