"""`atelier eval image A B`: how far apart two sets of images are, as FID, KID, Inception
Score and precision/recall, on the features of a chosen network (evaluate/features.py).

The formulas are the ones torch-fidelity computes (tests/test_eval_image.py checks ours
against its code on the same features to 1e-3): FID (Heusel et al. 2017) from the sets'
means and covariances (the trace of the matrix root taken exactly, see there); KID
(Bińkowski et al. 2018) as the unbiased MMD² with the cubic polynomial kernel, averaged
over random subsets drawn as torch-fidelity draws them (same seed, same subsets, same
number); IS (Salimans et al. 2016) over 10 splits of a seeded shuffle; precision and
recall (Kynkäänniemi et al. 2019) with k-nearest-neighbour balls, k = 3. A is the
reference (the "real" set), B the set judged: precision is the share of B inside A's
manifold, recall the share of A inside B's.

Numbers are only comparable between runs on the same features: every report names them,
and only the Inception-v3 features with the reference weights give figures comparable
with published ones (which also need the same number of images; FID is biased upwards on
small sets)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError
from scipy.linalg import qr, svdvals

from atelier.evaluate.features import Embedding, Extractor

IMAGE_SUFFIXES = frozenset((".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"))
KID_SUBSETS, KID_SUBSET_SIZE = 100, 1000  # torch-fidelity's defaults
IS_SPLITS = 10
NEIGHBOURS = 3  # k of the precision/recall balls
SEED = 2020  # torch-fidelity's default: the same subsets and shuffles as its runs


class SetError(Exception):
    """An image set that cannot be measured (empty, too small, unreadable); says why."""


ImageSource = Path | Iterable[Image.Image | Path]


def image_files(folder: Path) -> list[Path]:
    """The image files under a folder (recursively), in name order."""
    if not folder.is_dir():
        raise SetError(f"{folder} is not a folder")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def read_images(source: ImageSource) -> Iterator[Image.Image]:
    """Each image of a set: a folder, or any iterable of PIL images and file paths (a
    dataset's items, a set of works). Files are opened one at a time."""
    items: Iterable[Image.Image | Path] = (
        image_files(source) if isinstance(source, Path) else source
    )
    for item in items:
        if isinstance(item, Image.Image):
            yield item
            continue
        try:
            with Image.open(item) as picture:
                picture.load()
                yield picture
        except (UnidentifiedImageError, OSError) as exc:
            raise SetError(f"cannot read {item} as an image: {exc}") from None


def embed_set(source: ImageSource, extractor: Extractor, what: str, least: int = 2) -> Embedding:
    embedding = extractor.embed(read_images(source))
    if len(embedding.features) < least:
        raise SetError(
            f"{what} has {len(embedding.features)} image(s); the metrics need at least {least}"
        )
    return embedding


# -- the metrics, on features --------------------------------------------------------


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FID: |μa − μb|² + tr Σa + tr Σb − 2 tr (Σa Σb)^½.

    With Σ = XᵀX for the centred samples X (scaled by 1/√(n−1)), the eigenvalues of
    Σa Σb are the squared singular values of Xa Xbᵀ, so the trace of the root is the sum
    of those singular values: computed on the R factors of Xa and Xb (at most d×d), with
    no matrix square root, exact where a set is smaller than the features are wide."""
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    xa = (a - mean_a) / np.sqrt(len(a) - 1)
    xb = (b - mean_b) / np.sqrt(len(b) - 1)
    ra, rb = qr(xa, mode="r")[0], qr(xb, mode="r")[0]
    trace_root = float(svdvals(ra @ rb.T).sum())
    diff = mean_a - mean_b
    return float(diff @ diff + (xa * xa).sum() + (xb * xb).sum() - 2.0 * trace_root)


def _mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² with k(u, v) = (u·v / d + 1)³, between two equal-sized samples."""
    m, d = len(x), x.shape[1]
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_distance(
    a: np.ndarray,
    b: np.ndarray,
    subsets: int = KID_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
    seed: int = SEED,
) -> tuple[float, float, int]:
    """KID: mean and standard deviation of the MMD² over `subsets` random subsets, and
    the subset size used (at most the smaller set's size)."""
    size = min(subset_size, len(a), len(b))
    rng = np.random.RandomState(seed)  # torch-fidelity's generator: the same subsets
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), size, replace=False)]
        y = b[rng.choice(len(b), size, replace=False)]
        values.append(_mmd2_unbiased(x, y))
    return float(np.mean(values)), float(np.std(values)), size


