"""The job event stream pushes a job's progress as the worker reports it (each token of
a text job), not only what reaches the database a few times a second."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.accounts import api_user
from tests.support.api import sse_events, submit, wait_job

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
