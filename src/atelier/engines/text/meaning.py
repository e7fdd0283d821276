"""Whether a rewrite or a summary says what its source says, beyond an embedding cosine.

A sentence embedding places "It is a truth universally acknowledged" and "It is not a
truth universally acknowledged" side by side (cosine 0.96): it does not see negation, nor
a claim turned round ("sales rose" for "sales fell"), nor a changed number. So both texts
are cut into clauses, each clause is matched with its nearest clauses on the other side
(by embedding, which is good at finding what a clause is about), and each group of
matched clauses must agree on:

- claims: no word swapped for its antonym (rose/fell, won/lost, always/sometimes, safe/
  dangerous, indoors/outdoors…) unless a negation right before one of the two answers it
  ("not open" ~ "closed");
- polarity: the other negations (not, never, no one, without, unable, "failed to"…) as
  many on both sides ("won't be fixed" ~ "will not be repaired");

and over the whole text: numbers kept (20, "twenty-two", 2,000) and names kept (Seville,
Maria). A rewrite must keep every number and name; a summary may drop them but not bring
in new ones. The word lists are English: the engines refuse other languages (language.py)."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from atelier import embeddings
from atelier.engines.text.language import is_english

NEGATIONS = frozenset({
    "not", "no", "never", "nobody", "none", "nothing", "nowhere", "neither", "nor",
    "without", "cannot", "nay", "naught", "unable", "unless", "lack", "lacks", "lacked",
    "lacking", "impossible", "unsafe", "untrue", "unaffected", "unavailable", "unlikely",
    "unpaid", "unknown", "unaware", "unwilling", "unclear", "unfinished", "unsure",
    "incorrect", "illegal", "absent",
})  # fmt: skip
# Negations of more than one word, each counted once: "failed to arrive", "decided against".
PHRASES = re.compile(
    r"(?i)\b(?:fail(?:s|ed|ing)?|refus(?:e|es|ed|ing)) to\b"
    r"|\b(?:decid|vot|argu|advis)\w* against\b"
    r"|\b(?:stop|stops|stopped|stopping|cease[sd]?|ceasing|quit|quits|quitting) \w+ing\b"
)
# "no longer", "no one": one negation, already counted by "no"; "n't" is split off below.
CONTRACTED = re.compile(r"(?i)\b(\w+)n['’]t\b")
ANTONYMS: tuple[tuple[str, str], ...] = (
    ("rise", "fall"), ("increase", "decrease"), ("increase", "cut"), ("raise", "lower"),
    ("raise", "cut"), ("grow", "shrink"), ("gain", "lose"), ("win", "lose"), ("win", "fail"),
    ("pass", "fail"), ("succeed", "fail"), ("more", "less"), ("more", "fewer"),
    ("most", "least"), ("many", "few"), ("high", "low"), ("higher", "lower"),
    ("above", "below"), ("before", "after"),
    ("early", "late"), ("earlier", "later"), ("first", "last"), ("open", "close"),
    ("open", "closed"), ("open", "shut"), ("start", "end"),
    ("begin", "end"), ("introduce", "scrap"), ("introduce", "abolish"),
    ("build", "demolish"), ("evacuate", "stay"), ("free", "charge"), ("accept", "reject"),
    ("approve", "reject"), ("allow", "forbid"),
    ("allow", "ban"), ("allow", "prohibit"), ("agree", "disagree"), ("include", "exclude"),
    ("add", "remove"), ("arrive", "leave"), ("come", "go"), ("buy", "sell"),
    ("borrow", "lend"), ("give", "take"), ("love", "hate"), ("like", "dislike"),
    ("trust", "distrust"), ("remember", "forget"), ("find", "lose"), ("save", "spend"),
    ("push", "pull"), ("always", "sometimes"), ("everyone", "someone"),
    ("everybody", "somebody"), ("all", "some"), ("every", "some"),
    ("safe", "dangerous"), ("safe", "unsafe"), ("good", "bad"), ("better", "worse"),
    ("best", "worst"), ("happy", "sad"), ("rich", "poor"), ("cheap", "expensive"),
    ("easy", "hard"), ("easy", "difficult"), ("true", "false"), ("right", "wrong"),
    ("correct", "wrong"), ("strong", "weak"), ("fast", "slow"), ("hot", "cold"),
    ("warm", "cold"), ("warm", "cool"), ("heat", "cool"), ("wet", "dry"), ("rain", "dry"),
    ("full", "empty"), ("busy", "empty"), ("crowded", "empty"), ("light", "dark"),
    ("light", "heavy"), ("big", "small"), ("large", "small"), ("long", "short"),
    ("old", "new"), ("old", "young"), ("alive", "dead"), ("present", "absent"),
    ("inside", "outside"), ("indoors", "outdoors"),
    ("free", "paid"), ("quiet", "loud"), ("calm", "rough"), ("clean", "dirty"),
    ("friend", "enemy"), ("ally", "enemy"), ("yes", "no"), ("true", "untrue"),
    ("same", "different"), ("win", "defeat"), ("victory", "defeat"), ("profit", "loss"),
    ("healthy", "ill"), ("healthy", "sick"), ("help", "hurt"), ("help", "harm"),
    ("together", "apart"), ("remain", "leave"), ("stay", "leave"), ("stay", "go"),
    ("keep", "lose"), ("keep", "break"), ("fix", "break"), ("repair", "break"),
    ("cause", "prevent"), ("wide", "narrow"), ("deep", "shallow"), ("arrival", "departure"),
    ("sunny", "rainy"), ("sunshine", "rain"),
)  # fmt: skip
ARCHAIC = {"mayst": "may", "canst": "can", "shalt": "shall", "wilt": "will", "dost": "do"}
ARCHAIC |= {"doth": "do", "hath": "have", "hast": "have", "art": "be", "thou": "you"}
ARCHAIC |= {"thee": "you", "thy": "your", "thine": "your", "ere": "before"}
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}  # fmt: skip | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
NUMBER_WORDS |= {"ninety": 90, "hundred": 100, "thousand": 1000, "million": 1_000_000}
NOT_COUNTING = frozenset({
    "no", "not", "any", "every", "each", "this", "that", "the", "which", "another", "next",
    "last", "first", "only", "single",
})  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d[\d,]*(?:\.\d+)?")
SENTENCE = re.compile(r"(?<=[.!?…;:])[\"'”’)]*\s+|\s+[—–-]{1,2}\s+|\n+")
# A clause starts after a comma, or before a conjunction that starts one ("and the
# picnic was moved", "and never sold", not "coffee and heart disease").
SUBJECT = (
    r"(?:the|a|an|his|her|its|their|our|my|your|we|they|he|she|it|i|you|there|this|that|"
    r"these|those|nobody|no|none|never|not|everyone|everybody|please)\b"
)
CLAUSE = re.compile(
    rf"(?i),\s+|\s+(?=(?:but|because|although|though|whereas|however)\b)"
    rf"|\s+(?=(?:and|so|while|since)\s+{SUBJECT})"
)
SIMILAR = 0.35  # clauses this close (cosine) are about the same thing (matched groups)


@dataclass(frozen=True)
class Clause:
    text: str
    negations: int
    words: tuple[str, ...]

    @property
    def lemmas(self) -> frozenset[str]:
        return frozenset().union(*(lemmas(w) for w in self.words))


@functools.cache
def _antonyms() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for a, b in ANTONYMS:
        pairs.setdefault(a, set()).add(b)
        pairs.setdefault(b, set()).add(a)
    return {word: frozenset(others) for word, others in pairs.items()}


@functools.cache
def lemmas(word: str) -> frozenset[str]:
    """The word and every lemma lemminflect gives it ("rose": rose, rise; "mayst": may)."""
    from lemminflect import getAllLemmas

    word = word.lower().replace("’", "'")
    found = {word, ARCHAIC.get(word, word)}
    for options in getAllLemmas(word).values():
        found.update(options)
    return frozenset(found)


def tokens(text: str) -> list[str]:
    """Lower-case words with "n't" split off as "not" ("won't" → "wo", "not")."""
    text = CONTRACTED.sub(r"\1 not", text.replace("can't", "can not").replace("won't", "will not"))
    return [w.lower() for w in WORD.findall(text)]


def clause(text: str) -> Clause:
    words = tokens(text)
    negations = sum(w in NEGATIONS for w in words) + len(PHRASES.findall(text))
    return Clause(text, negations, tuple(words))


def clauses(text: str) -> list[Clause]:
    """The text's clauses: sentences, cut again before conjunctions that start a clause."""
    parts = [p for s in SENTENCE.split(text) for p in CLAUSE.split(s)]
    out = [" ".join(p.split()).strip(" ,;:") for p in parts]
    return [clause(p) for p in out if WORD.search(p)]


