"""The job event stream pushes a job's progress as the worker reports it (each token of
a text job), not only what reaches the database a few times a second."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from atelier.commerce import credits, ledger
from atelier.commerce.models import LedgerTransaction
from atelier.store.models import Work
from atelier.store.outbox import OutboxEvent
from atelier.studio import Studio
from atelier.studio.runner import Worker
from tests.support.accounts import add_user, api_user
from tests.support.api import sse_events, submit, wait_job
from tests.support.settings import make_settings

WORDS = ["once", "upon", "a", "time"]


def test_stream_pushes_each_report_while_the_job_runs(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    job = submit(client, alice, "test.burst", {"words": WORDS, "hold": 3.0})
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=alice) as response:
        assert response.status_code == 200
        events = sse_events("".join(response.iter_text()))
    names = [name for name, _ in events]
    assert names[-1] == "done" and set(names[:-1]) == {"progress"}
    # The burst's reports come within a few milliseconds: the database is written with
    # the first only, so the whole text reaches the stream only if it is pushed.
    running = [data["message"] for name, data in events if data["status"] == "running"]
    assert running[-1] == "once upon a time", running


def test_stream_of_a_job_already_ended(client: TestClient) -> None:
    """Nothing is pushed for a job that has ended: the stream reads its end from the
    database and closes."""
    alice = api_user(client, "alice@example.com")
    job = wait_job(client, alice, submit(client, alice, "test.wait", {"seconds": 0})["id"])
    with client.stream("GET", f"/v1/jobs/{job['id']}/events", headers=alice) as response:
        events = sse_events("".join(response.iter_text()))
    assert [name for name, _ in events] == ["done"]
    assert events[0][1]["work_ids"] == job["work_ids"] and len(job["work_ids"]) == 1


def test_a_finish_tells_its_works_in_order_and_settles_once(tmp_path: Path, db_url: str) -> None:
    """The spine names a job's works in its job.succeeded event itself (it no longer reads
    them back), in their order; the ledger holds one reserve and one settle for the job,
    and nothing stays held."""
    studio = Studio(make_settings(tmp_path, db_url))
    studio.prepare()
    try:
        alice = add_user(studio, "alice@example.com")
        job, _ = studio.jobs.submit(alice, "test.wait", {"works": 3}, seed=5)
        assert Worker(studio).run_one()
        with studio.db.transaction() as s:
            works = list(
                s.scalars(select(Work.id).where(Work.job_id == job.id).order_by(Work.position))
            )
            told = [
                e.data
                for e in s.scalars(select(OutboxEvent).where(OutboxEvent.type == "job.succeeded"))
            ]
            kinds = sorted(
                s.scalars(select(LedgerTransaction.kind).where(LedgerTransaction.job_id == job.id))
            )
            held = ledger.balance(s, credits.held_account(alice.user_id), ledger.CREDITS)
        assert len(works) == 3 and [t["work_ids"] for t in told] == [works]
        assert kinds == ["job.reserve", "job.settle"] and held == 0
    finally:
        studio.close()
