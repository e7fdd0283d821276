"""Building a client's voice and measuring it: the voice itself (a retrieval index of
the client's passages, engines/text/voice.py) is what the text engines use, because the
packaged text model cannot be fine-tuned here (docs/training.md says why). Its gain is
measured as perplexity: of the client's held-out texts under the model, with no examples
(the base), with the voice's typical passages, and with as many passages from elsewhere
(Atelier's own examples) to show the gain is the voice's, not any prefix's."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from atelier.engines.text.voice import Voice, VoiceConfig, clip, prompt

__all__ = ["Scorer", "Voice", "VoiceConfig", "clip", "evaluate", "perplexity", "prompt"]


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


# Called after each held-out text with its number, how many there are, and its nats per
# token under each prefix ("base", "voice", "other").
OnText = Callable[[int, int, dict[str, float]], None]


def evaluate(
    voice: Voice,
    held_out: list[str],
    scorer: Scorer,
    elsewhere: list[str],
    on_text: OnText | None = None,
) -> dict[str, Any]:
    """Held-out perplexity: the base, the voice, and as many examples from elsewhere,
    text by text (perplexity over all the texts' tokens together)."""
    texts = [clip(t, voice.config.max_chars) for t in held_out]
    other = [clip(t, voice.config.max_chars) for t in elsewhere[: voice.config.examples]]
    prefixes = {"base": "", "voice": prompt(voice.typical()), "other": prompt(other)}
    nats = dict.fromkeys(prefixes, 0.0)
    tokens = dict.fromkeys(prefixes, 0)
    for number, text in enumerate(texts, start=1):
        per_token = {}
        for name, prefix in prefixes.items():
            total, count = scorer(prefix, text)
            nats[name] += total
            tokens[name] += count
            per_token[name] = total / max(count, 1)
        if on_text is not None:
            on_text(number, len(texts), per_token)

    def ppl(name: str) -> float:
        return round(math.exp(nats[name] / max(tokens[name], 1)), 3)

    return {
        "held_out_texts": len(texts),
        "perplexity_base": ppl("base"),
        "perplexity_voice": ppl("voice"),
        "perplexity_other_examples": ppl("other"),
    }
