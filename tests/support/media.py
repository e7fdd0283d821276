"""Pictures and tunes for tests: made from code and seeds (no files, nothing downloaded),
and read back (PNG text chunks, pixels)."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, PngImagePlugin

from atelier.engines.music import render
from atelier.engines.music.piece import Note, Part, Piece

# -- pictures ----------------------------------------------------------------------------


def image_bytes(width: int = 96, height: int = 64, fmt: str = "PNG", seed: int = 0) -> bytes:
    """A smooth colourful test picture (not noise: style transfer should see shapes)."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 6.28, 3)
    pixels = np.stack([127 + 120 * np.sin(x / 9 + y / 13 + p) for p in phase], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format=fmt)
    return buffer.getvalue()


def photo(width: int = 128, height: int = 96) -> Image.Image:
    """A small 'photo': a sky-to-grass gradient with a sun, a house and a tree."""
    y = np.linspace(0, 1, height)[:, None, None]
    sky, grass = np.array([90, 150, 230]), np.array([60, 160, 70])
    pixels = np.broadcast_to(sky * (1 - y) + grass * y, (height, width, 3)).astype(np.uint8)
    image = Image.fromarray(np.ascontiguousarray(pixels))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.70, height * 0.08, width * 0.90, height * 0.35), fill=(250, 220, 40))
    draw.rectangle((width * 0.15, height * 0.45, width * 0.45, height * 0.85), fill=(200, 60, 50))
    draw.polygon(
        [
            (width * 0.12, height * 0.45),
            (width * 0.30, height * 0.22),
            (width * 0.48, height * 0.45),
        ],
        fill=(110, 40, 30),
    )
    draw.ellipse((width * 0.55, height * 0.40, width * 0.70, height * 0.70), fill=(30, 110, 40))
    return image


def png_text(data: bytes | Path) -> dict[str, str]:
    """The text chunks of a PNG file."""
    image = Image.open(data if isinstance(data, Path) else io.BytesIO(data))
    assert isinstance(image, PngImagePlugin.PngImageFile)
    return dict(image.text)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def pixels(data: bytes | Image.Image, mode: str = "RGB") -> np.ndarray:
    image = data if isinstance(data, Image.Image) else Image.open(io.BytesIO(data))
    return np.asarray(image.convert(mode)).astype(np.float64)


# -- tunes -------------------------------------------------------------------------------


F = Fraction


def melody(*notes: tuple[int | None, F | int], start: F = F(0)) -> tuple[Note, ...]:
    """Notes from (pitch, duration) pairs, one after the other."""
    out = []
    for pitch, duration in notes:
        out.append(Note(pitch, start, F(duration)))
        start += F(duration)
    return tuple(out)


# A 6/8 tune with an eighth-note pickup, a note tied over the bar line and a rest.
JIG = Piece(
    parts=(
        Part(
            "melody",
            melody(
                (67, F(1, 2)),
                (72, F(3, 2)),
                (74, F(1, 2)),
                (76, F(1, 2)),
                (74, F(3, 2)),  # an eighth tied to a quarter, across the bar line
                (None, F(1, 2)),
                (72, F(1)),
                (71, F(1, 2)),
                (72, F(1)),
            ),
            program=73,
        ),
    ),
    key="C major",
    meter="6/8",
    tempo=96,
    pickup=F(1, 2),
    title="Test jig",
)


# The same tune as a person would write it in ABC.
JIG_ABC = """X:1
T:Test jig
M:6/8
L:1/8
Q:1/4=96
K:C
G | c3 de d- | d2 z c2 B | c2 |]
"""


# 4/4 with eighth-note triplets and a sixteenth run, in E minor.
TRIPLETS = Piece(
    parts=(
        Part(
            "melody",
            melody(
                (64, F(1, 3)),
                (66, F(1, 3)),
                (67, F(1, 3)),
                (71, F(1)),
                (69, F(1, 4)),
                (67, F(1, 4)),
                (66, F(1, 4)),
                (64, F(1, 4)),
                (63, F(1)),
                (64, F(4)),
            ),
        ),
    ),
    key="E minor",
    meter="4/4",
    tempo=120,
)


def melody_midi(bars: int) -> bytes:
    """A 4/4 melody of `bars` bars of quarter notes, as a MIDI file."""
    pitches = (60, 62, 64, 65, 67, 65, 64, 62)
    notes = tuple(Note(pitches[i % 8], Fraction(i), Fraction(1)) for i in range(4 * bars))
    piece = Piece(parts=(Part("melody", notes),), key="C major", meter="4/4", tempo=120)
    return render.to_midi(piece)
