"""Invoices: every purchase is one. Opened with its lines (idempotent on a key),
paid once (the money goes into the ledger and each line is fulfilled), or voided; a paid
one may be refunded (the money and what each line delivered are reversed) or partly
refunded (the money only). Rendered to PDF here; the HTML view is the web door's template."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atelier.commerce import ledger, money, replay
from atelier.commerce.documents import new_pdf
from atelier.commerce.fulfilment import Fulfilment
from atelier.commerce.ledger import Leg
from atelier.commerce.models import (
    INVOICE_STATUSES,
    LINE_KINDS,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    LedgerEntry,
    LedgerTransaction,
)
from atelier.errors import Conflict, Invalid, NotFound, Word
from atelier.store import paging
from atelier.store.models import User, utcnow

PAYMENTS = "external:payments"
REFUNDS = "studio:revenue:refunds"  # partial refunds: money given back, nothing reversed
# Where each kind of line's money goes; a licence line's money is split by the market.
REVENUE = {
    "subscription": "studio:revenue:subscriptions",
    "pack": "studio:revenue:packs",
    "overage": "studio:revenue:overage",
    "custom_model": "studio:revenue:custom_models",
}
MAX_LINES = 50


@dataclass(frozen=True)
class Line:
    kind: str  # subscription | pack | overage | licence | custom_model
    description: str
    quantity: int
    unit_amount: int  # minor units; negative for a credit (e.g. unused time on a plan)
    ref: str | None = None


def fresh_key() -> str:
    return secrets.token_hex(16)


def _check(lines: Sequence[Line]) -> None:
    if not 1 <= len(lines) <= MAX_LINES:
        raise Invalid(
            "an invoice has 1 to %(MAX_LINES)s lines",
            field="lines",
            params={"MAX_LINES": MAX_LINES},
        )
    for i, line in enumerate(lines):
        if line.kind not in LINE_KINDS:
            raise Invalid(
                "line kind must be one of %(choices)s",
                f"lines.{i}.kind",
                params={"choices": ", ".join(LINE_KINDS)},
            )
        if not 1 <= len(line.description) <= 300:
            raise Invalid("description must be 1 to 300 characters", f"lines.{i}.description")
        if not 1 <= line.quantity <= 10_000_000:
            raise Invalid("quantity must be 1 to 10,000,000", f"lines.{i}.quantity")
        if abs(line.unit_amount) > 10**10:
            raise Invalid("unit_amount is out of range", f"lines.{i}.unit_amount")
    if sum(line.quantity * line.unit_amount for line in lines) < 0:
        raise Invalid("an invoice's total cannot be negative", field="lines")


def _next_number(db: Session, year: int) -> str:
    """INV-<year>-<n>: numbers run without gaps per year (the counter row is locked)."""
    counter = db.scalar(select(InvoiceCounter).where(InvoiceCounter.year == year).with_for_update())
    if counter is None:
        try:
            with db.begin_nested():
                db.add(InvoiceCounter(year=year, last=0))
                db.flush()
        except IntegrityError:
            pass  # another transaction made it first
        counter = db.scalar(
            select(InvoiceCounter).where(InvoiceCounter.year == year).with_for_update()
        )
        assert counter is not None
    counter.last += 1
    return f"INV-{year}-{counter.last:06d}"


def _same(invoice: Invoice, user_id: str, lines: Sequence[Line]) -> bool:
    stored = [(x.kind, x.description, x.quantity, x.unit_amount, x.ref) for x in invoice.lines]
    asked = [(x.kind, x.description, x.quantity, x.unit_amount, x.ref) for x in lines]
    return invoice.user_id == user_id and stored == asked


def open_invoice(
    db: Session, user_id: str, lines: Sequence[Line], key: str, currency: str
) -> Invoice:
    """A new open invoice; the same key again returns it (other lines: Conflict)."""
    _check(lines)
    if not 1 <= len(key) <= 200:
        raise Invalid("the invoice key must be 1 to 200 characters", field="Idempotency-Key")

    def make() -> Invoice:
        now = utcnow()
        invoice = Invoice(
            number=_next_number(db, now.year),
            key=key,
            user_id=user_id,
            status="open",
            currency=currency,
            total=sum(line.quantity * line.unit_amount for line in lines),
            issued_at=now,
        )
        invoice.lines = [
            InvoiceLine(
                position=i,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                amount=line.quantity * line.unit_amount,
                ref=line.ref,
            )
            for i, line in enumerate(lines)
        ]
        db.add(invoice)
        return invoice

    invoice, _ = replay.once(
        db,
        lambda: db.scalar(select(Invoice).where(Invoice.key == key)),
        make,
        lambda earlier: _same(earlier, user_id, lines),
        Conflict(
            "this Idempotency-Key was used for a different purchase; use a new key",
            field="Idempotency-Key",
        ),
    )
    return invoice


def _locked(db: Session, invoice_id: str) -> Invoice:
    invoice = db.scalar(select(Invoice).where(Invoice.id == invoice_id).with_for_update())
    if invoice is None:
        raise NotFound(
            "no invoice %(invoice_id)s", field="invoice_id", params={"invoice_id": invoice_id}
        )
    return invoice


def pay_invoice(
    db: Session, invoice_id: str, provider: str, provider_ref: str, kinds: Fulfilment
) -> Invoice:
    """Mark an invoice paid, post its money and fulfil its lines (each by its kind's
    handler in `kinds`): once, however often a webhook is replayed or an admin clicks."""
    invoice = _locked(db, invoice_id)
    if invoice.status == "paid":
        return invoice
    if invoice.status == "void":
        raise Conflict(
            "invoice %(number)s was voided", field="invoice_id", params={"number": invoice.number}
        )
    invoice.status, invoice.paid_at = "paid", utcnow()
    invoice.provider, invoice.provider_ref = provider, provider_ref[:200]
    by_account: dict[str, int] = defaultdict(int)
    for line in invoice.lines:
        if line.kind in REVENUE:
            by_account[REVENUE[line.kind]] += line.amount
    received = sum(by_account.values())
    ledger.post(
        db,
        f"invoice:{invoice.id}:paid",
        "invoice.paid",
        [Leg(PAYMENTS, invoice.currency, -received)]
        + [Leg(account, invoice.currency, amount) for account, amount in by_account.items()],
        memo=f"{invoice.number} paid ({provider} {provider_ref[:100]})",
        user_id=invoice.user_id,
        ref=f"invoice:{invoice.id}",
    )
    db.flush()
    kinds.paid(db, invoice)
    return invoice


def void_invoice(db: Session, invoice_id: str, kinds: Fulfilment) -> Invoice:
    """Cancel an unpaid invoice; each line's kind frees what it held (a licence line
    its order and reservation)."""
    invoice = _locked(db, invoice_id)
    if invoice.status == "void":
        return invoice
    if invoice.status == "paid":
        raise Conflict(
            "invoice %(number)s is paid; it cannot be voided",
            "invoice_id",
            params={"number": invoice.number},
        )
    invoice.status, invoice.voided_at = "void", utcnow()
    kinds.voided(db, invoice)
    return invoice


def refund_invoice(db: Session, invoice_id: str, reference: str, kinds: Fulfilment) -> Invoice:
    """The whole payment went back to the customer: its money leaves the books (partial
    refunds recorded before are folded in) and each line's kind takes back what it
    delivered. Once, however often the provider's event is replayed."""
    invoice = _locked(db, invoice_id)
    if invoice.status == "refunded":
        return invoice
    if invoice.status != "paid":
        raise Conflict(
            "invoice %(number)s is %(status)s, not paid",
            "invoice_id",
            params={"number": invoice.number, "status": Word(invoice.status)},
        )
    paid = ledger.find(db, f"invoice:{invoice.id}:paid")
    legs = [Leg(e.account, e.currency, -e.amount) for e in (paid.entries if paid else [])]
    earlier = partly_refunded(db, invoice)
    legs += [Leg(REFUNDS, invoice.currency, earlier), Leg(PAYMENTS, invoice.currency, -earlier)]
    ledger.post(
        db,
        f"invoice:{invoice.id}:refund",
        "invoice.refund",
        legs,
        memo=f"{invoice.number} refunded ({reference[:100]})",
        user_id=invoice.user_id,
        ref=f"invoice:{invoice.id}",
    )
    invoice.status, invoice.refunded_at = "refunded", utcnow()
    db.flush()
    kinds.refunded(db, invoice)
    return invoice


