"""The word-list layer: maintained terms per category (wordlists.py), matched on every
normalised reading of a prompt, after harmless phrases are taken out."""

from __future__ import annotations

import re
from collections.abc import Iterable

from atelier.safety import wordlists
from atelier.safety.normalise import fold, variants


def _term(term: str) -> str:
    prefix = term.endswith("*")
    words = term.rstrip("*").split()
    body = r"[\s\-_]*".join(re.escape(word) for word in words)
    return body + (r"[a-z]*" if prefix else r"(?:s|es)?")


def compile_terms(terms: Iterable[str], extra: str = "") -> re.Pattern[str]:
    """One pattern matching any of `terms` as whole words (longest first)."""
    alternatives = [_term(t) for t in sorted(set(terms), key=len, reverse=True)]
    if extra:
        alternatives.append(extra)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alternatives) + r")(?![a-z0-9])")


class Blocklist:
    def __init__(
        self,
        terms: dict[str, list[str]] = wordlists.TERMS,
        exceptions: list[str] = wordlists.EXCEPTIONS,
        minor_terms: list[str] = wordlists.MINOR_TERMS,
    ) -> None:
        self.patterns = {category: compile_terms(words) for category, words in terms.items()}
        self.exceptions = compile_terms(exceptions)
        self.minor = compile_terms(minor_terms, wordlists.MINOR_AGE)

    def clean(self, text: str) -> str:
        """The folded text without its harmless phrases: what the model layers read."""
        return self.exceptions.sub(" ", fold(text)).strip()

    def readings(self, text: str) -> list[str]:
        """Every normalised reading, without harmless phrases."""
        return list(dict.fromkeys(self.exceptions.sub(" ", r) for r in variants(self.clean(text))))

    def match(self, readings: list[str]) -> dict[str, str]:
        """The categories whose terms appear, each with the first term seen."""
        found: dict[str, str] = {}
        for category, pattern in self.patterns.items():
            for reading in readings:
                hit = pattern.search(reading)
                if hit:
                    found[category] = hit.group()
                    break
        return found

    def minor_term(self, readings: list[str]) -> str | None:
        """A word for a child or an age under 18, if any."""
        for reading in readings:
            hit = self.minor.search(reading)
            if hit:
                return hit.group()
        return None
