"""Where each subject goes: one ground plane seen in perspective (farther is higher and
smaller), sizes from the subjects' real heights, counts as little groups, and the prompt's
spatial words (on, under, above, beside, left of, in front of, behind, around, in).

Subjects that no relation ties to another get their own stretch of the ground, in the
prompt's order from left to right; the others are placed against the one they name. If
the whole falls off the canvas, everything is made smaller and laid out again."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from atelier.engines.image.compose import sight
from atelier.engines.image.compose.prompt import Relation
from atelier.engines.image.compose.vocabulary import (
    CUT_FLOWERS,
    ON_TOP,
    OVERHEAD,
    PAINTED,
    SURFACES,
    VESSELS,
)

Box = tuple[float, float, float, float]
# Heights of the painted sky things, as shares of the picture's height.
SKY_SIZES = {"sun": 0.15, "moon": 0.13, "star": 0.06, "cloud": 0.14, "rainbow": 0.42}


@dataclass
class Figure:
    """A subject to place: `count` copies of a drawing of the given aspect ratio."""

    subject: int
    noun: str
    count: int
    aspect: float  # width / height
    metres: float  # real height
    habitat: str  # ground | sky | water | underwater
    size: float = 1.0  # from "big", "tiny"…
    crown: tuple[float, float] = (0.5, 0.0)  # its head's top, across and down (a hat's place)


@dataclass
class Placement:
    subject: int
    instance: int
    box: Box  # x0, y0, x1, y1 in pixels
    z: float  # drawing order, low first
    flip: bool
    grounded: bool  # stands on the ground (casts a shadow there)
    depth: float  # 0 far … 1 near
    tilt: float = 0.0  # degrees, anticlockwise: a thing leaning against another


@dataclass
class Stage:
    """The picture's geometry: where the ground starts (`floor`) and ends, and water."""

    width: int
    height: int
    floor: int
    horizon: int
    water: tuple[int, int] | None = None
    bottom: int = field(init=False)

    def __post_init__(self) -> None:
        self.bottom = int(self.height * 0.96)

    def base_at(self, depth: float) -> float:
        """The y where something at this depth stands."""
        return self.floor + (self.bottom - self.floor) * depth

    @staticmethod
    def shrink_at(depth: float) -> float:
        return 0.45 + 0.55 * depth


def front_heights(figures: list[Figure], stage: Stage) -> dict[int, float]:
    """Each figure's height in pixels when nearest the viewer, to one shared scale.

    Heights are compressed (square root of the real ratio: a house is not twenty cats
    tall in a picture) and the tallest is made about half the picture's height."""
    raw = {f.subject: (f.metres / 1.7) ** 0.5 * f.size for f in figures}
    if not raw:
        return {}
    ground = [raw[f.subject] for f in figures if f.habitat != "sky"] or list(raw.values())
    scale = stage.height * 0.7 / max(ground)
    heights = {
        k: float(np.clip(v * scale, stage.height * 0.06, stage.height * 0.8))
        for k, v in raw.items()
    }
    for figure in figures:
        if figure.noun in SKY_SIZES:  # painted: a share of the sky, whatever the ground
            heights[figure.subject] = stage.height * SKY_SIZES[figure.noun] * figure.size
        elif figure.habitat == "sky":
            heights[figure.subject] = min(heights[figure.subject], stage.height * 0.2)
    return heights


def arrange(
    figures: list[Figure],
    relations: list[Relation],
    stage: Stage,
    rng: np.random.Generator,
) -> list[Placement]:
    """Place every copy of every figure; see the module docstring."""
    anchors = _anchors(figures, relations)
    heights = front_heights(figures, stage)
    scale = 1.0
    for _ in range(12):
        placements = _try(figures, anchors, heights, scale, stage, np.random.default_rng(rng))
        if _fits(placements, stage):
            break
        scale *= 0.85
    # a sun, moon or cloud hidden by a thing on the ground is moved into sight, unless it
    # is asked to be behind or under something ("the sun setting behind a lighthouse")
    hiding = {s for s, r in anchors.items() if r.relation in ("behind", "under", "below")}
    sky = {f.subject for f in figures if f.noun in PAINTED} - hiding
    boxes = [p.box for p in placements]
    seen = sight.in_sight(boxes, [p.subject in sky for p in placements], stage.width)
    placements = [replace(p, box=box) for p, box in zip(placements, seen, strict=True)]
    return sorted(placements, key=lambda p: p.z)


