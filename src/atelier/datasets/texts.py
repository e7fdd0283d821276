"""Texts in a dataset: a .txt or .md file is one document, a .jsonl file one document per
line (an object with a "text" field). Documents must be UTF-8; they are normalised to
Unicode NFC with tidy whitespace, and near duplicates share most of their word 3-grams
(MinHash over shingles, confirmed by the exact Jaccard similarity)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from atelier.datasets.cleaning import Decoded, Removal, shingle_duplicates
from atelier.datasets.items import Item

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
JSONL_SUFFIXES = (".jsonl",)
SHINGLE = 3
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class TextMedium:
    """Documents of `min_chars`…`max_chars` characters (after normalisation) are kept;
    those sharing at least `near` of their word 3-grams are near duplicates."""

    min_chars: int = 20
    max_chars: int = 100_000
    near: float = 0.7
    name: str = "text"

    def settings(self) -> dict[str, Any]:
        return {
            "min_chars": self.min_chars,
            "max_chars": self.max_chars,
            "near_duplicate_jaccard": self.near,
            "normalisation": "Unicode NFC; line ends as \\n; spaces and tabs runs as one "
            "space, no trailing spaces; at most one blank line in a row; trimmed",
        }

    def decode(self, item: Item) -> list[Decoded | Removal]:
        suffix = PurePosixPath(item.name).suffix.lower()
        if suffix not in TEXT_SUFFIXES + JSONL_SUFFIXES:
            return [Removal(item.name, "undecodable", "not a .txt, .md or .jsonl file")]
        if b"\x00" in item.data:
            return [Removal(item.name, "undecodable", "binary data, not text")]
        try:
            text = item.data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [Removal(item.name, "undecodable", f"not UTF-8 text (byte {exc.start})")]
        if suffix in TEXT_SUFFIXES:
            return [document(item.name, item, text)]
        out: list[Decoded | Removal] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name = f"{item.name}#{number}"
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                out.append(Removal(name, "undecodable", f"line {number} is not JSON ({exc.msg})"))
                continue
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                out.append(Removal(name, "undecodable", f'line {number} has no "text" string'))
                continue
            out.append(document(name, item, entry["text"]))
        return out

    def size_problem(self, decoded: Decoded) -> str | None:
        length = len(decoded.content)
        if length < self.min_chars:
            return f"{length} characters; a document needs at least {self.min_chars}"
        if length > self.max_chars:
            return f"{length:,} characters; the limit is {self.max_chars:,}"
        return None

    def near_duplicates(self, kept: Sequence[Decoded]) -> list[tuple[int, int, float]]:
        return shingle_duplicates([shingles(d.content) for d in kept], self.near)

    def normalise(self, decoded: Decoded) -> tuple[bytes, str, dict[str, Any]]:
        text: str = decoded.content
        meta = {"chars": len(text), "words": len(WORD.findall(text))}
        return text.encode("utf-8"), "text/plain; charset=utf-8", meta


def document(name: str, item: Item, text: str) -> Decoded:
    clean = normalise(text)
    key = hashlib.sha256(clean.encode()).hexdigest()
    return Decoded(name, item, clean, key=key, text=clean)


def normalise(text: str) -> str:
    """NFC, \\n line ends, single spaces, no trailing spaces, at most one blank line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < SHINGLE:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
