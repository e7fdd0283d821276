"""Cursor pagination for every /v1 listing: `limit` (bounded) and an opaque `cursor`
that each page's `next` link carries. The cursor is the (time, id) of the page's last
item, so the next page starts right after it (store/paging.py) whatever was added or
removed in between."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request

from atelier.errors import Invalid
from atelier.store.paging import After

R = TypeVar("R")
BIG = 2**63  # ids that are numbers fit a BIGINT
NOT_OURS = "the cursor is not one this listing made: take it from a page's `next`"


def encode(after: After) -> str:
    raw = json.dumps([after.at.isoformat(), after.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> After:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, id_ = json.loads(raw)
        when = datetime.fromisoformat(at)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise Invalid(NOT_OURS, field="cursor") from None
    numeric = isinstance(id_, int) and not isinstance(id_, bool)
    if not (isinstance(id_, str) or (numeric and -BIG < id_ < BIG)):
        raise Invalid(NOT_OURS, field="cursor")
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return After(when, id_)


@dataclass(frozen=True)
class Window:
    """The page a caller asks for: how many items and after which one."""

    request: Request
    limit: int
    after: After | None

    @property
    def fetch(self) -> int:
        """Ask the service for one more than the page holds: it says whether one follows."""
        return self.limit + 1

    def page(self, rows: Sequence[R], key: Callable[[R], After]) -> tuple[list[R], str | None]:
        """The page's rows and the URL of the next page (None on the last one)."""
        shown = list(rows[: self.limit])
        if len(rows) <= self.limit or not shown:
            return shown, None
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "cursor"]
        query.append(("cursor", encode(key(shown[-1]))))
        return shown, f"{self.request.url.path}?{urlencode(query)}"


def window(default: int = 50, most: int = 200) -> Callable[..., Window]:
    """A route dependency: the `limit` (1 to `most`) and `cursor` query parameters."""

    def dependency(
        request: Request,
        limit: int = Query(default, ge=1, le=most, description="At most this many items."),
        cursor: str | None = Query(
            None, max_length=200, description="Where to go on: from a page's `next` link."
        ),
    ) -> Window:
        return Window(request, limit, decode(cursor) if cursor else None)

    return dependency
