"""Things in the sky kept in sight: a painted sun, moon, star, cloud or rainbow that the
layout put behind a thing on the ground moves along the sky (layout.arrange)."""

from __future__ import annotations

import numpy as np

Box = tuple[float, float, float, float]
HIDDEN = 1 / 3  # more of it hidden than this, and it moves


def in_sight(boxes: list[Box], movable: list[bool], width: float) -> list[Box]:
    """The boxes, each movable one that the others hide more than a third of moved across
    to where the least of it is hidden (the nearest such place): "an owl on a branch under
    a full moon" drew the moon behind the owl. Movable boxes may hide each other: a sun
    behind a cloud is asked for."""
    standing = [box for box, free in zip(boxes, movable, strict=True) if not free]

    def hidden(box: Box) -> float:
        area = max((box[2] - box[0]) * (box[3] - box[1]), 1e-6)
        return sum(_overlap(box, other) for other in standing) / area

    out = []
    for box, free in zip(boxes, movable, strict=True):
        if not free or hidden(box) <= HIDDEN:
            out.append(box)
            continue
        x0, y0, x1, y1 = box
        spots = np.linspace(0, width - (x1 - x0), 24)
        best = float(min(spots, key=lambda x: (hidden((x, y0, x + x1 - x0, y1)), abs(x - x0))))
        out.append((best, y0, best + x1 - x0, y1))
    return out


def _overlap(a: Box, b: Box) -> float:
    across = min(a[2], b[2]) - max(a[0], b[0])
    down = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, across) * max(0.0, down)