def partly_refunded(db: Session, invoice: Invoice) -> int:
    """Money given back on the invoice by partial refunds so far."""
    total = db.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.ref == f"invoice:{invoice.id}",
            LedgerTransaction.kind == "invoice.partial_refund",
            LedgerEntry.account == REFUNDS,
        )
    )
    return -int(total or 0)


def partial_refund(db: Session, invoice_id: str, refunded: int, reference: str) -> Invoice:
    """Part of the payment went back (`refunded`: all given back so far, in minor units):
    the studio gives that money from its revenue (`studio:revenue:refunds`); what was
    bought stays bought. Replays and out-of-order events move nothing more."""
    invoice = _locked(db, invoice_id)
    if invoice.status != "paid":
        return invoice
    more = min(refunded, invoice.total) - partly_refunded(db, invoice)
    if more > 0:
        ledger.post(
            db,
            f"invoice:{invoice.id}:refund:{refunded}",
            "invoice.partial_refund",
            [Leg(PAYMENTS, invoice.currency, more), Leg(REFUNDS, invoice.currency, -more)],
            memo=f"{invoice.number}: {money.text(more, invoice.currency)} given back "
            f"({reference[:100]})",
            user_id=invoice.user_id,
            ref=f"invoice:{invoice.id}",
        )
    return invoice


