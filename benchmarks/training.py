"""Custom-model training on this machine: wall time and steps per second per medium, and
the speed-up of two data-parallel processes (torchrun, gloo) over one.

    .venv/bin/python benchmarks/training.py --small     # small sets, few steps (~3 min here)
    .venv/bin/python benchmarks/training.py --quick     # smaller still: the tests' smoke run
    nice .venv/bin/python benchmarks/training.py         # the default sizes
    .venv/bin/python benchmarks/training.py --json out.json

Each medium runs the client sets the tests use (tests/support/client_sets.py: tunes in a narrow
style, house-style pictures, a brand's copy), cleaned and versioned first:

- music: fine-tuning the melody model (batch 16, 96 tokens): steps/s, held-out NLL per
  note before and after.
- image: the house style vector (seconds per refining step; each paints the content
  photos twice) and its style distance against the nearest preset; LoRA on the tests'
  tiny random diffusion pipeline (steps/s; no real weights here, so only the mechanics).
- text: building the voice (embeddings) and scoring held-out perplexity with it.
- DDP: the same music run in one process and in two (torchrun, the same global batch):
  steps/s of each and the speed-up, and the largest weight difference between them.

Timings are measurements, not tests. The load average is printed at the start and end:
on a shared machine the figures say more about the neighbours than about the code.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import numpy as np  # noqa: E402
import torch  # noqa: E402

from atelier.datasets import items, versions  # noqa: E402
from atelier.datasets.cleaning import clean  # noqa: E402
from atelier.datasets.melodies import MelodyMedium, piece_from_json  # noqa: E402
from atelier.training import lora, melodies, run, style, voice  # noqa: E402
from tests.support import client_sets as cs  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    """How much each medium trains on and for how long."""

    melodies: int  # the client's tunes, before cleaning
    music_steps: int
    pictures: int  # house-style training pictures (4 more are held out)
    fit_steps: int  # house-style refining steps
    lora_steps: int
    texts: int  # the voice's training texts
    held_out_texts: int
    ddp_steps: int


SIZES = {
    "default": Sizes(60, 150, 16, 8, 100, 30, 6, 40),
    # The bracketed figures of docs/training.md.
    "small": Sizes(24, 30, 8, 3, 30, 8, 2, 10),
    # A smoke run (tests/support/benchmarks.py): each part runs to its figures, no more.
    "quick": Sizes(12, 4, 4, 1, 4, 4, 1, 2),
}


def timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def tune_version(folder: Path, count: int) -> tuple[versions.Version, float]:
    supplied = items.from_zip(cs.zipped(cs.melody_files(count)), "own_work")
    cleaned, seconds = timed(clean, MelodyMedium(), supplied)
    version = versions.build("client tunes", cleaned, valid_percent=20)
    versions.save(version, cleaned, folder)
    return version, seconds


def music(folder: Path, sizes: Sizes) -> dict[str, Any]:
    version, cleaning = tune_version(folder, sizes.melodies)
    train = [piece_from_json(versions.read_item(folder, i)) for i in version.split("train")]
    valid = [piece_from_json(versions.read_item(folder, i)) for i in version.split("valid")]
    steps = sizes.music_steps
    config = melodies.MelodyTuning(steps=steps, batch=16, seq=96, eval_every=steps)
    (_, metrics), wall = timed(melodies.finetune, train, valid, config)
    return {
        "melodies": len(version.items),
        "cleaning_seconds": round(cleaning, 1),
        "steps": steps,
        "train_seconds": metrics["seconds"],
        "steps_per_second": round(steps / metrics["seconds"], 2),
        "wall_seconds": round(wall, 1),
        "nll_per_note_before": round(metrics["validation_before"]["nll_per_note"], 3),
        "nll_per_note_after": round(metrics["validation_after"]["nll_per_note"], 3),
    }


def image(folder: Path, sizes: Sizes) -> dict[str, Any]:
    from tests.support.diffusion import build_tiny_pipeline

    train = [cs.encoded(cs.house_picture(i)) for i in range(sizes.pictures)]
    held_out = [cs.encoded(cs.house_picture(100 + i)) for i in range(4)]
    networks = style.Networks(threads=1)
    fit_steps = sizes.fit_steps
    (vector, _), fit_wall = timed(
        style.fit, train, held_out, style.StyleFit(steps=fit_steps), networks
    )
    figures = style.compare(vector, train, held_out, networks)
    build_tiny_pipeline(folder / "tiny-sd")
    pairs = [(d, "") for d in train]
    lora_steps = sizes.lora_steps
    config = lora.LoraTuning(
        steps=lora_steps, lr=2e-2, rank=8, eval_every=lora_steps, caption="house style"
    )
    metrics = lora.finetune(
        folder / "tiny-sd", pairs, [(d, "") for d in held_out], config, folder / "lora"
    )
    return {
        "style_fit_steps": fit_steps,
        "style_seconds_per_step": round(fit_wall / (fit_steps + 1), 2),
        "style_distance": figures,
        "lora_steps": lora_steps,
        "lora_steps_per_second_tiny_pipeline": round(lora_steps / metrics["seconds"], 2),
        "lora_held_out_before": round(metrics["validation_before"], 4),
        "lora_held_out_after": round(metrics["validation_after"], 4),
    }


def text(sizes: Sizes) -> dict[str, Any]:
    from atelier.engines.text.examples import WRITE
    from atelier.engines.text.runtime import PACKAGED_GGUF

    train = [cs.brand_text(i) for i in range(sizes.texts)]
    held_out = [cs.brand_text(100 + i) for i in range(sizes.held_out_texts)]
    built, build_seconds = timed(voice.Voice.build, train)
    scorer = voice.Scorer(ROOT / "atelier-data" / "assets" / PACKAGED_GGUF)
    elsewhere = [p.text for p in WRITE["product_description"]]
    figures, score_seconds = timed(voice.evaluate, built, held_out, scorer, elsewhere)
    return {
        "build_seconds": round(build_seconds, 1),
        "score_seconds": round(score_seconds, 1),
        **figures,
    }


def ddp(folder: Path, sizes: Sizes) -> dict[str, Any]:
    version, _ = tune_version(folder, min(sizes.melodies, 24))
    steps = sizes.ddp_steps
    config = {
        "steps": steps,
        "batch": 16,
        "seq": 96,
        "dropout": 0.0,
        "eval_every": steps,
        "checkpoint_every": steps,
    }
    spec = {
        "kind": "music",
        "name": "bench",
        "dataset": str(folder),
        "version": version.id,
        "config": config,
    }
    one = run.run({**spec, "out": str(folder / "one")})
    spec_path = folder / "spec.json"
    spec_path.write_text(json.dumps({**spec, "out": str(folder / "two"), "distributed": True}))
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    launcher = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
    ]
    subprocess.run([*launcher, "-m", "atelier.training.run", str(spec_path)], env=env, check=True)
    two = json.loads((folder / "two" / "metrics.json").read_text())
    a = torch.load(folder / "one" / "checkpoint.pt", weights_only=False)["model"]
    b = torch.load(folder / "two" / "checkpoint.pt", weights_only=False)["model"]
    difference = max(float((a[k] - b[k]).abs().max()) for k in a)
    return {
        "steps": steps,
        "global_batch": 16,
        "one_process_steps_per_second": round(steps / one["seconds"], 2),
        "two_processes_steps_per_second": round(steps / two["seconds"], 2),
        "speed_up": round(one["seconds"] / two["seconds"], 2),
        "largest_weight_difference": difference,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    chosen_size = parser.add_mutually_exclusive_group()
    chosen_size.add_argument("--small", action="store_true", help="small sets, few steps")
    chosen_size.add_argument("--quick", action="store_true", help="a smoke run: smaller still")
    parser.add_argument("--only", choices=["music", "image", "text", "ddp"], action="append")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    size = "quick" if args.quick else "small" if args.small else "default"
    sizes = SIZES[size]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    report: dict[str, Any] = {
        "sizes": size,
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
    }
    chosen = args.only or ["music", "image", "text", "ddp"]
    with tempfile.TemporaryDirectory() as scratch:
        for name in chosen:
            folder = Path(scratch) / name
            folder.mkdir()
            started = time.perf_counter()
            if name == "music":
                report[name] = music(folder, sizes)
            elif name == "image":
                report[name] = image(folder, sizes)
            elif name == "text":
                report[name] = text(sizes)
            else:
                report[name] = ddp(folder, sizes)
            report[name]["medium_wall_seconds"] = round(time.perf_counter() - started, 1)
            print(name, json.dumps(report[name], indent=1), flush=True)
    report["load_average_end"] = round(os.getloadavg()[0], 2)
    print(f"load average at end: {report['load_average_end']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
