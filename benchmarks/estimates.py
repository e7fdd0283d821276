"""Estimates against settled costs: typical jobs run through the real studio.

    nice -n 15 .venv/bin/python benchmarks/estimates.py
        [--set report|report2|…|report8|tuning|spread]
        [--learn SET] [--only TEXT] [--skip TEXT] [--runs N] [--quick] [--write-docs]
        [--json PATH]
        [--reprice PATH ...]

Each case (benchmarks/estimate_sets.py) is a job as a user makes it: its files added
with `studio.uploads.add` (which measures them: a photo's size, a recording's length, a
melody's bars), submitted with
`studio.jobs.submit` by the bench account (benchmarks/common.py: a creator whose credits
move in the ledger as everyone's do), claimed and run by the one worker thread of the
studio's own `WorkerPool`, which has this process to itself as a worker process has
(`own_process`: the main thread only waits), and finished by `studio.jobs.finish`. It
reports what the ledger says: the credits *reserved* at submit (the estimate, rounded to
the hundredth) and those *settled* at finish (the job's CPU seconds, less those of its
redraws, ÷ the cores its engine keeps busy × its rate, rounded, at least a tenth:
commerce/credits.py; read before the plan's cap, so an estimate that is too low shows as
such), their ratio, the estimate against the work in seconds (before both are rounded),
and beside them the CPU seconds its redraws took (not charged), the wall-clock seconds and
what they would have cost (as jobs were settled before: the machine's load stretches
them) and the load average; and the drafts its engine drew, redraws included (for text,
with the tokens they wrote).
Before the first measured job one unmeasured job of each engine's first case loads its
models, and what is loaded is moved out of the garbage collector's full passes, as warm
start does in a long-lived worker (studio/warmup.py): a cold start's loading is not part of
a typical job's cost, nor is a full pass over the loaded models.

The sets: `report8` holds 31 typical jobs (a 4/4 hymn and a 6/8 jig), frozen on
2026-12-07 before a verse line's redraws stopped being charged. `report7` holds 31 typical
jobs (a 2/4 polka and a slow lullaby), frozen on 2026-12-06 after report6 was read and
before the estimates learned this machine's speed.
`report6` holds 31 typical jobs (a 3/4 minuet and a dotted march), frozen on
2026-12-06 before the credits were counted in hundredths, and read after that change.
`report5` holds 31 typical jobs (a slow 6/8 air and a fast 2/4 hornpipe),
frozen on 2026-12-06 after `report4` was read and before any change made from it, and
read (blind) after that change. `report4` holds 31 others (its melodies running eighths),
frozen on 2026-12-06 after `report3` was read, and read (blind) before any later change.
`report3` holds 31 others (its melodies another kind of tune), frozen on
2026-12-06 before that day's change of the rates and of the rounding, and read after it.
`report2` holds 31 others, frozen on 2026-12-05 before that day's fit and read after it
(the blind test then; fitted on since 2026-12-06). `report` (the default) holds 31
others, frozen before the first fit; their rows were read afterwards, and since
2026-12-05 the rates are fitted on them too, with `tuning`, other sizes of the same
jobs. `spread`: a few cheap jobs of each kind, to run once on the machine as it is and
once beside a CPU hog, comparing what the same jobs settle at. A case whose reservation
is off by more than ±30 % of the settled cost is marked, and the script exits 1. An
engine unavailable here is skipped, saying why. `--quick` runs two of the cheapest jobs
once (the test suite runs it: it proves the script works, not the figures). `--json` is
rewritten after every job, so a long run stopped keeps what it measured; `--reprice`
reserves the jobs of such files again at the present rates (a job's settled cost does
not depend on its estimate), one run split by engine into several files together.
`--learn SET` first runs SET's jobs, unmeasured, in the same studio: it learns this
machine's speed from them (studio/calibration.py), as an installation does from its
users' jobs; without it the studio has only what the run itself finishes to learn from."""

from __future__ import annotations

import os

from atelier import thread_env

# The jobs' libraries run with the thread settings the `atelier` command gives them (read
# when they load): their CPU seconds are what a worker's would be.
os.environ.update(thread_env.unset())

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from common import DOC, Run, bench_account, bench_settings, write_section
from estimate_sets import SETS, Case

from atelier.accounts.authz import Principal
from atelier.commerce import ledger
from atelier.commerce.credits import (
    USAGE,
    Compute,
    held_account,
    in_credits,
    job_cost,
    reservation,
)
from atelier.engines.base import Creation, Measure
from atelier.engines.checks import Redraws
from atelier.settings import Settings
from atelier.studio import Studio, uploads, warmup
from atelier.studio.calibration import Calibration
from atelier.studio.leases import Claimed
from atelier.studio.runner import Worker, WorkerPool

