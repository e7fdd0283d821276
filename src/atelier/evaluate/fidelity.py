"""Per-engine checks that need no human: does one work do what was asked?

- image.compose: the layout the work records against the prompt read again by the same
  parser: each subject placed, in the number asked, and each spatial relation holding
  in the boxes (engines/image/compose/checks.py judges a relation as a viewer would).
- image.restore, image.upscale: the result against the clean original it was damaged or
  shrunk from: PSNR and SSIM (scikit-image) and a perceptual distance.
- image.stylize: a style distance (to the style picture) and a content distance (to the
  photo).

The perceptual distance follows LPIPS (Zhang et al. 2018) without its learned weights:
at five depths of the StyleNet (evaluate/features.py), each position's channel vector is
scaled to unit length, the squared difference summed over channels and averaged over
positions; the depths are averaged (0 is identical, 4 the most different). The content
distance is the same on the second and third maps (1/4 and 1/8 scale) only: what is
where, not the brush strokes. Not the deepest maps, as Gatys et al. take content from
VGG: this network was trained to find style, and its deepest maps carry it (chosen on
scikit-image's photos and six presets; held-out figures in docs/evaluation.md). The
style distance is the Euclidean distance between the network's 100-number style
vectors: the network was trained so that this vector alone tells its transformer how
to paint a style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from atelier.engines.image.compose import checks
from atelier.engines.image.compose.prompt import parse
from atelier.evaluate.features import MAP_LAYERS, StyleNet

PERCEPTUAL_MAX_SIDE = 512  # larger pictures are compared at this size (bounded cost)
CONTENT_DEPTHS = (1, 2)  # of MAP_LAYERS: the 1/4 and 1/8 scale maps
PSNR_CAP = 100.0  # dB for identical pictures (PSNR is infinite), so that means stay finite


def compose_adherence(prompt: str, meta: dict[str, Any]) -> dict[str, Any]:
    """How much of what the prompt asks the recorded layout shows. Shares in [0, 1]:
    `present` (nouns asked that were placed at all), `counts` (nouns placed exactly as
    many times as asked), `relations` (relations that hold; None when the prompt names
    none), and `adherence`, their mean."""
    scene = parse(prompt)
    layout: list[dict[str, Any]] = meta["layout"]
    asked: dict[str, int] = {}
    for subject in scene.subjects:
        asked[subject.noun] = asked.get(subject.noun, 0) + subject.count
    placed = checks.counts(layout)
    relations: list[dict[str, Any]] = []
    for r in scene.relations:
        a, b = scene.subjects[r.subject].noun, scene.subjects[r.target].noun
        holds = checks.holds(layout, a, r.relation, b, meta["height"])
        relations.append({"subject": a, "relation": r.relation, "target": b, "holds": holds})
    shares: dict[str, float | None] = {
        "present": _share([placed.get(noun, 0) > 0 for noun in asked]),
        "counts": _share([placed.get(noun, 0) == n for noun, n in asked.items()]),
        "relations": _share([r["holds"] for r in relations]),
    }
    known = [v for v in shares.values() if v is not None]
    return {
        **shares,
        "adherence": float(np.mean(known)) if known else None,
        "subjects": {
            noun: {"asked": n, "placed": placed.get(noun, 0)} for noun, n in asked.items()
        },
        "relation_checks": relations,
    }


def _share(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def _rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    return image


def _same_size(clean: np.ndarray, result: np.ndarray) -> None:
    if clean.shape != result.shape:
        raise ValueError(
            f"the result is {result.shape[1]}×{result.shape[0]} and the original "
            f"{clean.shape[1]}×{clean.shape[0]}: they must be the same size to compare"
        )


def perceptual_distance(
    net: StyleNet,
    a: Image.Image | np.ndarray,
    b: Image.Image | np.ndarray,
    depths: Sequence[int] = tuple(range(len(MAP_LAYERS))),
) -> float:
    """The LPIPS-like distance between two pictures (b is resized to a's size)."""
    first, second = Image.fromarray(_rgb(a)), Image.fromarray(_rgb(b))
    if max(first.size) > PERCEPTUAL_MAX_SIDE:
        scale = PERCEPTUAL_MAX_SIDE / max(first.size)
        first = first.resize(
            (round(first.width * scale), round(first.height * scale)), Image.Resampling.LANCZOS
        )
    if second.size != first.size:
        second = second.resize(first.size, Image.Resampling.LANCZOS)
    maps_a, maps_b = net.maps(first), net.maps(second)
    total = 0.0
    for depth in depths:
        fa, fb = maps_a[depth], maps_b[depth]
        na = fa / (np.sqrt((fa * fa).sum(axis=0, keepdims=True)) + 1e-10)
        nb = fb / (np.sqrt((fb * fb).sum(axis=0, keepdims=True)) + 1e-10)
        total += float(((na - nb) ** 2).sum(axis=0).mean())
    return total / len(depths)


def restoration_scores(
    net: StyleNet, clean: Image.Image | np.ndarray, result: Image.Image | np.ndarray
) -> dict[str, float]:
    """PSNR (dB, higher is better; at most PSNR_CAP), SSIM (higher) and the perceptual
    distance (lower) of a repaired or enlarged picture against the clean original of the
    same size."""
    original, repaired = _rgb(clean), _rgb(result)
    _same_size(original, repaired)
    identical = np.array_equal(original, repaired)
    return {
        "psnr": PSNR_CAP
        if identical
        else min(PSNR_CAP, float(peak_signal_noise_ratio(original, repaired, data_range=255))),
        "ssim": float(structural_similarity(original, repaired, channel_axis=2, data_range=255)),
        "perceptual": perceptual_distance(net, original, repaired),
    }


def style_scores(
    net: StyleNet,
    styled: Image.Image | np.ndarray,
    style: Image.Image | np.ndarray,
    photo: Image.Image | np.ndarray,
) -> dict[str, float]:
    """A stylized picture's distance to its style (style vectors; lower is closer) and to
    the photo's content (deep feature maps; lower keeps more)."""
    picture = Image.fromarray(_rgb(styled))
    style_gap = net.style_vector(picture) - net.style_vector(Image.fromarray(_rgb(style)))
    return {
        "style_distance": float(np.sqrt(style_gap @ style_gap)),
        "content_distance": perceptual_distance(net, picture, photo, CONTENT_DEPTHS),
    }
