"""text.summarize: a summary in one line, a short abstract or bullet points.

Few-shot prompts (texts with their summaries in the asked form); the drafts are reranked
for meaning kept (cosine of sentence embeddings with the text), staying with what the
text says (its words, not new ones), the form's length, and not repeating itself. A
draft must also meet its checks: end at a sentence's end (a line and an abstract), not
copy the text's opening or one long passage of it word for word, say nothing the text
contradicts (negations, antonyms, numbers and names: meaning.py), and keep the form's
length; one that fails is redrawn, and the reasons kept if none passes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from atelier import embeddings
from atelier.engines.base import ABOUT, ADVANCED, Budget, Context, Creation, Inputs, Rates
from atelier.engines.text.common import (
    CHARS_PER_TOKEN,
    GEMMA,
    MINILM,
    Draft,
    TextEngine,
    TextParams,
    distinct,
    ends_sentence,
    in_range,
    whole_sentences,
    words,
)
from atelier.engines.text.examples import SUMMARIZE, Summary
from atelier.engines.text.language import English
from atelier.engines.text.meaning import meaning_problems
from atelier.engines.text.runtime import Completion

Length = Literal["one_line", "abstract", "bullets"]
LABELS = {
    "one_line": "One-line summary:",
    "abstract": "Summary in one paragraph:",
    "bullets": "Summary in bullet points:\n-",
}
MAX_TOKENS = {"one_line": 48, "abstract": 180, "bullets": 180}
WORDS = {"one_line": (6, 30), "abstract": (35, 130), "bullets": (15, 110)}
NAMES = {"one_line": "a one-line summary", "abstract": "an abstract", "bullets": "bullet points"}
OPENING_WORDS = 6  # a summary that starts with the text's first six words copies its opening
COPIED_RUN = 0.6  # nor may one run of the text's words make up this share of it
MIN_LOGPROB = -10.0  # a first word the model finds less likely than this is never forced


class SummarizeParams(TextParams):
    text: English = Field(
        min_length=1,
        max_length=16000,
        description="The text to summarize.",
        json_schema_extra=ABOUT,
    )
    length: Length = Field(
        "abstract", description="one_line, abstract (a paragraph) or bullets (3–5 points)."
    )
    temperature: float = Field(
        0.4, ge=0.0, le=2.0, description="Randomness: 0 is greedy.", json_schema_extra=ADVANCED
    )


def shown(summary: Summary, length: str) -> str:
    if length == "one_line":
        return " " + summary.one_line
    if length == "abstract":
        return " " + summary.abstract
    return " " + "\n- ".join(summary.bullets)


def prompts(text: str, length: str) -> list[str]:
    """With both examples, one, then none (a long text leaves no room for them)."""
    ask = f"Text:\n{text.strip()}\n\n{LABELS[length]}"
    return [
        "Texts and their summaries.\n\n"
        + "".join(
            f"Text:\n{s.text}\n\n{LABELS[length]}{shown(s, length)}\n###\n\n"
            for s in SUMMARIZE[:count]
        )
        + ask
        for count in range(len(SUMMARIZE), -1, -1)
    ]


def longest_run(summary: list[str], source: list[str]) -> int:
    """The most words in a row that the summary copies from the source."""
    best, previous = 0, [0] * (len(source) + 1)
    for word in summary:
        current = [0] * (len(source) + 1)
        for j, other in enumerate(source, 1):
            if word == other:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def copying(length: str, summary: str, source: str) -> list[str]:
    """How the summary copies the text instead of summarizing it, in words: the text's
    first words among its own first few, or most of it one run of the text's words."""
    mine, theirs = words(summary), words(source)
    if length == "bullets" or not mine:
        return []
    opening = theirs[:OPENING_WORDS]
    head = mine[: OPENING_WORDS + 4]
    starts = range(len(head) - len(opening) + 1)
    if len(opening) >= 3 and any(head[i : i + len(opening)] == opening for i in starts):
        return ["copies the text's opening instead of summarizing it"]
    run = longest_run(mine, theirs)
    if run >= 8 and run >= COPIED_RUN * len(mine):
        return [f"copies {run} words of the text in a row"]
    return []


def support(summary: str, source: str) -> float:
    """Share of the summary's longer words that the text has too (invented facts lower it)."""
    known = {w[:5] for w in words(source)}
    mine = [w for w in words(summary) if len(w) > 3]
    return sum(w[:5] in known for w in mine) / len(mine) if mine else 0.0


