"""The clip-art index: every openclipart SVG's, Fluent emoji's (emoji.py) and reviewed game
icon's (icons.py) words, embedded once, and the facts about its drawing that tell a whole
figure from a cartoon head, an icon or a framed scene.

`build` runs at set-up (`atelier prepare`, a minute or two on two cores); `ClipArt.load`
reads the result in well under a second; `ClipArt.search` ranks the library for a noun."""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from atelier import embeddings
from atelier.engines.image.compose import emoji, icons, reviewed
from atelier.engines.image.compose.svg import rasterize, read_text, trim_box
from atelier.engines.image.compose.words import (
    ACTIVITIES,
    GLOSSARY,
    is_english,
    lemma,
    parts_of_speech,
    translate,
    words,
    wordset,
)

LIBRARY = Path("/usr/share/openclipart/svg")  # Debian package openclipart-svg
CLIPART_LICENCE = "CC0-1.0 (Openclipart, public domain)"
VERSION = 10  # bump when the index's contents change: `atelier prepare` rebuilds it
FACTS_WIDTH = 160

# Words in a title or keywords that mark a drawing as not a plain whole figure.
NOT_A_FIGURE = wordset(
    "head face bust portrait icon symbol logo sign button flag map emblem badge coat arm "
    "smiley mascot coloring colouring outline pattern border frame card stamp sticker "
    "letter font text clock cartoon silhouette shape tattoo tatoo skeleton dead "
    "caricature comic pictogram stickman stickmen icons symbols signs shapes logos "
    "buttons flags smilies bodypart monster toy rubber plush label diagram chart aiga "
    "clipart glyph roadsign roadsigns"
)
# Words of a title that say how it is drawn, not what: left out when finding its head noun.
NOT_A_THING = wordset(
    "illustration clipart clip art drawing icon vector simple basic stylized stylised cartoon "
    "colour color coloured colored version set image picture graphic sketch outline "
    "contour silhouette black white red green blue yellow brown grey gray pink orange "
    "purple small big large little cute happy funny old new one two three front side view "
    "blonde blond profile left right frontal semplice stilizzata contorno profilo"
)
# A title ends its head noun phrase at these words: "owl on branch" is an owl.
BREAKS = wordset("on in with of and at under by for from to over near behind beside")
# Head nouns that name a class, not a thing: "Church Building" is a church.
CLASS_WORDS = wordset(
    "building structure animal bird tree plant flower vehicle machine person figure "
    "object thing item fish insect toy"
)
SIGNS = wordset("sign roadsign signpost")
# Names that make a drawing many things, not one.
MANY = wordset("two three four five pair couple family group flock herd crowd set collection")
JUNK_TITLES = (
    "clipart by",
    "etiquette icons",
    "r16 sibmission",
    "iconset",
    "various cliparts",
    "aiga_symbol",
    "svg road signs",
    "part of the",
    "lemon svg",
)


def junk_title(title: str) -> bool:
    """A title that says nothing of the drawing ("R16 sibmission", an e-mail address): its
    file name names it instead."""
    return not title or title.lower().startswith(JUNK_TITLES) or "@" in title


@dataclass(frozen=True)
class Entry:
    """One drawing: where it is, what it is called, and what it looks like."""

    path: str  # relative to `root`
    title: str
    text: str  # what was embedded
    names: frozenset[str]  # lemmas of its title, file name and keywords
    category: frozenset[str]  # lemmas of its folders
    flaws: frozenset[str]  # NOT_A_FIGURE words it carries
    box: tuple[float, float, float, float]  # visible part, as fractions of the canvas
    aspect: float  # width / height of the visible part
    fill: float  # share of the visible box that is opaque
    boxed: bool  # opaque in all four corners: a framed scene, a flag, a button
    parts: int  # separate shapes (several animals on one sheet, a border…)
    colour: tuple[int, int, int]  # mean colour of the opaque pixels
    saturation: float
    dark: float  # share of near-black opaque pixels (silhouettes)
    colours: int  # colours covering 2 % or more of it (1–2: a flat pictogram)
    bitmap: bool  # embeds a photo rather than drawing
    title_words: frozenset[str] = frozenset()  # lemmas of its title (or file name)
    head: str = ""  # the title's head noun: "owl" for "Owl on Branch"
    head_words: frozenset[str] = frozenset()  # the nouns of its head phrase: church, building
    qualifiers: frozenset[str] = frozenset()  # other words of its head phrase: flying (saucer)
    root: Path = LIBRARY  # openclipart's folder, or the index's for an emoji or an icon

    @property
    def file(self) -> Path:
        return self.root / self.path

    @property
    def beside(self) -> frozenset[str]:
        """What its title names beside its head phrase: the paddler of "canoe with a
        paddler"."""
        return self.title_words - self.head_words - self.qualifiers

    @property
    def licence(self) -> str:
        if icons.is_icon(self.path):
            return icons.LICENCE
        return emoji.LICENCE if emoji.is_emoji(self.path) else CLIPART_LICENCE

    @property
    def source(self) -> str:
        """Where it is in its library, as a work's record names it: "openclipart/unsorted/
        Anatra.svg", "fluent/animals/duck.svg", "game-icons/dog-house.svg"; never this
        server's folders."""
        return f"openclipart/{self.path}" if _openclipart(self.path) else self.path


