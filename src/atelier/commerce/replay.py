"""Idempotent writes: the first request with a key writes a row; every later one with the
same key gets that row back (or a Conflict when it asked for something else). One helper
for the ledger's transactions, invoices, the market's orders and payment events.

The row is made inside a savepoint and its key is unique in the database, so of two
requests racing with one key, the loser's insert fails on the constraint (PostgreSQL makes
it wait for the winner's commit first; SQLite serialises writers) and it returns the
winner's row instead. The loser may also be refused earlier by a rule that sees the
winner's row (e.g. "you already have an order for this offer"): when the key's row then
exists, that too is a replay."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from atelier.errors import Conflict

T = TypeVar("T")


def once(
    s: Session,
    find: Callable[[], T | None],
    make: Callable[[], T],
    same: Callable[[T], bool],
    refusal: Conflict,
) -> tuple[T, bool]:
    """The row for a key and whether it is new: `find` looks for the earlier one, `make`
    writes it (in a savepoint), `same` says whether an earlier row answers this request;
    when it does not, `refusal` is raised. An IntegrityError or Conflict from `make` that
    is not the key's (no earlier row appears) propagates, for the caller to name."""
    earlier = find()
    if earlier is None:
        try:
            with s.begin_nested():
                made = make()
                s.flush()
            return made, True
        except (IntegrityError, Conflict):
            earlier = find()
            if earlier is None:
                raise
    if not same(earlier):
        raise refusal
    return earlier, False
