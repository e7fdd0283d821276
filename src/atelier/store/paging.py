"""Keyset pagination: a listing ordered by (time, id), continued after the last row a
caller saw. Unlike an offset, rows added or removed between two pages never make a page
repeat or skip one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from atelier.errors import Invalid

S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class After:
    """The (time, id) of the last row of the page before: the next page starts past it."""

    at: datetime
    id: str | int


def page(
    query: S,
    at: InstrumentedAttribute[Any],
    id_: InstrumentedAttribute[Any],
    limit: int,
    offset: int = 0,
    after: After | None = None,
    oldest_first: bool = False,
) -> S:
    """`query` ordered by (`at`, `id_`), newest first unless `oldest_first`, from past
    `after` (or `offset` rows in), at most `limit` rows."""
    if after is not None:
        try:
            key = id_.type.python_type(after.id)
        except (TypeError, ValueError):
            raise Invalid("the cursor is not one this listing made", field="cursor") from None
        past = at > after.at if oldest_first else at < after.at
        tie = id_ > key if oldest_first else id_ < key
        query = query.where(or_(past, and_(at == after.at, tie)))
    order = (at, id_) if oldest_first else (at.desc(), id_.desc())
    return query.order_by(*order).limit(limit).offset(offset)
