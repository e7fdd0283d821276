"""The music engines and their files: seconds per creation, called directly and through
the studio, and what rendering costs.

    .venv/bin/python benchmarks/music.py [--runs N] [--quick] [--write-docs] [--json PATH]

1. Per engine, the engine called directly (`engine.run` on a stored file, as a worker
   would) against the whole studio path in this process: `studio.jobs.submit` → an in-process
   `WorkerPool` thread claims the job → engine → `studio.jobs.finish` (output screen, C2PA
   manifests, log entries, artifacts, waveform thumbnail) returned, on a fresh SQLite data
   folder, as benchmarks/spine.py does. Cases: music.compose (a 16-bar Irish melody),
   music.harmonize (the soprano of Bach's BWV 66.6, 9 bars), music.transcribe (one minute
   of a synthetic hum, tempo given; 10 s with `--quick`). An engine that is not registered
   is skipped, saying so.
2. Rendering, for the 16-bar melody and the four-part chorale: MIDI and MusicXML (music21),
   the SVG score (verovio) and the WAV (the fluidsynth command line, FluidR3_GM).

One warm-up call each first (loads models; not with `--quick`, whose one run is all it
proves); direct and studio runs alternate; medians of N runs. Timings are measurements,
not tests: nothing fails on a slow run. `--write-docs` puts the tables into
docs/benchmarks.md between the `music-engines` markers (the prose around them is kept).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import queue
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from music21 import corpus

from atelier.engines.base import Context, Engine
from atelier.engines.music import render
from atelier.engines.music.piece import Note, Part, Piece, from_music21
from atelier.settings import Settings
from atelier.studio.runner import WorkerPool

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_account, bench_settings, watched_studio, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Music engines: seconds per creation, through the studio and direct"
START, END = "<!-- music-engines:start -->", "<!-- music-engines:end -->"
JOB_TIMEOUT = 900.0
HUM_SECONDS = 60
QUICK_HUM_SECONDS = 10  # `--quick`: the smoke run's hum
HUM_TEMPO = 96


def hum(seconds: float, tempo: int = HUM_TEMPO, rate: int = 22050) -> np.ndarray:
    """A hummed-like take of a stepwise tune (as tests/test_transcribe.py makes them)."""
    rng = np.random.default_rng(0)
    scale = [67, 69, 71, 72, 74, 72, 71, 69]
    takes, total, index = [], 0.0, 0
    while total < seconds:
        length = int(60 / tempo * rate)
        t = np.arange(length) / rate
        hz = 440 * 2 ** ((scale[index % len(scale)] - 69) / 12) * (1 + 0.006 * np.sin(35 * t))
        phase = 2 * np.pi * np.cumsum(hz) / rate
        envelope = np.clip(np.minimum(t / 0.04, (length / rate - t) / 0.08), 0, 1)
        takes.append(0.25 * (np.sin(phase) + 0.5 * np.sin(2 * phase)) * envelope)
        total += length / rate
        index += 1
    voice = np.concatenate(takes)
    return (voice + 0.02 * rng.standard_normal(len(voice))).astype(np.float32)


def inputs(folder: Path, hum_seconds: float) -> dict[str, Path]:
    """The files the cases read: a chorale melody as MusicXML and a hum."""
    chorale = from_music21(corpus.parse("bach/bwv66.6"))
    soprano = Piece((chorale.parts[0],), chorale.key, chorale.meter, chorale.tempo, chorale.pickup)
    melody = folder / "chorale-soprano.musicxml"
    melody.write_bytes(render.to_musicxml(soprano))
    recording = folder / "hum.wav"
    buffer = io.BytesIO()
    soundfile.write(buffer, hum(hum_seconds), 22050, format="WAV")
    recording.write_bytes(buffer.getvalue())
    return {"melody": melody, "audio": recording}


CASES: list[dict[str, Any]] = [
    {
        "engine": "music.compose",
        "what": "16-bar melody (irish, D major, 4/4)",
        "params": {"style": "irish", "bars": 16},
        "uploads": {},
    },
    {
        "engine": "music.harmonize",
        "what": "chorale: BWV 66.6 soprano, 9 bars → SATB",
        "params": {},
        "uploads": {"melody": "melody"},
    },
    {
        "engine": "music.transcribe",
        "what": "{hum} s hum, tempo given",  # the hum's length filled in (what())
        "params": {"tempo": HUM_TEMPO},
        "uploads": {"audio": "audio"},
    },
]


def timed(call: Callable[[], object], runs: int, warm: bool = True) -> list[float]:
    if warm:
        call()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def run_direct(engine: Engine, params: Any, files: dict[str, Path], scratch: Path) -> object:
    """The engine as a worker calls it, without the studio around it."""
    return engine.run(params, Context(seed=1, scratch=scratch, files=files, threads=0))


def what(case: dict[str, Any], hum_seconds: float) -> str:
    return str(case["what"]).format(hum=f"{hum_seconds:g}")


def engines_cases(
    scratch: Path, files: dict[str, Path], runs: int, hum_seconds: float, warm: bool
) -> dict[str, Any]:
    settings = bench_settings(
        scratch / "studio", None, engine_threads=0, assets_dir=Settings().resolved_assets_dir
    )
    studio, stored = watched_studio(settings)
    studio.prepare()
    who = bench_account(studio)
    uploads = {
        name: studio.uploads.add(who, path.name, path.read_bytes()).id
        for name, path in files.items()
    }
    engines: dict[str, Engine] = {e.name: e for e in studio.engines.all()}
    pool = WorkerPool(studio, 1).start()
    results: dict[str, Any] = {}
    try:
        for case in CASES:
            name = case["engine"]
            engine = engines.get(name)
            if engine is None or engine.available() is not None:
                why = "not registered" if engine is None else engine.available()
                print(f"{name}: skipped ({why})", flush=True)
                results[name] = {"skipped": why}
                continue
            params = {**case["params"], **{p: uploads[f] for p, f in case["uploads"].items()}}
            paths = {uploads[f]: files[f] for f in case["uploads"].values()}
            checked = engine.Params.model_validate(params)

            def through(name: str = name, params: dict[str, Any] = params) -> float:
                started = time.perf_counter()
                job, _ = studio.jobs.submit(who, name, params, seed=1)
                while True:
                    try:
                        job_id, ended = stored.get(timeout=1.0)
                    except queue.Empty:
                        row = studio.jobs.get(who, job.id)
                        if row.status in ("failed", "canceled"):
                            raise RuntimeError(f"{name}: job {row.status}: {row.error}") from None
                        if time.perf_counter() - started > JOB_TIMEOUT:
                            raise TimeoutError(f"{name}: not done in {JOB_TIMEOUT} s") from None
                        continue
                    if job_id == job.id:
                        return ended - started

            direct = partial(run_direct, engine, checked, paths, scratch)
            if warm:  # models loaded on both paths
                direct()
                through()
            direct_s, studio_s = [], []
            for _ in range(runs):  # interleaved, so that drift in load hits both alike
                direct_s.append(timed(direct, 1, warm=False)[0])
                studio_s.append(through())
            results[name] = {
                "what": what(case, hum_seconds),
                "direct": direct_s,
                "studio": studio_s,
            }
            print(
                f"{name}: {statistics.median(direct_s):.2f} s direct, "
                f"{statistics.median(studio_s):.2f} s through the studio",
                flush=True,
            )
    finally:
        pool.stop()
        studio.close()
    return results


def rendering(runs: int, warm: bool) -> dict[str, Any]:
    chorale = from_music21(corpus.parse("bach/bwv66.6"))
    steps = [62, 64, 66, 67, 69, 71, 69, 67, 66, 64, 62, 66, 69, 74, 73, 71]
    tune = Piece(
        parts=(
            Part(
                "melody",
                tuple(Note(steps[i % 16], Fraction(i), Fraction(1)) for i in range(64)),
                73,
            ),
        ),
        key="D major",
        meter="4/4",
        tempo=100,
    )
    out: dict[str, Any] = {}
    for label, piece in (("16-bar melody", tune), ("4-part chorale, 9 bars", chorale)):
        musicxml = render.to_musicxml(piece)
        midi = render.to_midi(piece)
        out[label] = {
            "midi": timed(partial(render.to_midi, piece), runs, warm),
            "musicxml": timed(partial(render.to_musicxml, piece), runs, warm),
            "svg": timed(partial(render.to_svg, musicxml), runs, warm),
            "wav": timed(partial(render.to_wav, piece, midi), runs, warm),
            "seconds_of_music": render.seconds(piece),
        }
        print(f"rendering {label}: done", flush=True)
    return out


def med(values: list[float]) -> float:
    return statistics.median(values)


def markdown(results: dict[str, Any], command: str, load: list[float]) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    lines = [
        f"Measured with `{command}` on {cpu}, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.2f} before and {load[1]:.2f} after; medians of {results['runs']} runs "
        + ("after one warm-up." if results["warm_up"] else "(no warm-up: models load in them)."),
        "",
        "### Seconds per creation",
        "",
        "| engine | case | direct (s) | through the studio (s) | studio ÷ direct |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for case in CASES:
        row = results["engines"].get(case["engine"], {})
        if "skipped" in row:
            label = what(case, results["hum_seconds"])
            lines.append(f"| `{case['engine']}` | {label} | — | — | {row['skipped']} |")
            continue
        direct, studio = med(row["direct"]), med(row["studio"])
        lines.append(
            f"| `{case['engine']}` | {row['what']} | {direct:.2f} | {studio:.2f} | "
            f"{studio / direct:.2f} |"
        )
    transcribe = results["engines"].get("music.transcribe", {})
    if "direct" in transcribe:
        per_minute = med(transcribe["direct"]) * 60 / results["hum_seconds"]
        lines += ["", f"music.transcribe: {per_minute:.1f} s per minute of audio (direct)."]
    lines += [
        "",
        "### Rendering a creation's files (seconds)",
        "",
        "| piece | plays (s) | MIDI | MusicXML (music21) | SVG score (verovio) "
        "| WAV (FluidSynth) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row in results["rendering"].items():
        lines.append(
            f"| {label} | {row['seconds_of_music']:.1f} | {med(row['midi']):.2f} | "
            f"{med(row['musicxml']):.2f} | {med(row['svg']):.2f} | {med(row['wav']):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per case (default 3)")
    parser.add_argument(
        "--write-docs", action="store_true", help=f"put the tables into {DOC.relative_to(ROOT)}"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: one run per case, no warm-up, a 10 s hum"
    )
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="atelier-bench-music-") as folder:
        scratch = Path(folder)
        hum_seconds = QUICK_HUM_SECONDS if args.quick else HUM_SECONDS
        files = inputs(scratch, hum_seconds)
        warm = not args.quick
        results: dict[str, Any] = {
            "runs": args.runs,
            "warm_up": warm,
            "hum_seconds": hum_seconds,
            "engines": engines_cases(scratch, files, args.runs, hum_seconds, warm),
            "rendering": rendering(args.runs, warm),
        }
    load.append(os.getloadavg()[0])
    command = " ".join([".venv/bin/python benchmarks/music.py", *sys.argv[1:]])
    text = markdown(results, command, load)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if args.write_docs:
        write_section(DOC, START, END, HEADING, text)
        print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
