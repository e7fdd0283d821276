"""Estimates learn this machine's speed from its own finished jobs (studio/calibration.py):
each job keeps its engine's estimate and the seconds it was charged for, and an engine's
next estimate is its own times the median ratio of its newest jobs, else the machine's."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from atelier.accounts.authz import Principal
from atelier.commerce import credits, ledger
from atelier.engines.base import Artifact, Creation
from atelier.settings import Settings
from atelier.store.models import Job, utcnow
from atelier.studio import Studio
from atelier.studio.calibration import Calibration
from tests.support.accounts import add_user
from tests.support.settings import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, learn_speed=True)


def finished(studio: Studio, who: Principal, engine: str, ratios: list[float]) -> None:
    """Jobs of `engine` that took `ratio` times their estimate of 2 s, newest last."""
    start = utcnow() - timedelta(hours=1)
    with studio.db.transaction() as s:
        for i, ratio in enumerate(ratios):
            s.add(
                Job(
                    owner_id=who.user_id,
                    engine=engine,
                    params={},
                    seed=0,
                    status="succeeded",
                    request_hash="0" * 64,
                    estimate_seconds=2.0,
                    charged_seconds=2.0 * ratio,
                    finished_at=start + timedelta(seconds=i),
                )
            )


def test_an_engines_factor_is_the_median_of_its_newest_jobs(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    assert Calibration(studio.db).factor("music.compose") == 1.0  # nothing learned yet
    finished(studio, who, "music.compose", [0.5, 0.6, 0.7, 0.8, 9.0])
    finished(studio, who, "text.write", [0.4, 0.5])  # too few of its own
    calibration = Calibration(studio.db)
    assert calibration.factor("music.compose") == 0.7
    # An engine with fewer than three jobs, or none, takes the machine's median.
    assert calibration.factor("text.write") == calibration.factor("image.compose") == 0.6


def test_an_engine_with_too_few_jobs_takes_its_family_s_factor(studio: Studio) -> None:
    """Text engines run one model: a restyle with no jobs of its own is as fast as the text
    writer's jobs showed, not as the machine's other engines (report7's casual restyle was
    reserved at twice its cost on the machine's factor)."""
    who = add_user(studio, "maker@example.com")
    finished(studio, who, "text.write", [0.5, 0.5])
    finished(studio, who, "text.summarize", [0.6])
    finished(studio, who, "image.stylize", [1.2, 1.2, 1.2, 1.2])
    finished(studio, who, "text.restyle", [0.9, 0.9])  # too few of its own
    calibration = Calibration(studio.db)
    assert calibration.factor("text.restyle") == 0.6  # 0.5, 0.5, 0.6, 0.9, 0.9
    assert calibration.factor("text.write") == 0.6  # its family's too
    assert calibration.factor("image.stylize") == 1.2  # its own
    assert calibration.factor("music.compose") == 0.9  # no family's jobs: the machine's
    # the image engines run on libraries of their own: no family (theirs would be 3.0)
    finished(studio, who, "image.upscale", [3.0] * 5)
    calibration = Calibration(studio.db)
    assert calibration.factor("image.restore") == calibration.factor("music.compose") == 1.2


def test_a_factor_is_bounded_and_tiny_estimates_are_not_read(studio: Studio) -> None:
    who = add_user(studio, "maker@example.com")
    finished(studio, who, "image.upscale", [20.0, 30.0, 40.0])
    with studio.db.transaction() as s:  # the studio's own overhead, not the engine's speed
        for job in s.query(Job).filter(Job.engine == "image.upscale"):
            job.estimate_seconds, job.charged_seconds = 0.01, 0.5
    assert Calibration(studio.db).factor("image.upscale") == 1.0
    finished(studio, who, "image.stylize", [20.0, 30.0, 40.0])
    assert Calibration(studio.db).factor("image.stylize") == 4.0


def run_wait(studio: Studio, who: Principal, seconds: float, cpu: bool = True) -> Job:
    """Submit test.wait (estimated at 1 s), claim it and finish it as if it ran `seconds`,
    of its own CPU time (`cpu`, as a worker process measures it) or by the clock."""
    job, _ = studio.jobs.submit(who, "test.wait", {})
    assert studio.jobs.claim("w1") is not None
    files = [Artifact("result.txt", "text/plain", b"done\n")]
    cpu_seconds = seconds if cpu else None
    assert studio.jobs.finish(job.id, "w1", [Creation(files=files)], seconds, cpu_seconds)
    with studio.db.transaction() as s:
        done = s.get(Job, job.id)
        assert done is not None
        s.expunge(done)
    return done


def test_jobs_that_take_twice_their_estimate_make_the_next_estimate_twice(
    studio: Studio,
) -> None:
    who = add_user(studio, "maker@example.com")
    first = run_wait(studio, who, 2.0)
    assert (first.cost_estimate, first.estimate_seconds, first.charged_seconds) == (1.0, 1.0, 2.0)
    run_wait(studio, who, 2.2)
    run_wait(studio, who, 1.8)
    # A job settled by the clock (its worker loading models, or shared) teaches nothing:
    # the first jobs after a start took 7 to 26 times their estimates that way.
    assert run_wait(studio, who, 30.0, cpu=False).charged_seconds is None
    with studio.db.transaction() as s:  # a replayed settle keeps the first measure
        job = s.get(Job, first.id)
        assert job is not None
        credits.settle(s, job, credits.Compute(9.0, 9.0), 1.0)
        assert job.charged_seconds == 2.0
    studio.engines.calibration = Calibration(studio.db)  # as a process does a minute later
    assert studio.engines.estimate("test.wait", {}) == {"seconds": 2.0, "credits": 2.0}
    studio.engines.calibration = Calibration(studio.db, learn=False)  # ATELIER_LEARN_SPEED=false
    assert studio.engines.estimate("test.wait", {}) == {"seconds": 1.0, "credits": 1.0}
    studio.engines.calibration = Calibration(studio.db)
    assert studio.engines.estimate("test.wait", {}) == {"seconds": 2.0, "credits": 2.0}
    assert studio.quotes.quote(who, "test.wait", {}).credits == 2.0
    job, _ = studio.jobs.submit(who, "test.wait", {})
    assert (job.cost_estimate, job.estimate_seconds) == (2.0, 1.0)  # the engine's own is kept
    with studio.db.transaction() as s:
        hold = ledger.find(s, f"job:{job.id}:reserve")
        assert hold is not None
        held = sum(e.amount for e in hold.entries if e.account == credits.held_account(who.user_id))
    assert held == 200  # two credits, in the ledger's hundredths
