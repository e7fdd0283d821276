"""Whether the text engines can read an input: they read English only.

Gemma 3 270M's few-shot prompts, the verse checks (CMU Pronouncing Dictionary) and the
meaning checks (English negations and antonyms) are English; a Chinese passage given to
restyle or summarize came back as an empty or garbled "success". So an input with letters
of another script, or of Latin letters but hardly any English words, is refused as a
parameter error naming its field (the API answers 422).

English words are lemminflect's lexicon (any inflection) and the function words below;
capitalised words are left out of the count (names: "Lisbon, Porto and Braga"; German
nouns, which its other words give away)."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "and",
    "or", "but", "not", "no", "nor", "so", "as", "is", "are", "was", "were", "be", "been",
    "being", "am", "it", "its", "this", "that", "these", "those", "there", "here", "he",
    "she", "they", "we", "you", "i", "me", "my", "your", "his", "her", "their", "our",
    "them", "him", "us", "who", "whom", "whose", "which", "what", "when", "where", "why",
    "how", "all", "any", "some", "each", "every", "both", "either", "neither", "than",
    "then", "too", "very", "can", "could", "will", "would", "shall", "should", "may",
    "might", "must", "do", "does", "did", "have", "has", "had", "into", "onto", "over",
    "under", "up", "down", "out", "off", "about", "above", "below", "between", "through",
    "during", "before", "after", "again", "once", "only", "own", "same", "such", "just",
    "also", "per", "via", "vs", "n't", "'s", "'re", "'ve", "'ll", "'d", "'m", "although",
    "though", "because", "if", "unless", "while", "whereas", "whether", "since", "until",
    "till", "however", "therefore", "yet", "hi", "hello", "dear", "yes", "oh",
})  # fmt: skip
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
FOREIGN_LETTERS = 0.02  # a few letters of other scripts in English are read ("the word 爱")
ENGLISH_SHARE = 0.5  # of the lower-case words, at least this share English...
FEW_WORDS = 3  # ...once there are this many of them to judge


@functools.cache
def is_english(word: str) -> bool:
    from lemminflect import getAllLemmas

    word = word.lower().replace("’", "'")
    bare = re.sub(r"'(s|re|ve|ll|d|m|t)$", "", word)
    return word in FUNCTION_WORDS or bare in FUNCTION_WORDS or bool(getAllLemmas(bare))


def script(char: str) -> str:
    return unicodedata.name(char, "UNKNOWN").split()[0]


def unreadable(text: str) -> str | None:
    """Why the text engines cannot read `text` (None: they can)."""
    text = unicodedata.normalize("NFKC", text)
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    foreign = [c for c in letters if script(c) != "LATIN"]
    if foreign and (len(foreign) == len(letters) or len(foreign) > FOREIGN_LETTERS * len(letters)):
        found = max(set(map(script, foreign)), key=[script(c) for c in foreign].count)
        name = {"CJK": "Chinese or Japanese (CJK)"}.get(found, found.title())
        return f"it is written in {name} script"
    lower = [w for w in WORD.findall(text) if not w[0].isupper()]
    strange = not_english(lower)
    if strange:
        return f"only {1 - len(strange) / len(lower):.0%} of its words are English"
    return None


def not_english(words: list[str]) -> list[str]:
    """The words that are not English, when there are too many for the text to be English
    (at least FEW_WORDS words, under ENGLISH_SHARE of them English); else none."""
    strange = [word for word in words if not is_english(word)]
    if len(words) >= FEW_WORDS and len(strange) > (1 - ENGLISH_SHARE) * len(words):
        return strange
    return []


def english(value: str) -> str:
    """A pydantic validator: the value, or a ValueError saying why it cannot be read (an
    optional field left empty is fine; one of spaces only is not: a topic of "  " was
    written about)."""
    if value and not value.strip():
        raise ValueError("holds only spaces; write some words")
    reason = unreadable(value)
    if reason is not None:
        raise ValueError(f"the text engines read English only, and {reason}; write it in English")
    return value


English = Annotated[str, AfterValidator(english)]  # a text parameter the engines must read
