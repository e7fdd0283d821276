"""What the benchmarks share: settings for a throwaway studio, the bench account that runs
their jobs, a served studio's environment, the machine and its load, and docs/benchmarks.md.

The bench account is a creator on the `bench` plan, made here through the admin's own
calls (a plan, a subscription, its invoice marked paid): its jobs reserve and settle
credits in the ledger as everyone's do, but no plan limit stops a benchmark (jobs at once,
image size, audio length), and its month of credits covers any run. A served studio runs
with the rate limits raised past what a benchmark sends (`unlimited_env`): the figures are
the studio's, not the limiter's.
"""

from __future__ import annotations

import os
import platform
import queue
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.commerce.plans import PlanSpec
from atelier.engines.checks import Redraws
from atelier.settings import RATE_LIMITED, Settings
from atelier.studio import Studio
from atelier.studio.spine import Spine

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PASSWORD = "benchmark password 1"
BENCH_EMAIL = "bench@localhost"
BENCH_PLAN = "bench"
UNLIMITED = "1000000/minute"


def bench_settings(data_dir: Path, url: str | None, **overrides: Any) -> Settings:
    """Settings as a fresh install has them (poll 0.5 s, lease 30 s), but no workers
    started by anyone but the benchmark, and one thread per model session."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": url,
        "workers": 0,
        "admin_password": PASSWORD,
        "engine_threads": 1,
    }
    values.update(overrides)
    return Settings(**values)


def unlimited_plan(name: str) -> PlanSpec:
    """A plan that allows the most of everything a plan may allow: no limit of a plan
    stops a benchmark."""
    return PlanSpec(
        name=name,
        monthly_credits=10_000_000,
        price=0,
        concurrency=10_000,
        max_pixels=100_000_000,
        max_seconds=86_400,
        commercial_use=True,
        position=1000,
    )


def bench_account(studio: Studio) -> Principal:
    """The bench account (made on first use; the studio must be prepared): a creator on
    the `bench` plan, which allows the most of everything a plan may allow."""
    with studio.db.transaction() as s:
        found = accounts.find_user(s, BENCH_EMAIL)
        if found is not None:
            return accounts.principal_for(found)
        user = accounts.create_user(s, BENCH_EMAIL, PASSWORD, "creator")
        bench = accounts.principal_for(user)
        admin_user = accounts.find_user(s, studio.settings.admin_email)
        assert admin_user is not None, "prepare the studio first: it makes the admin"
        admin = accounts.principal_for(admin_user, via="local")
    spec = unlimited_plan("Bench (benchmarks)")
    commerce = studio.commerce
    if not any(p.id == BENCH_PLAN for p in commerce.all_plans(admin)):
        commerce.save_plan(admin, BENCH_PLAN, spec, create=True)
    _, invoice = commerce.change_subscription(bench, "subscribe", BENCH_PLAN, None)
    if invoice is not None:
        commerce.mark_paid(admin, invoice.id, "benchmark")
    commerce.retire_plan(admin, BENCH_PLAN)  # its subscriber keeps it; nobody else sees it
    return bench


def bench_key(studio: Studio) -> str:
    """An API key of the bench account (read and write)."""
    who = bench_account(studio)
    with studio.db.transaction() as s:
        key, _ = accounts.create_key(s, who.user_id, "bench", ["read", "write"])
    return key


def unlimited_env() -> dict[str, str]:
    """ATELIER_LIMIT_* for a served studio: every rate limit far past a benchmark's pace."""
    return {f"ATELIER_LIMIT_{action.upper()}": UNLIMITED for action in RATE_LIMITED}


def load() -> float:
    """The 1-minute load average."""
    return os.getloadavg()[0]


def machine(loads: list[float], extra: str = "") -> str:
    """One line on the machine and its 1-minute load average at the start and the end."""
    model = "?"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"Machine: {os.cpu_count()} cores, {model} ({platform.system()} {platform.release()}); "
        f"Python {platform.python_version()}{extra}. 1-minute load average at start → end: "
        + " → ".join(f"{value:.2f}" for value in loads)
        + " (a shared machine: other work ran beside this one)."
    )


@dataclass
class Run:
    """One benchmark run: its command, date and load, and where its figures go."""

    script: str
    loads: list[float] = field(default_factory=lambda: [load()])
    date: str = field(default_factory=lambda: datetime.now().strftime("%Y-%m-%d %H:%M"))

    @property
    def command(self) -> str:
        nice = ["nice"] if os.nice(0) > 0 else []
        return " ".join([*nice, f".venv/bin/python benchmarks/{self.script}", *sys.argv[1:]])

    def header(self, extra: str = "") -> str:
        """Date, command and machine: the lines every table of the run starts under."""
        if len(self.loads) < 2:
            self.loads.append(load())
        return f"Run on {self.date}: `{self.command}`\n\n{machine(self.loads, extra)}\n"


def write_section(doc: Path, start: str, end: str, heading: str, text: str) -> None:
    """Put `text` between a script's markers in `doc`, replacing what was there; a
    section not there yet is added at the end under `heading`."""
    page = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if start in page and end in page:
        head, rest = page.split(start, 1)
        page = f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}"
    else:
        page = f"{page.rstrip()}\n\n{heading}\n\n{start}\n{text}\n{end}\n"
    doc.write_text(page)


class WatchedSpine(Spine):
    """The real spine; puts (job id, time) on `stored` as each job's finish returns."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored: queue.Queue[tuple[str, float]] = queue.Queue()

    def finish(
        self,
        job_id: str,
        worker_id: str,
        creations: Any,
        seconds: float,
        cpu_seconds: float | None = None,
        redraws: Redraws | None = None,
    ) -> bool:
        stored = super().finish(job_id, worker_id, creations, seconds, cpu_seconds, redraws)
        if stored:
            self.stored.put((job_id, time.perf_counter()))
        return stored


def watched_studio(settings: Settings) -> tuple[Studio, queue.Queue[tuple[str, float]]]:
    """The real Studio around a WatchedSpine, and the queue its finishes are put on."""
    studio = Studio(settings, spine=WatchedSpine)
    assert isinstance(studio.jobs, WatchedSpine)
    return studio, studio.jobs.stored
