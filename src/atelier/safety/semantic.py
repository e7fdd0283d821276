"""The meaning-based layer: multilingual-e5-small sentence embeddings (encoder.py) compared
with each category's descriptions and with descriptions of harmless look-alikes, in
English and Chinese; the model reads a prompt in either, or both mixed.

A text (or one clause of it) counts for a category when it is close to one of the
category's descriptions and clearly closer to it than to any harmless description."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy as np

from atelier.safety import encoder
from atelier.safety.categories import CATEGORIES, HARMLESS
from atelier.safety.language import PASSAGE_CHARS, WORD, passages
from atelier.safety.normalise import HAN_CHAR

CLAUSE = re.compile(r"[,.;:!?\n()，。；：！？、（）「」“”]+| - ")
MIN_CLAUSE_WORDS = 3  # shorter clauses ("funny cartoon") match on a single word
MIN_CLAUSE_HAN = 4  # ...or this many Chinese characters ("割喉的" is too short alone)
LONG_PASSAGE_CHARS = 150  # a long text is read in runs of sentences this long
LONG_MARGIN = 0.02  # see Semantic.read
MAX_PIECES = 160  # a 16,000-character text (the longest input) has about 110 runs


@dataclass(frozen=True)
class Hit:
    category: str
    score: float  # cosine similarity to the nearest description of the category
    description: str


@dataclass(frozen=True)
class Reading:
    hits: list[Hit]  # categories over the threshold and margin, nearest first
    margins: dict[str, float]  # per category: the most any piece is nearer it than harmless

    def margin_of(self, category: str) -> float:
        """The margin of the category's own descriptions."""
        return self.margins.get(category, -1.0)

    def margin(self, category: str) -> float:
        """Sexual content involving minors is sexual content too."""
        if category == "sexual":
            return max(self.margins.get("sexual", -1.0), self.margins.get("minors", -1.0))
        return self.margins.get(category, -1.0)


def _long_enough(clause: str) -> bool:
    return (
        len(clause.split()) >= MIN_CLAUSE_WORDS or len(HAN_CHAR.findall(clause)) >= MIN_CLAUSE_HAN
    )


def clauses(text: str) -> list[str]:
    """The text's clauses of three words (four Chinese characters) or more, when it has
    several; else none."""
    parts = [p.strip() for p in CLAUSE.split(text)]
    parts = [p for p in parts if _long_enough(p) and p != text]
    return parts if len(parts) > 1 else []


def _readable(text: str) -> bool:
    """Two words or three Chinese characters: one word ("ok") or none ("D4 G4 B4") means
    anything to a model."""
    return len(WORD.findall(text)) >= 2 or len(HAN_CHAR.findall(text)) >= 3


def runs(text: str) -> list[str]:
    """A long text in runs of sentences of about LONG_PASSAGE_CHARS, none under half
    that: a short run joins the one before it (or the one after, at the start). A short
    sentence read alone has lost what it speaks of: the last line of an allotment's
    "Nobody counts what is taken." read as self-harm (0.96), and the opening cut at its
    semicolon, "… people who have kept them for decades;", as hate (0.62)."""
    joined: list[str] = []
    for run in passages(text, LONG_PASSAGE_CHARS):
        if joined and min(len(run), len(joined[-1])) < LONG_PASSAGE_CHARS // 2:
            joined[-1] += " " + run
        else:
            joined.append(run)
    return joined


def pieces(texts: list[str]) -> list[str]:
    """Each short text and its clauses; a long text (a story to summarize) in short runs
    of sentences, so one line of harm is not drowned by the pages around it."""
    found = []
    for text in filter(_readable, texts):
        if len(text) <= PASSAGE_CHARS:
            found += [text, *clauses(text)]
        else:
            found += runs(text)
    return list(dict.fromkeys(found))[:MAX_PIECES]


def wholes(texts: list[str]) -> list[str]:
    """As `pieces`, without the clauses: what the learned layer reads. Its tuned encoder
    reads a prompt's words in their context, and a clause alone loses the frame around it
    ("推理小说：妻子给丈夫下毒的动机分析" is a mystery's plot; its second clause alone reads
    as a poisoning)."""
    found = []
    for text in filter(_readable, texts):
        found += [text] if len(text) <= PASSAGE_CHARS else runs(text)
    return list(dict.fromkeys(found))[:MAX_PIECES]


_described_lock = threading.Lock()
_described: tuple[np.ndarray, list[str], np.ndarray] | None = None


def described(threads: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Every category's descriptions and the harmless ones: (labels, texts, embeddings).

    Embedded once per process, not once per studio: 300 texts take seconds of CPU, and a
    process that opens many studios (the tests) paid them each time. The vectors are the
    same for every studio: the encoder is one copy per process (encoder.py)."""
    global _described
    with _described_lock:
        if _described is None:
            labels: list[str] = []
            texts: list[str] = []
            for category in CATEGORIES:
                labels += [category.name] * len(category.descriptions)
                texts += category.descriptions
            labels += ["harmless"] * len(HARMLESS)
            texts += HARMLESS
            _described = (np.array(labels), texts, encoder.embed(texts, threads))
        return _described


class Semantic:
    def __init__(
        self, threshold: float, margins: dict[str, float], default: float, threads: int = 0
    ) -> None:
        """A piece counts for a category within cosine `threshold` of one of its
        descriptions and at least its margin (`margins`, else `default`) nearer to it
        than to every harmless description."""
        self.threshold = threshold
        self.min_margins = margins
        self.default_margin = default
        self.threads = threads

    def read(self, texts: list[str]) -> Reading:
        """What the texts (readings of one prompt) mean, by category. A long text's
        runs of sentences must be LONG_MARGIN nearer still: pages of prose hold many
        odd fragments, and any of them may fall near a description by chance."""
        labels, described_texts, matrix = described(self.threads)
        chunks = pieces(texts)
        extra = LONG_MARGIN if max(map(len, texts), default=0) > PASSAGE_CHARS else 0.0
        if not chunks:
            return Reading([], {})
        vectors = encoder.embed(chunks, self.threads)
        similarity = vectors @ matrix.T
        harmless = similarity[:, labels == "harmless"].max(axis=1)
        # Each piece counts for one category at most: the one of its nearest description
        # ("blood and guts everywhere" is violence, not also self-harm).
        harmful = np.flatnonzero(labels != "harmless")
        own = labels[harmful[similarity[:, harmful].argmax(axis=1)]]
        hits, margins = [], {}
        for category in dict.fromkeys(str(label) for label in labels):
            if category == "harmless":
                continue
            columns = np.flatnonzero(labels == category)
            scores = similarity[:, columns]
            nearest = scores.argmax(axis=1)
            best = scores.max(axis=1)
            margin = best - harmless
            margins[category] = float(margin.max())
            needed = self.min_margins.get(category, self.default_margin) + extra
            ok = np.flatnonzero((best >= self.threshold) & (margin >= needed) & (own == category))
            if len(ok):
                row = int(ok[best[ok].argmax()])
                text = described_texts[columns[nearest[row]]]
                hits.append(Hit(category, float(best[row]), text))
        return Reading(sorted(hits, key=lambda h: -h.score), margins)
