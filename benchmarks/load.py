"""A load benchmark: N simulated users against a real `atelier serve`, on SQLite and on
PostgreSQL.

    .venv/bin/python benchmarks/load.py [--users N] [--seconds S] [--workers W]
                                        [--database sqlite|postgresql|both] [--quick]
                                        [--json PATH] [--write-docs]

Each database gets a fresh data folder and `atelier serve` on loopback with W worker
processes (the tests' cheap engines registered: `test.wait`, seconds=0, one small text
file). N accounts on an unlimited plan are made first (as benchmarks/common.py's bench
account). Each user is a thread with its own httpx client: it signs in (POST
/v1/auth/login, then POST /v1/keys), then until the time is up repeats: the gallery page
(GET /gallery), the public works (GET /v1/works), a job (POST /v1/jobs) whose events it
follows to the end (GET /v1/jobs/{id}/events), then its work (GET /v1/works/{id}), with a
think time of 0.2 to 1 s between steps; they start once a first job has run (the worker
processes are up). Afterwards every job submitted is checked:
succeeded, or lost. Reported per route: requests, errors (a 4xx/5xx answer or no answer),
p50/p95/p99 latency in ms (for the events route: until the job's last event); overall
requests/s, jobs/min and jobs lost. Nothing is asserted on timing.

`--quick` (5 users, 3 s, SQLite and PostgreSQL) is the smoke run tests make;
`--write-docs` puts the figures into docs/benchmarks.md between the `load` markers, and
their chart (p50/p95/p99 per route and database) into docs/load-latency.svg."""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from atelier.studio import Studio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # our tests.support first
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    DOC,
    PASSWORD,
    Run,
    bench_settings,
    unlimited_env,
    unlimited_plan,
    write_section,
)
from spine import Postgres, pct  # noqa: E402

from atelier.accounts import service as accounts  # noqa: E402
from tests.support.servers import (  # noqa: E402
    Running,
    atelier_env,
    free_port,
    wait_for_http,
    wait_until,
)

START, END = "<!-- load:start -->", "<!-- load:end -->"
HEADING = "## Many users at once: the load benchmark"
PLAN = "load"
CHART = DOC.parent / "load-latency.svg"
JOB = {"engine": "test.wait", "params": {"seconds": 0}}


def make_users(studio: Studio, count: int) -> list[str]:
    """`count` creators on an unlimited plan (no plan limit stops a simulated user)."""
    with studio.db.transaction() as s:
        admin_user = accounts.find_user(s, studio.settings.admin_email)
        assert admin_user is not None
        admin = accounts.principal_for(admin_user, via="local")
    studio.commerce.save_plan(admin, PLAN, unlimited_plan("Load (benchmarks)"), create=True)
    emails = [f"user{i}@load.localhost" for i in range(count)]
    for email in emails:
        with studio.db.transaction() as s:
            who = accounts.principal_for(accounts.create_user(s, email, PASSWORD, "creator"))
        _, invoice = studio.commerce.change_subscription(who, "subscribe", PLAN, None)
        if invoice is not None:
            studio.commerce.mark_paid(admin, invoice.id, "load benchmark")
    studio.commerce.retire_plan(admin, PLAN)
    return emails


class Tally:
    """Latencies and errors per route, from every user's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.jobs: list[str] = []

    def call(self, route: str, send: Any) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer: httpx.Response | None = send()
        except httpx.HTTPError:
            answer = None
        spent = time.perf_counter() - started
        with self.lock:
            self.seconds[route].append(spent)
            if answer is None or answer.status_code >= 400:
                self.errors[route] += 1
        return answer


def follow(client: httpx.Client, job_id: str) -> httpx.Response:
    """The job's event stream read to its last event; the answer, its body read."""
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as stream:
        for _ in stream.iter_lines():
            pass
        return stream