def inception_score(
    logits: np.ndarray, splits: int = IS_SPLITS, seed: int = SEED
) -> tuple[float, float]:
    """IS: exp of the mean KL divergence between each image's class distribution and the
    set's, per split of a seeded shuffle; mean and standard deviation over splits."""
    n = len(logits)
    splits = min(splits, n)
    shuffled = logits[np.random.RandomState(seed).permutation(n)].astype(np.float64)
    top = shuffled.max(axis=1, keepdims=True)
    log_p = shuffled - top - np.log(np.exp(shuffled - top).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    scores = []
    for i in range(splits):
        part = slice(i * n // splits, (i + 1) * n // splits)
        log_q = np.log(p[part].mean(axis=0, keepdims=True))
        kl = (p[part] * (log_p[part] - log_q)).sum(axis=1).mean()
        scores.append(float(np.exp(kl)))
    return float(np.mean(scores)), float(np.std(scores))


def _distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    squared = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * x @ y.T
    return np.sqrt(np.clip(squared, 0.0, None))


def precision_recall(
    reference: np.ndarray, judged: np.ndarray, k: int = NEIGHBOURS
) -> tuple[float, float]:
    """Precision: the share of judged samples inside some reference sample's ball (its
    radius the distance to its k-th nearest reference neighbour); recall: the share of
    reference samples inside some judged sample's ball."""

    def radii(points: np.ndarray) -> np.ndarray:
        return np.partition(_distances(points, points), k, axis=1)[:, k]

    across = _distances(judged, reference)  # judged × reference
    inside_reference = across <= radii(reference)[None, :]
    inside_judged = np.transpose(across) <= radii(judged)[None, :]
    precision = float(inside_reference.any(axis=1).mean())
    recall = float(inside_judged.any(axis=1).mean())
    return precision, recall


# -- a whole comparison --------------------------------------------------------------


def compare_sets(
    reference: ImageSource,
    judged: ImageSource,
    extractor: Extractor,
    kid_subsets: int = KID_SUBSETS,
    kid_subset_size: int = KID_SUBSET_SIZE,
    k: int = NEIGHBOURS,
    seed: int = SEED,
) -> dict[str, Any]:
    """Every metric between the two sets, each under a name that says which features."""
    a = embed_set(reference, extractor, "set A", least=k + 1)
    b = embed_set(judged, extractor, "set B", least=k + 1)
    if a.features.shape[1] != b.features.shape[1]:
        raise SetError("the two sets were embedded by different extractors")
    kid, kid_std, size = kernel_distance(a.features, b.features, kid_subsets, kid_subset_size, seed)
    precision, recall = precision_recall(a.features, b.features, k)
    report: dict[str, Any] = {
        "features": {
            "name": extractor.name,
            "label": extractor.label,
            "standard": extractor.standard,
        },
        "images": {"a": len(a.features), "b": len(b.features)},
        "fid": frechet_distance(a.features, b.features),
        "kid": {"mean": kid, "std": kid_std, "subsets": kid_subsets, "subset_size": size},
        "precision": precision,
        "recall": recall,
        "k": k,
        "seed": seed,
    }
    report["names"] = {
        key: f"{title} ({extractor.label})"
        for key, title in (
            ("fid", "FID"),
            ("kid", "KID"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("inception_score", "Inception Score"),
        )
    }
    if a.logits is not None and b.logits is not None:
        report["inception_score"] = {
            side: dict(zip(("mean", "std"), inception_score(e.logits, seed=seed), strict=True))
            for side, e in (("a", a), ("b", b))
            if e.logits is not None
        }
    else:
        report["inception_score"] = None
        report["inception_score_unavailable"] = (
            f"the Inception Score needs class probabilities, and the {extractor.name} "
            "features have none: set ATELIER_INCEPTION_WEIGHTS to the Inception-v3 weights"
        )
    return report


def markdown(report: dict[str, Any]) -> str:
    """The report as a table a person reads (every metric named with its features)."""
    names = report["names"]
    kid = report["kid"]
    rows = [
        (f"{names['fid']} ↓", f"{report['fid']:.4g}"),
        (
            f"{names['kid']} ↓",
            f"{kid['mean']:.4g} ± {kid['std']:.2g} "
            f"({kid['subsets']} subsets of {kid['subset_size']})",
        ),
        (f"{names['precision']}, k={report['k']} ↑", f"{report['precision']:.3f}"),
        (f"{names['recall']}, k={report['k']} ↑", f"{report['recall']:.3f}"),
    ]
    score = report["inception_score"]
    if score is None:
        rows.append(("Inception Score", f"not available: {report['inception_score_unavailable']}"))
    else:
        for side in ("a", "b"):
            value = f"{score[side]['mean']:.4g} ± {score[side]['std']:.2g}"
            rows.append((f"{names['inception_score']} of {side.upper()} ↑", value))
    lines = [
        f"Features: {report['features']['label']}",
        f"Images: A {report['images']['a']}, B {report['images']['b']}",
        "",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in rows),
    ]
    return "\n".join(lines)
