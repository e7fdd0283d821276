"""A client's voice for the text engines: their own passages, retrieved as few-shot examples.

The packaged text model is a 4-bit GGUF run by llama.cpp; it cannot be fine-tuned here
(docs/training.md says why), so a voice is the strongest honest alternative: an index of
the client's training passages (MiniLM sentence embeddings) from which a prompt takes the
passages nearest the brief, or the most typical ones, as examples the base model
continues in kind. Its gain is measured as perplexity: of the client's held-out texts
under the model, with no examples (the base), with the voice's typical passages, and with
as many passages from elsewhere (Atelier's own examples) to show the gain is the voice's,
not any prefix's."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atelier import embeddings

SEPARATOR = "\n\n* * *\n\n"
HEADER = "Texts written in one voice, each complete:"


@dataclass(frozen=True)
class VoiceConfig:
    examples: int = 3  # passages in a prompt
    max_chars: int = 700  # each passage is cut at a sentence end before this


@dataclass
class Voice:
    passages: list[str]
    vectors: np.ndarray  # unit-length MiniLM embeddings, one row per passage
    config: VoiceConfig

    @classmethod
    def build(cls, texts: list[str], config: VoiceConfig = VoiceConfig()) -> Voice:
        if not texts:
            raise ValueError("a voice needs at least one training text")
        passages = [clip(t, config.max_chars) for t in texts]
        return cls(passages, embeddings.embed(passages), config)

    def typical(self) -> list[str]:
        """The passages nearest the voice's centre (a prompt when there is no brief)."""
        centre = self.vectors.mean(axis=0)
        order = np.argsort(-(self.vectors @ centre), kind="stable")
        return [self.passages[i] for i in order[: self.config.examples]]

    def nearest(self, brief: str) -> list[str]:
        """The passages nearest a brief's meaning."""
        scores = self.vectors @ embeddings.embed([brief])[0]
        order = np.argsort(-scores, kind="stable")
        return [self.passages[i] for i in order[: self.config.examples]]

    def save(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "voice.json"
        body = {
            "passages": self.passages,
            "examples": self.config.examples,
            "max_chars": self.config.max_chars,
            "embedding": embeddings.MODEL_NAME,
        }
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: Path) -> Voice:
        body = json.loads(path.read_text())
        config = VoiceConfig(body["examples"], body["max_chars"])
        return cls(body["passages"], embeddings.embed(body["passages"]), config)


def clip(text: str, limit: int) -> str:
    """The text, cut after the last sentence end before `limit` characters (or at it)."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in (". ", "! ", "? ", ".\n", "。"))
    return text[: cut + 1] if cut > limit // 3 else text[:limit]


def prompt(passages: list[str]) -> str:
    """Examples as a document the base model continues with one more text in kind."""
    return HEADER + SEPARATOR + SEPARATOR.join(passages) + SEPARATOR


class Scorer:
    """Negative log-likelihood of a text after a prefix, under a GGUF (llama.cpp)."""

    def __init__(self, gguf: Path, threads: int = 1, context: int = 2048) -> None:
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=str(gguf),
            n_ctx=context,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads,
            logits_all=True,
            verbose=False,
        )

    def __call__(self, prefix: str, text: str) -> tuple[float, int]:
        """(nats summed over the text's tokens, tokens) given the prefix."""
        head = self.llm.tokenize(prefix.encode("utf-8"), add_bos=True)
        body = self.llm.tokenize(text.encode("utf-8"), add_bos=False)
        tokens = (head + body)[: self.llm.n_ctx()]
        start = len(head)
        if len(tokens) <= start:
            raise ValueError("the examples fill the model's context: use fewer or shorter ones")
        self.llm.reset()
        self.llm.eval(tokens)
        logits = np.asarray(self.llm.scores[start - 1 : len(tokens) - 1], dtype=np.float64)
        top = logits.max(axis=1, keepdims=True)
        norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        picked = logits[np.arange(len(logits)), tokens[start:]]
        return float(np.sum(norm - picked)), len(logits)


def perplexity(scorer: Scorer, prefix: str, texts: list[str]) -> float:
    totals = [scorer(prefix, text) for text in texts]
    return math.exp(sum(n for n, _ in totals) / max(sum(c for _, c in totals), 1))


def evaluate(
    voice: Voice, held_out: list[str], scorer: Scorer, elsewhere: list[str]
) -> dict[str, Any]:
    """Held-out perplexity: the base, the voice, and as many examples from elsewhere."""
    texts = [clip(t, voice.config.max_chars) for t in held_out]
    other = [clip(t, voice.config.max_chars) for t in elsewhere[: voice.config.examples]]
    return {
        "held_out_texts": len(texts),
        "perplexity_base": round(perplexity(scorer, "", texts), 3),
        "perplexity_voice": round(perplexity(scorer, prompt(voice.typical()), texts), 3),
        "perplexity_other_examples": round(perplexity(scorer, prompt(other), texts), 3),
    }
