"""What a busy machine does to one job: the CPU and wall-clock seconds of the same engine
job on the machine as it is and beside busy processes, under each setting compared.

    .venv/bin/python benchmarks/contention.py [--engine text.write] [--params JSON]
        [--file ID=PATH ...] [--runs 2] [--busy 4] [--variant NAME=VALUE ...] [--quick]
        [--json PATH]

Each measured process is fresh: it builds the engine, runs the job once unmeasured (its
models load), then `--runs` times, timing each run with the process's CPU time (every
thread: what a worker process settles a job on, commerce/credits.py) and the clock; the
table shows the medians. A variant is an environment variable given to that process
(`GOMP_SPINCOUNT=1000`, GNU OpenMP's spinning at a barrier; `ATELIER_ENGINE_THREADS=1`);
the first row, *defaults*, has none of the variants' variables set. The busy processes
are `python -c 'while True: pass'`, started before a measured process and stopped after
it. Nothing is asserted: it prints a table (and writes `--json`). `--quick`, the smoke run
the tests make: music.compose of 4 bars, one run, one busy process. `--file` hands the
engine an input as an upload would (`--params '{"image": "<32 characters>"}' --file
<the same 32 characters>=photo.jpg`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_PARAMS = '{"form": "limerick", "topic": "a lazy cat"}'
BUSY = [sys.executable, "-c", "while True: pass"]


def child(engine_name: str, params: dict[str, Any], files: dict[str, Path], runs: int) -> None:
    """In the measured process: the engine's runs, as JSON on stdout."""
    from atelier.engines import registry
    from atelier.engines.base import Context
    from atelier.settings import Settings
    from atelier.studio.service import engine_config

    engine = registry.build(engine_config(Settings()))[engine_name]
    job = engine.Params(**params)
    measured = []
    for i in range(runs + 1):
        with tempfile.TemporaryDirectory() as scratch:
            usage, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            engine.run(job, Context(seed=7, scratch=Path(scratch), files=files))
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        if i:  # the first run loads the models
            measured.append({"cpu_s": round(cpu, 2), "wall_s": round(wall, 2)})
    print(json.dumps(measured))


def measure(
    engine: str, params: str, files: list[str], runs: int, env: dict[str, str], busy: int
) -> dict[str, Any]:
    hogs = [subprocess.Popen(BUSY) for _ in range(busy)]
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", engine, "--params", params, "--runs", str(runs)]
            + [argument for upload in files for argument in ("--file", upload)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    if done.returncode:
        raise SystemExit(f"{engine} failed:\n{done.stderr[-3000:]}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "cpu_s": statistics.median(run["cpu_s"] for run in measured),
        "wall_s": statistics.median(run["wall_s"] for run in measured),
        "runs": measured,
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default="text.write")
    parser.add_argument("--params", default=DEFAULT_PARAMS, help="the job's parameters (JSON)")
    parser.add_argument("--file", action="append", default=[], help="ID=PATH: an input")
    parser.add_argument("--runs", type=int, default=2, help="measured runs per process")
    parser.add_argument("--busy", type=int, default=4, help="busy processes beside the job")
    parser.add_argument("--variant", action="append", default=[], help="NAME=VALUE")
    parser.add_argument("--quick", action="store_true", help="a smoke run (the tests make it)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        files = {name: Path(path) for name, path in (f.split("=", 1) for f in args.file)}
        child(args.child, json.loads(args.params), files, args.runs)
        return 0
    if args.quick:
        args.engine, args.params, args.runs, args.busy = "music.compose", '{"bars": 4}', 1, 1
    variants = args.variant or ["GOMP_SPINCOUNT=1000"]
    names = {variant.split("=", 1)[0] for variant in variants}
    base = {key: value for key, value in os.environ.items() if key not in names}
    rows = []
    for variant in ["defaults", *variants]:
        env = dict(base)
        if variant != "defaults":
            name, value = variant.split("=", 1)
            env[name] = value
        quiet = measure(args.engine, args.params, args.file, args.runs, env, 0)
        busy = measure(args.engine, args.params, args.file, args.runs, env, args.busy)
        rows.append({"variant": variant, "as_it_is": quiet, "busy": busy})
    print(f"{args.engine} {args.params}, median of {args.runs} run(s) per process; CPU s / wall s")
    print()
    print(f"| setting | as the machine is | beside {args.busy} busy processes |")
    print("| --- | ---: | ---: |")
    for row in rows:
        cells = [f"{row[k]['cpu_s']:.2f} / {row[k]['wall_s']:.2f}" for k in ("as_it_is", "busy")]
        print(f"| {row['variant']} | " + " | ".join(cells) + " |")
    if args.json:
        figures = {"engine": args.engine, "params": json.loads(args.params), "rows": rows}
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
