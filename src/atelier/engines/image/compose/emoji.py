"""The second drawing library: Microsoft's Fluent Emoji in their flat style (MIT), from the
npm package @iconify-json/fluent-emoji-flat, which set-up fetches beside the index
(scripts/setup.sh). Openclipart has no goose, zebra, hedgehog, panda, bathtub or teapot
that reads as one; these ~750 drawings of animals, plants, food, vehicles, buildings and
objects fill such gaps, all in one style.

`unpack` writes each icon as an SVG file with its name and category as Dublin Core
metadata, so the index describes, ranks and draws it exactly as it does an openclipart
file."""

from __future__ import annotations

import html
import json
import re
import tarfile
from pathlib import Path
from typing import Any

PACKAGE = "fluent-emoji-flat-1.2.6.tgz"  # the file set-up puts in the index's folder
FOLDER = "fluent"  # where the SVG files go, beside the index; the entries' path prefix
LICENCE = "MIT (Fluent Emoji, © Microsoft Corporation)"
# The package's categories worth drawing in a scene, and the folder each goes in. Faces,
# people with their skin tones, symbols and flags are left out: openclipart's people are
# whole figures, and a scene has no use for a symbol.
CATEGORIES = {
    "Animals & Nature": "animals",
    "Food & Drink": "food",
    "Travel & Places": "places",
    "Objects": "objects",
    "Activities": "activities",
}
# Icons of those categories that are symbols or screens, not things in a scene: card suits
# ("a man in a suit" drew the diamond suit), clock faces, charts, faces, signs and arrows.
# Animals the package draws as a head only, looked at one by one, are left out too: the
# third of "three red foxes" was the fox emoji's head.
HEADS = {"bear", "fox", "frog", "hamster", "koala", "lion", "moose", "panda", "polar-bear"}
HEADS |= {"raccoon", "unicorn", "wolf", "chicken", "hippopotamus", "pig-nose", "paw-prints"}
SYMBOLS = re.compile(
    r"-suit$|oclock$|-thirty$|chart|-face$|with-arrow$|with-slash$|^(muted-)?speaker|"
    r"locked|^link$|^e-mail$|^joker$|mahjong|playing-cards|-tray$|level-slider|control-knobs|"
    r"low-battery|bookmark-tabs|^hamsa$|^nazar|^dna$|^drop-of-blood$|^globe-|^map-|-map$"
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'viewBox="0 0 {w} {h}" width="{w}" height="{h}"><metadata><rdf:RDF><cc:Work>'
    "<dc:title>{title}</dc:title><dc:subject><rdf:Bag><rdf:li>{keyword}</rdf:li></rdf:Bag></dc:subject>"
    "<dc:creator><cc:Agent><dc:title>Microsoft</dc:title></cc:Agent></dc:creator>"
    "</cc:Work></rdf:RDF></metadata>{body}</svg>"
)


def is_emoji(path: str) -> bool:
    """An index entry's path is one of this library's drawings."""
    return path.startswith(FOLDER + "/")


def unpack(folder: Path) -> list[Path]:
    """The library's SVG files under folder/fluent, written from the package in `folder`
    (none when set-up has not fetched it)."""
    package = folder / PACKAGE
    if not package.exists():
        return []
    with tarfile.open(package) as tar:
        icons = _member(tar, "package/icons.json")
        categories = _member(tar, "package/metadata.json")["categories"]
    written = []
    for category, sub in CATEGORIES.items():
        for name in categories[category]:
            icon = icons["icons"].get(name)
            if icon is None or SYMBOLS.search(name) or name in HEADS:
                continue
            path = folder / FOLDER / sub / f"{name}.svg"
            svg = SVG.format(
                w=icon.get("width", icons["width"]),
                h=icon.get("height", icons["height"]),
                title=html.escape(name.replace("-", " ")),
                keyword=html.escape(category),
                body=icon["body"],
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                path.write_text(svg, encoding="utf-8")
            written.append(path)
    return written


def _member(tar: tarfile.TarFile, name: str) -> Any:
    member = tar.extractfile(name)
    if member is None:
        raise ValueError(f"{PACKAGE} has no {name}")
    return json.loads(member.read())
