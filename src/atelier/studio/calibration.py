"""How fast this machine runs each engine, learned from its own finished jobs.

An engine's rates were fitted on the machine the project measured them on; a studio runs
on its operator's machine, where the same job may take half the time or twice it (a
llama.cpp built for a newer processor, a slower memory bus). So each job keeps its
engine's estimate of its seconds and, where its own CPU time settled it, the seconds it was
charged for (`Job.estimate_seconds`, `Job.charged_seconds`; a job settled by the clock,
its worker still loading models or shared, took 7 to 26 times its estimate after a start
and is not learned from), and an estimate here is the engine's times this machine's factor:
the median of charged ÷ estimated over the engine's newest jobs; while it has too few of
its own, over its family's (`text.*`, `music.*`: engines that run the same model or
renderer, so a text restyle takes the speed the text writer's jobs showed, not that of
the image jobs), else over every engine's. A machine with no such jobs yet has a factor
of 1. The factors are read from the database at most once a minute a process; an operator
who wants prices that never move turns learning off (`ATELIER_LEARN_SPEED=false`)."""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from typing import cast

from sqlalchemy import select

from atelier.store.db import Database
from atelier.store.models import Job

RECENT = 50  # an engine's newest jobs its factor is the median of
MIN_JOBS = 3  # fewer, and the engine takes its family's factor, else the machine's
MACHINE_JOBS = 200  # the newest jobs of every engine the machine's factor is the median of
SHORTEST = 0.05  # seconds: estimates under this are mostly the studio's own overhead
LOWEST, HIGHEST = 0.25, 4.0  # a factor outside these says more of a fault than of speed
FRESH_FOR = 60.0  # seconds a process keeps the factors it read
SHARED = ("text", "music")  # families whose engines share a factor (`family`)


class Calibration:
    def __init__(self, db: Database, learn: bool = True) -> None:
        """`learn` False: every factor is 1 (settings.learn_speed)."""
        self.db = db
        self.learn = learn
        self._lock = threading.Lock()
        self._read_at = -FRESH_FOR
        self._engines: dict[str, float] = {}  # by engine, and by family (its name's prefix)
        self._machine = 1.0

    def factor(self, engine: str) -> float:
        """Charged ÷ estimated seconds for `engine` on this machine (1.0 until known)."""
        if not self.learn:
            return 1.0
        with self._lock:
            if time.monotonic() - self._read_at >= FRESH_FOR:
                self._engines, self._machine = self._read()
                self._read_at = time.monotonic()
            shared = self._engines.get(family(engine) or "", self._machine)
            return self._engines.get(engine, shared)

    def _read(self) -> tuple[dict[str, float], float]:
        with self.db.reading() as s:
            rows = s.execute(
                select(Job.engine, Job.charged_seconds / Job.estimate_seconds)
                .where(
                    Job.status == "succeeded",
                    Job.estimate_seconds >= SHORTEST,
                    Job.charged_seconds.is_not(None),
                )
                .order_by(Job.finished_at.desc())
                .limit(RECENT * 20)
            ).all()
        ratios: dict[str, list[float]] = defaultdict(list)
        machine: list[float] = []
        for engine, found_ratio in rows:
            ratio = cast(float, found_ratio)  # not None: the query asks for both seconds
            for key in (engine, family(engine)):
                if key is not None and len(ratios[key]) < RECENT:
                    ratios[key].append(ratio)
            if len(machine) < MACHINE_JOBS:
                machine.append(ratio)
        engines = {
            engine: _bounded(statistics.median(found))
            for engine, found in ratios.items()
            if len(found) >= MIN_JOBS
        }
        return engines, _bounded(statistics.median(machine)) if len(machine) >= MIN_JOBS else 1.0


def family(engine: str) -> str | None:
    """`text.restyle` → `text.*`: the engines whose speed one factor can stand for, as they
    run one model (llama.cpp's) or renderer (FluidSynth); None for the image engines, each
    on a library of its own (ncnn, onnxruntime, torch, OpenCV): report7's restores took
    the image engines' factor, 0.77 → 0.68 of their cost, where the machine's held them."""
    prefix = engine.split(".", 1)[0]
    return f"{prefix}.*" if prefix in SHARED else None


def _bounded(factor: float) -> float:
    return round(min(HIGHEST, max(LOWEST, factor)), 3)
