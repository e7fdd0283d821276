"""What Stripe's events do to invoices and the books, each applied once by its event id
(a retried delivery finds the event's row and returns what was done the first time).

- `checkout.session.completed`: paid (`paid`, `no_payment_required`) pays the invoice;
  `unpaid` means an asynchronous method (a bank debit…) is still on its way;
- `checkout.session.async_payment_succeeded` pays it; `…_failed` leaves it open;
- `charge.refunded`: a full refund refunds the invoice (money and what it bought: credits,
  a plan's period, a licence); a partial one gives that money back from revenue;
- `charge.dispute.created`: the disputed money is withheld (`studio:disputes`) unless it is
  only an inquiry; `charge.dispute.closed`: it comes back, and a lost dispute refunds the
  invoice.

An invoice is found by the session's `client_reference_id` (checkout) or by the payment
(PaymentIntent) it was paid with (refunds, disputes). Events of other types, and events
about payments that are not ours, change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from atelier.commerce import invoices, ledger, money, replay
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.invoices import PAYMENTS
from atelier.commerce.ledger import Leg
from atelier.commerce.models import Invoice, PaymentEvent
from atelier.commerce.payments import from_stripe
from atelier.errors import Conflict, StudioError

DISPUTES = "studio:disputes"  # money the card network holds back while a dispute is open
NOT_OURS = "ignored: the session names no invoice of this studio", None
Handler = Callable[[Session, dict[str, Any], Fulfilment], tuple[str, Invoice | None]]


def apply(s: Session, event: dict[str, Any], kinds: Fulfilment) -> str:
    """Apply one verified event (once per event id); returns what was done."""
    kind = str(event.get("type", ""))
    handler = HANDLERS.get(kind)
    if handler is None:
        return f"ignored {kind}"
    event_id = event.get("id")
    body = event.get("data", {}).get("object")
    if not isinstance(event_id, str) or not 1 <= len(event_id) <= 255:
        raise StudioError("the event has no id", field="id")
    if not isinstance(body, dict):
        raise StudioError("the event has no object", field="data.object")

    def make() -> PaymentEvent:
        result, invoice = handler(s, body, kinds)
        row = PaymentEvent(
            id=event_id,
            provider="stripe",
            type=kind,
            invoice_id=invoice.id if invoice else None,
            result=result,
        )
        s.add(row)
        return row

    row, _ = replay.once(
        s,
        lambda: s.get(PaymentEvent, event_id),
        make,
        lambda earlier: earlier.type == kind,
        Conflict(
            "event %(event_id)s was received before as another type",
            field="id",
            params={"event_id": event_id},
        ),
    )
    return row.result


def _by_payment(s: Session, body: dict[str, Any]) -> Invoice | None:
    """The invoice paid with this object's PaymentIntent (a charge's, a dispute's)."""
    intent = body.get("payment_intent")
    if not isinstance(intent, str):
        return None
    return s.scalar(
        select(Invoice).where(Invoice.provider == "stripe", Invoice.provider_ref == intent)
    )


def _session_invoice(s: Session, body: dict[str, Any]) -> Invoice | None:
    invoice_id = body.get("client_reference_id") or body.get("metadata", {}).get("invoice_id")
    return s.get(Invoice, invoice_id) if isinstance(invoice_id, str) else None


def _pay(s: Session, body: dict[str, Any], kinds: Fulfilment) -> tuple[str, Invoice | None]:
    invoice = _session_invoice(s, body)
    if invoice is None:
        return NOT_OURS
    payment = body.get("payment_intent") or body.get("id") or ""
    invoices.pay_invoice(s, invoice.id, "stripe", str(payment), kinds)
    return f"paid {invoice.number}", invoice


def _session_completed(
    s: Session, body: dict[str, Any], kinds: Fulfilment
) -> tuple[str, Invoice | None]:
    if body.get("payment_status") in ("paid", "no_payment_required"):
        return _pay(s, body, kinds)
    invoice = _session_invoice(s, body)
    if invoice is None:
        return NOT_OURS
    return f"{invoice.number} awaits an asynchronous payment", invoice


def _async_failed(
    s: Session, body: dict[str, Any], kinds: Fulfilment
) -> tuple[str, Invoice | None]:
    invoice = _session_invoice(s, body)
    if invoice is None:
        return NOT_OURS
    return f"the payment of {invoice.number} failed; it stays open", invoice


def _refunded(s: Session, body: dict[str, Any], kinds: Fulfilment) -> tuple[str, Invoice | None]:
    invoice = _by_payment(s, body)
    if invoice is None:
        return "ignored charge.refunded: not a payment of ours", None
    reference = f"charge {body.get('id', '?')}"
    refunded = from_stripe(int(body.get("amount_refunded", 0)), invoice.currency)
    if body.get("refunded") or refunded >= invoice.total:
        invoices.refund_invoice(s, invoice.id, reference, kinds)
        return f"refunded {invoice.number}", invoice
    invoices.partial_refund(s, invoice.id, refunded, reference)
    given = money.text(refunded, invoice.currency)
    return f"{invoice.number} partly refunded: {given} given back so far", invoice


def _dispute_amount(invoice: Invoice, body: dict[str, Any]) -> int:
    return from_stripe(int(body.get("amount", 0)), invoice.currency)


def _dispute_created(
    s: Session, body: dict[str, Any], kinds: Fulfilment
) -> tuple[str, Invoice | None]:
    invoice = _by_payment(s, body)
    if invoice is None:
        return "ignored charge.dispute.created: not a payment of ours", None
    dispute = str(body.get("id", "?"))
    if str(body.get("status", "")).startswith("warning_"):
        return f"inquiry {dispute} on {invoice.number}: no money withheld", invoice
    amount = _dispute_amount(invoice, body)
    ledger.post(
        s,
        f"dispute:{dispute}:withheld",
        "dispute.withheld",
        [Leg(PAYMENTS, invoice.currency, amount), Leg(DISPUTES, invoice.currency, -amount)],
        memo=f"dispute {dispute} on {invoice.number}: {body.get('reason', 'no reason given')}",
        user_id=invoice.user_id,
        ref=f"invoice:{invoice.id}",
    )
    return (
        f"dispute {dispute} on {invoice.number}: {money.text(amount, invoice.currency)} withheld",
        invoice,
    )


def _dispute_closed(
    s: Session, body: dict[str, Any], kinds: Fulfilment
) -> tuple[str, Invoice | None]:
    invoice = _by_payment(s, body)
    if invoice is None:
        return "ignored charge.dispute.closed: not a payment of ours", None
    dispute, status = str(body.get("id", "?")), str(body.get("status", ""))
    withheld = ledger.find(s, f"dispute:{dispute}:withheld")
    if withheld is not None:
        ledger.post(
            s,
            f"dispute:{dispute}:released",
            "dispute.released",
            [Leg(e.account, e.currency, -e.amount) for e in withheld.entries],
            memo=f"dispute {dispute} on {invoice.number} closed ({status})",
            user_id=invoice.user_id,
            ref=f"invoice:{invoice.id}",
        )
    if status == "lost":
        invoices.refund_invoice(s, invoice.id, f"dispute {dispute} lost", kinds)
        return f"dispute {dispute} lost: {invoice.number} refunded", invoice
    return f"dispute {dispute} closed ({status}): {invoice.number} stays paid", invoice


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": _session_completed,
    "checkout.session.async_payment_succeeded": _pay,
    "checkout.session.async_payment_failed": _async_failed,
    "charge.refunded": _refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
}
