"""What every engine's parameters take, checked on all of them at once."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from atelier.engines import registry
from atelier.engines.base import takes_number


def numeric_fields() -> list[tuple[Any, str]]:
    return [
        (engine.Params, name)
        for engine in registry.classes()
        for name, field in engine.Params.model_fields.items()
        if takes_number(field.annotation)
    ]


def test_every_engine_has_numbers_to_check() -> None:
    fields = numeric_fields()
    assert len(fields) > 20
    assert {name for _, name in fields} >= {"bars", "width", "candidates", "style_strength"}


@pytest.mark.parametrize(
    ("params", "name"), numeric_fields(), ids=lambda x: getattr(x, "__name__", x)
)
def test_true_or_false_is_no_number(params: Any, name: str) -> None:
    """`"bars": true` had been read as one bar and refused as "should be greater than or
    equal to 2", which did not say what was wrong."""
    with pytest.raises(ValidationError) as caught:
        params.model_validate({name: True})
    messages = {e["loc"][0]: e["msg"] for e in caught.value.errors()}
    assert f"{name} is a number, not true" in messages[name]
