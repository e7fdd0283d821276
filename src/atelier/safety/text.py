"""The text screen: word lists, the profanity model and the meaning-based layer read each
text once; `findings` turns what they saw into findings for the layers asked for (the
evaluation compares layers from one reading)."""

from __future__ import annotations

from dataclasses import dataclass

from atelier.safety import profanity, wordlists
from atelier.safety.blocklist import Blocklist, compile_terms
from atelier.safety.findings import Finding
from atelier.safety.normalise import unleet
from atelier.safety.semantic import Reading, Semantic

LAYERS = ("blocklist", "profanity", "semantic")
# Chosen on tests/data/moderation_prompts.jsonl (docs/safety.md has the figures).
PROFANITY_THRESHOLD = 0.95  # the model's probability that a text is offensive
SEMANTIC_THRESHOLD = 0.45  # cosine similarity to a harmful description
SEMANTIC_MARGIN = 0.05  # ...and this much nearer to it than to any harmless one
WEAK_MARGIN = 0.05  # how much nearer a weak word's category must be than anything harmless
MAX_CHARS = 4000  # longer texts (generated stories) are screened in their first part


@dataclass
class Signals:
    """Everything the layers saw in one text."""

    terms: dict[str, str]
    weak: dict[str, str]
    minor: str | None
    profanity: float
    reading: Reading | None = None


class TextScreen:
    def __init__(self, threads: int = 0) -> None:
        self.blocklist = Blocklist()
        self.weak = {c: compile_terms(t) for c, t in wordlists.WEAK_TERMS.items()}
        self.semantic = Semantic(SEMANTIC_THRESHOLD, SEMANTIC_MARGIN, threads)

    def read(self, text: str, layers: tuple[str, ...] = LAYERS) -> Signals:
        text = text[:MAX_CHARS]
        readings = [r for r in self.blocklist.readings(text) if r.strip()]
        if not readings:
            return Signals({}, {}, None, 0.0)
        weak = {}
        for category, pattern in self.weak.items():
            hit = next((m for r in readings if (m := pattern.search(r))), None)
            if hit:
                weak[category] = hit.group()
        # The models read the folded text and its de-l33ted reading ("sh1t head").
        clean = self.blocklist.clean(text)
        model_texts = [t for t in dict.fromkeys([clean, unleet(clean)]) if t]
        score = 0.0
        if "profanity" in layers:
            score = max(profanity.scores(model_texts), default=0.0)
        reading = None
        if "semantic" in layers and model_texts:
            reading = self.semantic.read(model_texts)
        return Signals(
            self.blocklist.match(readings),
            weak,
            self.blocklist.minor_term(readings),
            score,
            reading,
        )

    def findings(
        self, name: str, signals: Signals, layers: tuple[str, ...] = LAYERS
    ) -> list[Finding]:
        """What the given layers make of one text's signals (`name`: where it came from)."""
        found: dict[str, Finding] = {}

        def add(category: str, layer: str, score: float, evidence: str) -> None:
            found.setdefault(category, Finding(category, layer, name, round(score, 3), evidence))

        if "blocklist" in layers:
            for category, term in signals.terms.items():
                add(category, "blocklist", 1.0, term)
            for category, term in signals.weak.items():
                margin = 1.0
                if "semantic" in layers and signals.reading is not None:
                    margin = signals.reading.margin(category)
                if margin >= WEAK_MARGIN:
                    add(category, "blocklist", 1.0, term)
        if "profanity" in layers and signals.profanity >= PROFANITY_THRESHOLD:
            add("profanity", "profanity", signals.profanity, "offensive language")
        if "semantic" in layers and signals.reading is not None:
            for hit in signals.reading.hits:
                add(hit.category, "semantic", hit.score, hit.description)
        # Sexual content with a word for a child or an age under 18 is sexual content
        # involving minors, whichever layer saw the sexual part.
        if "sexual" in found and signals.minor:
            add("minors", found["sexual"].layer, found["sexual"].score, signals.minor)
        return list(found.values())

    def screen(self, texts: dict[str, str], layers: tuple[str, ...] = LAYERS) -> list[Finding]:
        """Findings for each named text (e.g. {"params.prompt": "…"})."""
        found = []
        for name, text in texts.items():
            found += self.findings(name, self.read(text, layers), layers)
        return found
