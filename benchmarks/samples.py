"""How long the galleries' samples take to render: every style's swatch on the reference
picture and every instrument's and music style's sound, as `atelier prepare` (or the
first requests) makes them, into a fresh data folder.

    .venv/bin/python benchmarks/samples.py [--quick] [--json PATH]

One process, one sample after another, as set-up runs them; the first of each kind pays
for loading its network or model (reported apart). `--quick` renders a few of each kind.
Nothing here asserts: it measures and prints a Markdown table."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # our benchmarks first
from atelier.engines import galleries  # noqa: E402
from atelier.studio import Studio  # noqa: E402
from benchmarks.common import bench_settings  # noqa: E402

QUICK = ("reference", "preset-0", "preset-7", "finish-etching", "instrument-flute")
QUICK += ("music-style-irish",)


def kind(name: str) -> str:
    return "music-style" if name.startswith("music-style-") else name.split("-")[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few samples of each kind")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="atelier-samples-") as folder:
        studio = Studio(bench_settings(Path(folder), None))
        names = list(QUICK) if args.quick else galleries.samples()
        timings: dict[str, list[float]] = {}
        sizes: dict[str, list[int]] = {}
        started = time.monotonic()
        for name in names:
            began = time.monotonic()
            path, _ = studio.choices.sample(name)
            timings.setdefault(kind(name), []).append(time.monotonic() - began)
            sizes.setdefault(kind(name), []).append(path.stat().st_size)
        total = time.monotonic() - started
        studio.close()
    print(f"\n{len(names)} samples in {total:.1f} s\n")
    print("| kind | samples | total s | first s (loads) | median of the rest s | median size |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    rows = []
    for what, seconds in timings.items():
        rest = statistics.median(seconds[1:]) if len(seconds) > 1 else None
        size = statistics.median(sizes[what])
        rows.append({"kind": what, "count": len(seconds), "total_s": round(sum(seconds), 2),
                     "first_s": round(seconds[0], 2), "rest_median_s": rest and round(rest, 3),
                     "median_bytes": int(size)})  # fmt: skip
        print(
            f"| {what} | {len(seconds)} | {sum(seconds):.1f} | {seconds[0]:.2f} | "
            f"{'–' if rest is None else f'{rest:.3f}'} | {size / 1024:.0f} KB |"
        )
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps({"total_s": round(total, 2), "kinds": rows}, indent=1))


if __name__ == "__main__":
    main()