def swapped(mine: list[Clause], theirs: list[Clause]) -> list[tuple[str, str]]:
    """Antonyms swapped in: (word of `mine`, word of `theirs` that stands for its
    antonym), one per word of `theirs` whose lemmas `mine` lacks, where `mine` has an
    antonym that `theirs` does not ("closed" for "open": one swap, not one per lemma)."""
    a = frozenset().union(*(c.lemmas for c in mine))
    b = frozenset().union(*(c.lemmas for c in theirs))
    table = _antonyms()
    found = []
    for word in dict.fromkeys(w for c in theirs for w in c.words):
        forms = lemmas(word)
        if forms & a:
            continue
        opposites = sorted(set().union(*(table.get(f, frozenset()) for f in forms)) & (a - b))
        if opposites:
            found.append((opposites[0], word))
    return found


def similarities(left: list[Clause], right: list[Clause]) -> np.ndarray:
    vectors = embeddings.embed([c.text for c in left] + [c.text for c in right])
    return np.asarray(vectors[: len(left)] @ vectors[len(left) :].T)


def groups(left: list[Clause], right: list[Clause]) -> list[tuple[list[int], list[int]]]:
    """Clauses matched across the two sides: each clause joins its nearest clause on the
    other side (and any other within 0.05 of it that is similar at all); groups are the
    connected sets, so a sentence split in two still meets its source whole."""
    sim = similarities(left, right)
    parent = list(range(len(left) + len(right)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def near(row: np.ndarray) -> list[int]:
        best = int(row.argmax())
        return [best, *(int(k) for k in np.flatnonzero(row >= max(row[best] - 0.05, SIMILAR)))]

    for i in range(len(left)):
        for j in near(sim[i]):
            parent[find(i)] = find(j + len(left))
    for j in range(len(right)):
        for i in near(sim[:, j]):
            parent[find(i)] = find(j + len(left))
    found: dict[int, tuple[list[int], list[int]]] = {}
    for i in range(len(left)):
        found.setdefault(find(i), ([], []))[0].append(i)
    for j in range(len(right)):
        found.setdefault(find(j + len(left)), ([], []))[1].append(j)
    return [g for g in found.values() if g[0] and g[1]]


def negated(clauses: list[Clause], lemma: str) -> bool:
    """Whether a word of `clauses` with this lemma has a negation among the three words
    before it ("not open")."""
    for c in clauses:
        for i, word in enumerate(c.words):
            if lemma in lemmas(word) and NEGATIONS.intersection(c.words[max(0, i - 3) : i]):
                return True
    return False


def turned(mine: list[Clause], theirs: list[Clause]) -> str | None:
    """Why `theirs` says the opposite of `mine`, or None. An antonym swapped is answered
    only by a negation right before one of the two words ("not open" ~ "closed"); the
    negations left must then be as many on both sides."""
    negations_a = sum(c.negations for c in mine)
    negations_b = sum(c.negations for c in theirs)
    unanswered = []
    for x, y in swapped(mine, theirs):
        before_x, before_y = negated(mine, x), negated(theirs, y)
        if before_x == before_y:
            unanswered.append((x, y))
        elif before_x:
            negations_a -= 1
        else:
            negations_b -= 1
    quote_a = " / ".join(c.text for c in mine)
    quote_b = " / ".join(c.text for c in theirs)
    if unanswered:
        pairs = ", ".join(f"'{y}' for '{x}'" for x, y in unanswered)
        return f"says the opposite of “{quote_a}”: “{quote_b}” ({pairs})"
    if negations_a != negations_b:
        which = "drops" if negations_a > negations_b else "adds"
        return f"{which} a negation: “{quote_b}” for “{quote_a}”"
    return None


def reversals(source: str, text: str, summary: bool = False) -> list[str]:
    """Where `text` says the opposite of `source`, in words (empty when nothing is turned
    round). A rewrite's clauses are held against the source's in matched groups; each
    clause of a summary against the source clauses nearest it (one agreeing is enough:
    a summary leaves most of its source out)."""
    left, right = clauses(source), clauses(text)
    if not left or not right:
        return []
    reasons = []
    if not summary:
        for i_s, j_s in groups(left, right):
            reason = turned([left[i] for i in i_s], [right[j] for j in j_s])
            if reason:
                reasons.append(reason)
        return reasons
    sim = similarities(left, right)
    for j, mine in enumerate(right):
        order = [int(i) for i in np.argsort(-sim[:, j])[:2] if sim[i, j] >= sim[:, j].max() - 0.05]
        found = [turned([left[i]], [mine]) for i in order]
        if all(found):
            reasons.append(str(found[0]))
    return reasons


def numbers(text: str) -> Counter[float]:
    """The numbers a text states, in digits or words ("twenty-two", "2,000", "6 a.m.")."""
    found: Counter[float] = Counter()
    run: list[int] = []

    def close() -> None:
        if run:
            total, current = 0, 0
            for value in run:
                if value in SCALES.values():
                    current = max(current, 1) * value
                    if value >= 1000:
                        total, current = total + current, 0
                else:
                    current += value
            found[float(total + current)] += 1
            run.clear()

    found_words = re.findall(r"\d[\d,]*(?:\.\d+)?|[a-z]+", text.lower().replace("-", " "))
    for k, word in enumerate(found_words):
        if word[0].isdigit():
            close()
            found[float(word.replace(",", ""))] += 1
        elif word == "one" and not run and not _counts(found_words, k):
            close()
        elif word in NUMBER_WORDS:
            run.append(NUMBER_WORDS[word])
        elif word != "and" or not run:
            close()
    close()
    return found


def _counts(found: list[str], k: int) -> bool:
    """Whether "one" at `k` counts something ("one bin"), not "no one", "one by one",
    "the next one", "one of them"."""
    before = found[k - 1] if k else ""
    after = found[k + 1] if k + 1 < len(found) else ""
    return (
        before not in NOT_COUNTING and after not in {"by", "of", "another", "day"} and after != ""
    )


def names(text: str) -> set[str]:
    """Proper names: capitalised words inside a sentence, and a sentence's first word
    when it is no English word (Priya, not The)."""
    found = set()
    for sentence in SENTENCE.split(text):
        for i, word in enumerate(re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", sentence)):
            bare = re.sub(r"['’]s$", "", word)
            if not word[0].isupper() or bare.lower().startswith(("i'", "i’")) or bare == "I":
                continue
            if i == 0 and (is_english(bare) or bare.lower().endswith(("ly", "ing", "ed"))):
                continue
            found.add(bare.lower())
    return found


def facts_lost(source: str, text: str, summary: bool = False) -> list[str]:
    """Numbers and names of `source` that `text` drops (a rewrite keeps them all), and
    ones it brings in that the source does not have."""
    reasons = []
    mine, theirs = numbers(source), numbers(text)
    if not summary:
        dropped = sorted(set(mine) - set(theirs))
        if dropped:
            reasons.append("drops the number " + ", ".join(_show(n) for n in dropped))
    added = sorted(set(theirs) - set(mine))
    if added:
        reasons.append("brings in the number " + ", ".join(_show(n) for n in added))
    known = {w for w in tokens(source)}
    mine_names, their_names = names(source), names(text)
    if not summary:
        missing = sorted(n for n in mine_names if n not in set(tokens(text)))
        if missing:
            reasons.append("drops the name " + ", ".join(n.title() for n in missing))
    else:
        new = sorted(n for n in their_names if n not in known)
        if new:
            reasons.append("brings in the name " + ", ".join(n.title() for n in new))
    return reasons


def _show(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def meaning_problems(source: str, text: str, summary: bool = False) -> list[str]:
    """Every way `text` fails to say what `source` says (empty: meaning kept)."""
    return reversals(source, text, summary) + facts_lost(source, text, summary)
