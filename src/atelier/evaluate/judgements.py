"""Statistics of people's judgements (expert panels): means of ratings with bootstrap
intervals, win rates with Wilson intervals, Bradley–Terry strengths fitted by Hunter's
MM algorithm with bootstrap intervals, and Krippendorff's alpha for agreement.

Everything is plain numpy, seeded, and small enough to check by hand (tests/
test_panels.py does, and checks alpha against the `krippendorff` package, which is
GPL-3.0 and so a test dependency only: the studio is Apache-2.0)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from itertools import permutations

import numpy as np

CONFIDENCE = 0.95
RESAMPLES = 1000
Z = 1.959963984540054  # the standard normal's 97.5 % point
# Half a win each way between every pair compared: the strengths then exist even when a
# model won every comparison (the unregularised estimate runs off to infinity), and with
# two models A's strength is (wins_A + 0.5) / (comparisons + 1).
PRIOR_WINS = 0.5
LEVELS = ("nominal", "ordinal", "interval")


def _percentiles(values: np.ndarray) -> list[float]:
    tail = 100 * (1 - CONFIDENCE) / 2
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


def mean_interval(
    groups: Sequence[Sequence[float]], seed: int = 1, resamples: int = RESAMPLES
) -> dict[str, float | int | list[float]]:
    """The mean of all values and a percentile bootstrap interval that resamples the
    groups (an item's ratings stay together: raters of one item are not independent)."""
    groups = [list(g) for g in groups if len(g)]
    if not groups:
        raise ValueError("no ratings")
    values = np.concatenate([np.asarray(g, dtype=float) for g in groups])
    sums = np.array([sum(g) for g in groups], dtype=float)
    counts = np.array([len(g) for g in groups], dtype=float)
    draws = np.random.default_rng(seed).integers(0, len(groups), (resamples, len(groups)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    return {"mean": float(values.mean()), "ci": _percentiles(means), "n": int(values.size)}


def wilson(wins: float, n: int) -> list[float]:
    """The Wilson score interval of a proportion (95 %); [0, 1] for no trials."""
    if n == 0:
        return [0.0, 1.0]
    p = wins / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return [max(0.0, centre - half), min(1.0, centre + half)]


# -- Bradley–Terry ---------------------------------------------------------------------


def win_matrix(labels: Sequence[str], outcomes: Sequence[tuple[str, str]]) -> np.ndarray:
    """wins[i, j]: how often labels[i] beat labels[j]; `outcomes` are (winner, loser)."""
    index = {label: i for i, label in enumerate(labels)}
    wins = np.zeros((len(labels), len(labels)))
    for winner, loser in outcomes:
        wins[index[winner], index[loser]] += 1
    return wins


def fit_bradley_terry(
    wins: np.ndarray, prior: float = PRIOR_WINS, tol: float = 1e-12, limit: int = 100_000
) -> np.ndarray:
    """Strengths p (summing to 1) maximising the Bradley–Terry likelihood, P(i beats j) =
    p_i / (p_i + p_j), by Hunter's (2004) MM iteration p_i ← W_i / Σ_j n_ij / (p_i + p_j).
    `prior` wins are added each way between every pair that met."""
    met = (wins + wins.T) > 0
    w = wins + prior * met
    games = w + w.T
    total = w.sum(axis=1)
    p = np.full(len(w), 1 / len(w))
    for _ in range(limit):
        denominators = (games / (p[:, None] + p[None, :])).sum(axis=1)
        new = np.where(denominators > 0, total / np.where(denominators > 0, denominators, 1), 0)
        new /= new.sum()
        if np.max(np.abs(new - p)) < tol:
            return new
        p = new
    return p


def bradley_terry(
    labels: Sequence[str],
    outcomes: Sequence[tuple[str, str]],
    seed: int = 1,
    resamples: int = RESAMPLES,
) -> dict[str, dict[str, float | list[float]]]:
    """Per label its strength p (the strengths sum to 1; with two labels p is the chance
    that it wins) with a percentile interval over bootstrap resamples of the outcomes,
    and its log-strength centred on 0 (the usual BT score)."""
    fitted = fit_bradley_terry(win_matrix(labels, outcomes))
    rng = np.random.default_rng(seed)
    draws = np.empty((resamples, len(labels)))
    for row in range(resamples):
        chosen = rng.integers(0, len(outcomes), len(outcomes))
        draws[row] = fit_bradley_terry(win_matrix(labels, [outcomes[i] for i in chosen]))
    logs = np.log(fitted)
    return {
        label: {
            "strength": float(fitted[i]),
            "ci": _percentiles(draws[:, i]),
            "score": float(logs[i] - logs.mean()),
        }
        for i, label in enumerate(labels)
    }


# -- Krippendorff's alpha --------------------------------------------------------------


def coincidences(units: Sequence[Sequence[Hashable]]) -> tuple[list[Hashable], np.ndarray]:
    """The values seen (sorted) and the coincidence matrix o[c, k]: within each unit with
    m ≥ 2 values, every ordered pair of different raters' values counts 1 / (m − 1)."""
    pairable = [list(u) for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u}, key=_order)
    index = {v: i for i, v in enumerate(values)}
    o = np.zeros((len(values), len(values)))
    for unit in pairable:
        for first, second in permutations(range(len(unit)), 2):
            o[index[unit[first]], index[unit[second]]] += 1 / (len(unit) - 1)
    return values, o


def _order(value: Hashable) -> tuple[int, float | str]:
    return (0, float(value)) if isinstance(value, int | float) else (1, str(value))


def distances(values: Sequence[Hashable], totals: np.ndarray, level: str) -> np.ndarray:
    """δ²(c, k) for each pair of values: nominal 0/1; ordinal the squared count of values
    between them (n_c/2 + n_between + n_k/2); interval the squared difference."""
    size = len(values)
    delta = np.zeros((size, size))
    for c in range(size):
        for k in range(size):
            if level == "nominal":
                delta[c, k] = float(c != k)
            elif level == "ordinal":
                low, high = min(c, k), max(c, k)
                delta[c, k] = (totals[low : high + 1].sum() - (totals[c] + totals[k]) / 2) ** 2
            else:
                delta[c, k] = (float(values[c]) - float(values[k])) ** 2  # type: ignore[arg-type]
    return delta


def krippendorff_alpha(units: Sequence[Sequence[Hashable]], level: str) -> float | None:
    """α = 1 − D_o / D_e over the units' values (each unit: the values its raters gave,
    missing ones left out). None when it is undefined: fewer than two pairable values, or
    every value the same (no disagreement is possible to expect)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    values, o = coincidences(units)
    totals = o.sum(axis=1)
    n = totals.sum()
    if n < 2 or len(values) < 2:
        return None
    delta = distances(values, totals, level)
    observed = (o * delta).sum() / n
    expected = (np.outer(totals, totals) * delta).sum() / (n * (n - 1))
    if expected == 0:
        return None
    return float(1 - observed / expected)
