"""Engines' estimates against measured times, on a few real runs.

    nice .venv/bin/python benchmarks/estimates.py [--runs N] [--only TEXT] [--quick]

Each case calls an engine directly the way the worker does: its budget from the params
and the measures of its inputs (a photo's size, a melody's bars and length, as the studio
records them at upload), `estimate_seconds` from that budget, then `run` timed (after
one warm-up call that loads the engine's models; median of N runs). A case whose estimate
is off by more than ±30 % of the measured time is marked and the script exits 1, so a
change to an engine's speed shows up as a rate to re-measure (engines/base.py `Rates`,
and the constants beside each engine's `estimate_seconds`). Timings depend on the
machine: run it on an otherwise idle one. An engine that is unavailable here is skipped,
saying why.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from atelier.engines import registry
from atelier.engines.base import Context, Engine, EngineConfig, Measure
from atelier.engines.music import render
from atelier.engines.music.files import check_music
from atelier.engines.music.piece import Note, Part, Piece
from atelier.settings import Settings

TOLERANCE = 0.30


def photo(width: int, height: int) -> bytes:
    """A smooth colourful picture with some texture (as tests/support/media.py's image_bytes)."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(0)
    channels = [127 + 100 * np.sin(x / 9 + y / 13 + p) for p in rng.uniform(0, 6.28, 3)]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 12, (height, width, 3))
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def melody(bars: int) -> bytes:
    """A 4/4 melody of `bars` bars of quarter notes in C major, as MIDI."""
    pitches = (60, 62, 64, 65, 67, 69, 67, 65, 64, 62, 64, 60)
    notes = tuple(Note(pitches[i % 12], Fraction(i), Fraction(1)) for i in range(4 * bars))
    piece = Piece(parts=(Part("melody", notes),), key="C major", meter="4/4", tempo=100)
    return render.to_midi(piece)


@dataclass(frozen=True)
class Case:
    engine: str
    label: str
    params: dict[str, Any]
    inputs: dict[str, Callable[[], bytes]]  # parameter → the file's bytes


def picture(width: int, height: int) -> dict[str, Callable[[], bytes]]:
    return {"image": lambda: photo(width, height)}


def tune(bars: int) -> dict[str, Callable[[], bytes]]:
    return {"melody": lambda: melody(bars)}


def cases() -> list[Case]:
    fast = {"scale": 2, "model": "fast"}
    return [
        Case("image.stylize", "320×240 photo", {"style": 3}, picture(320, 240)),
        Case("image.stylize", "800×600 photo", {"style": 3, "max_size": 800}, picture(800, 600)),
        Case("image.upscale", "×2, 128×96", fast, picture(128, 96)),
        Case("image.upscale", "×2, 320×240", fast, picture(320, 240)),
        Case("image.restore", "400×300 photo", {}, picture(400, 300)),
        Case("image.restore", "800×600 photo", {}, picture(800, 600)),
        Case("image.portrait", "1 face, 256 px", {"size": 256}, {}),
        Case("image.portrait", "4 faces, 512 px", {"size": 512, "count": 4}, {}),
        Case("music.compose", "8 bars", {"bars": 8}, {}),
        Case("music.compose", "24 bars", {"bars": 24}, {}),
        Case("music.harmonize", "4-bar melody", {"candidates": 2}, tune(4)),
        Case("music.harmonize", "16-bar melody", {"candidates": 2}, tune(16)),
    ]


def measure(data: bytes) -> Measure:
    """What the studio records of an upload (studio/uploads.py): a picture's size, or a
    score's bars and length."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return Measure(width=picture.width, height=picture.height)
    except Exception:
        return check_music(data)[1]


def timed(engine: Engine[Any], params: Any, files: dict[str, Path], scratch: Path) -> float:
    started = time.perf_counter()
    engine.run(params, Context(seed=1, scratch=scratch, files=files))
    return time.perf_counter() - started


def run_case(engine: Engine[Any], case: Case, runs: int, folder: Path) -> tuple[float, float]:
    """(estimated, measured) seconds."""
    params_in, files, inputs = dict(case.params), {}, {}
    for name, make in case.inputs.items():
        data = make()
        upload_id = f"{len(files):032x}"
        path = folder / upload_id
        path.write_bytes(data)
        params_in[name], files[upload_id], inputs[name] = upload_id, path, measure(data)
    params = engine.Params.model_validate(params_in)
    estimate = engine.estimate_seconds(params, engine.output_budget(params, inputs))
    timed(engine, params, files, folder)  # warm-up: models loaded
    measured = statistics.median(timed(engine, params, files, folder) for _ in range(runs))
    return estimate, measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: each engine's first case, once"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = 1
    settings = Settings()
    config = EngineConfig(assets_dir=settings.resolved_assets_dir, threads=settings.engine_threads)
    engines = registry.build(config)
    print(f"| engine | case | estimate (s) | measured (s) | off by | within ±{TOLERANCE:.0%} |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    failures = 0
    seen: set[str] = set()
    for case in cases():
        if args.only not in f"{case.engine} {case.label}" or (args.quick and case.engine in seen):
            continue
        seen.add(case.engine)
        engine = engines[case.engine]
        reason = engine.available()
        if reason:
            print(f"| {case.engine} | {case.label} | skipped: {reason} | | | |")
            continue
        with tempfile.TemporaryDirectory() as folder:
            estimate, measured = run_case(engine, case, args.runs, Path(folder))
        off = estimate / measured - 1
        within = abs(off) <= TOLERANCE
        failures += not within
        print(
            f"| {case.engine} | {case.label} | {estimate:.2f} | {measured:.2f} | "
            f"{off:+.0%} | {'yes' if within else '**no**'} |",
            flush=True,
        )
    return 1 if failures and not args.quick else 0  # one quick run proves nothing either way


if __name__ == "__main__":
    sys.exit(main())
