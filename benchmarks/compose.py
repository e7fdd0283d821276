"""image.compose: how fast, and how often the picture shows what the prompt asked.

    .venv/bin/python benchmarks/compose.py [--build] [--runs N]

1. With --build: the clip-art index built from scratch into a temporary folder (what
   `atelier prepare` does once), timed.
2. Seconds per image at 512×512 and 1024×1024 (engine called directly, after one warm-up
   call that loads the index and the embedding model), with and without a style.
3. For every prompt of tests/data/compose_prompts.json (at 768×512, seed 1): the share
   whose subjects are all placed, in the right numbers, and whose spatial relations all
   hold, judged from the layout the engine records (atelier.engines.image.compose.checks).

Assets come from ATELIER_ASSETS_DIR or ./atelier-data/assets (run `atelier prepare`).
Timings are measurements, not tests: nothing fails on a slow run."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from atelier.engines.base import Context, EngineConfig
from atelier.engines.image.compose import Compose, checks, index
from atelier.engines.image.compose.engine import layout_records

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "tests" / "data" / "compose_prompts.json"
TIMED = [
    "three red foxes under a pine tree at sunset",
    "a black cat sitting on a wooden table in a kitchen",
    "a lighthouse beside the sea under a full moon",
    "two sheep beside a barn on green hills in spring",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", action="store_true", help="time a fresh index build")
    parser.add_argument("--runs", type=int, default=len(TIMED), help="images per size")
    args = parser.parse_args()
    assets = Path(os.environ.get("ATELIER_ASSETS_DIR", ROOT / "atelier-data" / "assets"))
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    if args.build:
        with tempfile.TemporaryDirectory() as folder:
            started = time.monotonic()
            count = index.build(Path(folder), print)
            print(f"index build: {count} drawings in {time.monotonic() - started:.1f} s")
    engine = Compose(EngineConfig(assets_dir=assets, threads=0))
    reason = engine.available()
    if reason:
        raise SystemExit(reason)
    scratch = Path(tempfile.mkdtemp())

    def once(prompt: str, size: int, style: str | None = None) -> float:
        params = engine.Params(prompt=prompt, width=size, height=size, style=style)
        started = time.monotonic()
        engine.run(params, Context(seed=1, scratch=scratch, files={}))
        return time.monotonic() - started

    print(f"warm-up (loads index and models): {once(TIMED[0], 512):.1f} s")
    for size in (512, 1024):
        for style in (None, "woodcut"):
            times = [once(TIMED[i % len(TIMED)], size, style) for i in range(args.runs)]
            label = f"{size}×{size}{' + style' if style else ''}"
            print(f"{label:>20}: median {statistics.median(times):.2f} s, max {max(times):.2f} s")

    cases = json.loads(PROMPTS.read_text())
    totals = {"present": 0, "counts": 0, "relations": 0}
    for case in cases:
        plan = engine.plan(case["prompt"], 768, 512, np.random.default_rng(1))
        result = checks.score(case, layout_records(plan.choices, plan.placements), 512)
        for key, ok in result.items():
            totals[key] += ok
        if not all(result.values()):
            print(f"  missed {[k for k, ok in result.items() if not ok]}: {case['prompt']}")
    for key, value in totals.items():
        print(f"{key:>10}: {value}/{len(cases)} = {value / len(cases):.0%}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
