"""Rights lineage: which licences a work may be offered under, and why not when refused.

Pure functions over a work's recorded lineage (store/models.py Work.lineage: the engine's
models and data, the uploads it used, further sources such as clip art). A buyer must be
able to trust that what we sell is ours to sell, so anything unknown counts as
non-commercial.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from atelier.commerce.offers import CATALOGUE


@dataclass(frozen=True)
class Verdict:
    """One offer kind for one work: allowed, or refused with the reasons a creator reads."""

    kind: str
    reasons: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.reasons


def commercial_obstacles(
    engine: str,
    lineage: Mapping[str, Any],
    affirmed_uploads: Collection[str],
    plan_name: str,
    plan_commercial: bool,
) -> list[str]:
    """Everything that rules out commercial use of a work, in words for its creator."""
    reasons = []
    if not lineage.get("models"):
        reasons.append("this work has no recorded lineage (made before the studio kept one)")
    for card in lineage.get("models", []):
        if not card.get("commercial_use", False):
            what = "data set" if card.get("kind") == "data" else "model"
            reasons.append(
                f"{engine}'s {what} {card.get('name', '?')} is licensed "
                f"{card.get('licence', 'under unknown terms')}: no commercial use"
            )
    for source in lineage.get("sources", []):
        if not source.get("commercial_use", False):
            reasons.append(
                f"the source {source.get('name', '?')} is licensed "
                f"{source.get('licence', 'under unknown terms')}: no commercial use"
            )
    for upload in lineage.get("inputs", []):
        if upload.get("upload_id") not in affirmed_uploads:
            reasons.append(
                f"the file you uploaded as {upload.get('param', 'input')} "
                f"({upload.get('filename', '?')}) has no rights affirmation"
            )
    if not plan_commercial:
        reasons.append(f"your plan ({plan_name}) has no commercial use")
    return reasons


def verdicts(
    engine: str,
    lineage: Mapping[str, Any],
    affirmed_uploads: Collection[str],
    plan_name: str,
    plan_commercial: bool,
) -> list[Verdict]:
    """Every offer of the catalogue, each allowed or refused with its reasons."""
    obstacles = tuple(
        commercial_obstacles(engine, lineage, affirmed_uploads, plan_name, plan_commercial)
    )
    return [Verdict(offer.kind, obstacles if offer.commercial else ()) for offer in CATALOGUE]


def attributions(lineage: Mapping[str, Any]) -> list[dict[str, str]]:
    """The sources a licence must credit (e.g. each CC0 clip-art drawing a composition
    placed): name and licence, without the studio's file paths."""
    return [
        {"name": str(source.get("name", "?")), "licence": str(source.get("licence", "?"))}
        for source in lineage.get("sources", [])
    ]
