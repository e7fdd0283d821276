"""What every shape shares: UTC times, the base model, and a page of a listing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _utc(value: datetime) -> datetime:
    """The database keeps naive UTC times; shown, they carry their zone ("…Z")."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcTime = Annotated[datetime, AfterValidator(_utc)]


def _words(value: str) -> str:
    if not value.strip():
        raise ValueError("holds only spaces; write some words")
    return value.strip()


# A name, title, label or reason a person reads: not spaces only, its outer spaces dropped.
Words = Annotated[str, AfterValidator(_words)]
T = TypeVar("T")


class Out(BaseModel):
    """A shape the API answers with: exactly its declared fields."""

    model_config = ConfigDict(extra="forbid")


class Page(Out, Generic[T]):
    """One page of a listing, in a stable order: `next` is the URL of the following page
    (the same filters and `limit`, with an opaque `cursor`), or null on the last one."""

    items: list[T]
    next: str | None = Field(description="The next page's URL, or null on the last page.")
