"""`atelier serve` runs engines in worker processes it supervises (issue 12: in threads of
the server, a ×4 upscale stalled every request): jobs, progress and cancel across
processes, leases kept while an engine holds the GIL, a dead worker process replaced, and
none left behind when the server stops or is killed.

The other tests run their apps with worker_mode=threads (conftest.make_settings): the
jobs of a TestClient's app run in the test process, where tests.engines is registered."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from atelier.store.models import TERMINAL_STATUSES
from tests.support.media import photo, png
from tests.support.servers import (
    Running,
    api_key,
    atelier_env,
    free_port,
    lease_pid,
    process_alive,
    wait_for_http,
    wait_until,
    worker_processes,
)

pytestmark = pytest.mark.integration


class Served:
    def __init__(self, server: Running, client: httpx.Client, database: Path) -> None:
        self.server, self.client, self.database = server, client, database

    def workers(self) -> list[int]:
        return workers_of(self.server)

    def job(self, job_id: str) -> dict[str, Any]:
        answer = self.client.get(f"/v1/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def submit(self, engine: str, params: dict[str, Any]) -> str:
        answer = self.client.post("/v1/jobs", json={"engine": engine, "params": params})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    def finished(self, job_id: str, timeout: float = 60.0) -> dict[str, Any]:
        def done() -> dict[str, Any]:
            self.server.check_alive()
            job = self.job(job_id)
            return job if job["status"] in TERMINAL_STATUSES else {}

        return wait_until(done, timeout, interval=0.1, what=f"job {job_id} to end")

    def lease_owner(self, job_id: str) -> str | None:
        with sqlite3.connect(self.database) as db:
            row = db.execute("SELECT lease_owner FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return row[0] if row else None


def workers_of(server: Running, count: int | None = None) -> list[int]:
    """The server's worker processes; with `count`, none until there are that many."""
    server.check_alive()
    found = worker_processes(server.pid)
    return found if count is None or len(found) == count else []


def serve(tmp_path: Path, **settings: object) -> tuple[Running, str, Path]:
    tmp_path.mkdir(exist_ok=True)
    data, port = tmp_path / "data", free_port()
    env = atelier_env(data, f"sqlite:///{data / 'atelier.db'}", **settings)
    return (
        Running(["serve", "--port", str(port)], env, tmp_path / "serve.log"),
        (f"http://127.0.0.1:{port}"),
        data / "atelier.db",
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # A 2-second lease: an engine that holds the GIL for longer must not lose its job.
    running, base, database = serve(
        tmp_path_factory.mktemp("served"), workers=2, lease_seconds=2, poll_seconds=0.2
    )
    with running as server:
        wait_for_http(server, base)
        headers = {"Authorization": f"Bearer {api_key(base)}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
            result = Served(server, client, database)
            wait_until(lambda: workers_of(server, 2), 60, what="two worker processes")
            yield result


def test_jobs_run_in_the_worker_processes_with_progress_and_cancel(served: Served) -> None:
    workers = served.workers()
    job_id = served.submit("test.wait", {"seconds": 30.0, "steps": 60})
    running = wait_until(
        lambda: (job := served.job(job_id))["progress"] > 0 and job,
        60,
        what="progress from the worker process",
    )
    assert running["status"] == "running"
    assert running["message"].startswith("step ")
    owner = served.lease_owner(job_id)
    assert owner is not None and lease_pid(owner) in workers
    assert lease_pid(owner) != served.server.pid

    canceled = served.client.post(f"/v1/jobs/{job_id}/cancel")
    assert canceled.status_code == 200, canceled.text
    job = served.finished(job_id, 20)
    assert (job["status"], job["error"], job["work_ids"]) == ("canceled", None, [])
    assert job["progress"] < 0.5

    quick = served.finished(served.submit("test.wait", {"seconds": 0.1, "steps": 2}))
    assert (quick["status"], quick["attempts"], len(quick["work_ids"])) == ("succeeded", 1, 1)


def test_progress_from_a_worker_process_is_pushed_to_the_event_stream(served: Served) -> None:
    """Issue 19: the stream pushes each report as it comes (a text job: each token). A
    report every 0.2 s for 6 s: read from the database (written at most every 0.25 s,
    read every 0.25 s) a stream sees 24 steps at most; relayed up from the worker process
    it sees them all (a step or two may merge on a loaded machine)."""
    job_id = served.submit("test.wait", {"seconds": 6.0, "steps": 30})
    steps: set[str] = set()
    with served.client.stream("GET", f"/v1/jobs/{job_id}/events", timeout=120) as events:
        assert events.status_code == 200
        for line in events.iter_lines():
            if line.startswith("data: "):
                body = json.loads(line[len("data: ") :])
                if body["status"] == "running" and (body["message"] or "").startswith("step "):
                    steps.add(body["message"])
                if body["status"] in TERMINAL_STATUSES:
                    assert body["status"] == "succeeded", body
                    break
    assert len(steps) >= 27, sorted(steps, key=lambda step: int(step.split()[1]))


def test_an_engine_holding_the_gil_keeps_its_lease(served: Served) -> None:
    """Real-ESRGAN (ncnn) holds the GIL for a whole block: here ~5 s on two cores, with a
    2-second lease. The worker's own heartbeat thread cannot run meanwhile; the
    supervisor renews the lease, so the other worker process does not take the job."""
    upload = served.client.post(
        "/v1/uploads", files={"file": ("small.png", png(photo(96, 96)), "image/png")}
    )
    assert upload.status_code == 201, upload.text
    job_id = served.submit(
        "image.upscale", {"image": upload.json()["id"], "scale": 4, "model": "photo"}
    )
    job = served.finished(job_id, 240)
    outcome = (job["status"], job["error"], job["attempts"])
    log = [line for line in served.server.output().splitlines() if " /v1/" not in line]
    assert outcome == ("succeeded", None, 1), "\n".join(log[-60:])
    work = served.client.get(f"/v1/works/{job['work_ids'][0]}").json()
    assert (work["meta"]["width"], work["meta"]["height"]) == (384, 384)


def test_a_worker_process_that_dies_is_replaced(served: Served) -> None:
    before = served.workers()
    os.kill(before[0], signal.SIGKILL)

    def replaced() -> list[int]:
        now = workers_of(served.server, 2)
        return [] if before[0] in now else now

    after = wait_until(replaced, 60, what="the supervisor to start another worker process")
    assert before[1] in after
    job = served.finished(served.submit("test.wait", {"seconds": 0.1, "steps": 2}))
    assert job["status"] == "succeeded"


@pytest.mark.parametrize("ending", ["stop", "kill9"])
def test_the_server_stopped_or_killed_leaves_no_worker_processes(
    tmp_path: Path, ending: str
) -> None:
    running, base, _ = serve(tmp_path, workers=2)
    with running as server:
        wait_for_http(server, base)
        workers = wait_until(lambda: workers_of(server, 2), 60, what="two worker processes")
        if ending == "stop":
            server.stop()  # SIGINT, as Ctrl-C: the server asks them to stop, then exits
            assert server.proc is not None and server.proc.returncode == 0, server.output()
        else:
            server.kill9()
    wait_until(
        lambda: not any(process_alive(pid) for pid in workers),
        30,
        what=f"the worker processes to end after the server's {ending}",
    )
