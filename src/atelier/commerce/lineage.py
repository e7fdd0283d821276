"""Rights lineage: which licences a work may be offered under, and why not when refused.

Pure functions over a work's recorded lineage (store/models.py Work.lineage: the engine's
models and data, the uploads it used, further sources such as clip art, and the studio
works it descends from, `ancestors`). A buyer must be able to trust that what we sell is
ours to sell, so anything unknown counts as non-commercial.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
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
    owner_id: str | None = None,
    adaptable: Collection[str] = (),
) -> list[str]:
    """Everything that rules out commercial use of a work, in words for its creator.

    Beyond the work's own models, sources and uploads, every work it descends from counts
    (`ancestors`: through uploads recognised as studio works, along any chain): a
    non-commercial model or data set anywhere keeps it non-commercial, and no affirmation
    overrides that. Another creator's work may be built on only under a CC0 or CC BY
    licence the owner holds to it (`adaptable`: those works' ids)."""
    reasons = []
    if "models" not in lineage:
        reasons.append("this work has no recorded lineage (made before the studio kept one)")
    reasons += _terms(lineage, f"{engine}'s", "")
    reasons += _unaffirmed(lineage.get("inputs", []), affirmed_uploads, "the file you uploaded")
    for ancestor in lineage.get("ancestors", []):
        reasons += _ancestor(ancestor, affirmed_uploads, owner_id, adaptable)
    if not plan_commercial:
        reasons.append(f"your plan ({plan_name}) has no commercial use")
    return list(dict.fromkeys(reasons))


def _terms(lineage: Mapping[str, Any], whose: str, prefix: str) -> list[str]:
    """The non-commercial models, data sets and sources of one work's own lineage."""
    reasons = []
    for card in lineage.get("models") or []:
        if not card.get("commercial_use", False):
            what = "data set" if card.get("kind") == "data" else "model"
            reasons.append(
                f"{prefix}{whose} {what} {card.get('name', '?')} is licensed "
                f"{card.get('licence', 'under unknown terms')}: no commercial use"
            )
    for source in lineage.get("sources") or []:
        if not source.get("commercial_use", False):
            reasons.append(
                f"{prefix}the source {source.get('name', '?')} is licensed "
                f"{source.get('licence', 'under unknown terms')}: no commercial use"
            )
    return reasons


def _unaffirmed(
    inputs: list[Mapping[str, Any]], affirmed: Collection[str], who: str, prefix: str = ""
) -> list[str]:
    """Uploads without a rights affirmation; an upload recognised as a studio work needs
    none (the work's own lineage answers for it, and no affirmation can change that)."""
    return [
        f"{prefix}{who} as {upload.get('param', 'input')} ({upload.get('filename', '?')}) "
        "has no rights affirmation"
        for upload in inputs
        if not upload.get("works") and upload.get("upload_id") not in affirmed
    ]


def _ancestor(
    ancestor: Mapping[str, Any],
    affirmed: Collection[str],
    owner_id: str | None,
    adaptable: Collection[str],
) -> list[str]:
    work_id = str(ancestor.get("work_id", "?"))
    name = f"work {work_id} ({ancestor.get('engine') or 'made here'})"
    prefix = f"it was made from {name}: "
    if ancestor.get("models") is None:
        return [f"{prefix}its lineage is unknown (the work is no longer stored here)"]
    reasons = []
    theirs = owner_id is not None and ancestor.get("owner_id") != owner_id
    if theirs and work_id not in adaptable:
        reasons.append(
            f"{prefix}another creator's work; only a CC0 or CC BY licence to it allows "
            "selling what is made from it"
        )
    reasons += _terms(ancestor, "its", prefix)
    if not theirs:
        reasons += _unaffirmed(ancestor.get("inputs") or [], affirmed, "the file uploaded", prefix)
    return reasons


def ancestors(origins: Iterable[Sequence[Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """The works a new work descends from, through the origins of the uploads it used
    (studio/recognition.py): each origin's work with its own models, sources and inputs,
    then the works that one descends from; each work once. Snapshots, so a descendant
    keeps its terms after an ancestor is deleted."""
    found: dict[str, dict[str, Any]] = {}
    for origin in (o for group in origins for o in group):
        inherited = origin.get("lineage")
        found.setdefault(
            origin["work_id"],
            {
                "work_id": origin["work_id"],
                "owner_id": origin.get("owner_id"),
                "engine": origin.get("engine"),
                "method": origin.get("method"),
                "models": inherited.get("models") if inherited else None,
                "sources": inherited.get("sources", []) if inherited else [],
                "inputs": inherited.get("inputs", []) if inherited else [],
            },
        )
        for earlier in (inherited or {}).get("ancestors") or []:
            found.setdefault(earlier["work_id"], dict(earlier))
    return list(found.values())


def upload_ids(lineage: Mapping[str, Any]) -> list[str]:
    """Every upload a work's lineage names, its ancestors' included (for affirmations)."""
    inputs = list(lineage.get("inputs", []))
    for ancestor in lineage.get("ancestors", []):
        inputs += ancestor.get("inputs") or []
    return [i["upload_id"] for i in inputs if i.get("upload_id")]


def ancestor_ids(lineage: Mapping[str, Any]) -> list[str]:
    return [a["work_id"] for a in lineage.get("ancestors", [])]


def verdicts(
    engine: str,
    lineage: Mapping[str, Any],
    affirmed_uploads: Collection[str],
    plan_name: str,
    plan_commercial: bool,
    owner_id: str | None = None,
    adaptable: Collection[str] = (),
) -> list[Verdict]:
    """Every offer of the catalogue, each allowed or refused with its reasons."""
    obstacles = tuple(
        commercial_obstacles(
            engine, lineage, affirmed_uploads, plan_name, plan_commercial, owner_id, adaptable
        )
    )
    return [Verdict(offer.kind, obstacles if offer.commercial else ()) for offer in CATALOGUE]


def attributions(lineage: Mapping[str, Any]) -> list[dict[str, str]]:
    """The sources a licence must credit (e.g. each CC0 clip-art drawing a composition
    placed, its ancestors' too): name and licence, without the studio's file paths."""
    sources = list(lineage.get("sources", []))
    for ancestor in lineage.get("ancestors", []):
        sources += ancestor.get("sources") or []
    credits = [
        {"name": str(source.get("name", "?")), "licence": str(source.get("licence", "?"))}
        for source in sources
    ]
    return [dict(pair) for pair in dict.fromkeys(tuple(c.items()) for c in credits)]
