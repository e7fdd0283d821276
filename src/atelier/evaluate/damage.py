"""Seeded synthetic damage for judging repair engines against the clean original: what
image.restore repairs (noise, scratches and dust, masked holes, a faded colour cast) and
what image.upscale undoes (a shrunk copy). benchmarks/restore_quality.py and
`atelier eval compare` both damage scikit-image's bundled photos with these."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage import data as samples

Array = np.ndarray
PHOTOS = ("astronaut", "camera", "chelsea", "coffee", "rocket")  # scikit-image's own
KINDS = ("noise", "scratches", "holes", "fade")


def photo(name: str) -> Array:
    """A scikit-image sample photo by name ("astronaut"), as RGB uint8."""
    if name not in PHOTOS:
        raise ValueError(f"unknown sample photo {name!r}; use one of {', '.join(PHOTOS)}")
    image = getattr(samples, name)()
    return np.stack([image] * 3, axis=-1) if image.ndim == 2 else image


def picture(source: str, max_side: int | None = None) -> Array:
    """A sample photo by name, or an image file by path; its longest side at most
    `max_side` (area-averaged), as RGB uint8."""
    if source in PHOTOS:
        rgb = photo(source)
    else:
        try:
            with Image.open(Path(source)) as opened:
                rgb = np.asarray(opened.convert("RGB"))
        except OSError as exc:
            raise ValueError(f"{source!r} is neither a sample photo nor an image: {exc}") from None
    height, width = rgb.shape[:2]
    if max_side is not None and max(height, width) > max_side:
        scale = max_side / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return rgb


def add_noise(clean: Array, rng: np.random.Generator, sigma: float = 20.0) -> Array:
    return np.clip(clean + rng.normal(0, sigma, clean.shape), 0, 255).astype(np.uint8)


def add_scratches(clean: Array, rng: np.random.Generator) -> tuple[Array, Array]:
    """12 long thin lines (1–3 px, near white or near black) and 40 dust specks; returns
    the damaged photo and where the damage is."""
    damaged, mask = clean.copy(), np.zeros(clean.shape[:2], np.uint8)
    height, width = clean.shape[:2]
    for _ in range(12):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.2, 0.8) * max(height, width)
        x1, y1 = int(x0 + length * np.cos(angle)), int(y0 + length * np.sin(angle))
        thickness = int(rng.integers(1, 4))
        value = 240 if rng.random() < 0.6 else 15
        cv2.line(damaged, (x0, y0), (x1, y1), (value,) * 3, thickness, cv2.LINE_AA)
        cv2.line(mask, (x0, y0), (x1, y1), 255, thickness + 2)
    for _ in range(40):
        x, y, radius = (
            int(rng.integers(0, width)),
            int(rng.integers(0, height)),
            int(rng.integers(1, 4)),
        )
        value = 235 if rng.random() < 0.5 else 20
        cv2.circle(damaged, (x, y), radius, (value,) * 3, -1, cv2.LINE_AA)
        cv2.circle(mask, (x, y), radius + 1, 255, -1)
    return damaged, mask


def add_holes(clean: Array, rng: np.random.Generator) -> tuple[Array, Array]:
    """8 elliptic holes (8–36 px across) painted white; returns the photo and their mask."""
    height, width = clean.shape[:2]
    mask = np.zeros((height, width), np.uint8)
    for _ in range(8):
        centre = (int(rng.integers(20, width - 20)), int(rng.integers(20, height - 20)))
        axes = (int(rng.integers(4, 18)), int(rng.integers(4, 18)))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
    damaged = clean.copy()
    damaged[mask > 0] = 255
    return damaged, mask


def fade(clean: Array) -> Array:
    """A yellowed, flat print: contrast halved around mid-grey, blue down, red up."""
    faded = (clean.astype(np.float64) - 128) * 0.5 + 128
    return np.clip(faded * [1.12, 1.0, 0.78], 0, 255).astype(np.uint8)


def damage(clean: Array, kind: str, rng: np.random.Generator) -> tuple[Array, Array | None]:
    """One kind of damage: the damaged photo, and the mask of the holes for "holes" (what
    a user paints for the inpaint step)."""
    if kind == "noise":
        return add_noise(clean, rng), None
    if kind == "scratches":
        return add_scratches(clean, rng)[0], None
    if kind == "holes":
        return add_holes(clean, rng)
    if kind == "fade":
        return fade(clean), None
    raise ValueError(f"unknown damage {kind!r}; use one of {', '.join(KINDS)}")


def shrink(clean: Array, scale: int) -> tuple[Array, Array]:
    """For super-resolution: the photo cropped to a multiple of `scale`, and its copy
    shrunk `scale` times by area averaging."""
    height, width = clean.shape[0] // scale * scale, clean.shape[1] // scale * scale
    cropped = clean[:height, :width]
    small = cv2.resize(cropped, (width // scale, height // scale), interpolation=cv2.INTER_AREA)
    return cropped, small
