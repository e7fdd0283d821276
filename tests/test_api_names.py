"""Names, titles, labels and reasons a person reads (web/schemas/common.py `Words`): one of
spaces only is refused naming the field (a dataset, a model, an API key and a plan could
be named "   ", and a licence revoked for the reason "   "); outer spaces are dropped."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from atelier.web.api.auth import NewKey
from atelier.web.api.billing import PlanIn
from atelier.web.api.datasets import NewDataset
from atelier.web.api.evaluation import PanelIn, SideIn
from atelier.web.api.market import RevokeIn
from atelier.web.api.models import Rename

PLAN = {
    "id": "pro",
    "monthly_credits": 10,
    "price": 100,
    "concurrency": 1,
    "max_pixels": 1_000_000,
    "max_seconds": 60,
}
CASES: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (NewDataset, {"medium": "image"}, "name"),
    (Rename, {}, "name"),
    (NewKey, {}, "name"),
    (PlanIn, PLAN, "name"),
    (SideIn, {"engine": "image.compose"}, "label"),
    (PanelIn, {"kind": "ab"}, "title"),
    (RevokeIn, {}, "reason"),
]


@pytest.mark.parametrize(("model", "rest", "field"), CASES)
def test_a_name_of_spaces_only_is_refused_and_outer_spaces_dropped(
    model: type[BaseModel], rest: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**rest, field: " \t "})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and "holds only spaces" in error["msg"]
    kept = model.model_validate({**rest, field: "  Spring shoot  "})
    assert getattr(kept, field) == "Spring shoot"
