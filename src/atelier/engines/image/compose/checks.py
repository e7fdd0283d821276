"""Does a recorded layout show what a prompt asked for? Subjects present, counts, and each
spatial relation judged from the boxes alone, as a viewer would judge the picture.

Used by the tests and by benchmarks/compose.py on the labelled prompt set, and by the
engine itself on its own reading of the prompt (`promises`): what it fails is redrawn,
then delivered marked (engines/checks.py)."""

from __future__ import annotations

from typing import Any

from atelier.engines.image.compose.prompt import Relation, Scene
from atelier.engines.image.compose.vocabulary import MAX_SUBJECTS, ON_TOP, SURFACES

Box = tuple[float, float, float, float]
# The relations `holds` judges; others ("together", "at") place things without a rule.
# A painted sky thing (sun, moon, stars) is judged only above or below another.
VERTICAL = frozenset(("above", "under", "below"))
JUDGED = frozenset(
    [
        "above",
        "under",
        "below",
        "on",
        "in",
        "beside",
        "left_of",
        "right_of",
        "in_front_of",
        "behind",
        "worn_by",
        "held_by",
        "leaning_against",
        "around",
        "between",
    ]
)


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def counts(layout: list[dict[str, Any]]) -> dict[str, int]:
    """How many copies of each noun were placed."""
    found: dict[str, int] = {}
    for record in layout:
        found[record["noun"]] = found.get(record["noun"], 0) + 1
    return found


def holds(layout: list[dict[str, Any]], a: str, relation: str, b: str, height: int) -> bool:
    """Whether every copy of noun `a` stands in `relation` to noun `b` (all copies of b
    taken as one box)."""
    mine = [r for r in layout if r["noun"] == a]
    theirs = [r for r in layout if r["noun"] == b]
    if not mine or not theirs:
        return False
    bx0, by0, bx1, by1 = _union([tuple(r["box"]) for r in theirs])
    bw, bh = bx1 - bx0, by1 - by0
    bcx, bcy = (bx0 + bx1) / 2, (by0 + by1) / 2
    z_low, z_high = min(r["z"] for r in theirs), max(r["z"] for r in theirs)
    centres = [((r["box"][0] + r["box"][2]) / 2, (r["box"][1] + r["box"][3]) / 2) for r in mine]
    if relation == "around":
        return len(mine) >= 2 and min(x for x, _ in centres) < bcx < max(x for x, _ in centres)
    if relation == "between":  # a between two b's: b copies on either side of it
        return all(
            min((t["box"][0] + t["box"][2]) / 2 for t in theirs)
            < cx
            < max((t["box"][0] + t["box"][2]) / 2 for t in theirs)
            for cx, _ in centres
        )
    results = []
    for record, (cx, cy) in zip(mine, centres, strict=True):
        x0, y0, x1, y1 = record["box"]
        if relation == "above":
            ok = cy < by0 + 0.1 * bh and y1 < bcy
        elif relation in ("under", "below"):
            ok = cy > bcy
        elif relation == "on":
            # on its top half, or down to its seat or deck (vocabulary.SURFACES)
            lowest = by0 + bh * max(0.5, SURFACES.get(b, ON_TOP) + 0.1)
            ok = by0 - 0.05 * height <= y1 <= lowest and bx0 <= cx <= bx1
        elif relation == "in":
            ok = bx0 <= cx <= bx1 and by0 <= cy <= by1
        elif relation == "beside":
            ok = abs(y1 - by1) < 0.15 * height and (x1 < bx0 + 0.3 * bw or x0 > bx1 - 0.3 * bw)
        elif relation == "left_of":
            ok = cx < bcx
        elif relation == "right_of":
            ok = cx > bcx
        elif relation == "in_front_of":
            ok = record["z"] > z_high and y1 >= by1
        elif relation == "behind":
            ok = record["z"] < z_low and y1 <= by1
        elif relation == "worn_by":  # on the top of the wearer, overlapping it
            ok = bx0 <= cx <= bx1 and by0 - (y1 - y0) <= y1 <= by0 + 0.4 * bh
        elif relation == "held_by":  # at the holder's side, overlapping its box
            ok = x0 < bx1 and x1 > bx0 and y0 < by1 and y1 > by0
        elif relation == "leaning_against":  # standing on the same ground, touching it
            touching = x0 <= bx1 + 0.02 * height and x1 >= bx0 - 0.02 * height
            ok = touching and abs(y1 - by1) < 0.1 * height and record.get("tilt", 0) != 0
        else:
            raise ValueError(f"unknown relation {relation!r}")
        results.append(ok)
    return all(results)


def score(case: dict[str, Any], layout: list[dict[str, Any]], height: int) -> dict[str, bool]:
    """For one labelled prompt: are all its subjects there, in the right numbers, and do
    all its relations hold?"""
    found = counts(layout)
    expected: dict[str, int] = case["subjects"]
    return {
        "present": all(found.get(noun, 0) > 0 for noun in expected),
        "counts": all(found.get(noun, 0) == n for noun, n in expected.items()),
        "relations": all(
            holds(layout, a, relation, b, height) for a, relation, b in case.get("relations", [])
        ),
    }


def promises(
    scene: Scene, generic: list[str | None], layout: list[dict[str, Any]], height: int
) -> tuple[dict[str, Any], float, list[str]]:
    """The engine's own checks on one drawn plan, against what it read in the prompt:
    every subject drawn, in its number, as itself (`generic`: what stood in for each
    subject, if anything), and every relation it read holding. Returns the checks'
    values, their score (the share met) and, in words, the ones it fails."""
    unmet = [
        f"not drawn: '{words}' (at most {MAX_SUBJECTS} subjects are drawn)"
        for words in scene.dropped
    ]
    drawn = [sum(r["subject"] == i for r in layout) for i in range(len(scene.subjects))]
    counts_right = 0
    for subject, count in zip(scene.subjects, drawn, strict=True):
        counts_right += count == subject.count
        if count != subject.count:
            unmet.append(f"{count} {subject.query} drawn where {subject.count} were asked for")
    unmet += [stand_in for stand_in in generic if stand_in]
    judged = [r for r in scene.relations if _judged(scene, r)]
    held = 0
    for r in judged:
        a, b = scene.subjects[r.subject], scene.subjects[r.target]
        if holds(layout, a.noun, r.relation, b.noun, height):
            held += 1
        else:
            unmet.append(f"the {a.query} is not {r.relation.replace('_', ' ')} the {b.query}")
    total = len(scene.subjects) + len(judged) + len(scene.dropped) + len(generic)
    met = counts_right + held + sum(not g for g in generic)
    checks = {
        "counts": dict(zip((s.noun for s in scene.subjects), drawn, strict=True)),
        "relations_held": f"{held}/{len(judged)}",
        "generic": sum(bool(g) for g in generic),
        "not_drawn": len(scene.dropped),
    }
    return checks, met / total if total else 1.0, unmet


def _judged(scene: Scene, r: Relation) -> bool:
    """A relation the engine promises: read from the prompt (not a weak "with"), one
    `holds` judges, and not a sky thing's place beside or among ground things."""
    if r.weak or r.relation not in JUDGED or r.subject == r.target:
        return False
    sky = scene.subjects[r.subject].painted or scene.subjects[r.target].painted
    return not sky or r.relation in VERTICAL