def user(base: str, email: str, until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60.0) as client:
        login = tally.call(
            "POST /v1/auth/login",
            lambda: client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}),
        )
        if login is None or login.status_code != 200:
            return
        csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
        made = tally.call(
            "POST /v1/keys",
            lambda: client.post(
                "/v1/keys", json={"name": "load", "scopes": ["read", "write"]}, headers=csrf
            ),
        )
        if made is None or made.status_code != 201:
            return
        client.cookies.clear()
        client.headers["Authorization"] = f"Bearer {made.json()['key']}"
        while time.monotonic() < until:
            tally.call("GET /gallery", lambda: client.get("/gallery"))
            time.sleep(rng.uniform(0.2, 1.0))
            tally.call("GET /v1/works", lambda: client.get("/v1/works", params={"limit": 20}))
            submitted = tally.call("POST /v1/jobs", lambda: client.post("/v1/jobs", json=JOB))
            if submitted is None or submitted.status_code != 201:
                continue
            job_id = str(submitted.json()["id"])
            with tally.lock:
                tally.jobs.append(job_id)
            tally.call("GET /v1/jobs/{id}/events", lambda j=job_id: follow(client, j))
            job = tally.call("GET /v1/jobs/{id}", lambda j=job_id: client.get(f"/v1/jobs/{j}"))
            ok = job is not None and job.is_success
            works = job.json().get("work_ids", []) if job is not None and ok else []
            if works:
                work = f"/v1/works/{works[0]}"
                tally.call("GET /v1/works/{id}", lambda w=work: client.get(w))
            time.sleep(rng.uniform(0.2, 1.0))


def run_one(kind: str, url: str, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    data = folder / kind
    studio = Studio(bench_settings(data, url, engine_modules=["tests.support.engines"]))
    studio.prepare()
    emails = make_users(studio, args.users)
    env = {
        **atelier_env(data, url, workers=args.workers, admin_password=PASSWORD),
        **unlimited_env(),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    with Running(["serve", "--port", str(port)], env, folder / f"{kind}.log") as server:
        wait_for_http(server, base, timeout=120)
        warm_up(studio, emails[0], server)
        studio.close()
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=user, args=(base, email, until, tally, i), daemon=True)
            for i, email in enumerate(emails)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 120)
        elapsed = time.monotonic() - started
        server.check_alive()
        ends = jobs_ended(data, url, tally.jobs, time.monotonic() + 60)
    routes = {
        route: {
            "requests": len(seconds),
            "errors": tally.errors[route],
            "p50_ms": round(pct(seconds, 50) * 1000, 1),
            "p95_ms": round(pct(seconds, 95) * 1000, 1),
            "p99_ms": round(pct(seconds, 99) * 1000, 1),
        }
        for route, seconds in sorted(tally.seconds.items())
    }
    requests = sum(r["requests"] for r in routes.values())
    return {
        "database": kind,
        "users": args.users,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests_per_s": round(requests / elapsed, 1),
        "errors": sum(r["errors"] for r in routes.values()),
        "jobs": len(tally.jobs),
        "jobs_per_min": round(ends.get("succeeded", 0) / elapsed * 60, 1),
        "jobs_lost": len(tally.jobs) - ends.get("succeeded", 0),
        "job_ends": ends,
        "routes": routes,
    }


def warm_up(studio: Studio, email: str, server: Running) -> None:
    """One job run to its end before the users start: the worker processes have started
    and imported their engines (minutes on a loaded machine), so the figures are theirs."""
    with studio.db.transaction() as s:
        found = accounts.find_user(s, email)
        assert found is not None
        who = accounts.principal_for(found)
    job, _ = studio.jobs.submit(who, JOB["engine"], JOB["params"])

    def ended() -> bool:
        server.check_alive()
        return studio.jobs.get(who, job.id).status in ("succeeded", "failed", "canceled")

    wait_until(ended, 600, 0.5, "the warm-up job to end")


