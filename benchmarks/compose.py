"""image.compose: how fast, and how often the picture shows what the prompt asked.

    .venv/bin/python benchmarks/compose.py speed [--build] [--runs N] [--quick]
    .venv/bin/python benchmarks/compose.py cost [--parts tune test] [--quick] [--json F]
    .venv/bin/python benchmarks/compose.py render --part test --seeds 1 2 --out DIR
    .venv/bin/python benchmarks/compose.py score --part test --verdicts FILE
    .venv/bin/python benchmarks/compose.py layout

- `speed`: with --build, the clip-art index built from scratch into a temporary folder
  (what `atelier prepare` does once), timed; then seconds per image at 512×512 and
  1024×1024 (engine called directly, after one warm-up call), with and without a style.
- `cost`: every prompt of the parts at 768×512 and 1024², one picture each, run once
  unmeasured (its drawings read, as a busy studio has them) and once measured: the CPU
  seconds it took beside the engine's own estimate (its rates, no machine factor), and
  the share within ±30 % (what issue 18 asks of estimates), indoors and out.
- `render`: every prompt of the blind set's part (tests/data/compose_eval/, see its
  README) at 768×512 for each seed: DIR/ID-sSEED.png, DIR/ID-sSEED.json (what the work
  records, or why the prompt was refused) and contact sheets DIR/sheet-NN.png with each
  run's id and the drawings chosen, for judging by eye. The verdicts go into
  tests/data/compose_eval/verdicts-LABEL.jsonl.
- `score`: the share of judged runs that are right (every subject the right kind, counts
  right, relations right), with attributes and styles beside it.
- `layout`: the older labelled prompt set (tests/data/compose_prompts.json) judged from
  the recorded layout alone (atelier.engines.image.compose.checks), at 768×512, seed 1.

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
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from pydantic import ValidationError

from atelier.engines.base import Context, EngineConfig, EngineError
from atelier.engines.image.compose import Compose, checks, index
from atelier.engines.image.compose.engine import layout_records

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "tests" / "data" / "compose_prompts.json"
BLIND = ROOT / "tests" / "data" / "compose_eval"
TIMED = [
    "three red foxes under a pine tree at sunset",
    "a black cat sitting on a wooden table in a kitchen",
    "a lighthouse beside the sea under a full moon",
    "two sheep beside a barn on green hills in spring",
]
PARTS = ("test", "tune", "test2", "test3", "test4", "test5", "test6")
TILE = (480, 320)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def load_part(part: str) -> list[dict[str, Any]]:
    lines = (BLIND / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def engine_here() -> Compose:
    assets = Path(os.environ.get("ATELIER_ASSETS_DIR", ROOT / "atelier-data" / "assets"))
    engine = Compose(EngineConfig(assets_dir=assets, threads=0))
    reason = engine.available()
    if reason:
        raise SystemExit(reason)
    return engine


def speed(build: bool, runs: int, sizes: tuple[int, ...] = (512, 1024)) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    if build:
        with tempfile.TemporaryDirectory() as folder:
            started = time.monotonic()
            count = index.build(Path(folder), print)
            print(f"index build: {count} drawings in {time.monotonic() - started:.1f} s")
    engine = engine_here()
    scratch = Path(tempfile.mkdtemp())

    def once(prompt: str, size: int, style: str | None = None) -> float:
        params = engine.Params(prompt=prompt, width=size, height=size, style=style, variants=1)
        started = time.monotonic()
        engine.run(params, Context(seed=1, scratch=scratch, files={}))
        return time.monotonic() - started

    print(f"warm-up (loads index and models): {once(TIMED[0], 512):.1f} s")
    for size in sizes:
        for style in (None, "woodcut"):
            times = [once(TIMED[i % len(TIMED)], size, style) for i in range(runs)]
            label = f"{size}×{size}{' + style' if style else ''}"
            print(f"{label:>20}: median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


def cost(parts: list[str], quick: bool, out: Path | None) -> None:
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)")
    engine = engine_here()
    scratch = Path(tempfile.mkdtemp())
    prompts = [case["prompt"] for part in parts for case in load_part(part)]
    rows = []
    for prompt in prompts[:3] if quick else prompts:
        for width, height in ((768, 512), (1024, 1024)):
            params = engine.Params(prompt=prompt, width=width, height=height, variants=1)
            try:
                engine.run(params, Context(seed=7, scratch=scratch, files={}))
            except EngineError:
                break  # a prompt the library has no drawing for: refused, not priced
            started = time.process_time()
            engine.run(params, Context(seed=1, scratch=scratch, files={}))
            taken = time.process_time() - started
            budget = engine.output_budget(params, {})
            estimate = engine.estimate_seconds(params, budget)
            rows.append({"prompt": prompt, "width": width, "height": height, "cpu_s": taken,
                         "estimate_s": estimate, "ratio": estimate / taken})  # fmt: skip
    ratios = [row["ratio"] for row in rows]
    within = sum(0.7 <= r <= 1.3 for r in ratios)
    print(f"{len(rows)} pictures: {within} estimated within ±30 % ({within / len(rows):.0%}),")
    print(f"estimated ÷ taken: median {statistics.median(ratios):.2f}, "
          f"{min(ratios):.2f} to {max(ratios):.2f}")  # fmt: skip
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if out is not None:
        out.write_text(json.dumps(rows, indent=1))


def render(part: str, seeds: list[int], out: Path, only: list[str]) -> None:
    engine = engine_here()
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp())
    tiles: list[Image.Image] = []
    for case in load_part(part):
        if only and case["id"] not in only:
            continue
        for seed in seeds:
            name = f"{case['id']}-s{seed}"
            record: dict[str, Any] = {"id": case["id"], "seed": seed, "prompt": case["prompt"]}
            picture: Image.Image | None = None
            try:
                params = engine.Params(prompt=case["prompt"], width=768, height=512, variants=1)
                [creation] = engine.run(params, Context(seed=seed, scratch=scratch, files={}))
                record["meta"] = creation.meta
                (out / f"{name}.png").write_bytes(creation.files[0].data)
                picture = Image.open(out / f"{name}.png").convert("RGB")
            except ValidationError as exc:
                record["refused"] = "; ".join(e["msg"] for e in exc.errors())
            except EngineError as exc:
                record["refused"] = str(exc)
            (out / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
            tiles.append(_tile(case, record, picture))
            print(name, record.get("refused") or _drawings(record))
    for n in range(0, len(tiles), 12):
        sheet = Image.new("RGB", (TILE[0] * 3, (TILE[1] + 76) * 4), "white")
        for k, tile in enumerate(tiles[n : n + 12]):
            sheet.paste(tile, ((k % 3) * TILE[0], (k // 3) * (TILE[1] + 76)))
        sheet.save(out / f"sheet-{n // 12:02d}.png")


def _drawings(record: dict[str, Any]) -> str:
    subjects = record["meta"]["subjects"]
    return "; ".join(
        f"{s['noun']}×{s['count']}={Path(s['file']).stem[:22] if s['file'] else 'painted'}"
        for s in subjects
    )


def _tile(case: dict[str, Any], record: dict[str, Any], picture: Image.Image | None) -> Image.Image:
    """One run for the contact sheet: the prompt, what it asks for, the drawings chosen."""
    top = 76
    tile = Image.new("RGB", (TILE[0], TILE[1] + top), "white")
    if picture is not None:
        tile.paste(picture.resize(TILE, Image.Resampling.LANCZOS), (0, top))
    draw = ImageDraw.Draw(tile)
    font = ImageFont.truetype(FONT, 12)
    prompt = case["prompt"] if case["lang"] == "en" else "[zh]"
    wanted = ", ".join(f"{s['kind']}×{s['count']}" for s in case["subjects"])
    wanted += "".join(f"; {a} {r} {b}" for a, r, b in case["relations"])
    detail = record.get("refused") or _drawings(record)
    lines = [
        (f"{record['id']} s{record['seed']}: {prompt}"[:75], "black"),
        (f"want: {wanted}"[:75], "navy"),
        (detail[:75], "darkred"),
        (detail[75:150], "darkred"),
        (detail[150:225], "darkred"),
    ]
    for n, (text, colour) in enumerate(lines):
        draw.text((4, 2 + 14.5 * n), text, fill=colour, font=font)
    return tile


def score(part: str, verdicts: Path) -> None:
    cases = {case["id"]: case for case in load_part(part)}
    runs = [json.loads(line) for line in verdicts.read_text().splitlines() if line.strip()]
    runs = [run for run in runs if run["id"] in cases]
    right = [run for run in runs if run["kinds"] and run["counts"] and run["relations"]]
    print(f"{part} part, {len(runs)} runs of {len(cases)} prompts ({verdicts.name})")
    print(
        f"  right (kinds, counts and relations): {len(right)}/{len(runs)} = "
        f"{len(right) / max(len(runs), 1):.1%}"
    )
    for key in ("kinds", "counts", "relations", "attributes", "style"):
        judged = [run[key] for run in runs if run.get(key) is not None]
        print(f"  {key:>10}: {sum(judged)}/{len(judged)}")
    for lang in ("en", "zh"):
        mine = [run for run in runs if cases[run["id"]]["lang"] == lang]
        ok = [run for run in mine if run["kinds"] and run["counts"] and run["relations"]]
        print(f"  {lang}: {len(ok)}/{len(mine)}")


def layout() -> None:
    engine = engine_here()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    timing = commands.add_parser("speed", help="seconds per image")
    timing.add_argument("--build", action="store_true", help="time a fresh index build")
    timing.add_argument("--runs", type=int, default=len(TIMED), help="images per size")
    timing.add_argument("--quick", action="store_true", help="a smoke run: one image at 512")
    costing = commands.add_parser("cost", help="CPU seconds a picture against its estimate")
    costing.add_argument("--parts", nargs="+", default=["tune", "test"])
    costing.add_argument("--quick", action="store_true", help="three prompts")
    costing.add_argument("--json", type=Path, default=None, help="also write the rows here")
    drawing = commands.add_parser("render", help="the blind set's pictures and contact sheets")
    drawing.add_argument("--part", choices=PARTS, default="test")
    drawing.add_argument("--seeds", type=int, nargs="+", default=[1])
    drawing.add_argument("--out", type=Path, required=True)
    drawing.add_argument("--only", nargs="*", default=[], help="these ids only")
    judging = commands.add_parser("score", help="figures from a verdicts file")
    judging.add_argument("--part", choices=PARTS, default="test")
    judging.add_argument("--verdicts", type=Path, required=True)
    commands.add_parser("layout", help="the older prompt set, judged from the layout")
    args = parser.parse_args()
    if args.command == "speed":
        runs, sizes = (1, (512,)) if args.quick else (args.runs, (512, 1024))
        speed(args.build, runs, sizes)
    elif args.command == "cost":
        cost(args.parts, args.quick, args.json)
    elif args.command == "render":
        render(args.part, args.seeds, args.out, args.only)
    elif args.command == "score":
        score(args.part, args.verdicts)
    else:
        layout()


if __name__ == "__main__":
    main()
