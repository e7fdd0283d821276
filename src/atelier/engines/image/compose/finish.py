"""Hand-made finishes for the styles a picture must show at a glance and that the preset
networks render as a muddy texture: an etching (hatched lines in ink on cream paper), a
watercolour (flat washes, pigment pooling at the edges, white paper showing through) and
a pencil sketch (graphite lines and shading on paper).

Each is plain image processing (OpenCV's edge-preserving filters, hatching by the
picture's darkness), so it is quick, needs no weights and gives the same picture for the
same input."""

from __future__ import annotations

import re

import cv2
import numpy as np
from PIL import Image

FINISHES = {
    "etching": ("etching", "engraving", "pen and ink", "hatching", "copperplate", "intaglio"),
    "watercolour": ("watercolour", "watercolor", "aquarelle", "watercolours", "watercolors"),
    "pencil sketch": ("pencil", "pencil sketch", "pencil drawing", "graphite", "sketch"),
    "pixel art": ("pixel", "pixel art", "pixelated", "8 bit", "16 bit", "retro game"),
    "flat vector": (
        "flat vector",
        "vector",
        "flat",
        "flat design",
        "flat illustration",
        "vector illustration",
        "flat vector illustration",
        "flat vector icon",
        "vector icon",
        "icon",
        "clip",
        "clipart",
    ),
    "cartoon": ("cartoon", "cartoon illustration", "cartoony", "toon"),
}
# Names a prompt may open with, with no "of" after them ("Pixel art steam train"): only
# those that never name a thing to draw (a "pencil" may be one).
SAID_FIRST = ("pixel art", "flat vector", "vector art", "vector illustration", "cartoon")
PAPER = np.array([244, 236, 218], np.float32) / 255
INK = np.array([38, 30, 26], np.float32) / 255


def named(text: str) -> str | None:
    """The finish a style text names ("an etching", "watercolor painting"), if any."""
    key = re.sub(r"[^a-z ]+", " ", text.lower())
    key = re.sub(r"\b(an?|the|style|painting|drawing|print|art|of)\b", " ", key)
    key = key.replace("pixel art", "pixel")
    key = " ".join(key.split())
    for finish, names in FINISHES.items():
        if key in names:
            return finish
    return None


def apply(picture: Image.Image, finish: str, seed: int) -> Image.Image:
    rgb = np.asarray(picture.convert("RGB"))
    rng = np.random.default_rng(seed)
    if finish == "etching":
        out = _etching(rgb, rng)
    elif finish == "watercolour":
        out = _watercolour(rgb, rng)
    elif finish == "pixel art":
        out = _pixels(rgb)
    elif finish == "flat vector":
        out = _flat(rgb)
    elif finish == "cartoon":
        out = _cartoon(rgb)
    else:
        out = _pencil(rgb, rng)
    return Image.fromarray((np.clip(out, 0, 1) * 255).astype(np.uint8))


def _grain(rng: np.random.Generator, height: int, width: int, size: float) -> np.ndarray:
    """Paper grain in about 0..1."""
    noise = rng.random((height, width)).astype(np.float32)
    return cv2.GaussianBlur(noise, (0, 0), size)