def jobs_ended(data: Path, url: str, jobs: list[str], deadline: float) -> dict[str, int]:
    """Each submitted job's status in the database (waiting up to `deadline` for the last)."""
    from sqlalchemy import select

    from atelier.store.models import TERMINAL_STATUSES, Job

    studio = Studio(bench_settings(data, url))
    try:
        while True:
            with studio.db.transaction() as s:
                rows = dict(s.execute(select(Job.id, Job.status).where(Job.id.in_(jobs))).all())
            if all(rows.get(j) in TERMINAL_STATUSES for j in jobs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        studio.close()
    ends: dict[str, int] = defaultdict(int)
    for job_id in jobs:
        ends[rows.get(job_id, "missing")] += 1
    return dict(ends)


def markdown(results: list[dict[str, Any]], run: Run) -> str:
    lines = [run.header(), ""]
    lines += [
        "| database | users | worker processes | seconds | requests/s | errors | jobs "
        "| jobs/min | jobs lost |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['users']} | {r['workers']} | {r['seconds']} | "
            f"{r['requests_per_s']} | {r['errors']} | {r['jobs']} | {r['jobs_per_min']} | "
            f"{r['jobs_lost']} |"
        )
    for r in results:
        lines += [
            "",
            f"**{r['database']}**, per route (ms; the events route: until the job's last event):",
            "",
            "| route | requests | errors | p50 | p95 | p99 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for route, f in r["routes"].items():
            lines.append(
                f"| `{route}` | {f['requests']} | {f['errors']} | {f['p50_ms']} | "
                f"{f['p95_ms']} | {f['p99_ms']} |"
            )
    return "\n".join(lines)


def chart(results: list[dict[str, Any]], path: Path) -> None:
    """Latency per route, one group of bars (p50, p95, p99) per route and database, on a
    log scale: the gallery's milliseconds and the events' seconds on one picture."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text: a smaller file
    from matplotlib import pyplot

    routes = list(results[0]["routes"])
    figure, axes = pyplot.subplots(figsize=(9, 4))
    width = 0.8 / (3 * len(results))
    for d, r in enumerate(results):
        for q, (key, shade) in enumerate([("p50_ms", 1.0), ("p95_ms", 0.65), ("p99_ms", 0.35)]):
            offset = (d * 3 + q) * width - 0.4 + width / 2
            axes.bar(
                [i + offset for i in range(len(routes))],
                [r["routes"][route][key] or 0 for route in routes],
                width,
                color=("#2b6cb0", "#c05621")[d % 2],
                alpha=shade,
                label=f"{r['database']} {key[:3]}",
            )
    axes.set_xticks(range(len(routes)), [route.replace(" ", "\n", 1) for route in routes])
    axes.tick_params(axis="x", labelsize=7)
    axes.set_yscale("log")
    axes.set_ylabel("ms (log scale)")
    users, workers = results[0]["users"], results[0]["workers"]
    axes.set_title(f"{users} users, {workers} worker processes: latency per route", fontsize=10)
    axes.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})
    pyplot.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="5 users, 3 s: the tests' run")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.users, args.seconds, args.workers = 5, 3.0, 1
    run = Run("load.py")
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = []
    with tempfile.TemporaryDirectory(prefix="atelier-load-") as scratch:
        folder = Path(scratch)
        server = Postgres().start() if "postgresql" in kinds else None
        try:
            for kind in kinds:
                if kind == "sqlite":
                    url = f"sqlite:///{folder / kind / 'atelier.db'}"
                else:
                    assert server is not None
                    url = server.new_database()
                results.append(run_one(kind, url, folder, args))
                print(json.dumps(results[-1], indent=1), flush=True)
        finally:
            if server is not None:
                server.stop()
    text = markdown(results, run)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    if args.write_docs:
        chart(results, CHART)
        text += f"\n\n![Latency per route, p50/p95/p99, both databases]({CHART.name})"
        write_section(DOC, START, END, HEADING, text)


if __name__ == "__main__":
    main()
