"""Parameters that name a client's own things by id: a trained model (a melody model, a
house style, a voice, LoRA adapters) or a dataset version to train on.

An engine declares such a field with `custom_model(kinds)` or `dataset(medium)`; the
studio checks that the caller may use what the id names, stages its file, and hands the
engine its local path as `ctx.file(the id)`, as it does for uploads. Engines stay pure:
they read a file, never a record."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeGuard

from pydantic import Field

ID_PATTERN = "^[0-9a-f]{32}$"
_ID = re.compile(ID_PATTERN)
MODEL_KEY = "custom_model"  # the schema key a field that may name a model carries


def is_id(value: object) -> TypeGuard[str]:
    """Whether a parameter's value is an id (32 lowercase hex digits), not a name."""
    return isinstance(value, str) and bool(_ID.match(value))


def custom_model(*kinds: str) -> dict[str, Any]:
    """Schema extras of a field whose value may be the id of the caller's model of one of
    `kinds` (melody, style, lora, voice); other values keep the field's own meaning."""
    return {MODEL_KEY: list(kinds)}


def model_id(*kinds: str, description: str = "") -> Any:
    """A field that holds only a model id."""
    return Field(
        min_length=32,
        max_length=32,
        pattern=ID_PATTERN,
        description=description,
        json_schema_extra=custom_model(*kinds),
    )


ModelRef = Annotated[str, Field(min_length=32, max_length=32, pattern=ID_PATTERN)]


def dataset(medium: str, description: str = "The dataset version to train on (its id).") -> Any:
    """A field that names a dataset version of the caller's, of one medium."""
    return Field(
        min_length=32,
        max_length=32,
        pattern=ID_PATTERN,
        description=description,
        json_schema_extra={"format": "dataset", "medium": medium},
    )
