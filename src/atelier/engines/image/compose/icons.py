"""The third drawing library, the last resort: game-icons.net's one-colour icons (CC BY 3.0),
from the npm package @iconify-json/game-icons, which set-up fetches beside the index
(scripts/setup.sh). Openclipart and the emoji have no kennel, hot air balloon, wheelbarrow,
washing machine, throne or beehive; these icons do. A drawing of theirs stands for a subject
only where the other two libraries have none named for it, or none of the kind asked
(choose.py), and is drawn in two tones: the icon in its thing's usual colour, its enclosed
openings (a kennel's door, a washing machine's drum) in a lighter one (`two_tone`).

Of the package's 4,133 icons, those in `icons.tsv` are used: each looked at on a contact
sheet and kept only where it shows one whole thing a scene may hold (not a head, a symbol,
an effect, a person or a monster), with its title, other names and colour. `unpack` writes
each as an SVG file with that title and those names as Dublin Core metadata, so the index
describes, ranks and draws it as it does an openclipart file."""

from __future__ import annotations

import html
import json
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from scipy import ndimage

from atelier.engines.image.compose.words import lemma, words

PACKAGE = "game-icons-1.2.4.tgz"  # the file set-up puts in the index's folder
FOLDER = "gameicons"  # where the SVG files go, beside the index; the entries' path prefix
LICENCE = "CC BY 3.0 (game-icons.net: Lorc, Delapouite and contributors)"
REVIEWED = Path(__file__).with_name("icons.tsv")  # name, title, other names, colour
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'viewBox="0 0 {w} {h}" width="{w}" height="{h}"><metadata><rdf:RDF><cc:Work>'
    "<dc:title>{title}</dc:title><dc:subject><rdf:Bag>{keywords}</rdf:Bag></dc:subject>"
    "<dc:creator><cc:Agent><dc:title>game-icons.net</dc:title></cc:Agent></dc:creator>"
    '</cc:Work></rdf:RDF></metadata><g color="{colour}">{body}</g></svg>'
)
LIGHTER = 0.6  # how far an opening's tone is from the icon's colour toward white


def is_icon(path: str) -> bool:
    """An index entry's path is one of this library's drawings."""
    return path.startswith(FOLDER + "/")


def reviewed() -> list[tuple[str, str, list[str], str]]:
    """The icons kept, as (name, title, other names, colour)."""
    kept = []
    for line in REVIEWED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            name, title, others, colour = line.split("\t")
            kept.append((name, title, [o.strip() for o in others.split(",") if o.strip()], colour))
    return kept


def aliases() -> dict[str, frozenset[str]]:
    """Each icon's other names of one word (lemmas), by its index path: what it is as well
    as what its title says (the dog house is a kennel). Names of several words are not
    counted: their head noun may be another thing ("fire pit" is no pit)."""
    return {
        f"{FOLDER}/{name}.svg": frozenset(
            lemma(other.lower()) for other in others if len(words(other)) == 1
        )
        for name, _, others, _ in reviewed()
    }


def unpack(folder: Path) -> list[Path]:
    """The reviewed icons as SVG files under folder/gameicons to index, written from the
    package in `folder` (none when set-up has not fetched it)."""
    package = folder / PACKAGE
    if not package.exists():
        return []
    with tarfile.open(package) as tar:
        member = tar.extractfile("package/icons.json")
        if member is None:
            raise ValueError(f"{PACKAGE} has no package/icons.json")
        iconify: Any = json.loads(member.read())
    written = []
    for name, title, others, colour in reviewed():
        icon = iconify["icons"][name]
        svg = SVG.format(
            w=icon.get("width", iconify["width"]),
            h=icon.get("height", iconify["height"]),
            title=html.escape(title),
            keywords="".join(f"<rdf:li>{html.escape(o)}</rdf:li>" for o in others),
            colour=colour,
            body=icon["body"],
        )
        path = folder / FOLDER / f"{name}.svg"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != svg:
            path.write_text(svg, encoding="utf-8")
        written.append(path)
    return written


def two_tone(image: Image.Image) -> Image.Image:
    """The icon with its enclosed openings filled in a lighter tone of its colour, so that
    a kennel's door reads as part of the kennel, not as the grass behind it."""
    pixels = np.asarray(image.convert("RGBA")).copy()
    solid = pixels[..., 3] > 127
    openings = ndimage.binary_fill_holes(solid) & ~solid
    if not solid.any() or not openings.any():
        return image
    colour = pixels[..., :3][solid].astype(np.float32).mean(axis=0)
    pixels[openings, :3] = (colour + (255 - colour) * LIGHTER).astype(np.uint8)
    pixels[openings, 3] = 255
    return Image.fromarray(pixels, "RGBA")
