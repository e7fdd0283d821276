"""The second drawing library: Microsoft's Fluent Emoji in their flat style (MIT), from the
npm package @iconify-json/fluent-emoji-flat, which set-up fetches beside the index
(scripts/setup.sh). Openclipart has no goose, zebra, hedgehog, panda, bathtub or teapot
that reads as one; these ~750 drawings of animals, plants, food, vehicles, buildings and
objects fill such gaps, all in one style, and its 45 whole figures of people doing things
(cycling, rowing, surfing, in a wheelchair…) draw what openclipart's standing people cannot.

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
PEOPLE = FOLDER + "/people"  # the whole figures' folder
LICENCE = "MIT (Fluent Emoji, © Microsoft Corporation)"
# The package's categories worth drawing in a scene, and the folder each goes in. Faces,
# symbols and flags are left out (a scene has no use for a symbol); of its people, only the
# whole figures of FIGURES are drawn (its other people are busts).
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
# Icons that are a whole scene on a rounded tile, not a thing to place in one ("a red
# bridge over a river" drew the bridge-at-night tile, moon and all): never chosen
# (choose.py), though the index, built before they were looked at, holds them.
TILES = frozenset(
    ("bridge-at-night", "cityscape", "cityscape-at-dusk", "desert", "fog", "foggy",
     "milky-way", "motorway", "national-park", "night-with-stars", "railway-track",
     "shooting-star", "sunrise", "sunrise-over-mountains", "sunset", "moon-viewing-ceremony",
     "fireworks", "sparkler", "beach-with-umbrella", "desert-island")
)  # fmt: skip
SYMBOLS = re.compile(
    r"-suit$|oclock$|-thirty$|chart|-face$|with-arrow$|with-slash$|^(muted-)?speaker|"
    r"locked|^link$|^e-mail$|^joker$|mahjong|playing-cards|-tray$|level-slider|control-knobs|"
    r"low-battery|bookmark-tabs|^hamsa$|^nazar|^dna$|^drop-of-blood$|^globe-|^map-|-map$"
)
# People & Body: the whole figures only (its other icons are busts, faces and hands),
# titled "<what they do> <who>" so that the index reads the person as the head noun and
# the activity as what the figure shows (words.DOING): "a man rowing a boat" is the rowing
# man, boat and all. The index holds each figure once, in the default tone; a scene draws
# it in one of its six tones (`tones`), and the copies of a count in different ones.
FIGURES = {
    "person-standing": "person", "man-standing": "standing man",
    "woman-standing": "standing woman",
    "person-walking": "walking person", "man-walking": "walking man",
    "woman-walking": "walking woman",
    "person-running": "running person", "man-running": "running man",
    "woman-running": "running woman",
    "person-biking": "cycling person on a bicycle", "man-biking": "cycling man on a bicycle",
    "woman-biking": "cycling woman on a bicycle",
    "person-rowing-boat": "rowing person in a boat", "man-rowing-boat": "rowing man in a boat",
    "woman-rowing-boat": "rowing woman in a boat",
    "person-swimming": "swimming person in water", "man-swimming": "swimming man in water",
    "woman-swimming": "swimming woman in water",
    "person-surfing": "surfing person on a surfboard",
    "man-surfing": "surfing man on a surfboard", "woman-surfing": "surfing woman on a surfboard",
    "person-climbing": "climbing person on a rock", "man-climbing": "climbing man on a rock",
    "woman-climbing": "climbing woman on a rock",
    "skier": "skiing person on skis",
    "horse-racing": "racing jockey on a horse",
    "person-kneeling": "kneeling person", "man-kneeling": "kneeling man",
    "woman-kneeling": "kneeling woman",
    "person-in-manual-wheelchair": "wheelchair person",
    "man-in-manual-wheelchair": "wheelchair man",
    "woman-in-manual-wheelchair": "wheelchair woman",
    "person-in-lotus-position": "meditating person", "man-in-lotus-position": "meditating man",
    "woman-in-lotus-position": "meditating woman",
    "person-golfing": "golfing person", "man-golfing": "golfing man",
    "woman-golfing": "golfing woman",
    "person-fencing": "fencing person",
    "person-lifting-weights": "weightlifting person with a barbell",
    "person-bouncing-ball": "basketball player with a ball",
    "person-cartwheeling": "cartwheeling person",
    "man-dancing": "dancing man", "woman-dancing": "dancing woman",
    "person-with-white-cane": "blind person with a white cane",
    "person-in-bed": "sleeping person in a bed",
    "person-taking-bath": "bathing person in a bathtub",
}  # fmt: skip
TONES = ("", "-light", "-medium-light", "-medium", "-medium-dark", "-dark")
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


def is_tile(path: str) -> bool:
    """An index entry's path is one of the emoji library's scene tiles (TILES)."""
    return is_emoji(path) and Path(path).stem in TILES


def is_figure(path: str) -> bool:
    """An index entry's path is one of the whole figures of people (FIGURES)."""
    return path.startswith(PEOPLE + "/")


def tones(path: str, root: Path) -> list[str]:
    """The figure at `path` in each of its skin tones there is a file of (itself first)."""
    stem = path.removesuffix(".svg")
    return [f"{stem}{tone}.svg" for tone in TONES if (root / f"{stem}{tone}.svg").exists()]


def unpack(folder: Path) -> list[Path]:
    """The library's SVG files under folder/fluent to index, written from the package in
    `folder` (none when set-up has not fetched it); a figure's other tones are written
    beside it, not indexed."""
    package = folder / PACKAGE
    if not package.exists():
        return []
    with tarfile.open(package) as tar:
        icons = _member(tar, "package/icons.json")
        categories = _member(tar, "package/metadata.json")["categories"]
    written = []
    for name, title in FIGURES.items():
        for tone in TONES:
            icon = icons["icons"].get(name + tone)
            if icon is not None:
                path = folder / PEOPLE / f"{name}{tone}.svg"
                _write(path, icons, icon, title, "People & Body")
                written += [] if tone else [path]
    for category, sub in CATEGORIES.items():
        for name in categories[category]:
            icon = icons["icons"].get(name)
            if icon is None or SYMBOLS.search(name) or name in HEADS:
                continue
            path = folder / FOLDER / sub / f"{name}.svg"
            written.append(_write(path, icons, icon, name.replace("-", " "), category))
    return written


def _write(path: Path, icons: Any, icon: Any, title: str, keyword: str) -> Path:
    """One icon as an SVG file with its title and keyword (rewritten only if changed)."""
    svg = SVG.format(
        w=icon.get("width", icons["width"]),
        h=icon.get("height", icons["height"]),
        title=html.escape(title),
        keyword=html.escape(keyword),
        body=icon["body"],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != svg:
        path.write_text(svg, encoding="utf-8")
    return path


def _member(tar: tarfile.TarFile, name: str) -> Any:
    member = tar.extractfile(name)
    if member is None:
        raise ValueError(f"{PACKAGE} has no {name}")
    return json.loads(member.read())
