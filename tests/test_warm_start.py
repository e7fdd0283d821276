"""Warm start: a worker loads its engines' models in the background as it starts and
claims each engine's jobs as soon as that engine's models are loaded (the others' jobs
wait in the queue); where that stands is read by any process on the machine (GET
/v1/warmup, the pages' note)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from atelier.studio import Studio
from atelier.studio.runner import WorkerPool
from atelier.studio.warmup import (
    ENGINES,
    WarmReport,
    Warmup,
    WarmupBoard,
    engine_steps,
    starting,
)
from atelier.web.app import create_app
from tests.support import warm_engines  # registers test.warm_quick and test.warm_slow
from tests.support.accounts import add_user
from tests.support.servers import wait_until
from tests.support.settings import make_settings


def test_a_warm_up_reports_each_step_as_it_loads(tmp_path: Path) -> None:
    board = WarmupBoard(tmp_path)
    assert board.report().state == "ready" and board.report().warming == []
    release = threading.Event()

    def broken() -> None:
        raise RuntimeError("no weights here")

    warm = Warmup(
        [("first", release.wait), ("second", broken), ("third", lambda: None)], tmp_path, ENGINES
    ).start()
    report = board.report()
    assert (report.state, report.warming, report.ready) == (
        "warming",
        ["first", "second", "third"],
        [],
    )
    release.set()
    assert warm.done.wait(10)
    report = board.report()
    assert (report.state, report.warming, report.ready) == ("ready", [], ["first", "third"])
    assert report.failed == {"second": "no weights here"}
    assert report.finished is not None

    warm.close()
    assert board.report().ready == []


SETTLES = """
import gc, sys, tempfile
from pathlib import Path
from atelier.studio.warmup import ENGINES, Warmup
models = []
def load():
    models.append([{"weights": [float(i)] * 4} for i in range(20_000)])  # tracked objects
warm = Warmup([("model", load)], Path(tempfile.mkdtemp()), ENGINES, lifelong=sys.argv[1] == "1")
assert warm.start().done.wait(30)
print(gc.get_freeze_count())
"""


@pytest.mark.parametrize("lifelong", [True, False])
def test_a_worker_process_warm_up_puts_what_it_loaded_beyond_full_collections(
    lifelong: bool,
) -> None:
    """A worker process's models live as long as it does; a full pass of the garbage
    collector over their objects took 0.2–0.6 s of a job's CPU. Its warm-up ends by
    freezing them (gc.freeze: the passes skip them); a warm-up in a process that serves
    other studios (a test's, the server's) leaves the collector as it is."""
    run = subprocess.run(
        [sys.executable, "-c", SETTLES, "1" if lifelong else "0"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    frozen = int(run.stdout.split()[-1])
    assert frozen > 40_000 if lifelong else frozen == 0


def test_only_a_pool_with_its_process_to_itself_settles_its_warm_up(tmp_path: Path) -> None:
    """A worker process's pool (`own_process`) is lifelong; the server's threads are not."""
    studio = Studio(make_settings(tmp_path, warm_start=True))
    served = {"test.warm_quick"}
    alone = WorkerPool(studio, 1, engines=served, warm=True, own_process=True)
    shared = WorkerPool(studio, 1, engines=served, warm=True)
    assert alone.warmup is not None and alone.warmup.lifelong
    assert shared.warmup is not None and not shared.warmup.lifelong
    studio.close()


def test_a_starting_worker_counts_and_a_dead_one_does_not(tmp_path: Path) -> None:
    board = WarmupBoard(tmp_path)
    starting(tmp_path, os.getpid())  # a worker process started, not yet warming
    assert board.report().warming == ["worker process starting"]
    ended = subprocess.Popen(["true"])
    ended.wait()  # its pid runs nothing now
    next(board.folder.glob("*.json")).unlink()
    starting(tmp_path, ended.pid)
    assert board.report() == WarmReport("ready")
    assert list(board.folder.glob("*.json")) == []  # a dead process's file is cleared


@pytest.mark.slow  # it loads every engine's models (a minute on two busy cores)
def test_the_first_job_waits_for_its_models_and_then_starts(tmp_path: Path) -> None:
    """With the studio's real engines loading: a job waits in the queue while its own
    engine's models load, and starts once they have (not when every engine has)."""
    settings = make_settings(tmp_path, warm_start=True)
    studio = Studio(settings)
    studio.prepare()
    who = add_user(studio, "first@example.com")
    warmed = [name for name, _ in engine_steps(studio.engines.all())]
    assert {"image.stylize", "image.compose", "text.write", "music.compose"} <= set(warmed)
    assert "test.warm_slow" in warmed
    warm_engines.SLOW.clear()  # its models load when this test says so
    pool = WorkerPool(studio, 1, warm=True).start()
    try:
        job, _ = studio.jobs.submit(who, "test.warm_slow", {}, seed=1)
        assert studio.warmups.report().state == "warming"

        def reached_slow() -> bool:
            return studio.warmups.report().warming[:1] == ["test.warm_slow"]

        wait_until(reached_slow, 600, 0.1, "the engines before test.warm_slow to load")
        assert studio.jobs.get(who, job.id).status == "queued"  # its models are not loaded
        released = datetime.now(UTC).replace(tzinfo=None)
        warm_engines.SLOW.set()

        def ended() -> str | None:
            status = studio.jobs.get(who, job.id).status
            return status if status in ("succeeded", "failed") else None

        assert wait_until(ended, 600, 0.1, "the first job") == "succeeded"
        started = studio.jobs.get(who, job.id).started_at
        assert started is not None and started >= released.replace(microsecond=0)
        assert studio.warmups.report().failed == {}
    finally:
        warm_engines.SLOW.set()
        pool.stop()
        studio.close()


