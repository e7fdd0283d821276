"""The profanity layer: alt-profanity-check's packaged linear model (scikit-learn, MIT),
trained on offensive comments. Loaded on first use (importing scikit-learn takes seconds)."""

from __future__ import annotations

import threading
from types import ModuleType

_lock = threading.Lock()
_module: ModuleType | None = None


def _model() -> ModuleType:
    global _module
    with _lock:
        if _module is None:
            import profanity_check

            _module = profanity_check
        return _module


def scores(texts: list[str]) -> list[float]:
    """The probability that each text is offensive, 0 to 1."""
    if not texts:
        return []
    return [float(p) for p in _model().predict_prob(texts)]