TOLERANCE = 0.30
JOB_TIMEOUT = 3600.0  # seconds: a ×4 photo upscale of 512² takes minutes, at load 10+ half an hour
START = "<!-- estimates:start -->"
END = "<!-- estimates:end -->"


@dataclass
class Row:
    engine: str
    case: str
    estimate_s: float  # the engine's estimate of its seconds (the job's cost_estimate / rate)
    wall_s: float  # the wall-clock seconds the worker measured
    cpu_s: float  # the CPU seconds it measured (every thread of this process)
    cores: int  # the cores the engine keeps busy: settled seconds = cpu_s / cores
    load: float  # the machine's 1-minute load average when the job ended
    reserved: float  # credits held at submit (ledger)
    settled: float  # credits its compute cost (the ledger charges at most `reserved`)
    settled_wall: float  # credits its wall-clock seconds would have cost
    charged: float  # credits the ledger charged
    params: dict[str, Any] = field(default_factory=dict)  # as submitted (upload ids too)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # their measures
    drafts: int = 0  # drafts its engine drew, redraws included (music, compose, text)
    tokens: int = 0  # tokens its drafts wrote (text)
    redraw_s: float = 0.0  # of wall_s, the redraws' (not charged)
    redraw_cpu_s: float = 0.0  # of cpu_s, the redraws' (not charged)

    @property
    def compute(self) -> Compute:
        return Compute(self.wall_s, self.cpu_s, self.cores, self.redraw_s, self.redraw_cpu_s)

    @property
    def compute_s(self) -> float:
        return self.compute.charged_seconds

    @property
    def ratio(self) -> float:
        return self.reserved / self.settled

    @property
    def within(self) -> bool:
        return abs(self.ratio - 1) <= TOLERANCE

    @property
    def seconds_ratio(self) -> float:
        """The estimate against the work, before either is rounded to credits (until
        2026-12-06 to whole credits: a job of 1.6 credits estimated at 1.4 was 2 against 1)."""
        return self.estimate_s / max(self.compute_s, 0.01)

    @property
    def within_seconds(self) -> bool:
        return abs(self.seconds_ratio - 1) <= TOLERANCE


class Timed(Worker):
    """The studio's worker; keeps the seconds each job's run took, as finish settles them,
    and the drafts its works say were drawn."""

    measured: dict[str, tuple[float, float | None, Redraws]] = {}
    drafted: dict[str, tuple[int, int]] = {}

    def _finish(
        self,
        job: Claimed,
        creations: list[Creation],
        seconds: float,
        cpu_seconds: float | None = None,
        redraws: Redraws | None = None,
    ) -> None:
        Timed.measured[job.job_id] = (seconds, cpu_seconds, redraws or Redraws())
        Timed.drafted[job.job_id] = drafts_of(creations)
        super()._finish(job, creations, seconds, cpu_seconds, redraws)


def drafts_of(creations: list[Creation]) -> tuple[int, int]:
    """The drafts a job's works say were drawn (a text restyle's, per chunk) and the tokens
    a text job wrote: besides a job's size, what its cost follows where checks redraw."""
    drafts = tokens = 0
    for creation in creations:
        chunks = creation.meta.get("chunk_drafts")
        drafts += sum(map(len, chunks)) if chunks else len(creation.meta.get("drafts", []))
        tokens += int(creation.meta.get("tokens", 0))
    return drafts, tokens


def timed_worker(
    studio: Studio, name: str, engines: Collection[str] | None, alive: Callable[[], None]
) -> Worker:
    return Timed(studio, name, engines, alive)


def credits_of(studio: Studio, job_id: str, owner: str) -> tuple[float, float]:
    """The credits the ledger held for a job at submit, and those it charged at finish."""
    with studio.db.transaction() as s:
        reserve = ledger.find(s, f"job:{job_id}:reserve")
        settle = ledger.find(s, f"job:{job_id}:settle")
        assert reserve is not None and settle is not None, f"job {job_id}: no credits moved"
        held = sum(e.amount for e in reserve.entries if e.account == held_account(owner))
        charged = sum(e.amount for e in settle.entries if e.account == USAGE)
    return in_credits(held), in_credits(charged)


