"""Variants: an image engine that generates makes a small grid of pictures at once, from
seeds next to each other (variant i from seed + i, AUTOMATIC1111's batch convention), each
its own work with its own seed, so that any one of them can be made again alone. The
person picks the one to keep, refine or upscale (studio/variants.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_VARIANTS = 4  # a 2×2 grid
DEFAULT_VARIANTS = 4
SEED_RANGE = 2**32

Variants = Annotated[
    int,
    Field(
        ge=1,
        le=MAX_VARIANTS,
        description="Pictures to make at once, each its own work from the next seed "
        "(seed, seed + 1, …); keep the one you like. The cost is for all of them.",
    ),
]


def variant_seeds(seed: int, variants: int) -> list[int]:
    """The seeds of a job's variants: its own, then the next ones (wrapping at 2³²)."""
    return [(seed + i) % SEED_RANGE for i in range(variants)]
