"""Rights lineage of a trained model: it inherits the most restrictive terms of its base
model and of its dataset's items. One item whose rights are unknown or non-commercial
makes the model's works non-commercial, as does a non-commercial base.

The cards are engines.base.ModelCard, the shape a work's lineage records for the models
and data an engine drew on (commerce/lineage.py reads them), so a work made with a
client's model carries the model, its dataset version and its base."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atelier.datasets.items import COMMERCIAL_RIGHTS, RIGHTS
from atelier.engines.base import ModelCard


def obstacles(base: Sequence[ModelCard], rights_mix: Mapping[str, int]) -> list[str]:
    """Why works of the model may not be sold, in words for its owner (empty: they may)."""
    reasons = [
        f"its base {card.kind} {card.name} is licensed {card.licence}: no commercial use"
        for card in base
        if not card.commercial_use
    ]
    for rights, count in sorted(rights_mix.items()):
        if rights not in COMMERCIAL_RIGHTS and count:
            reasons.append(f"{count} of its dataset's items are {RIGHTS.get(rights, rights)}")
    return reasons


def cards(
    model_name: str,
    model_version: str,
    dataset_name: str,
    dataset_version: str,
    base: Sequence[ModelCard],
    rights_mix: Mapping[str, int],
) -> tuple[ModelCard, ...]:
    """The lineage of a work made with the model: the model, its dataset, and its base's
    cards, each marked with what it allows."""
    reasons = obstacles(base, rights_mix)
    mix = ", ".join(f"{n} {RIGHTS.get(r, r)}" for r, n in sorted(rights_mix.items()))
    data_commercial = all(r in COMMERCIAL_RIGHTS for r, n in rights_mix.items() if n)
    return (
        ModelCard(
            name=model_name,
            version=model_version,
            licence="the client's own model; "
            + (
                "commercial use allowed" if not reasons else "non-commercial: " + "; ".join(reasons)
            ),
            source=f"trained by Atelier on dataset {dataset_name} version {dataset_version}",
            commercial_use=not reasons,
        ),
        ModelCard(
            name=f"dataset {dataset_name}",
            version=dataset_version,
            licence=f"as affirmed by its supplier: {mix}",
            source="the client's own collection",
            commercial_use=data_commercial,
            kind="data",
        ),
        *base,
    )