def _etching(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink lines: an outline from the edges, and up to three sets of hatching, each laid
    where the picture is darker than its threshold."""
    height, width = rgb.shape[:2]
    grey: np.ndarray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    grey = cv2.GaussianBlur(grey, (0, 0), 1.2)
    grey = np.clip((grey - grey.mean()) * 1.3 + 0.55, 0, 1)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    spacing = max(4.0, width / 150)
    wobble = 1.2 * np.sin(yy / 23.0) + 0.8 * np.sin(xx / 31.0)
    ink = np.zeros((height, width), np.float32)
    for angle, threshold in ((0.785, 0.72), (-0.785, 0.5), (0.0, 0.3), (1.571, 0.16)):
        along = xx * np.cos(angle) + yy * np.sin(angle) + wobble
        phase = np.abs((along % spacing) - spacing / 2) / (spacing / 2)  # 0 on a line
        weight = np.clip((threshold - grey) / 0.18, 0, 1)
        ink = np.maximum(ink, np.clip(1.0 - phase / (0.25 + 0.45 * weight), 0, 1) * weight)
    edges = cv2.Canny((grey * 255).astype(np.uint8), 40, 110).astype(np.float32) / 255
    ink = np.maximum(ink, cv2.GaussianBlur(edges, (0, 0), 0.7) * 1.6)
    paper = PAPER * (0.94 + 0.06 * _grain(rng, height, width, 2.0)[..., None])
    ink = np.clip(ink, 0, 1)[..., None]
    return paper * (1 - ink) + INK * ink


def _watercolour(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Flat washes of thinned colour that spill a little past the drawn lines, uneven
    pigment, darker where it pools at a wash's edge, the paper's grain through it, soft
    ink lines, and bare paper round a loose edge."""
    height, width = rgb.shape[:2]
    washes = cv2.stylization(rgb, sigma_s=80, sigma_r=0.5)
    washes = cv2.pyrMeanShiftFiltering(washes, 10, 28).astype(np.float32) / 255
    washes = washes * 0.75 + 0.25  # thinned with water
    # the colour slides off the lines: displaced by a slow random field
    dx = cv2.resize(rng.normal(0, 4, (12, 18)).astype(np.float32), (width, height))
    dy = cv2.resize(rng.normal(0, 4, (12, 18)).astype(np.float32), (width, height))
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    washes = cv2.remap(washes, xx + dx, yy + dy, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    blotch = cv2.resize(
        rng.random((height // 24 + 2, width // 24 + 2)).astype(np.float32),
        (width, height),
        interpolation=cv2.INTER_CUBIC,
    )
    washes = washes * (0.82 + 0.3 * np.clip(blotch, 0, 1))[..., None]
    edge = cv2.morphologyEx(washes, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).max(axis=2)
    pooled = np.clip(cv2.GaussianBlur(edge, (0, 0), 1.2) * 4, 0, 1)[..., None]
    washes = np.asarray(washes * (1 - 0.3 * pooled), np.float32)
    grain = _grain(rng, height, width, 1.2)[..., None]
    washes = washes * (0.9 + 0.16 * grain)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(cv2.GaussianBlur(grey, (0, 0), 1.0), 50, 140).astype(np.float32) / 255
    lines = cv2.GaussianBlur(edges, (0, 0), 0.8)[..., None] * 0.55
    ink = np.array([60, 52, 70], np.float32) / 255
    painted = washes * (1 - lines) + ink * lines
    # bare paper at a loose, uneven border
    border = np.minimum.reduce([xx / width, 1 - xx / width, yy / height, 1 - yy / height])
    ragged = border + 0.05 * (blotch - 0.5)
    bare = np.clip((0.06 - ragged) / 0.03, 0, 1)[..., None]
    paper = np.array([250, 247, 240], np.float32) / 255 * (0.96 + 0.04 * grain)
    return painted * (1 - bare) + paper * bare


def _pencil(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Graphite: OpenCV's pencil sketch (lines and shading), on grained paper."""
    height, width = rgb.shape[:2]
    grey, _ = cv2.pencilSketch(rgb, sigma_s=50, sigma_r=0.08, shade_factor=0.04)
    tone = grey.astype(np.float32)[..., None] / 255
    tone = np.clip((tone - 0.15) / 0.85, 0, 1) ** 1.4
    light = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)[..., None] / 255
    tone = tone * (0.5 + 0.5 * light)  # shading by how dark the picture is
    paper = PAPER * (0.95 + 0.05 * _grain(rng, height, width, 1.0)[..., None])
    graphite = np.array([70, 70, 78], np.float32) / 255
    return paper * tone + graphite * (1 - tone)


def _few_colours(rgb: np.ndarray, colours: int) -> np.ndarray:
    """The picture in its `colours` commonest colours, without dithering (flat fills)."""
    few = Image.fromarray(rgb).quantize(colours, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return np.asarray(few.convert("RGB"))


def _pixels(rgb: np.ndarray) -> np.ndarray:
    """About 128 big pixels across (at least 4 pixels each; at 80, a bee on a flower was
    three blurred cells), in 32 colours (in 16, its black and yellow went)."""
    height, width = rgb.shape[:2]
    cell = max(4, round(width / 128))
    across, down = max(1, width // cell), max(1, height // cell)
    small = _few_colours(cv2.resize(rgb, (across, down), interpolation=cv2.INTER_AREA), 32)
    big = np.repeat(np.repeat(small, cell, axis=0), cell, axis=1)  # every pixel a square
    big = np.pad(
        big,
        ((0, max(0, height - big.shape[0])), (0, max(0, width - big.shape[1])), (0, 0)),
        mode="edge",
    )
    return big[:height, :width].astype(np.float32) / 255


def _flat(rgb: np.ndarray, colours: int = 12) -> np.ndarray:
    """Flat fills: the gradients, grain and shading smoothed away, then a few colours
    (with 8, a picture's pink pigs turned brown)."""
    smooth = cv2.pyrMeanShiftFiltering(rgb, 20, 60)
    return _few_colours(smooth, colours).astype(np.float32) / 255


def _cartoon(rgb: np.ndarray) -> np.ndarray:
    """Flat fills with bold dark outlines where they meet."""
    flat = _flat(rgb, 16)  # the outlines tell it from the photo: more colours kept
    grey = cv2.cvtColor((flat * 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    edges = cv2.Canny(grey, 30, 90)
    thickness = max(2, rgb.shape[1] // 400)
    lines = cv2.dilate(edges, np.ones((thickness, thickness), np.uint8)).astype(np.float32) / 255
    ink = np.array([25, 22, 30], np.float32) / 255
    return flat * (1 - lines[..., None]) + ink * lines[..., None]
