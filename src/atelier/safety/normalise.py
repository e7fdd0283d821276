"""Text normalisation for screening: the spellings people use to slip past a word list
(full-width letters, accents, look-alike Cyrillic and Greek letters, invisible characters,
l33t digits, s.p.a.c.e.d letters, stretched vowels, traditional Chinese characters,
Chinese characters with spaces or dots between them) are folded to plain lowercase words
and simplified Chinese."""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

# Cyrillic and Greek letters that look like Latin ones.
HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "ӏ": "l", "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k",
        "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "β": "b", "η": "n", "μ": "u",
    }
)  # fmt: skip
# Digits and symbols used as letters; applied only inside words that also have letters,
# so "12 year old" keeps its number while "p0rn" and "n1gger" lose theirs.
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
LEET_WORD = re.compile(r"[a-z0-9@$!|]*[a-z][a-z0-9@$!|]*")
LOOKS_LIKE_I = str.maketrans({"l": "i", "|": "i"})  # "sulcide", "n|gger"
# Single letters joined by one kind of separator: "s.e.x", "n u d e", "p-o-r-n".
SPACED = re.compile(r"\b[a-z](?:([ ._\-*+])[a-z])(?:\1[a-z])+\b")
# Letters one space apart, words two spaces apart: "n u d e  w o m a n" (read before
# whitespace is folded, which would join it all into one word).
SPACED_WORD = re.compile(r"(?<![^\s])(?:[^\W\d_] ){2,}[^\W\d_](?![^\s])")
# "a" or "i" before spaced letters is a word of its own: "make a p i p e b o m b".
SPACED_RUN = re.compile(r"(?<![a-z])[ai] (?:[a-z] ){2,}[a-z](?![a-z])")
STRETCHED = re.compile(r"([a-z])\1{2,}")  # "nuuude" (3+ of a letter; English has 2)
# Chinese characters (the unified ideographs, their extension A and compatibility forms).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
# Separators put between Chinese characters to break a word ("儿 童", "斩.首", "习・近平");
# Chinese is written without spaces, so joining them changes nothing else.
HAN_GAP = re.compile(f"(?<=[{HAN}])[\\s.·・•*_\\-+|/\\\\~^]+(?=[{HAN}])")

_converter_lock = threading.Lock()
_converter: Any = None


def simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (OpenCC's t2s tables), so one
    word list reads both."""
    global _converter
    if not HAN_CHAR.search(text):
        return text
    with _converter_lock:
        if _converter is None:
            import opencc

            _converter = opencc.OpenCC("t2s")
        return str(_converter.convert(text))


def fold(text: str) -> str:
    """Compatibility forms, simplified Chinese, no accents, no invisible characters,
    look-alikes, lowercase."""
    text = simplified(unicodedata.normalize("NFKC", text))
    text = "".join(
        c
        for c in unicodedata.normalize("NFKD", text)
        if unicodedata.category(c) not in ("Mn", "Cf")
    )
    text = text.casefold().translate(HOMOGLYPHS)
    return re.sub(r"\s+", " ", text).strip()


def spaced_words(text: str) -> str:
    """The text with each word written as spaced letters joined up ("n u d e  w o m a n" →
    "nude  woman"); the text itself when it has none."""
    return SPACED_WORD.sub(lambda m: m.group().replace(" ", ""), text)


def unleet(folded: str) -> str:
    """Digits and symbols inside words read as the letters they stand for."""
    return LEET_WORD.sub(lambda m: m.group().translate(LEET), folded)


def variants(text: str) -> list[str]:
    """The folded text and the other readings of it worth matching, without repeats."""
    folded = fold(text)
    plain = unleet(folded)
    readings = [folded, plain, plain.translate(LOOKS_LIKE_I), HAN_GAP.sub("", folded)]
    own_article = SPACED_RUN.sub(lambda m: m.group()[0] + "," + m.group()[1:], plain)
    for reading in dict.fromkeys([folded, plain, own_article]):
        joined = SPACED.sub(lambda m: re.sub(r"[ ._\-*+]", "", m.group()), reading)
        readings.append(STRETCHED.sub(r"\1", joined))
        readings.append(STRETCHED.sub(r"\1\1", joined))
    return list(dict.fromkeys(readings))