def test_the_api_says_warming_then_ready(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)  # no warm-up of its own: the test's says it all
    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/warmup").json() == {
            "state": "ready",
            "warming": [],
            "ready": [],
            "failed": {},
            "loaded_at": None,
        }
        release = threading.Event()
        warm = Warmup([("image.stylize", release.wait)], settings.data_dir, ENGINES).start()
        answer = client.get("/v1/warmup")
        assert answer.status_code == 200
        assert answer.json()["state"] == "warming"
        assert answer.json()["warming"] == ["image.stylize"]
        page = client.get("/")
        assert "Warming up: loading image.stylize" in page.text
        release.set()
        assert warm.done.wait(10)
        ready = client.get("/v1/warmup").json()
        assert ready["ready"] == ["image.stylize"] and ready["loaded_at"] is not None
        assert "Warming up" not in client.get("/").text
        warm.close()


def test_a_worker_claims_the_jobs_of_engines_loaded_while_others_still_load(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, warm_start=True)
    studio = Studio(settings)
    studio.prepare()
    who = add_user(studio, "early@example.com")
    served = {"test.warm_slow", "test.warm_quick", "test.wait"}  # test.wait loads nothing
    warm_engines.SLOW.clear()  # the slow engine's models load when the test says so
    pool = WorkerPool(studio, 1, engines=served, warm=True).start()
    try:
        slow, _ = studio.jobs.submit(who, "test.warm_slow", {}, seed=1)  # first in the queue
        quick, _ = studio.jobs.submit(who, "test.warm_quick", {}, seed=2)
        nothing, _ = studio.jobs.submit(who, "test.wait", {}, seed=3)

        def succeeded(job_id: str) -> bool:
            return studio.jobs.get(who, job_id).status == "succeeded"

        wait_until(lambda: succeeded(quick.id) and succeeded(nothing.id), 60, 0.05, "two jobs")
        assert studio.jobs.get(who, slow.id).status == "queued"  # its models still load
        assert studio.warmups.report().warming == ["test.warm_slow"]
        made = studio.jobs.get(who, quick.id).works[0]
        _, path = studio.works.file(who, made.id, "name.txt")
        assert path.read_bytes() == b"test.warm_quick"

        warm_engines.SLOW.set()
        wait_until(lambda: succeeded(slow.id), 60, 0.05, "the slow engine's job")
        report = studio.warmups.report()
        assert report.state == "ready" and served - {"test.wait"} <= set(report.ready)
        slow_started = studio.jobs.get(who, slow.id).started_at
        quick_finished = studio.jobs.get(who, quick.id).finished_at
        assert slow_started is not None and quick_finished is not None
        assert slow_started >= quick_finished  # the queue's first job ran last
    finally:
        warm_engines.SLOW.set()
        pool.stop()
        studio.close()
