"""The text screen: word lists, the profanity model, the meaning-based layer and the
language check read each text once; `findings` turns what they saw into findings for the
layers asked for (the evaluation compares layers from one reading). The whole text is read:
the word lists and the language check all of it, the meaning layer up to MAX_PIECES
passages (language.PASSAGE_CHARS each)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from atelier.safety import against, classifier, profanity, tuned
from atelier.safety.blocklist import Blocklist
from atelier.safety.findings import Finding
from atelier.safety.language import (
    PASSAGE_CHARS,
    Language,
    Unreadable,
    passages,
    without_codes,
)
from atelier.safety.normalise import unleet
from atelier.safety.semantic import Reading, Semantic, wholes

LAYERS = ("blocklist", "profanity", "semantic", "classifier")
LATIN = re.compile("[a-z]")
# Chosen on the tuning split of tests/data/moderation_prompts.jsonl (docs/safety.md has
# the figures, and those of the test split they were never chosen on). multilingual-e5
# puts any two texts at cosine 0.7 or more, so its margins are small numbers.
PROFANITY_THRESHOLD = 0.95  # the model's probability that a text is offensive
SEMANTIC_THRESHOLD = 0.84  # cosine similarity to a harmful description
SEMANTIC_MARGIN = 0.015  # ...and this much nearer to it than to any harmless one
# ...this much, for descriptions of sexual content involving minors: what they catch is
# blocked and cannot be allowed, and children's pictures sit close to them.
MINORS_MARGIN = 0.035
WEAK_MARGIN = 0.02  # how much nearer a weak word's category must be than anything harmless
# The learned minors probability that, beside a word for a child, is minors with nothing
# sexual said: chosen on the choosing splits (never learned from) for the encoders trained
# with train20, train21 and train22: no harmless prompt with such a word and nothing sexual
# came past 0.05 there, and the lowest minors requests sat at 0.66, 0.71 and 0.80 (0.95 was
# chosen for an earlier encoder).
GROOMING = 0.6
# The learned minors probability that is minors with nothing sexual said and no word for a
# child the lists know: a code the lists cannot read ("anyone got 'cheese pizza' of the
# younger ones? 10-12"). Beside something sexual it stays sexual without such a word, so
# adult nudity is never reported as minors. On the blind splits read before test24
# (test11, tune12, test22, test23) no harmless prompt came past 0.9 with the encoder
# trained with train22.
CERTAIN = 0.97
# Below this learned chance of its category, a term with harmless senses
# (wordlists_senses.py) seen alone counts only if the meaning layer agrees: chosen on
# lists17 and the choosing splits (docs/safety.md; at 0.02 a plan to attack a crowd,
# "我想报复社会", was lost).
OVERRULED = 0.005


@dataclass
class Signals:
    """Everything the layers saw in one text."""

    terms: dict[str, str]
    weak: dict[str, str]
    minor: str | None
    profanity: float
    reading: Reading | None = None
    unreadable: Unreadable | None = None
    sexualising: str | None = None
    classes: dict[str, float] = field(default_factory=dict)  # the classifier's probabilities
    against: str | None = None  # words that speak against hate (against.py)
    text: str = ""  # what was read
    sure: set[str] = field(default_factory=set)  # categories of terms without harmless senses


class TextScreen:
    def __init__(self, threads: int = 0, learned: classifier.Classifier | None = None) -> None:
        self.threads = threads
        self.blocklist = Blocklist()
        self.classifier = learned or classifier.load()
        self.semantic = Semantic(
            SEMANTIC_THRESHOLD, {"minors": MINORS_MARGIN}, SEMANTIC_MARGIN, threads
        )
        self.language = Language()

    def read(self, text: str, layers: tuple[str, ...] = LAYERS) -> Signals:
        readings = [r for r in self.blocklist.readings(text) if r.strip()]
        if not readings:
            return Signals({}, {}, None, 0.0)
        model_texts = self.model_texts(text)
        score = 0.0
        if "profanity" in layers:  # an English model: texts without Latin letters skip it
            english = [t for t in model_texts if LATIN.search(t)]
            score = max(profanity.scores(english), default=0.0)
        reading, classes = None, {}
        if {"semantic", "classifier"} & set(layers) and model_texts:
            reading = self.semantic.read(model_texts)
            if "classifier" in layers:
                classes = self.classifier.scores(tuned.embed(wholes(model_texts), self.threads))
        minor, sexualising = self._minor_and_sexualising(text, readings)
        return Signals(
            self.blocklist.match(readings),
            self.blocklist.weak_match(readings),
            minor,
            score,
            reading,
            self.language.unreadable(text),
            sexualising,
            classes,
            against.speaks_against_hate(text),
            text,
            self.blocklist.sure_match(readings),
        )

    def model_texts(self, text: str) -> list[str]:
        """What the models read: the folded text and its de-l33ted reading ("sh1t head"),
        less codes (the word lists read everything)."""
        clean = " ".join(without_codes(self.blocklist.clean(text)).split())
        return [t for t in dict.fromkeys([clean, unleet(clean)]) if t]

    def _minor_and_sexualising(
        self, text: str, readings: list[str]
    ) -> tuple[str | None, str | None]:
        """The word for a child and the sexualising word, if any. In a long text (a story)
        they must share a passage with a sexual word: a child in chapter one and a love
        scene between adults in chapter three is not sexual content involving minors."""
        blocklist = self.blocklist
        if len(text) <= PASSAGE_CHARS:
            return blocklist.minor_term(readings), blocklist.sexualising_term(readings)
        for passage in passages(text):
            near = blocklist.readings(passage)
            minor, sexualising = blocklist.minor_term(near), blocklist.sexualising_term(near)
            sexual = {"sexual", "minors"} & (
                blocklist.match(near).keys() | blocklist.weak_match(near).keys()
            )
            if minor and (sexualising or sexual):
                return minor, sexualising
        return None, None

    def findings(
        self, name: str, signals: Signals, layers: tuple[str, ...] = LAYERS
    ) -> list[Finding]:
        """What the given layers make of one text's signals (`name`: where it came from)."""
        found: dict[str, Finding] = {}
        classes = signals.classes if "classifier" in layers else {}

        def chance(category: str) -> float:
            """The learned layer's chance of the category (sexual and minors as one)."""
            if category in ("sexual", "minors"):
                return max(classes.get("sexual", 0.0), classes.get("minors", 0.0))
            return classes.get(category, 0.0)

        def agreed(category: str) -> bool:
            """What rests on the meaning layer (its holds, weak words) counts only when the
            classifier gives the category some chance: it tells look-alikes (a heart
            cross-section, a genocide lesson) from harm better. The lists' terms count
            (those with harmless senses as `upheld` says)."""
            if not classes or category not in self.classifier.labels:
                return True
            return chance(category) >= self.classifier.agree

        def add(category: str, layer: str, score: float, evidence: str) -> None:
            found.setdefault(category, Finding(category, layer, name, round(score, 3), evidence))

        def meaning_margin(category: str) -> float:
            """How much nearer the category the meaning layer puts the text than anything
            harmless (1.0 where it did not read)."""
            if "semantic" in layers and signals.reading is not None:
                return signals.reading.margin(category)
            return 1.0

        def upheld(category: str) -> bool:
            """A term with harmless senses, seen alone, counts unless the learned layer
            gives its category almost no chance and the meaning layer does not agree."""
            if category in signals.sure or not classes or category not in self.classifier.labels:
                return True
            return chance(category) >= OVERRULED or meaning_margin(category) >= WEAK_MARGIN

        if "blocklist" in layers:
            for category, term in signals.terms.items():
                if upheld(category):
                    add(category, "blocklist", 1.0, term)
            if signals.minor and signals.sexualising:
                add("minors", "blocklist", 1.0, f"{signals.sexualising} + {signals.minor}")
            for category, term in signals.weak.items():
                if meaning_margin(category) >= WEAK_MARGIN and agreed(category):
                    add(category, "blocklist", 1.0, term)
        if "profanity" in layers and signals.profanity >= PROFANITY_THRESHOLD:
            add("profanity", "profanity", signals.profanity, "offensive language")
        if "semantic" in layers and signals.reading is not None:
            for hit in signals.reading.hits:
                category = hit.category
                if category == "minors":
                    # Near a description of sexual content involving minors is sexual
                    # content (minors only with a word for a child, below: an adult figure
                    # study is never reported as minors), and only with a sexual word or
                    # the adult descriptions agreeing: the child's word alone pulls a text
                    # towards those descriptions ("a teenager burning her arm").
                    explicit = signals.sexualising or "sexual" in signals.weak
                    explicit = explicit or bool({"sexual", "minors"} & signals.terms.keys())
                    if not explicit and signals.reading.margin_of("sexual") < SEMANTIC_MARGIN:
                        continue
                    category = "sexual"
                if agreed(category):
                    add(category, "semantic", hit.score, hit.description)
        for label, threshold in self.classifier.thresholds.items():
            probability = classes.get(label, 0.0)
            if probability < threshold:
                continue
            kind = self._learned_minors(signals, probability) if label == "minors" else label
            if kind is not None:
                add(kind, "classifier", probability, f"learned {label} prompts")
        kinds = self.classifier.thresholds.keys() - {"minors"}  # minors keeps its rules above
        harmful = {label: p for label, p in classes.items() if label in kinds}
        if harmful and not any(f.layer == "classifier" for f in found.values()):
            # Sure it is harmful, unsure which kind ("a bloody head on a flagpole": violence
            # 0.38, hate 0.58): held as its likeliest kind.
            likeliest, total = max(harmful, key=harmful.__getitem__), sum(harmful.values())
            if total >= self.classifier.thresholds[likeliest]:
                add(likeliest, "classifier", total, "learned harmful prompts")
        # Sexual content with a word for a child or an age under 18 (in any language
        # the lists read) is sexual content involving minors, whichever layer saw it.
        if "sexual" in found and signals.minor:
            add("minors", found["sexual"].layer, found["sexual"].score, signals.minor)
        hate = found.get("hate")
        if hate is not None and hate.layer in ("semantic", "classifier") and signals.against:
            # only the learned layers saw hate, in a text that speaks against it and says
            # nothing hateful besides: a person looks before anything is made public
            rest = against.without(signals.text)
            if against.says_nothing(rest) or not any(
                f.category == "hate" for f in self.screen({name: rest}, layers)
            ):
                said = f"{hate.evidence}; but it says '{signals.against}'"
                found["hate"] = replace(hate, evidence=said, review=True)
        if signals.unreadable is not None:  # whatever the layers: unread is never passed
            what = signals.unreadable
            add("unreadable", "language", what.score, what.what)
        return list(found.values())

    def _learned_minors(self, signals: Signals, probability: float) -> str | None:
        """What a learned minors reading past its threshold is a finding of. Minors needs a
        word for a child, as for the other layers, and something sexual beside it: an age
        alone ("she just turned twelve") pulls a clause towards the learned minors prompts.
        It is `sexual` here, and minors once a word for a child is seen (findings). Only
        near-certain (GROOMING), beside a word for a child, is it enough alone: grooming
        says nothing sexual ("how to convince a 13yo she's mature enough for a relationship
        with me"). Certain (CERTAIN), with nothing sexual said, it is minors with no word
        for a child."""
        if self._sexual_beside(signals):
            return "sexual"
        if probability >= CERTAIN:
            return "minors"
        if signals.minor is not None and probability >= GROOMING:
            return "sexual"
        return None

    @staticmethod
    def _sexual_beside(signals: Signals) -> bool:
        """A sexualising word, a sexual term (weak ones too), or the meaning layer near a
        description of sexual content."""
        sexual = {"sexual", "minors"}
        listed = sexual & (signals.terms.keys() | signals.weak.keys())
        near = signals.reading is not None and any(
            hit.category in sexual for hit in signals.reading.hits
        )
        return bool(signals.sexualising or listed or near)

    def screen(self, texts: dict[str, str], layers: tuple[str, ...] = LAYERS) -> list[Finding]:
        """Findings for each named text (e.g. {"params.prompt": "…"})."""
        found = []
        for name, text in texts.items():
            found += self.findings(name, self.read(text, layers), layers)
        return found