class Summarize(TextEngine[SummarizeParams]):
    name = "text.summarize"
    title = "Summarize"
    description = "Summarize a text in one line, a short abstract or bullet points."
    Params = SummarizeParams
    models = (GEMMA, MINILM)

    # CPU seconds per core, fitted (least squares on each job's ratio, none negative) on
    # benchmarks/estimates.py --set tuning, report, report2, report3 and report4 (2026-12-06, this
    # day's 2-vCPU Intel Xeon VM, quiet; a redraw is not charged, so not counted): bullets of 1, 1,
    # 2 and 3 paragraphs 6.19, 5.46, 10.28 and 7.20; one line of 1, 2, 3 and 4 paragraphs 4.80,
    # 4.58, 3.79 and 6.02; abstracts of 2, 3 and 4 paragraphs 8.36, 6.47 and 8.15. Reading the text
    # is quick beside writing, and a summary's length is mostly the model's choice.
    rates = Rates(start=2.81, per_token=0.0045, per_token_in=0.0016)

    def default_max_tokens(self, params: SummarizeParams) -> int:
        return MAX_TOKENS[params.length]

    def output_budget(self, params: SummarizeParams, inputs: Inputs) -> Budget:
        """The drafts, and the text read (once per draft: each starts from the prompt)."""
        written = super().output_budget(params, inputs)
        read = params.drafts * round(len(params.text) / CHARS_PER_TOKEN)
        return Budget(tokens=written.tokens, tokens_in=read, field="text")

    def run(self, params: SummarizeParams, ctx: Context) -> list[Creation]:
        p = params
        model = self.model()
        ctx.progress(0.02, "Reading the text")
        # A summary shorter than the text: a small model would rather copy it all.
        room = max(24, int(0.6 * model.count_tokens(p.text)))
        max_tokens = p.max_tokens or min(self.default_max_tokens(p), room)
        prompt = self.fit(model, prompts(p.text, p.length), max_tokens, "text")
        stop = ["###", "\nText:", "\n" if p.length == "one_line" else "\n\n"]
        source = embeddings.embed([p.text])[0]

        def clean(text: str, completion: Completion) -> str:
            return self.clean(p.length, text, completion)

        def score(text: str) -> tuple[float, dict[str, Any], list[str]]:
            return self.score(p.length, p.text, source, text)

        def start(i: int, drafts: list[Draft]) -> str:
            """A redraw after drafts that copied the text's opening begins with another
            word than the text does: the model's next likeliest (in-process, it knows
            every word's chance; a server names its top 20)."""
            if p.length == "bullets" or i < p.candidates:
                return ""
            if not any(d.checks.get("copies_text") for d in drafts):
                return ""
            first = words(p.text)[0] if words(p.text) else ""
            options = model.next_words(prompt)
            ranked = sorted(
                (w for w, logprob in options.items() if w != first and logprob > MIN_LOGPROB),
                key=lambda w: -options[w],
            )
            pick = i - p.candidates
            return " " + ranked[pick].capitalize() if pick < len(ranked) else ""

        drafts = self.write_drafts(
            ctx, p, prompt, max_tokens, stop, clean, score, model, start=start
        )
        title = f"Summary: {' '.join(p.text.split()[:8])}…"
        return [self.creation(drafts, f"summary-{p.length}.txt", title, {"length": p.length})]

    @staticmethod
    def clean(length: str, text: str, completion: Completion) -> str:
        if length == "bullets":
            items = [line.strip().lstrip("-•* ").strip() for line in ("-" + text).splitlines()]
            if completion.finish_reason == "length" and len(items) > 1:
                items = items[:-1]  # the last point was cut off
            return "\n".join(f"- {item}" for item in items if item)
        return whole_sentences(" ".join(text.split()))

    @staticmethod
    def score(
        length: str, source: str, vector: Any, text: str
    ) -> tuple[float, dict[str, Any], list[str]]:
        if not text:
            return 0.0, {"empty": True}, ["the model wrote nothing"]
        meaning = float(embeddings.embed([text])[0] @ vector)
        count = len(words(text))
        low, high = WORDS[length]
        high = min(high, max(low, len(words(source)) // 2))  # shorter than the text itself
        fit = in_range(count, low, high)
        unmet = []
        if length == "bullets":
            points = text.count("\n") + 1
            if not 3 <= points <= 5:
                unmet.append(f"{points} bullet points, not 3 to 5")
            fit = (fit + in_range(points, 3, 5)) / 2
        elif not ends_sentence(text):
            unmet.append("ends mid-phrase, not at the end of a sentence")
        if fit < 0.5:
            unmet.append(f"{count} words: {NAMES[length]} here takes {low} to {high}")
        copied = copying(length, text, source)
        unmet += copied + meaning_problems(source, text, summary=True)
        grounded = support(text, source)
        variety = min(distinct(text, 2) / 0.9, 1.0) if count > 4 else 1.0
        value = 0.4 * meaning + 0.25 * fit + 0.2 * grounded + 0.15 * variety
        checks = {
            "meaning": round(meaning, 3),
            "words": count,
            "length_met": fit == 1.0,
            "grounded": round(grounded, 3),
            "copies_text": bool(copied),
        }
        return value * (0.5 if copied else 1.0), checks, unmet
