"""What paying, voiding or refunding an invoice does for each of its lines, by the line's
kind.

Invoices know nothing of packs, plans or licences: each kind registers its handler in a
`Fulfilment` when its part of commerce is built (billing's pack, subscription and
overage in `billing_lines.py`; the marketplace's licence in its orders), and paying an
invoice calls the handler of each line's kind. So invoices import no kind and no kind
imports back into invoices' callers: no import circle."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from atelier.commerce.models import LINE_KINDS, Invoice, InvoiceLine


class LineKind(Protocol):
    """A kind of invoice line: what its payment delivers, what voiding its unpaid invoice
    frees, and what a refund takes back. Each must be idempotent (keyed by the line):
    payment events are replayed."""

    def paid(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None: ...

    def voided(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None: ...

    def refunded(self, s: Session, invoice: Invoice, line: InvoiceLine) -> None: ...


class Fulfilment:
    """The registry: one handler per line kind."""

    def __init__(self) -> None:
        self._kinds: dict[str, LineKind] = {}

    def register(self, kind: str, handler: LineKind) -> None:
        if kind not in LINE_KINDS:
            raise ValueError(f"invoice lines have kinds {', '.join(LINE_KINDS)}, not {kind!r}")
        if kind in self._kinds:
            raise ValueError(f"invoice lines of kind {kind!r} have a handler already")
        self._kinds[kind] = handler

    def of(self, kind: str) -> LineKind:
        handler = self._kinds.get(kind)
        if handler is None:
            raise LookupError(f"nothing fulfils invoice lines of kind {kind!r}")
        return handler

    def paid(self, s: Session, invoice: Invoice) -> None:
        for line in invoice.lines:
            self.of(line.kind).paid(s, invoice, line)

    def voided(self, s: Session, invoice: Invoice) -> None:
        for line in invoice.lines:
            self.of(line.kind).voided(s, invoice, line)

    def refunded(self, s: Session, invoice: Invoice) -> None:
        for line in invoice.lines:
            self.of(line.kind).refunded(s, invoice, line)
