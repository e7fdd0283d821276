"""The clip-art index: every openclipart SVG's words, embedded once, and the facts about its
drawing that tell a whole figure from a cartoon head, an icon or a framed scene.

`build` runs at set-up (`atelier prepare`, a minute or two on two cores); `ClipArt.load`
reads the result in well under a second; `ClipArt.search` ranks the library for a noun."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from atelier import embeddings
from atelier.engines.image.compose.svg import rasterize, read_text, trim_box
from atelier.engines.image.compose.words import lemma, translate, words, wordset

LIBRARY = Path("/usr/share/openclipart/svg")  # Debian package openclipart-svg
VERSION = 4  # bump when the index's contents change: `atelier prepare` rebuilds it
FACTS_WIDTH = 160

# Words in a title or keywords that mark a drawing as not a plain whole figure.
NOT_A_FIGURE = wordset(
    "head face bust portrait icon symbol logo sign button flag map emblem badge coat arm "
    "smiley mascot coloring colouring outline pattern border frame card stamp sticker "
    "letter font text clock cartoon silhouette shape tattoo tatoo skeleton dead "
    "caricature comic pictogram stickman stickmen icons symbols signs shapes logos "
    "buttons flags smilies bodypart monster"
)
JUNK_TITLES = ("clipart by", "etiquette icons", "r16 sibmission", "iconset")


@dataclass(frozen=True)
class Entry:
    """One drawing: where it is, what it is called, and what it looks like."""

    path: str  # relative to LIBRARY
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

    @property
    def file(self) -> Path:
        return LIBRARY / self.path


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


def _text(relative: str, facts: dict[str, Any]) -> tuple[str, set[str], set[str]]:
    """The sentence to embed, the name lemmas and the folder lemmas of one drawing."""
    authors = _author_words(facts["creator"])
    title = facts["title"]
    if title.lower().startswith(JUNK_TITLES) or "@" in title:
        title = ""
    stem = Path(relative).stem
    stem_words = [w for w in words(stem.replace("_", " ")) if w not in authors and len(w) > 2]
    keywords = [
        k
        for k in facts["keywords"]
        if "0x" not in k and "hash" not in k and not set(words(k)) <= authors
    ]
    folders = Path(relative).parent.parts
    name_text = translate(" ".join([title, *stem_words, *keywords]))
    names = {lemma(w) for w in words(name_text)} | set(words(name_text))
    category = {lemma(w) for w in words(" ".join(folders).replace("_", " "))}
    sentence = "; ".join(
        part
        for part in (
            translate(title),
            translate(" ".join(stem_words)),
            translate(", ".join(keywords)),
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
    try:
        head = json.loads((folder / "index.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(head.get("version") == VERSION and (folder / "embeddings.npy").exists())


def build(folder: Path, progress: Callable[[str], None] = lambda message: None) -> int:
    """Describe and embed the whole library into `folder` (index.json + embeddings.npy)."""
    files = _files()
    progress(f"describing {len(files)} drawings")
    with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        described = list(pool.map(describe, files, chunksize=32))
    entries, sentences = [], []
    for path, facts in zip(files, described, strict=True):
        if facts is None:
            continue
        relative = str(path.relative_to(LIBRARY))
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


class ClipArt:
    """The loaded index: entries and their unit embeddings."""

    def __init__(self, entries: list[Entry], vectors: np.ndarray) -> None:
        self.entries = entries
        self.vectors = vectors.astype(np.float32)
        self.fitness = np.array([_fitness(e) for e in entries], dtype=np.float32)

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
            )
            for e in raw["entries"]
        ]
        return cls(entries, np.load(folder / "embeddings.npy"))

    def search(
        self,
        query: str,
        heads: frozenset[str],
        colour: tuple[int, int, int] | None = None,
        aspect: float | None = None,
        others: frozenset[str] = frozenset(),
        limit: int = 8,
    ) -> list[Match]:
        """The best drawings for a noun phrase (`heads`: its noun and kin words), best first.

        Meaning (cosine of the embeddings) counts most; the noun named in the drawing's
        own words, a whole single figure and, when a colour is asked, a drawing already of
        that colour count for it; flaws (a head, an icon, a frame) and a shape unlike the
        thing's usual one (`aspect`, width / height: a person is tall, a car is long) count
        against it, and so does naming one of `others` (things of another size: a "cat"
        drawing that is a tiger)."""
        similarity = self.vectors @ embeddings.embed([query])[0]
        score = similarity + self.fitness
        named = np.array([bool(heads & e.names) for e in self.entries])
        in_folder = np.array([bool(heads & e.category) for e in self.entries])
        score += 0.25 * named + 0.08 * in_folder
        flawed_by_head = np.array([bool(heads & e.flaws) for e in self.entries])
        score += 0.12 * flawed_by_head  # "a flag" may well be a flag
        if colour is not None:
            score += 0.1 * np.array([_colour_match(e, colour) for e in self.entries])
        if others:
            score -= 0.12 * np.array([bool(e.names & others) for e in self.entries])
        if aspect is not None:
            ratios = np.array([e.aspect for e in self.entries]) / aspect
            score -= 0.3 * np.minimum(np.abs(np.log(np.maximum(ratios, 1e-3))), 1.5)
        best = np.argsort(-score)[:limit]
        return [
            Match(self.entries[i], float(score[i]), float(similarity[i]), bool(named[i]))
            for i in best
        ]


def _fitness(entry: Entry) -> float:
    """How well a drawing serves as one whole figure in a scene, as a score offset."""
    penalty = 0.12 * min(len(entry.flaws), 2)
    penalty += 0.3 if entry.boxed else 0.0
    penalty += 0.06 * min(max(entry.parts - 1, 0), 3)
    penalty += 0.1 if entry.fill < 0.15 else 0.0  # thin line art
    penalty += 0.1 if re.search(r"(^|[_-])bw([_-]|$)|b_and_w", entry.path) else 0.0
    penalty += 0.04 if entry.saturation < 0.08 and entry.dark < 0.5 else 0.0  # grey
    penalty += 0.12 if entry.colours <= 2 else 0.0  # a flat pictogram or silhouette
    penalty += 0.25 if entry.bitmap else 0.0
    return -penalty


def _colour_match(entry: Entry, colour: tuple[int, int, int]) -> float:
    """1 when the drawing's mean colour is close to `colour`, falling to 0 far from it."""
    distance = float(np.linalg.norm(np.array(entry.colour, np.float32) - np.array(colour)))
    return max(0.0, 1.0 - distance / 160.0)