def run_job(studio: Studio, who: Principal, case: Case) -> Row:
    params = dict(case.params)
    inputs: dict[str, dict[str, Any]] = {}
    for name, make in case.inputs.items():
        data = make()
        upload = studio.uploads.add(who, f"{name}.{suffix(data)}", data)
        params[name] = upload.id
        inputs[name] = asdict(uploads.measure(upload) or Measure())
    job, _ = studio.jobs.submit(who, case.engine, params, seed=1)
    deadline = time.monotonic() + JOB_TIMEOUT
    while (row := studio.jobs.get(who, job.id)).status not in ("succeeded", "failed", "canceled"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{case.engine} {case.label}: not done in {JOB_TIMEOUT:.0f} s")
        time.sleep(0.25)
    if row.status != "succeeded":
        raise RuntimeError(f"{case.engine} {case.label}: {row.status}: {row.error}")
    engine = studio.engines.get(case.engine)
    rate = engine.credits_per_second
    wall, cpu, redraws = Timed.measured[job.id]
    assert cpu is not None, "the pool has this process to itself: its CPU time is read"
    cores = engine.cores(studio.settings.engine_threads)
    compute = Compute(wall, cpu, cores, redraws.seconds, redraws.cpu_seconds)
    reserved, charged = credits_of(studio, job.id, who.user_id)
    return Row(
        case.engine,
        case.label,
        job.cost_estimate / rate,
        wall,
        cpu,
        compute.cores,
        os.getloadavg()[0],
        reserved,
        in_credits(job_cost(compute, rate)),
        in_credits(job_cost(wall, rate)),
        charged,
        params,
        inputs,
        *Timed.drafted[job.id],
        redraws.seconds,
        redraws.cpu_seconds,
    )


def repriced(studio: Studio, rows: list[dict[str, Any]]) -> list[Row]:
    """Rows of an earlier run with their reservations worked out again at the engines'
    present rates, and their CPU seconds settled again by the present rule (a job's
    settled cost does not depend on its estimate)."""
    result = []
    for saved in rows:
        row = Row(**{k: v for k, v in saved.items() if k not in ("compute_s", "ratio")})
        engine = studio.engines.get(row.engine)
        row.cores = engine.cores(studio.settings.engine_threads)
        row.settled = in_credits(job_cost(row.compute, engine.credits_per_second))
        measures = {name: Measure(**m) for name, m in row.inputs.items()}
        estimate = studio.engines.estimate(row.engine, row.params, measures)
        row.estimate_s = estimate["credits"] / engine.credits_per_second
        row.reserved = in_credits(reservation(estimate["credits"]))
        result.append(row)
    return result


def suffix(data: bytes) -> str:
    if data.startswith(b"MThd"):
        return "mid"
    return "wav" if data.startswith(b"RIFF") else "png"


def median_row(rows: list[Row]) -> Row:
    """The run with the median settled seconds (one job's figures, not a blend)."""
    return sorted(rows, key=lambda row: row.compute_s)[len(rows) // 2]


def table(rows: list[Row]) -> str:
    lines = [
        "| engine | case | estimate s | CPU s | redraws CPU s | cores | settled s "
        "| estimate ÷ settled s | drafts "
        f"| wall s | load | reserved | settled | reserved ÷ settled | within ±{TOLERANCE:.0%} "
        "| wall would settle |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | --- | ---: |",
    ]
    for row in rows:
        drafts = f"{row.drafts} ({row.tokens} tokens)" if row.tokens else str(row.drafts or "")
        lines.append(
            f"| {row.engine} | {row.case} | {row.estimate_s:.2f} | {row.cpu_s:.2f} | "
            f"{row.redraw_cpu_s:.2f} | {row.cores} | {row.compute_s:.2f} | "
            f"{row.seconds_ratio:.2f} | {drafts} | "
            f"{row.wall_s:.2f} | {row.load:.1f} | "
            f"{row.reserved:g} | {row.settled:g} | {row.ratio:.2f} | "
            f"{'yes' if row.within else '**no**'} | {row.settled_wall:g} |"
        )
    return "\n".join(lines)


def studio_here(folder: Path) -> Studio:
    """A fresh studio in `folder` on this installation's models, its engines' threads as
    configured."""
    defaults = Settings()
    return Studio(
        bench_settings(
            folder / "studio",
            None,
            assets_dir=defaults.resolved_assets_dir,
            engine_threads=defaults.engine_threads,
        )
    )


def measured(
    chosen: list[Case],
    runs: int,
    warm: bool,
    keep: Callable[[list[Row]], None],
    learn: list[Case],
) -> tuple[list[Row], list[str]]:
    """Run the cases; `warm`: one unmeasured job per engine first, loading its models.
    `keep` is given the rows so far after each case (a long run stopped keeps them).
    `learn`: jobs run first, unmeasured, that the studio learns this machine's speed from
    (studio/calibration.py), as it does from its users' jobs."""
    rows: list[Row] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        studio = studio_here(Path(folder))
        studio.prepare()
        who = bench_account(studio)
        pool = WorkerPool(studio, 1, worker=timed_worker, own_process=True).start()
        warmed: set[str] = set()
        try:
            for case in learn:
                if studio.engines.get(case.engine).available() is None:
                    run_job(studio, who, case)
            studio.engines.calibration = Calibration(studio.db)  # read them now, not in a minute
            for case in chosen:  # every engine's models loaded, as a worker's warm start does
                engine = studio.engines.get(case.engine)
                if warm and case.engine not in warmed and engine.available() is None:
                    run_job(studio, who, case)
                    warmed.add(case.engine)
            if warm:
                warmup.settle()  # as a worker process's warm-up ends
            print(table([]), flush=True)
            for case in chosen:
                reason = studio.engines.get(case.engine).available()
                if reason:
                    skipped.append(f"{case.engine} {case.label}: {reason}")
                    print(f"| {case.engine} | {case.label} | skipped: {reason} |", flush=True)
                    continue
                row = median_row([run_job(studio, who, case) for _ in range(runs)])
                rows.append(row)
                keep(rows)
                print(table([row]).splitlines()[-1], flush=True)
        finally:
            pool.stop()
            studio.close()
    return rows, skipped


def repriced_files(paths: list[Path]) -> list[Row]:
    """The rows of earlier runs' files (one run split by engine: several), repriced."""
    with tempfile.TemporaryDirectory() as folder:
        studio = studio_here(Path(folder))
        try:
            return repriced(studio, [row for path in paths for row in json.loads(path.read_text())])
        finally:
            studio.close()


def write_json(path: Path | None, rows: list[Row]) -> None:
    if path is not None:
        saved = [{**asdict(row), "compute_s": row.compute_s, "ratio": row.ratio} for row in rows]
        path.write_text(json.dumps(saved, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS), default="report", help="which jobs")
    parser.add_argument("--runs", type=int, default=1, help="jobs per case (the median's)")
    parser.add_argument("--only", default="", help="the cases whose engine or label hold this")
    parser.add_argument(
        "--skip", action="append", default=[], help="leave out the cases that hold this"
    )
    parser.add_argument("--quick", action="store_true", help="two of the cheapest jobs, once")
    parser.add_argument(
        "--learn",
        choices=sorted(SETS),
        default=None,
        help="first run this set's jobs, unmeasured, for the studio to learn this machine from",
    )
    parser.add_argument("--write-docs", action="store_true", help="put the table in the docs")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--reprice",
        type=Path,
        nargs="+",
        default=None,
        help="run no job: reserve again, at the present rates, the jobs of these --json files",
    )
    args = parser.parse_args(argv)
    run = Run("estimates.py")
    chosen = [
        case
        for case in SETS[args.set]()
        if args.only in f"{case.engine} {case.label}"
        and not any(skip in f"{case.engine} {case.label}" for skip in args.skip)
        and (case.quick or not args.quick)
    ]
    if args.reprice:
        rows, skipped = repriced_files(args.reprice), []
        print(table(rows), flush=True)
    else:
        learn = SETS[args.learn]() if args.learn else []
        rows, skipped = measured(
            chosen, args.runs, not args.quick, partial(write_json, args.json), learn
        )
    off = [row for row in rows if not row.within]
    write_json(args.json, rows)
    if args.write_docs:
        text = f"{run.header()}\n{table(rows)}\n"
        if skipped:
            text += "\nSkipped (unavailable here): " + "; ".join(skipped) + ".\n"
        start, end = (
            (START, END)
            if args.set == "report"
            else (f"<!-- estimates-{args.set}:start -->", f"<!-- estimates-{args.set}:end -->")
        )
        write_section(DOC, start, end, "## Estimates against settled costs", text)
    if rows:
        ratios = [row.ratio for row in rows]
        print(
            f"\n{len(rows)} jobs; reserved ÷ settled from {min(ratios):.2f} to "
            f"{max(ratios):.2f} (median {statistics.median(ratios):.2f}); "
            f"{len(off)} outside ±{TOLERANCE:.0%}; in seconds, before rounding to "
            f"credits, {sum(not row.within_seconds for row in rows)} outside",
            flush=True,
        )
    return 1 if off and not args.quick else 0  # one quick run proves nothing either way


if __name__ == "__main__":
    sys.exit(main())
