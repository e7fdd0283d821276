"""eval.compare: `atelier eval compare` as an engine, so that a comparison started from
the admin page runs as a job on the spine (durable, cancellable, with progress).

It makes one work: the summary plot (what the job page shows) with the whole report
folder as a zip beside it (`report.zip`), sealed and logged like any work. The studio
builds it with the catalogue's own engines (`engines`), since the sides are engines; the
photos it may name are the bundled sample photos only, never a path on the server."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from atelier.engines.base import (
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    EngineConfig,
    EngineError,
    Params,
)
from atelier.evaluate import compare, damage, report

REPORT_FILE = "report.zip"
ITEM_KEYS = {"prompt", "photo", "damage", "size", "style_image"}
MAX_ITEMS, MAX_SEEDS = 100, 10


class SideSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: str = Field(max_length=100, description="The engine, the same on both sides.")
    params: dict[str, Any] = Field(default_factory=dict, description="Its parameters.")
    label: str = Field(min_length=1, max_length=100, description="The side's name.")


class CompareParams(Params):
    a: SideSpec
    b: SideSpec
    items: list[dict[str, Any]] | None = Field(
        None,
        max_length=MAX_ITEMS,
        description='[{"prompt": …}] for image.compose; [{"photo": sample, "damage": …, '
        '"size": …}] for the others (default: the sample photos).',
    )
    seeds: list[int] = Field([1], min_length=1, max_length=MAX_SEEDS)

    @field_validator("items")
    @classmethod
    def _items(cls, items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for number, item in enumerate(items or [], 1):
            unknown = set(item) - ITEM_KEYS
            if unknown:
                raise ValueError(f"item {number}: unknown keys {', '.join(sorted(unknown))}")
            for key in ("photo", "style_image"):
                if key in item and item[key] not in damage.PHOTOS:
                    raise ValueError(
                        f"item {number}: {key} must be a sample photo ({', '.join(damage.PHOTOS)})"
                    )
        return items

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, seeds: list[int]) -> list[int]:
        if any(not 0 <= s < 2**32 for s in seeds) or len(set(seeds)) != len(seeds):
            raise ValueError("seeds are different whole numbers 0 to 2^32 − 1")
        return seeds


class CompareEngine(Engine[CompareParams]):
    name = "eval.compare"
    medium = "evaluation"
    title = "Compare two settings"
    description = (
        "One engine under two settings on the same items and seeds: metrics with "
        "bootstrap intervals, wins, plots and side-by-side pairs (admins)."
    )
    Params = CompareParams
    credits_per_second = 0.0  # the studio's own measurement
    remote = False  # it runs the studio's catalogue of engines, not one of its own

    def __init__(self, config: EngineConfig, engines: Callable[[str], Engine[Any]]) -> None:
        super().__init__(config)
        self.engines = engines

    def estimate_seconds(self, params: CompareParams, budget: Budget) -> float:
        return float(10 * len(params.items or damage.PHOTOS) * len(params.seeds))

    def run(self, params: CompareParams, ctx: Context) -> list[Creation]:
        p = params
        sides = [
            compare.Side(spec.label, self.engines(spec.engine), spec.params) for spec in (p.a, p.b)
        ]
        try:
            judge = compare.judge_for(p.a.engine, ctx.threads)
            total = len(p.items if p.items is not None else judge.default_items()) * len(p.seeds)
        except compare.CompareError as exc:
            raise EngineError(str(exc)) from None
        done = [0]

        def log(line: str) -> None:
            done[0] += 1
            ctx.progress(done[0] / (total + 1), line[:200])

        ctx.progress(0.0, "loading both sides' models")
        with tempfile.TemporaryDirectory(dir=ctx.scratch) as folder:
            out = Path(folder) / "report"
            try:
                made = compare.compare(
                    sides[0], sides[1], p.items, p.seeds, out, threads=ctx.threads, log=log
                )
            except compare.CompareError as exc:
                raise EngineError(str(exc)) from None
            summary = (out / "plots" / "summary.png").read_bytes()
            packed = report.archive(out)
        return [
            Creation(
                files=[
                    Artifact("summary.png", "image/png", summary),
                    Artifact(REPORT_FILE, "application/zip", packed),
                ],
                title=f"{made['engine']}: {p.a.label} against {p.b.label}"[:200],
                meta={"report": REPORT_FILE, "units": len(made["units"])},
            )
        ]