def _anchors(figures: list[Figure], relations: list[Relation]) -> dict[int, Relation]:
    """At most one relation per subject (its first), dropping any that would loop."""
    known = {f.subject for f in figures}
    anchors: dict[int, Relation] = {}
    for relation in sorted(relations, key=lambda r: r.weak):  # "with" only if nothing else
        if relation.subject in anchors or relation.subject == relation.target:
            continue
        if relation.subject not in known or relation.target not in known:
            continue
        target, seen = relation.target, {relation.subject}
        while target in anchors and target not in seen:
            seen.add(target)
            target = anchors[target].target
        if target not in seen:
            anchors[relation.subject] = relation
    return anchors


def _fits(placements: list[Placement], stage: Stage) -> bool:
    margin = stage.width * 0.01
    return all(
        p.box[0] >= -margin
        and p.box[2] <= stage.width + margin
        and p.box[1] >= -margin
        and p.box[3] <= stage.height + margin
        for p in placements
    )


def _union(boxes: list[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _try(
    figures: list[Figure],
    anchors: dict[int, Relation],
    heights: dict[int, float],
    scale: float,
    stage: Stage,
    rng: np.random.Generator,
) -> list[Placement]:
    by_subject = {f.subject: f for f in figures}
    placed: dict[int, list[Placement]] = {}
    roots = [f for f in figures if f.subject not in anchors]
    dependents: dict[int, list[int]] = {}
    for subject, relation in anchors.items():
        dependents.setdefault(relation.target, []).append(subject)

    def extent(subject: int) -> float:
        """Width of a subject's group with the ones placed beside it."""
        figure = by_subject[subject]
        width = _group_width(figure, heights[subject] * scale * stage.shrink_at(0.7))
        for other in dependents.get(subject, []):
            if anchors[other].relation in ("beside", "left_of", "right_of", "around"):
                width += extent(other) + stage.width * 0.03
        return width

    ground_roots = [f for f in roots if f.habitat != "sky"]
    widths = [extent(f.subject) for f in ground_roots]
    total = sum(widths) or 1.0
    free = max(stage.width * 0.92 - total, 0.0)
    gap = free / (len(ground_roots) + 1)
    x = stage.width * 0.04 + gap
    for figure, width in zip(ground_roots, widths, strict=True):
        left_share = sum(
            extent(o) + stage.width * 0.03
            for o in dependents.get(figure.subject, [])
            if anchors[o].relation == "left_of"
        )
        own = _group_width(figure, heights[figure.subject] * scale * stage.shrink_at(0.7))
        centre = x + left_share + own / 2
        if len(ground_roots) == 1 and not dependents.get(figure.subject):
            centre = stage.width * rng.uniform(0.42, 0.58)
        depth = 0.62 + rng.uniform(-0.06, 0.06) if len(ground_roots) > 1 else 0.66
        placed[figure.subject] = _group(figure, centre, depth, heights, scale, stage, rng)
        x += width + gap
    sky_roots = [f for f in roots if f.habitat == "sky"]
    for n, figure in enumerate(sky_roots):
        centre = stage.width * (n + 1) / (len(sky_roots) + 1)
        centre += rng.uniform(-0.08, 0.08) * stage.width
        placed[figure.subject] = _sky_group(figure, centre, heights, scale, stage, rng)

    queue = [f.subject for f in roots]
    while queue:
        target = queue.pop(0)
        edges = _union([p.box for p in placed[target]])
        sides = [edges[0], edges[2]]  # how far things beside the target already reach
        for subject in dependents.get(target, []):
            figure = by_subject[subject]
            placed[subject] = _relative(
                figure,
                anchors[subject].relation,
                placed[target],
                sides,
                heights,
                scale,
                stage,
                rng,
                by_subject[target],
            )
            queue.append(subject)
    return [p for group in placed.values() for p in group]


def _group_width(figure: Figure, height: float) -> float:
    one = height * figure.aspect
    return one * (1 + 1.2 * (figure.count - 1)) if figure.habitat != "sky" else one * 1.5


def _box(cx: float, base: float, height: float, aspect: float) -> Box:
    width = height * aspect
    return (cx - width / 2, base - height, cx + width / 2, base)


def _group(
    figure: Figure,
    centre: float,
    depth: float,
    heights: dict[int, float],
    scale: float,
    stage: Stage,
    rng: np.random.Generator,
) -> list[Placement]:
    """`count` copies side by side around `centre`, staggered a little in depth."""
    if figure.habitat == "sky":
        return _sky_group(figure, centre, heights, scale, stage, rng)
    placements = []
    count = figure.count
    one = heights[figure.subject] * scale * stage.shrink_at(depth) * figure.aspect
    step = one * 1.2  # copies stand apart: never overlapping, never read as one
    start = centre - step * (count - 1) / 2
    for k in range(count):
        d = float(np.clip(depth + (0.08 if k % 2 else -0.04) * (count > 1), 0.0, 1.0))
        d += rng.uniform(-0.015, 0.015) * (count > 1)
        vary = rng.uniform(0.86, 1.0) if count > 1 else rng.uniform(0.95, 1.05)
        h = heights[figure.subject] * scale * stage.shrink_at(d) * vary
        cx = start + step * k + rng.uniform(-0.04, 0.04) * one * (count > 1)
        base = _base(figure, d, stage)
        placements.append(
            Placement(
                figure.subject, k, _box(cx, base, h, figure.aspect), base, _flip(rng), True, d
            )
        )
    return placements


def _base(figure: Figure, depth: float, stage: Stage) -> float:
    """Where a figure at this depth stands: on the ground, or on / in the water."""
    if figure.habitat in ("water", "underwater") and stage.water is not None:
        top, bottom = stage.water
        fraction = 0.35 + 0.5 * depth if figure.habitat == "water" else 0.55 + 0.4 * depth
        return top + (bottom - top) * fraction
    return stage.base_at(depth)


def _flip(rng: np.random.Generator) -> bool:
    return bool(rng.random() < 0.5)


def _flock(
    placed: list[Placement], base: float, height: float, stage: Stage, rng: np.random.Generator
) -> list[Placement]:
    """Three or more flying things above something: a loose flock, each lifted by its own
    share of the sky above it, not a row along one line ("seven seagulls above it" were a
    parade of birds standing on the lighthouse's top)."""
    room = min(max(base - height - stage.height * 0.03, 0.0), 2.5 * height)  # a flock's
    lifted = []
    for p in placed:
        x0, y0, x1, y1 = p.box
        rise = rng.uniform(0.0, room)
        lifted.append(replace(p, box=(x0, y0 - rise, x1, y1 - rise)))
    return lifted


def _sky_group(
    figure: Figure,
    centre: float,
    heights: dict[int, float],
    scale: float,
    stage: Stage,
    rng: np.random.Generator,
) -> list[Placement]:
    """Flying things: a loose flock in the sky above the horizon."""
    placements = []
    h0 = heights[figure.subject] * scale * (0.6 if figure.count > 1 else 0.8)
    sky_bottom = stage.horizon - h0 * 0.3
    for k in range(figure.count):
        h = h0 * rng.uniform(0.75, 1.05)
        spread = stage.width * min(0.12 * figure.count, 0.8)
        cx = centre + (rng.uniform(-0.5, 0.5) * spread if figure.count > 1 else 0.0)
        cx = float(np.clip(cx, h * figure.aspect, stage.width - h * figure.aspect))
        highest = min(stage.height * 0.22, sky_bottom - h * 1.2)
        top = rng.uniform(stage.height * 0.04, max(stage.height * 0.05, highest))
        placements.append(
            Placement(
                figure.subject,
                k,
                _box(cx, top + h, h, figure.aspect),
                -1000 + k,
                _flip(rng),
                False,
                0.3,
            )
        )
    return placements


def _relative(
    figure: Figure,
    relation: str,
    target: list[Placement],
    sides: list[float],
    heights: dict[int, float],
    scale: float,
    stage: Stage,
    rng: np.random.Generator,
    holder: Figure,
) -> list[Placement]:
    """Place a figure's copies as `relation` says against the already placed target
    (`holder`'s copies).

    `sides` holds the left and right edges of what stands beside the target so far; a
    figure placed beside it moves that edge outward."""
    tx0, ty0, tx1, ty1 = _union([p.box for p in target])
    tw, th = tx1 - tx0, ty1 - ty0
    tcx = (tx0 + tx1) / 2
    depth = float(np.mean([p.depth for p in target]))
    tz = max(p.z for p in target)
    count = figure.count
    target_in_sky = not any(p.grounded for p in target)
    own = heights[figure.subject] * scale

    def row(
        cx: float,
        d: float,
        base: float | None,
        height: float,
        z: float,
        spacing: float = 1.12,
        grounded: bool = True,
    ) -> list[Placement]:
        width = height * figure.aspect
        start = cx - width * spacing * (count - 1) / 2
        out = []
        for k in range(count):
            b = base if base is not None else _base(figure, d, stage)
            jitter = rng.uniform(0.96, 1.04)
            box = _box(start + width * spacing * k, b, height * jitter, figure.aspect)
            out.append(Placement(figure.subject, k, box, z + 0.01 * k, _flip(rng), grounded, d))
        return out

    gap = stage.width * 0.02
    if relation == "on":
        down = SURFACES.get(holder.noun, ON_TOP)  # a seat, a deck, else its top
        # No taller than what rises above the surface, and then some: a sailor is not as
        # tall as the masts over the deck.
        height = min(own * stage.shrink_at(depth), th * min(0.9, 1.2 - down))
        height = min(height, tw * 0.9 / (figure.aspect * (1 + 1.12 * (count - 1))))
        return row(tcx, depth, ty0 + th * down, height, tz + 1, grounded=False)
    if relation == "in" and figure.noun in CUT_FLOWERS and holder.noun in VESSELS:
        # a bouquet: heads above the rim, stems behind the vessel's front (five roses
        # "in a vase" were a row of 16-pixel roses across its middle, hidden by it)
        height = th * 0.85
        width = height * figure.aspect
        step = min(width * 0.55, tw * 1.1 / max(count, 1))
        out = []
        for k in range(count):
            cx = tcx + step * (k - (count - 1) / 2)
            rise = th * rng.uniform(0.0, 0.12) + th * 0.08 * (1 - abs(k - (count - 1) / 2))
            box = _box(cx, ty0 + th * 0.55 - rise, height * rng.uniform(0.92, 1.05), figure.aspect)
            z = min(p.z for p in target) - 1 - 0.01 * k
            out.append(Placement(figure.subject, k, box, z, _flip(rng), False, depth))
        return out
    if relation == "in":
        height = min(own * stage.shrink_at(depth), th * 0.45)
        height = min(height, tw * 0.8 / (figure.aspect * (1 + 1.12 * (count - 1))))
        return row(tcx, depth, ty0 + th * 0.5 + height / 2, height, tz + 1, grounded=False)
    if relation in ("under", "below"):
        if target_in_sky or figure.habitat == "sky" and relation == "below":
            d = 0.66
            room = _base(figure, d, stage) - ty1 - stage.height * 0.05  # keep clear of it
            height = min(own * stage.shrink_at(d), max(room, stage.height * 0.08))
            width = height * figure.aspect * (1 + 1.05 * (count - 1))
            if sides == [tx0, tx1]:  # the first thing under it stands right below it
                cx = tcx
                sides[:] = [cx - width / 2, cx + width / 2]
            elif stage.width - sides[1] >= sides[0]:  # the next ones beside that
                cx = sides[1] + gap + width / 2
                sides[1] += gap + width
            else:
                cx = sides[0] - gap - width / 2
                sides[0] -= gap + width
            return row(cx, d, None, height, _base(figure, d, stage), spacing=1.05)
        d = min(depth + 0.06, 1.0)
        height = min(own * stage.shrink_at(d), th * 0.55)
        base = _base(figure, d, stage)
        return row(tcx, d, base, height, base + 1, spacing=1.15)
    if relation == "above":
        height = min(own * (0.8 if figure.habitat == "sky" else stage.shrink_at(depth)), th)
        base = ty0 - stage.height * 0.04
        if target_in_sky and base - stage.height * 0.03 < th * 0.9:
            # above clouds high in the sky: over them, in front, about their size (a plane
            # "above the clouds" was a speck at the picture's top edge)
            height = min(max(height, th * 0.9), stage.height * 0.2)
            return row(tcx, depth, ty0 + th * 0.6, height, tz + 1, spacing=1.1, grounded=False)
        height = min(height, max(base - stage.height * 0.03, stage.height * 0.04))
        placed = row(tcx, depth, base, height, -500.0, spacing=1.1, grounded=False)
        if figure.habitat == "sky" and count > 2:
            return _flock(placed, base, height, stage, rng)
        return placed
    if relation in ("beside", "left_of", "right_of"):
        height = own * stage.shrink_at(depth)
        width = height * figure.aspect * (1 + 1.12 * (count - 1))
        if relation == "beside":
            side = 1 if stage.width - sides[1] >= sides[0] else -1
        else:
            side = -1 if relation == "left_of" else 1
        if side > 0:
            cx = sides[1] + gap + width / 2
            sides[1] += gap + width
        else:
            cx = sides[0] - gap - width / 2
            sides[0] -= gap + width
        d = depth + rng.uniform(-0.02, 0.02)
        if figure.habitat == "sky":
            return _sky_group(figure, cx, heights, scale, stage, rng)
        return row(cx, d, None, height, _base(figure, d, stage))
    if relation in ("worn_by", "held_by", "leaning_against"):
        return _against(figure, relation, target, holder, own, stage, rng)
    if relation in ("in_front_of", "behind"):
        front = relation == "in_front_of"
        d = min(depth + 0.25, 1.0) if front else max(depth - 0.3, 0.0)
        height = own * stage.shrink_at(d)
        # Both stay in sight: the one in front covers at most part of the other.
        shift = 0.3 * tw + 0.35 * height * figure.aspect * count
        offset = shift * (1 if rng.random() < 0.5 else -1)
        base = _base(figure, d, stage)
        if figure.habitat == "sky":
            base = ty1 - th * 0.2 if front else ty0 + th * 0.3
        water = stage.water if holder.habitat in ("water", "underwater") else None
        if not front and water is not None and figure.habitat == "ground":
            # behind boats on a lake is the far shore, not the near land in front of them
            base = water[0] + stage.height * 0.01
        return row(tcx + offset, d, base, height, tz + 1 if front else min(p.z for p in target) - 1)
    if relation == "around":
        return _around(figure, target, own, stage, rng)
    return row(tcx, depth, None, own * stage.shrink_at(depth), _base(figure, depth, stage))


def _around(
    figure: Figure, target: list[Placement], own: float, stage: Stage, rng: np.random.Generator
) -> list[Placement]:
    """Copies on a ring around the target: on the ground in front and behind it, or, for
    things that fly, on an arc over it."""
    tx0, ty0, tx1, ty1 = _union([p.box for p in target])
    tcx, tcy = (tx0 + tx1) / 2, (ty0 + ty1) / 2
    depth = float(np.mean([p.depth for p in target]))
    # Things taller than what they surround stand beside and behind it, never in front: a
    # pine in front of "a skier between pine trees" hid him whole.
    tall = own * stage.shrink_at(depth) > (ty1 - ty0) * 1.2 and figure.habitat != "sky"
    tall = tall and figure.count > 1
    placements = []
    for k in range(figure.count):
        # a pair stands left and right; more go round from the front
        start = 0.0 if figure.count == 2 else np.pi / 2
        angle = start + 2 * np.pi * k / figure.count + rng.uniform(-0.12, 0.12)
        if tall:  # right, left, then behind
            angle = (0.0, np.pi, 1.5 * np.pi)[k % 3] + rng.uniform(-0.12, 0.12)
        if figure.habitat == "sky":
            h = own * 0.6
            cx = tcx + (tx1 - tx0) * 0.75 * np.cos(angle)
            cy = tcy - (ty1 - ty0) * 0.55 * abs(np.sin(angle)) - (ty1 - ty0) * 0.1
            box = _box(cx, cy + h / 2, h, figure.aspect)
            placements.append(Placement(figure.subject, k, box, -500 + k, _flip(rng), False, depth))
            continue
        d = float(np.clip(depth + 0.16 * np.sin(angle), 0, 1))
        h = own * stage.shrink_at(d)
        cx = tcx + ((tx1 - tx0) * 0.5 + h * figure.aspect * 0.6) * np.cos(angle)
        base = _base(figure, d, stage)
        box = _box(cx, base, h, figure.aspect)
        placements.append(Placement(figure.subject, k, box, base, _flip(rng), True, d))
    return placements


def _against(
    figure: Figure,
    relation: str,
    target: list[Placement],
    drawn: Figure,
    own: float,
    stage: Stage,
    rng: np.random.Generator,
) -> list[Placement]:
    """Things touching the target (`drawn`'s copies): a hat worn on its top (where its
    crown is), a thing held at its side (an umbrella over it), a thing leaning on its side
    (on a tree's trunk: the middle tenth of its width), tilted."""
    holder = target[0]
    tx0, ty0, tx1, ty1 = holder.box
    tw, th = tx1 - tx0, ty1 - ty0
    crown = 1 - drawn.crown[0] if holder.flip else drawn.crown[0]
    placements = []
    for k in range(figure.count):
        if relation == "worn_by":
            width = min(tw * 0.5, th * 0.35 * figure.aspect)
            height = width / figure.aspect
            cx = tx0 + tw * crown
            box = _box(cx, ty0 + th * drawn.crown[1] + height * 0.3, height, figure.aspect)
            placements.append(
                Placement(figure.subject, k, box, holder.z + 1, False, False, holder.depth)
            )
            continue
        side = 1 if (k % 2 == 0) == (stage.width - tx1 >= tx0) else -1
        if relation == "held_by" and figure.noun in OVERHEAD:
            # held up over the head, the canopy above it, the shaft behind the body down to
            # the hands: at the side, it floated beside the girl who was to hold it
            height = th * 0.8
            box = _box(tx0 + tw * crown, ty0 + th * 0.42, height, figure.aspect)
            placements.append(
                Placement(figure.subject, k, box, holder.z - 0.5, holder.flip, False, holder.depth)
            )
            continue
        if relation == "held_by":
            raised = figure.noun in ("balloon", "kite", "torch", "flag")  # OVERHEAD: above
            height = min(own * stage.shrink_at(holder.depth), th * (0.75 if raised else 0.45))
            width = height * figure.aspect
            cx = (tx1 - tw * 0.1 + width * 0.35) if side > 0 else (tx0 + tw * 0.1 - width * 0.35)
            base = ty0 + th * (0.35 if raised else 0.7)
            box = _box(cx, base, height, figure.aspect)
            placements.append(
                Placement(figure.subject, k, box, holder.z + 1, holder.flip, False, holder.depth)
            )
            continue
        height = min(own * stage.shrink_at(holder.depth), th * 1.1)
        width = height * figure.aspect
        if drawn.noun == "tree":  # leant on at its trunk, not at its crown's edge
            tx0, tx1 = tx0 + tw * 0.45, tx1 - tw * 0.45
        # Copies take the two sides in turn: the first on each side touches the target,
        # the next one on that side leans beyond it (on its own side only).
        further = (k // 2) * width * 1.1
        cx = (tx1 + width * 0.25 + further) if side > 0 else (tx0 - width * 0.25 - further)
        box = _box(cx, ty1, height, figure.aspect)
        tilt = 12.0 * side
        placements.append(
            Placement(figure.subject, k, box, holder.z + 1, _flip(rng), True, holder.depth, tilt)
        )
    return placements
