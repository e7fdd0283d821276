"""Typing slips in an English prompt: "a wooden tabel", "tall grasss", "a misty lkae" were
refused as words we could not read. A word neither dictionary knows is read as the one
English word a single slip away from it: a letter typed three times ("grasss"), else two
letters swapped ("tabel"), else a letter too many or left out; at the first of these that
finds any word, the one word found or the one noun among them. A wrong letter is not
guessed: "ramen", a word neither dictionary knows, became "raven" and a crow was drawn in
the bowl. A word with no single guess is still refused, naming it. The work records the
prompt as it was read."""

from __future__ import annotations

import re
import string

from atelier.engines.image.compose.words import english_words, parts_of_speech

MIN_LETTERS = 4  # shorter words have too many neighbours to guess from
_WORD = re.compile(r"[A-Za-z]+")


def _swapped(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


def _dropped(word: str) -> set[str]:
    """Candidates where a letter was left out: one put back."""
    return {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in string.ascii_lowercase}


def _extra(word: str) -> set[str]:
    """Candidates where a letter too many was typed (a doubled one too): one taken out."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _nouns(words: set[str]) -> set[str]:
    return {word for word in words if "NOUN" in parts_of_speech(word)}


def _joined(word: str) -> bool:
    """Two words joined ("clownfish", "sunhat"): a word, not a slip."""
    return any(
        parts_of_speech(word[:n]) and parts_of_speech(word[n:]) for n in range(3, len(word) - 2)
    )


def _one(found: set[str]) -> str | None:
    """The single guess among `found`, or its single noun; None when there is no single
    one."""
    if len(found) == 1:
        return next(iter(found))
    nouns = _nouns(found)
    return next(iter(nouns)) if len(nouns) == 1 else None


def correct(word: str) -> str | None:
    """The one word `word` is a slip of, or None (known already, too short, no single
    guess)."""
    lower = word.lower()
    if len(lower) < MIN_LETTERS or not lower.isalpha() or parts_of_speech(lower):
        return None
    if lower in english_words() or _joined(lower):
        return None
    tripled = re.sub(r"(.)\1\1+", r"\1\1", lower)  # "grasss"
    if tripled != lower:
        return tripled if parts_of_speech(tripled) else None
    for slips in ((_swapped,), (_extra, _dropped)):
        found = {c for slip in slips for c in slip(lower) if parts_of_speech(c)}
        if found:
            return _one(found)
    return None


def corrected(text: str) -> str:
    """`text` with every slip of a word read as its word."""

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        return correct(word) or word

    return _WORD.sub(mend, text)
