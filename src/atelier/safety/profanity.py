"""The profanity layer: alt-profanity-check's packaged linear model (scikit-learn, MIT),
trained on offensive comments. Loaded on first use (importing scikit-learn takes seconds).

The model is five linear SVMs, each with a sigmoid calibration, averaged
(CalibratedClassifierCV). Its `predict_proba` spends ~7 ms a call checking its input;
the same sum computed here from the fitted numbers takes ~0.15 ms and gives the same
probabilities (tests/test_safety_profanity.py), and every screened text pays it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

_lock = threading.Lock()


@dataclass(frozen=True)
class Linear:
    """The fitted model as numbers: per calibrated SVM its weights, intercept and the
    sigmoid's slope and offset; and the package's TF-IDF vectorizer."""

    vectorizer: Any
    weights: NDArray[np.float64]  # (models, words)
    intercepts: NDArray[np.float64]
    slopes: NDArray[np.float64]
    offsets: NDArray[np.float64]

    def scores(self, texts: list[str]) -> NDArray[np.float64]:
        decision = self.vectorizer.transform(texts) @ self.weights.T + self.intercepts
        return np.asarray((1.0 / (1.0 + np.exp(self.slopes * decision + self.offsets))).mean(1))


_linear: Linear | None = None


def packaged() -> tuple[Any, Any]:
    """The package's own vectorizer and calibrated model."""
    from profanity_check import profanity_check as package

    return package.vectorizer, package.model


def _model() -> Linear:
    global _linear
    with _lock:
        if _linear is None:
            vectorizer, model = packaged()
            if model.method != "sigmoid" or len(model.classes_) != 2:
                raise RuntimeError("alt-profanity-check: not a two-class sigmoid calibration")
            parts = model.calibrated_classifiers_
            _linear = Linear(
                vectorizer,
                np.array([p.estimator.coef_.ravel() for p in parts]),
                np.array([p.estimator.intercept_[0] for p in parts]),
                np.array([p.calibrators[0].a_ for p in parts]),
                np.array([p.calibrators[0].b_ for p in parts]),
            )
        return _linear


def scores(texts: list[str]) -> list[float]:
    """The probability that each text is offensive, 0 to 1."""
    if not texts:
        return []
    return [float(p) for p in _model().scores(texts)]
