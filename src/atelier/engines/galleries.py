"""Galleries: the named choices a parameter offers (styles, instruments), each shown by a
sample, so that people choose by looking and listening rather than by number or name.

A parameter takes a gallery with the form hint `pick_from(gallery)` (engines/base.py). Each
choice names its sample; samples are shared (stylize's preset 7 and compose's "fauvist"
are one swatch) and made by `render`: a picture (image/swatches.py, every style painted
on one reference picture) or a sound (music/auditions.py). The studio renders each once
and keeps it (studio/choices.py). Listing choices imports nothing heavy; rendering does."""

from __future__ import annotations

from dataclasses import dataclass

from atelier.engines.image import style_names
from atelier.engines.image.compose import finish
from atelier.engines.music.common import INSTRUMENTS, STYLES

VERSION = 1  # bump when samples are made differently: the kept ones are then remade
REFERENCE = "reference"  # the picture every swatch is painted on, itself a sample
PICTURE, SOUND = "image/webp", "audio/mpeg"


@dataclass(frozen=True)
class Choice:
    value: int | str  # what the parameter takes
    label: str
    sample: str  # the name of the sample that shows it


def _presets() -> list[Choice]:
    """image.stylize's `style`: the 26 presets by number."""
    return [
        Choice(s.number, f"{s.name} ({s.number})", f"preset-{s.number}") for s in style_names.STYLES
    ]


def _compose_styles() -> list[Choice]:
    """image.compose's `style`: its hand-made finishes, then the presets by name. A preset
    whose name compose reads as a finish ("watercolour", "engraving") is given by number,
    so every choice paints what its swatch shows."""
    finishes = [Choice(name, name, f"finish-{name.replace(' ', '-')}") for name in finish.FINISHES]
    presets = [
        Choice(
            s.name if finish.named(s.name) is None else str(s.number),
            s.name if finish.named(s.name) is None else f"{s.name} (preset {s.number})",
            f"preset-{s.number}",
        )
        for s in style_names.STYLES
    ]
    return finishes + presets


def _music_styles() -> list[Choice]:
    return [Choice(style, style.replace("-", " "), f"music-style-{style}") for style in STYLES]


def _instruments() -> list[Choice]:
    return [Choice(name, name.replace("-", " "), f"instrument-{name}") for name in INSTRUMENTS]


GALLERIES = {
    "image-preset": _presets,
    "image-style": _compose_styles,
    "music-style": _music_styles,
    "instrument": _instruments,
}


def choices(gallery: str) -> list[Choice]:
    if gallery not in GALLERIES:
        raise KeyError(f"no gallery {gallery!r}; known: {', '.join(GALLERIES)}")
    return GALLERIES[gallery]()


def samples() -> list[str]:
    """Every sample's name: the reference picture, then each gallery's, once each."""
    names = [REFERENCE]
    for gallery in GALLERIES:
        names += [c.sample for c in choices(gallery) if c.sample not in names]
    return names


def media_type(sample: str) -> str:
    return SOUND if sample.startswith(("instrument-", "music-style-")) else PICTURE


def render(sample: str) -> bytes:
    """The sample's file (WebP or MP3). Slow: a network, a model or FluidSynth runs."""
    kind, _, name = sample.partition("-")
    if sample == REFERENCE:
        from atelier.engines.image import swatches

        return swatches.webp(swatches.reference())
    if kind in ("preset", "finish"):
        from atelier.engines.image import swatches

        if kind == "preset":
            return swatches.webp(swatches.preset(int(name)))
        return swatches.webp(swatches.finished(name.replace("-", " ")))
    from atelier.engines.music import auditions

    if kind == "instrument":
        return auditions.mp3(auditions.instrument_piece(name))
    if sample.startswith("music-style-"):
        return auditions.mp3(auditions.style_piece(sample.removeprefix("music-style-")))
    raise KeyError(f"no sample {sample!r}")