def _openclipart(path: str) -> bool:
    """An index entry's path is one of openclipart's (under LIBRARY, not the index's folder)."""
    return not emoji.is_emoji(path) and not icons.is_icon(path)


def _author_words(creator: str) -> set[str]:
    return {w for w in words(creator) if len(w) > 2}


def describe(path: Path) -> dict[str, Any] | None:
    """The words and facts of one SVG (None when it draws nothing); runs in a worker."""
    data = path.read_text(encoding="utf-8", errors="replace")
    meta = read_text(data)
    try:
        image = rasterize(path, FACTS_WIDTH)
    except (ValueError, OSError, RuntimeError):
        return None
    rgba = np.asarray(image)
    box = trim_box(rgba[..., 3])
    if box is None or (box[2] - box[0]) < 4 or (box[3] - box[1]) < 4:
        return None
    x0, y0, x1, y1 = box
    crop = rgba[y0:y1, x0:x1]
    opaque = crop[..., 3] > 127
    if opaque.sum() < 20:
        return None
    corners = [opaque[:3, :3], opaque[:3, -3:], opaque[-3:, :3], opaque[-3:, -3:]]
    labels, count = ndimage.label(ndimage.binary_dilation(opaque, iterations=2))
    sizes = np.bincount(labels.ravel())[1:]
    parts = int((sizes >= 0.04 * sizes.sum()).sum()) if count else 0
    rgb = crop[..., :3][opaque].astype(np.float32) / 255.0
    quantized = (crop[..., :3][opaque] // 32).astype(np.int32) @ np.array([64, 8, 1])
    shares = np.bincount(quantized, minlength=512) / max(len(quantized), 1)
    high, low = rgb.max(axis=1), rgb.min(axis=1)
    saturation = np.where(high > 0, (high - low) / np.maximum(high, 1e-6), 0.0)
    lightness = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    height, width = rgba.shape[:2]
    return {
        "title": meta.title,
        "keywords": meta.keywords,
        "creator": meta.creator,
        "box": [x0 / width, y0 / height, x1 / width, y1 / height],
        "aspect": round((x1 - x0) / (y1 - y0), 4),
        "fill": round(float(opaque.mean()), 4),
        "boxed": bool(all(c.mean() > 0.5 for c in corners)),
        "parts": parts,
        "colour": [int(v * 255) for v in rgb.mean(axis=0)],
        "saturation": round(float(saturation.mean()), 4),
        "dark": round(float((lightness < 0.15).mean()), 4),
        "colours": int((shares >= 0.02).sum()),
        "bitmap": "<image" in data,
    }


def _english(text: str, path: str) -> str:
    """The text's words, the glossary's Italian and French ones made English; the emoji
    library and the icons name their drawings in English already (its "white cane" is no
    white dog)."""
    return translate(text) if _openclipart(path) else " ".join(words(text))


def _text(relative: str, facts: dict[str, Any]) -> tuple[str, set[str], set[str]]:
    """The sentence to embed, the name lemmas and the folder lemmas of one drawing."""
    authors = _author_words(facts["creator"])
    title = facts["title"]
    if junk_title(title):
        title = ""
    stem = "" if facts.get("renamed") else Path(relative).stem  # a wrong name's (reviewed)
    stem_words = [w for w in words(stem.replace("_", " ")) if w not in authors and len(w) > 2]
    keywords = [
        k
        for k in facts["keywords"]
        if "0x" not in k and "hash" not in k and not set(words(k)) <= authors
    ]
    folders = Path(relative).parent.parts
    name_text = _english(" ".join([title, *stem_words, *keywords]), relative)
    names = {lemma(w) for w in words(name_text)} | set(words(name_text))
    category = {lemma(w) for w in words(" ".join(folders).replace("_", " "))}
    sentence = "; ".join(
        part
        for part in (
            _english(title, relative),
            _english(" ".join(stem_words), relative),
            _english(", ".join(keywords), relative),
            " ".join(folders).replace("_", " "),
        )
        if part
    )
    return sentence, names, category


def _files() -> list[Path]:
    """Every SVG of the library once (the package has the same file in several folders)."""
    seen: set[str] = set()
    unique = []
    for path in sorted(LIBRARY.rglob("*.svg")):
        digest = hashlib.sha1(path.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            unique.append(path)
    return unique


def is_built(folder: Path) -> bool:
    """Asked on every engines listing: the index file (megabytes of JSON) is read again only
    when it changed on disk."""
    try:
        stamp = (folder / "index.json").stat()
    except OSError:
        return False
    return (folder / "embeddings.npy").exists() and _has_version(
        folder / "index.json", stamp.st_mtime_ns, stamp.st_size
    )


@functools.lru_cache(maxsize=8)
def _has_version(path: Path, mtime_ns: int, size: int) -> bool:
    try:
        head = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return bool(head.get("version") == VERSION)


def build(folder: Path, progress: Callable[[str], None] = lambda message: None) -> int:
    """Describe and embed the three libraries into `folder` (index.json + embeddings.npy)."""
    files = _files() + emoji.unpack(folder) + icons.unpack(folder)
    progress(f"describing {len(files)} drawings")
    with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        described = list(pool.map(describe, files, chunksize=32))
    entries, sentences = [], []
    for path, found in zip(files, described, strict=True):
        relative = str(path.relative_to(folder if path.is_relative_to(folder) else LIBRARY))
        facts = reviewed.facts(relative, found) if found is not None else None
        if facts is None:
            continue
        sentence, names, category = _text(relative, facts)
        entries.append(
            {
                "path": relative,
                "title": facts["title"],
                "text": sentence,
                "names": sorted(names),
                "category": sorted(category),
                **{k: facts[k] for k in ("box", "aspect", "fill", "boxed", "parts")},
                **{k: facts[k] for k in ("colour", "saturation", "dark", "colours", "bitmap")},
            }
        )
        sentences.append(sentence)
    progress(f"embedding {len(sentences)} descriptions")
    vectors = embeddings.embed(sentences)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / "embeddings.tmp.npy", vectors.astype(np.float16))
    (folder / "index.tmp.json").write_text(
        json.dumps({"version": VERSION, "model": embeddings.MODEL_NAME, "entries": entries})
    )
    os.replace(folder / "embeddings.tmp.npy", folder / "embeddings.npy")
    os.replace(folder / "index.tmp.json", folder / "index.json")
    return len(entries)


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float
    similarity: float
    named: bool  # the drawing's own words name the noun
    titled: bool = False  # its title (not only its keywords) names the noun
    kind: bool = False  # its words name the kind asked for ("willow" of a willow tree)
    other: bool = False  # its title says it is something else ("Desk Lamp" for a desk)


@dataclass(frozen=True)
class Wanted:
    """What a subject asks of a drawing (see ClipArt.search)."""

    query: str  # the noun phrase, searched by meaning
    heads: frozenset[str]  # the noun and the words the library uses for it
    kind: frozenset[str] = frozenset()  # words naming the kind: "willow"
    colour: tuple[int, int, int] | None = None
    aspect: float | None = None  # usual width / height
    unlike: frozenset[str] = frozenset()  # things of another size
    avoid: frozenset[str] = frozenset()  # the prompt's other subjects
    doing: frozenset[str] = frozenset()  # what a person is asked to be doing (words.DOING)


class ClipArt:
    """The loaded index: entries and their unit embeddings."""

    def __init__(self, entries: list[Entry], vectors: np.ndarray) -> None:
        self.entries = entries
        self.vectors = vectors.astype(np.float32)
        self.fitness = np.array([_fitness(e) for e in entries], dtype=np.float32)
        self._shapes: dict[str, tuple[int, float, float]] = {}
        # what the library draws, by the head nouns of its titles (flawed drawings aside)
        self.heads = frozenset(e.head for e in entries if e.head and not e.flaws)
        # what each figure of a person is shown doing (empty for every other drawing)
        self.shows = [
            e.title_words & ACTIVITIES if emoji.is_figure(e.path) else frozenset() for e in entries
        ]
        # A search weighs every drawing against a subject's words: these say, a word at a
        # time, which drawings carry it, so that it reads a few lists instead of every entry.
        self._titled = _carrying(e.title_words for e in entries)
        self._named = _carrying(e.names for e in entries)
        self._filed = _carrying(e.category for e in entries)
        self._flawed = _carrying(e.flaws for e in entries)
        self._names = sorted(self._named)  # for the names a kind's word begins
        self._by_head = _carrying([e.head] if e.head else [] for e in entries)
        self._qualified = _carrying(
            [q + e.head for q in e.qualifiers] if e.head else [] for e in entries
        )
        self._classed = _carrying(e.head_words if e.head in CLASS_WORDS else [] for e in entries)
        self._plurals: dict[str, list[tuple[int, str]]] = {}  # lemma: (entry, word)
        for i, e in enumerate(entries):
            for word in e.title_words:
                if lemma(word) != word:
                    self._plurals.setdefault(lemma(word), []).append((i, word))
        self._many = np.array(
            [bool(e.title_words & MANY) or "and" in e.title_words for e in entries]
        )
        self._roadsign = np.array(["roadsign" in e.category | e.names for e in entries])
        self._colours = np.array([e.colour for e in entries], np.float32)
        self._aspects = np.array([e.aspect for e in entries])
        self._figures = [i for i, shown in enumerate(self.shows) if shown]
        self._icons = np.array([icons.is_icon(e.path) for e in entries], dtype=bool)
        also = icons.aliases()  # a game icon's reviewed other names: what it is as well
        self._aliased = _carrying(also.get(e.path, ()) for e in entries)
        # What says a drawing shows a thing: its names; a game icon's, what its title adds
        # beside its head phrase (a canoe *with a paddler*; a *dog* house shows no dog).
        self._showing = _carrying(e.beside if icons.is_icon(e.path) else e.names for e in entries)

    @classmethod
    def load(cls, folder: Path) -> ClipArt:
        raw = json.loads((folder / "index.json").read_text())
        entries = [
            Entry(
                path=e["path"],
                title=e["title"],
                text=e["text"],
                names=frozenset(e["names"]),
                category=frozenset(e["category"]),
                flaws=frozenset([*e["names"], *e["category"]]) & NOT_A_FIGURE,
                box=(e["box"][0], e["box"][1], e["box"][2], e["box"][3]),
                aspect=e["aspect"],
                fill=e["fill"],
                boxed=e["boxed"],
                parts=e["parts"],
                colour=(e["colour"][0], e["colour"][1], e["colour"][2]),
                saturation=e["saturation"],
                dark=e["dark"],
                colours=e["colours"],
                bitmap=e["bitmap"],
                **_title(e["title"], e["path"]),
                root=LIBRARY if _openclipart(e["path"]) else folder,
            )
            for e in raw["entries"]
        ]
        return cls(entries, np.load(folder / "embeddings.npy"))

    def search(self, wanted: Wanted, limit: int = 8, last_resort: bool = False) -> list[Match]:
        """The best drawings for a subject, best first: of openclipart and the emoji, or
        with `last_resort` of the game icons alone (see icons.py).

        Meaning (cosine of the embeddings) counts; the noun named in the drawing's title
        counts most, in its keywords less; a title whose head noun is another thing ("desk
        lamp" for a desk, "owl on branch" for a branch) counts against it, as does naming
        another subject of the prompt (the drawing would show it twice), showing many
        when one is asked, flaws (a head, an icon, a frame, a toy) and a shape unlike the
        thing's usual one; naming the kind asked for (a *willow* tree) counts for it."""
        similarity = self.vectors @ embeddings.embed([wanted.query])[0]
        score = similarity + self.fitness
        heads = wanted.heads
        titled = self._carry(self._titled, heads)
        named = titled | self._carry(self._named, heads)
        score += 0.35 * titled + 0.12 * (named & ~titled)
        score += 0.08 * self._carry(self._filed, heads)
        score += 0.12 * self._carry(self._flawed, heads)
        other = self._other_things(heads | wanted.kind)
        score -= 0.35 * other
        if wanted.avoid:
            score -= 0.3 * self._carry(self._showing, wanted.avoid)
        # Many in one drawing is never right: a count is made of copies, one thing each.
        score -= 0.25 * self._showing_many(heads)
        kind = np.zeros(len(self.entries), dtype=bool)
        if wanted.kind:
            kind = self._naming_kind(wanted.kind)
            score += 0.3 * kind
        if wanted.colour is not None:
            distance = np.linalg.norm(self._colours - np.array(wanted.colour), axis=1)
            score += 0.1 * np.maximum(0.0, 1.0 - distance / 160.0)
        if wanted.unlike:
            score -= 0.12 * self._carry(self._named, wanted.unlike)
        # A figure doing what is asked counts for it; doing anything else, far against it.
        doing = np.zeros(len(self.entries))
        for i in self._figures:
            shown = self.shows[i]
            doing[i] = 0.3 * bool(shown & wanted.doing) - 1.0 * bool(shown - wanted.doing)
        score += doing
        if wanted.aspect is not None:
            ratios = self._aspects / wanted.aspect
            score -= 0.3 * np.minimum(np.abs(np.log(np.maximum(ratios, 1e-3))), 1.5)
        score[self._icons != last_resort] = -np.inf
        best = np.argsort(-score)[:limit]
        return [
            Match(
                self.entries[i],
                float(score[i]),
                float(similarity[i]),
                bool(named[i]),
                bool(titled[i]),
                bool(kind[i]),
                bool(other[i]),
            )
            for i in best
        ]

    def _carry(self, carrying: dict[str, np.ndarray], words: frozenset[str]) -> np.ndarray:
        """Which drawings carry any of `words` in the lists `carrying` was made from."""
        found = np.zeros(len(self.entries), dtype=bool)
        for word in words:
            if word in carrying:
                found[carrying[word]] = True
        return found

    def _other_things(self, known: frozenset[str]) -> np.ndarray:
        """Which drawings' titles say they are something else: "Desk Lamp" for a desk,
        "Owl on Branch" for a branch, "Fire Engine" (keywords: fireman) for a firefighter;
        but "Church Building" is a church, a "Palmtree" a tree and a "Police Man" a
        policeman, and a game icon is what its reviewed other names say (its "dog house" a
        kennel). A road sign is a sign, whatever it shows ("rail fence" was drawn as a
        fence)."""
        other = np.zeros(len(self.entries), dtype=bool)
        endings = tuple(known)  # a head is known when it ends with a known word: "palmtree"
        for head, found in self._by_head.items():
            if not head.endswith(endings):
                other[found] = True
        other &= ~self._carry(self._qualified, known)  # "Police Man"
        other &= ~self._carry(self._classed, known)  # "Church Building"
        other &= ~self._carry(self._aliased, known)  # a game icon's reviewed other name
        if not known & SIGNS:
            other |= self._roadsign
        return other

    def _showing_many(self, heads: frozenset[str]) -> np.ndarray:
        """Which drawings show several: "Two Sailboats", "cats", "a flock"."""
        many = self._many.copy()
        for head in heads:
            for i, word in self._plurals.get(head, ()):
                if word not in heads:
                    many[i] = True
        return many

    def _naming_kind(self, kind: frozenset[str]) -> np.ndarray:
        """Which drawings' words name the kind asked for, alone or joined ("palmtree")."""
        found = np.zeros(len(self.entries), dtype=bool)
        for word in kind:
            for name in itertools.islice(self._names, bisect.bisect_left(self._names, word), None):
                if not name.startswith(word):
                    break
                found[self._named[name]] = True
        return found

    def feet(self, entry: Entry) -> int:
        """How many separate shapes touch the bottom of the drawing: legs or feet (2+),
        or one (a head, a bust, a long dress, a sitting animal)."""
        return self._shape(entry)[0]

    def crown(self, entry: Entry) -> tuple[float, float]:
        """Where the top of its head is, as fractions of the drawing (x: 0 left … 1 right;
        y: 0 top … 1 bottom): where a hat goes. Across, the middle of what reaches the top;
        down, the first of the drawing in that column, below arms raised over the head."""
        _, x, y = self._shape(entry)
        return x, y

    def _shape(self, entry: Entry) -> tuple[int, float, float]:
        """feet and crown, measured when first asked on a small rendering."""
        if entry.path not in self._shapes:
            try:
                alpha = np.asarray(rasterize(entry.file, FACTS_WIDTH))[..., 3] > 127
            except (ValueError, OSError, RuntimeError):
                alpha = np.zeros((2, 2), dtype=bool)
            box = trim_box(alpha.astype(np.uint8) * 255)
            runs, x, y = 0, 0.5, 0.0
            if box is not None:
                crop = alpha[box[1] : box[3], box[0] : box[2]]
                height, width = crop.shape
                for fraction in (0.97, 0.94, 0.9):
                    runs = max(runs, _apart(crop[int((height - 1) * fraction)]))
                top = crop[: max(1, height // 8)]
                columns = np.flatnonzero(top.any(axis=0))
                if columns.size:
                    x = float(columns.mean() / max(width - 1, 1))
                middle = int(round(x * (width - 1)))
                band = np.asarray(crop[: height // 2, max(0, middle - 1) : middle + 2])
                rows = np.flatnonzero(band.any(axis=1))
                y = float(rows[0] / height) if rows.size else 0.0
            self._shapes[entry.path] = (runs, x, y)
        return self._shapes[entry.path]


def _carrying(lists: Iterable[Iterable[str]]) -> dict[str, np.ndarray]:
    """For every word, the drawings (by their place in the index) whose list holds it."""
    found: dict[str, list[int]] = {}
    for i, words_ in enumerate(lists):
        for word in words_:
            found.setdefault(word, []).append(i)
    return {word: np.array(places) for word, places in found.items()}


def _apart(row: np.ndarray) -> int:
    """Opaque runs along a row that stand clearly apart (gaps of 6 % of its width or
    more): legs, not the teeth of a collar."""
    filled = np.flatnonzero(row)
    if filled.size == 0:
        return 0
    gaps = np.diff(filled)
    return 1 + int((gaps > max(2, 0.06 * row.size)).sum())


def _title(title: str, path: str) -> dict[str, Any]:
    """The lemmas of a drawing's title (its file name when the title is junk) and the
    title's head noun: the last word that says what it is, before any "on", "with"…"""
    if junk_title(title):
        title = Path(path).stem.replace("_", " ")
    found = [w for w in words(_english(title, path)) if len(w) > 1]
    head_part = found
    for n, word in enumerate(found):
        if word in BREAKS and n:
            head_part = found[:n]
            break
    things = [w for w in head_part if w not in NOT_A_THING and "NOUN" in parts_of_speech(w)]
    things = things or [w for w in head_part if w not in NOT_A_THING and is_english(w)]
    first = words(title)[:1]
    italian = first and first[0] in GLOSSARY and _openclipart(path)
    if italian and things:  # Italian and French: the noun first
        things = words(GLOSSARY[first[0]])
    head = lemma(things[-1]) if things else ""
    return {
        "title_words": frozenset(lemma(w) for w in found) | frozenset(found),
        "head": head,
        "head_words": frozenset(lemma(w) for w in things),
        "qualifiers": frozenset(
            lemma(w) for w in head_part if len(w) > 2 and w not in NOT_A_THING and is_english(w)
        )
        - {head},
    }


def _fitness(entry: Entry) -> float:
    """How well a drawing serves as one whole figure in a scene, as a score offset."""
    penalty = 0.12 * min(len(entry.flaws), 2)
    penalty += 0.3 if entry.boxed else 0.0
    penalty += 0.25 if entry.fill > 0.9 else 0.0  # a filled rectangle: a framed picture
    penalty += 0.06 * min(max(entry.parts - 1, 0), 3)
    penalty += 0.1 if entry.fill < 0.15 else 0.0  # thin line art
    penalty += 0.1 if re.search(r"(^|[_-])bw([_-]|$)|b_and_w", entry.path) else 0.0
    penalty += 0.04 if entry.saturation < 0.08 and entry.dark < 0.5 else 0.0  # grey
    penalty += 0.12 if entry.colours <= 2 else 0.0  # a flat pictogram or silhouette
    penalty += 0.25 if entry.bitmap else 0.0
    return -penalty
