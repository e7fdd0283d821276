"""Engines' estimates against measured times and settled costs, on a few real runs.

    nice .venv/bin/python benchmarks/estimates.py [--runs N] [--only TEXT] [--quick]

Each case calls an engine directly the way the worker does: its budget from the params
and the measures of its inputs (a photo's size, a recording's length, a melody's bars, as
the studio records them at upload), `estimate_seconds` from that budget, then `run` timed
(after one warm-up call that loads the engine's models; median of N runs). Beside the
seconds it prints the credits: those submit would reserve (the estimate, rounded up) and
those finish would settle (the measured time × the engine's rate, rounded up, at least 1:
commerce/credits.py). A case whose reserved credits are off by more than ±30 % of the
settled ones is marked and the script exits 1, so a change to an engine's speed shows up
as a rate to re-measure (engines/base.py `Rates`, and the constants beside each engine's
`estimate_seconds`). Timings depend on the machine: run it on an otherwise idle one. An
engine that is unavailable here is skipped, saying why.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from atelier.commerce.credits import job_cost, reservation
from atelier.engines import registry
from atelier.engines.base import Context, Engine, EngineConfig, Measure
from atelier.engines.music import render
from atelier.engines.music.files import check_audio, check_music, upload_kind
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


def hummed(seconds: float) -> dict[str, Callable[[], bytes]]:
    """A recording: a sung-like tune of half-second notes, as a 16 kHz WAV."""

    def wav() -> bytes:
        rate = 16_000
        t = np.arange(int(seconds * rate)) / rate
        pitches = 220.0 * 2 ** (np.array([0, 2, 4, 5, 7, 5, 4, 2]) / 12)
        f = pitches[(t * 2).astype(int) % len(pitches)]
        samples = (0.4 * np.sin(2 * np.pi * np.cumsum(f) / rate) * 32767).astype(np.int16)
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples.tobytes())
        return buffer.getvalue()

    return {"audio": wav}


PASSAGE = (
    "The old harbour wakes before the town. Fishing boats come in with the tide, gulls "
    "circle the masts, and the market stalls open one by one along the quay. By noon the "
    "catch is sold, the nets are drying, and the boats rest until the evening tide."
)


def cases() -> list[Case]:
    fast = {"scale": 2, "model": "fast"}
    return [
        Case("image.stylize", "320×240 photo", {"style": 3}, picture(320, 240)),
        Case("image.stylize", "800×600 photo", {"style": 3, "max_size": 800}, picture(800, 600)),
        Case("image.upscale", "×2, 128×96", fast, picture(128, 96)),
        Case("image.upscale", "×2, 320×240", fast, picture(320, 240)),
        Case("image.upscale", "photo ×2, 64×64", {"scale": 2}, picture(64, 64)),
        Case("image.upscale", "photo ×4, 128×96", {"scale": 4}, picture(128, 96)),
        Case("image.restore", "400×300 photo", {}, picture(400, 300)),
        Case("image.restore", "800×600 photo", {}, picture(800, 600)),
        Case("image.portrait", "1 face, 256 px", {"size": 256, "variants": 1}, {}),
        Case("image.portrait", "4 variants, 512 px", {"size": 512}, {}),
        Case("music.compose", "8 bars", {"bars": 8}, {}),
        Case("music.compose", "24 bars", {"bars": 24}, {}),
        Case("music.harmonize", "4-bar melody", {"candidates": 2}, tune(4)),
        Case("music.harmonize", "16-bar melody", {"candidates": 2}, tune(16)),
        Case(
            "image.compose",
            "512×512",
            {"prompt": "a red apple on a table", "width": 512, "height": 512, "variants": 1},
            {},
        ),
        Case(
            "image.compose",
            "4 variants, 512×512",
            {"prompt": "a red apple on a table", "width": 512, "height": 512},
            {},
        ),
        Case("music.transcribe", "10 s recording", {}, hummed(10)),
        Case("music.transcribe", "40 s recording", {}, hummed(40)),
        Case("music.continue", "4 more bars of 4", {"bars": 4}, tune(4)),
        Case("music.continue", "16 more bars of 8", {"bars": 16}, tune(8)),
        Case("music.restyle", "8-bar melody", {"style": "irish"}, tune(8)),
        Case("music.restyle", "24-bar melody", {"style": "irish"}, tune(24)),
        Case("text.write", "slogan", {"form": "slogan", "topic": "a harbour cafe"}, {}),
        Case("text.write", "haiku", {"form": "haiku", "topic": "autumn rain"}, {}),
        Case("text.summarize", "one line", {"text": PASSAGE, "length": "one_line"}, {}),
        Case("text.restyle", "formal", {"text": PASSAGE, "style": "formal"}, {}),
    ]


def measure(data: bytes) -> Measure:
    """What the studio records of an upload (studio/uploads.py): a picture's size, a
    recording's length, or a score's bars and length."""
    kind = upload_kind("", data)
    if kind == "music":
        return check_music(data)[1]
    if kind == "audio":
        return check_audio(data)[1]
    with Image.open(io.BytesIO(data)) as picture:
        return Measure(width=picture.width, height=picture.height)


def timed(engine: Engine[Any], params: Any, files: dict[str, Path], scratch: Path) -> float:
    started = time.perf_counter()
    engine.run(params, Context(seed=1, scratch=scratch, files=files))
    return time.perf_counter() - started


def run_case(engine: Engine[Any], case: Case, runs: int, folder: Path) -> tuple[float, int, float]:
    """Estimated seconds, the credits submit would reserve, measured seconds."""
    params_in, files, inputs = dict(case.params), {}, {}
    for name, make in case.inputs.items():
        data = make()
        upload_id = f"{len(files):032x}"
        path = folder / upload_id
        path.write_bytes(data)
        params_in[name], files[upload_id], inputs[name] = upload_id, path, measure(data)
    params = engine.Params.model_validate(params_in)
    budget = engine.output_budget(params, inputs)
    estimate = engine.estimate_seconds(params, budget)
    reserved = reservation(engine.estimate_cost(params, budget))
    timed(engine, params, files, folder)  # warm-up: models loaded
    measured = statistics.median(timed(engine, params, files, folder) for _ in range(runs))
    return estimate, reserved, measured


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
    print(
        "| engine | case | estimate (s) | measured (s) | off by | reserved (credits) "
        f"| settled (credits) | off by | within ±{TOLERANCE:.0%} |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    failures = 0
    seen: set[str] = set()
    for case in cases():
        if args.only not in f"{case.engine} {case.label}" or (args.quick and case.engine in seen):
            continue
        seen.add(case.engine)
        engine = engines[case.engine]
        reason = engine.available()
        if reason:
            print(f"| {case.engine} | {case.label} | skipped: {reason} | | | | | | |")
            continue
        with tempfile.TemporaryDirectory() as folder:
            estimate, reserved, measured = run_case(engine, case, args.runs, Path(folder))
        settled = job_cost(measured, engine.credits_per_second)
        off = reserved / settled - 1
        within = abs(off) <= TOLERANCE
        failures += not within
        print(
            f"| {case.engine} | {case.label} | {estimate:.2f} | {measured:.2f} | "
            f"{estimate / measured - 1:+.0%} | {reserved} | {settled} | {off:+.0%} | "
            f"{'yes' if within else '**no**'} |",
            flush=True,
        )
    return 1 if failures and not args.quick else 0  # one quick run proves nothing either way


if __name__ == "__main__":
    sys.exit(main())
