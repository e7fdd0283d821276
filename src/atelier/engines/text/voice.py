"""A client's voice as the text engines use it: their own passages, retrieved as few-shot
examples (training/voice.py builds one from a dataset version and measures its gain).

The packaged text model cannot be fine-tuned here (docs/training.md says why), so a voice
is an index of the client's passages (MiniLM sentence embeddings): a prompt takes the
passages nearest the brief, or the most typical ones, as examples the base model
continues in kind. Stored as JSON (the passages and settings); the embeddings are made
again when it is loaded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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

    def to_json(self) -> bytes:
        body = {
            "passages": self.passages,
            "examples": self.config.examples,
            "max_chars": self.config.max_chars,
            "embedding": embeddings.MODEL_NAME,
        }
        return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode()

    def save(self, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        path = out / "voice.json"
        path.write_bytes(self.to_json())
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