def of_user(
    db: Session, user_id: str, limit: int = 50, offset: int = 0, after: paging.After | None = None
) -> list[Invoice]:
    query = select(Invoice).where(Invoice.user_id == user_id)
    return list(db.scalars(paging.page(query, Invoice.issued_at, Invoice.id, limit, offset, after)))


def listed(
    db: Session,
    status: str | None,
    limit: int = 50,
    offset: int = 0,
    after: paging.After | None = None,
) -> list[Invoice]:
    query = select(Invoice)
    if status is not None:
        if status not in INVOICE_STATUSES:
            raise Invalid(
                "status must be one of %(choices)s",
                field="status",
                params={"choices": ", ".join(INVOICE_STATUSES)},
            )
        query = query.where(Invoice.status == status)
    return list(db.scalars(paging.page(query, Invoice.issued_at, Invoice.id, limit, offset, after)))


def customer(db: Session, invoice: Invoice) -> str:
    """Who the invoice is to: "Display Name <e-mail>", or the e-mail alone."""
    user = db.get(User, invoice.user_id)
    if user is None:
        return ""
    return f"{user.display_name} <{user.email}>" if user.display_name else user.email


def render_pdf(invoice: Invoice, customer: str, issuer: str, instructions: str = "") -> bytes:
    """The invoice as a PDF (documents.py's fonts: Chinese names and lines print too)."""
    pdf = new_pdf(f"Invoice {invoice.number}")
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, f"Invoice {invoice.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    facts = [
        ("From", issuer),
        ("To", customer),
        ("Issued", invoice.issued_at.strftime("%Y-%m-%d")),
        ("Status", invoice.status + (f" ({invoice.paid_at:%Y-%m-%d})" if invoice.paid_at else "")),
    ]
    for label, value in facts:
        pdf.cell(30, 6, label)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (100, 20, 35, 35)
    pdf.set_font("DejaVu", "B", 10)
    for width, title in zip(widths, ("Description", "Qty", "Unit", "Amount"), strict=True):
        pdf.cell(width, 7, title, border="B", align="L" if title == "Description" else "R")
    pdf.ln()
    pdf.set_font("DejaVu", "", 10)
    for line in invoice.lines:
        values = (
            line.description,
            str(line.quantity),
            money.text(line.unit_amount, invoice.currency),
            money.text(line.amount, invoice.currency),
        )
        for width, value in zip(widths, values, strict=True):
            pdf.cell(width, 7, value[:60], align="L" if value is values[0] else "R")
        pdf.ln()
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(sum(widths[:3]), 9, "Total", border="T")
    pdf.cell(widths[3], 9, money.text(invoice.total, invoice.currency), border="T", align="R")
    pdf.ln()
    if instructions and invoice.status == "open":
        pdf.ln(4)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, instructions)
    return bytes(pdf.output())
