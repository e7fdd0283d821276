"""Image restoration quality and speed: image.restore's steps and Real-ESRGAN, measured.

Quality: scikit-image's bundled sample photos get synthetic damage (Gaussian noise,
scratches and dust, masked holes, a faded colour cast; seeded: atelier/evaluate/damage.py,
which `atelier eval compare` damages its photos with too), then each is repaired by
image.restore's own step functions and by plain OpenCV, and compared with the clean
original by PSNR (dB) and SSIM. Super-resolution: each photo shrunk ×4 (area average),
enlarged ×4 again by bicubic, Lanczos and Real-ESRGAN (photo and fast networks).

Speed: seconds per image at 512 px for each engine (image.restore, image.upscale,
image.portrait), run directly (no queue), warmed once, median of a few runs.

    .venv/bin/python benchmarks/restore_quality.py               # print the tables
    .venv/bin/python benchmarks/restore_quality.py --write-docs  # and put them in docs
    .venv/bin/python benchmarks/restore_quality.py --quick       # smoke: one photo, one case each
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from skimage import data as samples
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from atelier.engines.base import Context, Engine, EngineConfig
from atelier.engines.image import esrgan, restore
from atelier.engines.image.portrait import Portrait
from atelier.engines.image.restore import Restore
from atelier.engines.image.upscale import Upscale
from atelier.evaluate.damage import PHOTOS, add_holes, add_noise, add_scratches, fade, photo

START, END = "<!-- restore-quality:start -->", "<!-- restore-quality:end -->"
Array = np.ndarray


def scores(clean: Array, result: Array) -> tuple[float, float]:
    psnr = peak_signal_noise_ratio(clean, result, data_range=255)
    ssim = structural_similarity(clean, result, channel_axis=2, data_range=255)
    return float(psnr), float(ssim)


# -- the comparison --------------------------------------------------------------------


def quality(photos: tuple[str, ...]) -> list[tuple[str, str, float, float]]:
    """(damage, method, mean PSNR, mean SSIM) over the sample photos."""
    rows: dict[tuple[str, str], list[tuple[float, float]]] = {}

    def add(damage: str, method: str, clean: Array, result: Array) -> None:
        rows.setdefault((damage, method), []).append(scores(clean, result))

    rng = np.random.default_rng(2024)
    for name in photos:
        clean = photo(name)
        noisy = add_noise(clean, rng)
        sigma = restore.noise_sigma(noisy)
        add("noise σ=20", "damaged input", clean, noisy)
        add("noise σ=20", "OpenCV NLM, defaults (h=3)", clean, restore.denoise(noisy, 3))
        add("noise σ=20", "OpenCV NLM, h=10", clean, restore.denoise(noisy, 10))
        auto = restore.denoise(noisy, restore.DENOISE_PER_SIGMA * sigma)
        add("noise σ=20", "image.restore denoise (h = 0.8 σ̂)", clean, auto)

        scratched, truth = add_scratches(clean, rng)
        add("scratches + dust", "damaged input", clean, scratched)
        add("scratches + dust", "OpenCV median 5×5", clean, cv2.medianBlur(scratched, 5))
        found = restore.find_defects(scratched, 40)
        add("scratches + dust", "image.restore scratches", clean, restore.fill(scratched, found)[0])
        ideal = cv2.inpaint(scratched, truth, 3, cv2.INPAINT_TELEA)
        add("scratches + dust", "(OpenCV Telea given the true mask)", clean, ideal)

        holed, mask = add_holes(clean, rng)
        add("masked holes", "damaged input", clean, holed)
        add("masked holes", "OpenCV Telea", clean, cv2.inpaint(holed, mask, 3, cv2.INPAINT_TELEA))
        add(
            "masked holes",
            "OpenCV Navier-Stokes",
            clean,
            cv2.inpaint(holed, mask, 3, cv2.INPAINT_NS),
        )
        add("masked holes", "image.restore inpaint", clean, restore.fill(holed, mask)[0])

        faded = fade(clean)
        add("faded, colour cast", "damaged input", clean, faded)
        add("faded, colour cast", "OpenCV CLAHE", clean, restore.local_contrast(faded))
        both = restore.local_contrast(restore.grey_world(faded))
        add("faded, colour cast", "image.restore white_balance + contrast", clean, both)
        add("faded, colour cast", "image.restore levels", clean, restore.auto_levels(faded))
    return [
        (damage, method, float(np.mean([s[0] for s in got])), float(np.mean([s[1] for s in got])))
        for (damage, method), got in rows.items()
    ]


def super_resolution(photos: tuple[str, ...]) -> list[tuple[str, float, float, float]]:
    """(method, mean PSNR, mean SSIM, seconds per photo) for ×4 from a ×4-shrunk copy."""
    methods: dict[str, Callable[[Array], Array]] = {
        "bicubic": lambda small: resize(small, cv2.INTER_CUBIC),
        "Lanczos": lambda small: resize(small, cv2.INTER_LANCZOS4),
        "Real-ESRGAN fast (AnimeVideo-v3 x4)": lambda small: esr(small, "fast"),
        "Real-ESRGAN photo (x4plus)": lambda small: esr(small, "photo"),
    }
    esr(np.zeros((32, 32, 3), np.uint8), "photo")  # load the networks before timing
    esr(np.zeros((32, 32, 3), np.uint8), "fast")
    results = []
    for method, enlarge in methods.items():
        got, seconds = [], []
        for name in photos:
            clean = photo(name)
            height, width = clean.shape[0] // 4 * 4, clean.shape[1] // 4 * 4
            clean = clean[:height, :width]
            small = cv2.resize(clean, (width // 4, height // 4), interpolation=cv2.INTER_AREA)
            start = time.perf_counter()
            big = enlarge(small)
            seconds.append(time.perf_counter() - start)
            got.append(scores(clean, big))
        results.append(
            (
                method,
                float(np.mean([g[0] for g in got])),
                float(np.mean([g[1] for g in got])),
                float(np.mean(seconds)),
            )
        )
    return results


def resize(small: Array, interpolation: int) -> Array:
    return cv2.resize(small, (small.shape[1] * 4, small.shape[0] * 4), interpolation=interpolation)


def esr(small: Array, model: str) -> Array:
    return np.asarray(esrgan.upscale(Image.fromarray(small), model, 4))


# -- speed per engine ------------------------------------------------------------------


def speed(runs: int, quick: bool = False) -> list[tuple[str, str, float]]:
    """(engine, what, median seconds) per image at 512 px, the engines run directly."""
    folder = Path(tempfile.mkdtemp())
    picture = folder / "astronaut.png"
    Image.fromarray(samples.astronaut()).save(picture)  # 512×512
    config = EngineConfig(assets_dir=folder)
    image = {"a" * 32: picture}
    every_step = ["scratches", "denoise", "levels", "white_balance", "contrast"]
    cases: list[tuple[str, str, type[Engine], dict[str, Any], int]] = [
        ("image.restore", "scratches + denoise + levels (default steps)", Restore, {}, runs),
        ("image.restore", "all steps but upscale", Restore, {"steps": every_step}, runs),
        ("image.upscale", "×4 fast (512 → 2048 px)", Upscale, {"model": "fast"}, runs),
        ("image.upscale", "×2 fast (512 → 1024 px)", Upscale, {"model": "fast", "scale": 2}, runs),
        ("image.upscale", "×4 photo (512 → 2048 px)", Upscale, {"model": "photo"}, 1),
        ("image.portrait", "one 512 px face, photo upscaler", Portrait, {"size": 512}, runs),
        ("image.portrait", "one 256 px face, fast upscaler", Portrait, {"upscaler": "fast"}, runs),
    ]
    if quick:  # one run of each engine's cheapest case
        cheapest = ("default steps", "×2 fast", "256 px face")
        cases = [(e, w, c, x, 1) for e, w, c, x, _ in cases if any(n in w for n in cheapest)]
    rows = []
    for engine_name, what, engine_class, extra, repeat in cases:
        engine = engine_class(config)
        params = dict(extra) if engine_class is Portrait else {"image": "a" * 32, **extra}
        validated = engine.Params(**params)
        if repeat > 1:
            engine.run(validated, Context(1, folder, image))  # warm: load the networks
        times = []
        for seed in range(repeat):
            start = time.perf_counter()
            engine.run(validated, Context(seed, folder, image))
            times.append(time.perf_counter() - start)
        rows.append((engine_name, what, statistics.median(times)))
        print(f"  {engine_name}: {what}: {statistics.median(times):.2f} s", file=sys.stderr)
    return rows


# -- report ----------------------------------------------------------------------------


def report(runs: int, quick: bool = False) -> str:
    load_before = os.getloadavg()[0]
    photos = PHOTOS[:1] if quick else PHOTOS
    print("quality…", file=sys.stderr)
    rows = quality(photos)
    print("super-resolution…", file=sys.stderr)
    sr = super_resolution(photos)
    print("speed…", file=sys.stderr)
    timings = speed(runs, quick)
    load_after = os.getloadavg()[0]
    lines = [
        f"Run on {date.today().isoformat()}: `.venv/bin/python benchmarks/restore_quality.py "
        "--write-docs`",
        "",
        f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}); "
        f"Python {platform.python_version()}, OpenCV {cv2.__version__}. 1-minute load "
        f"average at start → end: {load_before:.2f} → {load_after:.2f}.",
        "",
        f"### Repair of synthetic damage ({len(photos)} sample photos: {', '.join(photos)})",
        "",
        "Mean PSNR (dB) and SSIM against the clean original; higher is better. Rows in "
        "parentheses are references, not methods a user gets.",
        "",
        "| damage | method | PSNR | SSIM |",
        "| --- | --- | ---: | ---: |",
    ]
    lines += [f"| {d} | {m} | {p:.2f} | {s:.4f} |" for d, m, p, s in rows]
    lines += [
        "",
        "### Real-ESRGAN ×4 versus interpolation",
        "",
        "Each photo cropped to a multiple of 4, shrunk ×4 (area average), enlarged ×4; "
        "mean PSNR/SSIM against the original and mean seconds per photo (input 75×112 to "
        "128×160 px).",
        "",
        "| method | PSNR | SSIM | seconds |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [f"| {m} | {p:.2f} | {s:.4f} | {t:.2f} |" for m, p, s, t in sr]
    lines += [
        "",
        f"### Seconds per image at 512 px (median of {runs}; ×4 photo: one run)",
        "",
        "Input 512×512 (astronaut) for image.restore and image.upscale; image.portrait "
        "makes its face from nothing. Engines called directly, networks loaded first.",
        "",
        "| engine | what | seconds |",
        "| --- | --- | ---: |",
    ]
    lines += [f"| `{e}` | {w} | {t:.2f} |" for e, w, t in timings]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per engine case")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: one photo, one case per engine"
    )
    args = parser.parse_args()
    text = report(1 if args.quick else args.runs, args.quick)
    print(text)
    if args.write_docs:
        from common import DOC, write_section

        write_section(DOC, START, END, "## Image restoration quality", text)


if __name__ == "__main__":
    main()
