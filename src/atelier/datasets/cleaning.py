"""Cleaning a client's collection: one pipeline for every medium, each step counted.

    decode → size limits → exact duplicates → near duplicates → safety → published → normalise

(normalising can make two inputs the same bytes, a picture and its enlarged copy cropped
to the same square: the later is removed then, as a duplicate.)

Each step reports how many items it received and kept, and every item it removed with the
reason (a duplicate names the item it duplicates). A medium (images.py, melodies.py,
texts.py) says how its files are read, fingerprinted and normalised; this module knows the
order. It is pure: the safety screen and the "already published?" look-up are callables
the caller passes (the studio passes safety's screen and the gallery's hashes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atelier.datasets.items import Item


@dataclass
class Decoded:
    """An item read by its medium: `content` is the medium's own type (a PIL image, a
    Piece, a str); `key` is what exact duplicates share (the bytes' hash; a text's, once
    normalised); `perceptual` is a perceptual hash where the medium has one (images)."""

    name: str
    item: Item
    content: Any
    key: str
    text: str = ""  # what a text screen reads: a document, a tune's title
    perceptual: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Removal:
    item: str
    reason: str  # undecodable | size | duplicate | near-duplicate | unsafe | published
    detail: str


@dataclass
class StepReport:
    step: str
    title: str
    before: int
    after: int
    removed: list[Removal]


@dataclass(frozen=True)
class CleanItem:
    """An item as training will read it: its normalised bytes and their hash, where it
    came from (name and original hash), its rights, and what the card counts."""

    name: str
    data: bytes
    mime: str
    source_sha256: str
    rights: str
    caption: str
    meta: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Cleaned:
    medium: str
    items: list[CleanItem]
    steps: list[StepReport]
    settings: dict[str, Any]

    @property
    def removed(self) -> list[Removal]:
        return [r for step in self.steps for r in step.removed]


class Medium(Protocol):
    @property
    def name(self) -> str:
        """ "image", "music" or "text"."""

    def settings(self) -> dict[str, Any]:
        """The limits and normalisation chosen (recorded in the version's manifest)."""

    def decode(self, item: Item) -> list[Decoded | Removal]:
        """The item read, or why it cannot be (a JSONL file gives one entry per line)."""

    def size_problem(self, decoded: Decoded) -> str | None:
        """Why the item is outside the size limits, or None."""

    def near_duplicates(self, kept: Sequence[Decoded]) -> list[tuple[int, int, float]]:
        """(index, index of the earlier item it resembles, similarity) for each item of
        `kept` that nearly repeats an earlier one."""

    def normalise(self, decoded: Decoded) -> tuple[bytes, str, dict[str, Any]]:
        """The normalised bytes, their MIME type, and the item's figures for the card."""


Screen = Callable[[Decoded], str | None]  # why the item is refused, or None
Published = Callable[[str, str | None], str | None]  # (sha256, perceptual) → whose, or None


def clean(
    medium: Medium,
    items: Sequence[Item],
    screen: Screen | None = None,
    published: Published | None = None,
) -> Cleaned:
    """Run every step over `items` (taken in name order, so the first of two duplicates
    by name is the one kept)."""
    steps: list[StepReport] = []
    ordered = sorted(items, key=lambda i: i.name)

    decoded: list[Decoded] = []
    removed: list[Removal] = []
    for item in ordered:
        for entry in medium.decode(item):
            (removed if isinstance(entry, Removal) else decoded).append(entry)  # type: ignore[arg-type]
    # A JSONL file holds many documents: counted one by one, kept or removed.
    found = len(decoded) + len(removed)
    steps.append(
        StepReport("decode", "undecodable or truncated files", found, len(decoded), removed)
    )

    def keep_if(step: str, title: str, why: Callable[[Decoded], str | None], reason: str) -> None:
        nonlocal decoded
        kept, out = [], []
        for d in decoded:
            problem = why(d)
            if problem is None:
                kept.append(d)
            else:
                out.append(Removal(d.name, reason, problem))
        steps.append(StepReport(step, title, len(decoded), len(kept), out))
        decoded = kept

    keep_if("size", "outside the size limits", medium.size_problem, "size")

    first_of: dict[str, str] = {}

    def exact(d: Decoded) -> str | None:
        if d.key in first_of:
            return f"the same as {first_of[d.key]}"
        first_of[d.key] = d.name
        return None

    keep_if("exact", "exact duplicates (same content hash)", exact, "duplicate")

    near = {index: (earlier, score) for index, earlier, score in medium.near_duplicates(decoded)}
    names = [d.name for d in decoded]
    position = {id(d): i for i, d in enumerate(decoded)}

    def near_duplicate(d: Decoded) -> str | None:
        found = near.get(position[id(d)])
        if found is None:
            return None
        return f"nearly the same as {names[found[0]]} (similarity {found[1]:.2f})"

    keep_if("near", "near duplicates", near_duplicate, "near-duplicate")
    if screen is not None:
        keep_if("safety", "refused by the safety screen", screen, "unsafe")
    if published is not None:

        def already(d: Decoded) -> str | None:
            whose = published(d.item.sha256, d.perceptual)
            return None if whose is None else f"already published by {whose}"

        keep_if("published", "already published by someone else", already, "published")

    out: list[CleanItem] = []
    same: list[Removal] = []
    first_by_hash: dict[str, str] = {}
    for d in decoded:
        data, mime, meta = medium.normalise(d)
        kept = CleanItem(d.name, data, mime, d.item.sha256, d.item.rights, d.item.caption, meta)
        if kept.sha256 in first_by_hash:  # a picture and its lossless copy, say
            detail = f"the same as {first_by_hash[kept.sha256]} once normalised"
            same.append(Removal(d.name, "duplicate", detail))
        else:
            first_by_hash[kept.sha256] = d.name
            out.append(kept)
    steps.append(StepReport("normalise", "identical once normalised", len(decoded), len(out), same))
    return Cleaned(medium.name, out, steps, medium.settings())


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    return len(a & b) / max(len(a | b), 1)


def shingle_duplicates(
    shingles: Sequence[frozenset[Any]], threshold: float, seed: int = 1
) -> list[tuple[int, int, float]]:
    """Near duplicates among sets of shingles: MinHash LSH (datasketch) finds candidates,
    the exact Jaccard similarity decides, so the outcome does not depend on hashing luck
    beyond what LSH may miss. Each item is compared with the earlier ones still kept."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold * 0.8, num_perm=128)  # a wider net; Jaccard decides
    found = []
    for index, items in enumerate(shingles):
        signature = MinHash(num_perm=128, seed=seed)
        for shingle in items:
            signature.update(repr(shingle).encode())
        best: tuple[int, float] | None = None
        for candidate in lsh.query(signature):
            score = jaccard(items, shingles[candidate])
            if score >= threshold and (best is None or score > best[1]):
                best = (candidate, score)
        if best is not None:
            found.append((index, best[0], best[1]))
        elif items:
            lsh.insert(index, signature)
    return found
