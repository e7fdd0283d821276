"""The word-list layer: maintained terms per category in English (wordlists.py, with
self-harm's patterns in wordlists_self_harm.py) and Chinese (wordlists_zh.py, with
glin-profanity's kept list), and how-to requests for grave harm
(wordlists_howto.py), atrocities praised (wordlists_praise.py) and threats, secret filming
and harm kept hidden (wordlists_threats.py) in both, all matched on every normalised reading
of a prompt, after harmless phrases are taken out. Both languages' lists read every text,
so a prompt that mixes them ("a 裸体 little girl") is read whole. Beside the terms, each list
has patterns for what a fixed phrase cannot say: a call to lynch or expel whichever group,
a starvation diet's calories, an idiom that borrows the words of harm."""

from __future__ import annotations

import re
from collections.abc import Iterable

from atelier.safety import (
    wordlists,
    wordlists_care,
    wordlists_children,
    wordlists_howto,
    wordlists_idioms,
    wordlists_other,
    wordlists_praise,
    wordlists_self_harm,
    wordlists_senses,
    wordlists_threats,
    wordlists_zh,
)
from atelier.safety.normalise import HAN_CHAR, fold, spaced_words, variants


def _term(term: str) -> str:
    """A term as the readings have it (folded: "niños" is read "ninos")."""
    term = fold(term)
    if HAN_CHAR.search(term):  # Chinese has no spaces: the term as it is, anywhere
        return re.escape(term)
    prefix = term.endswith("*")
    words = term.rstrip("*").split()
    body = r"[\s\-_]*".join(re.escape(word) for word in words)
    return body + (r"[a-z]*" if prefix else r"(?:s|es)?")


def compile_terms(terms: Iterable[str], extra: Iterable[str] = ()) -> re.Pattern[str]:
    """One pattern matching any of `terms`: English ones as whole words, Chinese ones
    anywhere (longest first); `extra` are further patterns, as written."""
    terms = sorted(set(terms), key=len, reverse=True)
    latin = [_term(t) for t in terms if not HAN_CHAR.search(t)]
    alternatives = [_term(t) for t in terms if HAN_CHAR.search(t)]
    if latin:
        alternatives.append(r"(?<![a-z0-9])(?:" + "|".join(latin) + r")(?![a-z0-9])")
    alternatives += extra
    return re.compile("|".join(alternatives))


def _merged(*tables: dict[str, list[str]]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for table in tables:
        for category, terms in table.items():
            merged.setdefault(category, []).extend(terms)
    return merged


TERMS = _merged(wordlists.TERMS, wordlists_zh.TERMS, {"profanity": wordlists_zh.kept_profanity()})
SURE_PATTERNS = _merged(
    wordlists.PATTERNS,
    wordlists_zh.PATTERNS,
    wordlists_howto.PATTERNS,
    wordlists_praise.PATTERNS,
    wordlists_self_harm.PATTERNS,
    wordlists_threats.PATTERNS,
)
PATTERNS = _merged(SURE_PATTERNS, wordlists_senses.PATTERNS)
WEAK_TERMS = _merged(wordlists.WEAK_TERMS, wordlists_zh.WEAK_TERMS)
EXCEPTIONS = wordlists.EXCEPTIONS + wordlists_zh.EXCEPTIONS + wordlists_howto.EXCEPTIONS
EXCEPTION_PATTERNS = (
    wordlists_idioms.EXCEPTION_PATTERNS
    + wordlists_zh.EXCEPTION_PATTERNS
    + wordlists_care.EXCEPTION_PATTERNS
)
MINOR_TERMS = (
    wordlists.MINOR_TERMS
    + wordlists_zh.MINOR_TERMS
    + wordlists_other.MINOR_TERMS
    + wordlists_children.MINOR_TERMS
)
MINOR_AGES = (
    wordlists.MINOR_AGE,
    wordlists_zh.MINOR_AGE,
    wordlists_other.MINOR_AGE,
    *wordlists_children.CUE_PATTERNS,
)
SEXUALISING = wordlists.SEXUALISING + wordlists_zh.SEXUALISING + wordlists_other.SEXUALISING
SEXUALISING_PATTERNS = wordlists.SEXUALISING_PATTERNS + wordlists_zh.SEXUALISING_PATTERNS


class Blocklist:
    def __init__(self) -> None:
        self.patterns = {
            category: compile_terms(words, PATTERNS.get(category, ()))
            for category, words in TERMS.items()
        }
        # The same less the terms and patterns with harmless senses (wordlists_senses.py)
        senses = wordlists_senses.WITH_HARMLESS_SENSES
        self.sure = {
            category: compile_terms(
                [word for word in words if word not in senses.get(category, ())],
                SURE_PATTERNS.get(category, ()),
            )
            for category, words in TERMS.items()
        }
        self.weak = {category: compile_terms(words) for category, words in WEAK_TERMS.items()}
        self.exceptions = compile_terms(EXCEPTIONS, EXCEPTION_PATTERNS)
        self.minor = compile_terms(MINOR_TERMS, MINOR_AGES)
        self.sexualising = compile_terms(SEXUALISING, SEXUALISING_PATTERNS)

    def clean(self, text: str) -> str:
        """The folded text without its harmless phrases: what the model layers read."""
        return re.sub(r"\s+", " ", self.exceptions.sub(" ", fold(text))).strip()

    def readings(self, text: str) -> list[str]:
        """Every normalised reading, without harmless phrases (and of the text with its
        words of spaced letters joined, when it has any)."""
        found = variants(self.clean(text))
        joined = spaced_words(text)
        if joined != text:
            found += variants(self.clean(joined))
        return list(dict.fromkeys(self.exceptions.sub(" ", r) for r in found))

    @staticmethod
    def _first(patterns: dict[str, re.Pattern[str]], readings: list[str]) -> dict[str, str]:
        found = {c: Blocklist._search(p, readings) for c, p in patterns.items()}
        return {category: term for category, term in found.items() if term}

    def match(self, readings: list[str]) -> dict[str, str]:
        """The categories whose terms appear, each with the first term seen."""
        return self._first(self.patterns, readings)

    def sure_match(self, readings: list[str]) -> set[str]:
        """The categories whose terms appear other than as a term with harmless senses."""
        return set(self._first(self.sure, readings))

    def weak_match(self, readings: list[str]) -> dict[str, str]:
        """The categories whose weak terms appear (they count only if meaning agrees)."""
        return self._first(self.weak, readings)

    def minor_term(self, readings: list[str]) -> str | None:
        """A word for a child or an age under 18, in English, Chinese or one of the
        languages of wordlists_other.py, if any."""
        return self._search(self.minor, readings)

    def sexualising_term(self, readings: list[str]) -> str | None:
        """A word that makes a picture of a child sexual ("sexy", "性感"), if any."""
        return self._search(self.sexualising, readings)

    @staticmethod
    def _search(pattern: re.Pattern[str], readings: list[str]) -> str | None:
        hit = next((m for r in readings if (m := pattern.search(r))), None)
        return hit.group() if hit else None
