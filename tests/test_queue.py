"""The job queue on SQLite and PostgreSQL: claims, idempotency, leases, cancel, progress,
and the same checks against a real `atelier serve` and a `kill -9`-ed `atelier worker`
(its scratch folder removed on takeover, or swept when a worker starts)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine, event, func, select, text, update

from atelier.accounts.authz import Principal
from atelier.engines.base import Artifact, Creation
from atelier.errors import Conflict
from atelier.store.models import TERMINAL_STATUSES, Job, Work, WorkFile, utcnow
from atelier.studio import Studio
from atelier.studio.runner import Worker, WorkerPool
from tests.support.accounts import add_user
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
from tests.support.settings import make_settings

QUICK = {"seconds": 0.0}


@pytest.fixture
def open_studio(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Studio]]:
    """Opens a migrated studio on the test's database with settings overrides."""
    opened: list[Studio] = []

    def open_(**overrides: object) -> Studio:
        studio = Studio(make_settings(tmp_path, db_url, **overrides))
        studio.prepare()
        opened.append(studio)
        return studio

    yield open_
    for studio in opened:
        studio.close()


@pytest.fixture
def studio(open_studio: Callable[..., Studio]) -> Studio:
    return open_studio()


@pytest.fixture
def who(studio: Studio) -> Principal:
    return add_user(studio, "maker@example.com")


def count(studio: Studio, model: Any, *where: Any) -> int:
    with studio.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def row(studio: Studio, job_id: str) -> Job:
    with studio.db.transaction() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def expire_lease(studio: Studio, job_id: str) -> None:
    """Make a running job's lease run out now, as if its worker stopped answering."""
    with studio.db.transaction() as s:
        s.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def creation(text: bytes = b"made\n") -> list[Creation]:
    return [Creation(files=[Artifact("result.txt", "text/plain", text)], title="made")]


def in_thread(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def result_bytes(seed: int, index: int = 0) -> bytes:
    """What test.wait writes for a work."""
    return f"seed {seed} work {index}\n".encode()


# -- claims -------------------------------------------------------------------------


def test_a_submit_wakes_a_worker_of_another_studio_at_once_on_postgresql(
    tmp_path: Path, pg_url: str
) -> None:
    """PostgreSQL: the submit's NOTIFY reaches an idle pool that shares nothing with the
    submitter but the database and data folder (as `atelier worker` elsewhere). Its poll is a
    minute (the most settings allow) and the job is done well before it, so the notice
    woke it. (SQLite has no notices: its other processes' workers poll.)"""
    submitter = Studio(make_settings(tmp_path, pg_url))
    submitter.prepare()
    worker_side = Studio(make_settings(tmp_path, pg_url, poll_seconds=60.0))
    worker_side.prepare()
    who = add_user(submitter, "maker@example.com")
    # The output screen's models load at their first text (20 s and more on a loaded
    # machine): loaded first, so the job's time is the wake-up's, well inside the poll.
    worker_side.safety.screen_output([("warm.txt", "text/plain", b"warm up")])
    pool = WorkerPool(worker_side, 1).start()

    def listening_and_idle() -> bool:
        """The pool's listener has said LISTEN, and no other connection is mid-query or
        mid-transaction: its worker found no job and waits for a notice."""
        with submitter.db.transaction() as s:
            others = s.execute(
                text(
                    "SELECT query, state FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).all()
        return any(q.startswith("LISTEN") for q, _ in others) and all(
            state == "idle" for _, state in others
        )

    try:
        wait_until(listening_and_idle, timeout=30, what="the pool to listen and go idle")
        job, _ = submitter.jobs.submit(who, "test.wait", QUICK, seed=4)
        assert wait_until(lambda: row(submitter, job.id).status == "succeeded", timeout=45)
        with submitter.db.transaction() as s:
            work = s.scalars(select(Work).where(Work.job_id == job.id)).one()
        assert submitter.artifacts.read(work.sha256) == result_bytes(4)
    finally:
        pool.stop()
        worker_side.close()
        submitter.close()


def test_concurrent_claims_take_every_job_exactly_once(open_studio: Callable[..., Studio]) -> None:
    studio = open_studio(lease_seconds=300)  # no lease runs out while the threads claim
    who = add_user(studio, "maker@example.com")
    submitted = {studio.jobs.submit(who, "test.wait", QUICK)[0].id for _ in range(40)}
    start = threading.Barrier(8)

    def claim_all(worker_id: str) -> list[str]:
        start.wait()
        claimed = []
        while (job := studio.jobs.claim(worker_id)) is not None:
            claimed.append(job.job_id)
        return claimed

    with ThreadPoolExecutor(8) as pool:
        by_worker = dict(
            zip(range(8), pool.map(claim_all, [f"w{i}" for i in range(8)]), strict=True)
        )

    everything = [job_id for ids in by_worker.values() for job_id in ids]
    assert len(everything) == 40
    assert set(everything) == submitted
    # The database agrees: each job is running once, leased to the worker that got it.
    with studio.db.transaction() as s:
        jobs = {j.id: j for j in s.scalars(select(Job))}
    assert {j.status for j in jobs.values()} == {"running"}
    assert {j.attempts for j in jobs.values()} == {1}
    for worker, ids in by_worker.items():
        assert {jobs[job_id].lease_owner for job_id in ids} <= {f"w{worker}"}


def test_claims_take_the_oldest_job_first(studio: Studio, who: Principal) -> None:
    order = [studio.jobs.submit(who, "test.wait", {"seconds": i / 1000})[0].id for i in range(5)]
    claimed = [studio.jobs.claim("w") for _ in range(6)]
    assert [c.job_id if c else None for c in claimed] == [*order, None]
    first = claimed[0]
    assert first is not None
    assert (first.engine, first.params, first.attempt) == (
        "test.wait",
        {"seconds": 0.0, "steps": 1, "works": 1, "fail": False, "empty": False, "unmet": []},
        1,
    )


# -- idempotency --------------------------------------------------------------------


def test_same_key_and_request_returns_the_first_job(studio: Studio, who: Principal) -> None:
    job, created = studio.jobs.submit(who, "test.wait", QUICK, idempotency_key="k-1")
    again, created_again = studio.jobs.submit(who, "test.wait", QUICK, idempotency_key="k-1")
    assert (created, created_again) == (True, False)
    assert again.id == job.id
    assert again.seed == job.seed
    assert count(studio, Job) == 1


def test_same_key_with_other_params_is_a_conflict(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", QUICK, idempotency_key="k-1")
    with pytest.raises(Conflict) as caught:
        studio.jobs.submit(who, "test.wait", {"seconds": 1.0}, idempotency_key="k-1")
    assert caught.value.status == 409
    assert caught.value.errors == [("Idempotency-Key", caught.value.detail)]
    with pytest.raises(Conflict):
        studio.jobs.submit(who, "test.wait", QUICK, seed=7, idempotency_key="k-1")
    with studio.db.transaction() as s:
        assert [j.id for j in s.scalars(select(Job))] == [job.id]


def test_keys_belong_to_their_owner(studio: Studio, who: Principal) -> None:
    other = add_user(studio, "other@example.com")
    mine, _ = studio.jobs.submit(who, "test.wait", QUICK, idempotency_key="shared")
    theirs, created = studio.jobs.submit(other, "test.wait", QUICK, idempotency_key="shared")
    assert created is True
    assert theirs.id != mine.id
    assert count(studio, Job) == 2


def test_concurrent_submits_with_one_key_make_one_job(studio: Studio, who: Principal) -> None:
    start = threading.Barrier(8)

    def submit(_: int) -> tuple[str, bool]:
        start.wait()
        job, created = studio.jobs.submit(who, "test.wait", QUICK, idempotency_key="once")
        return job.id, created

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(submit, range(8)))

    assert len({job_id for job_id, _ in answers}) == 1
    assert sorted(created for _, created in answers) == [False] * 7 + [True]
    assert count(studio, Job) == 1


# -- leases -------------------------------------------------------------------------


def test_a_worker_that_lost_its_lease_cannot_finish(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", QUICK)
    first = studio.jobs.claim("A")
    assert first is not None and first.attempt == 1
    expire_lease(studio, job.id)
    second = studio.jobs.claim("B")
    assert second is not None
    assert (second.job_id, second.attempt) == (job.id, 2)

    assert studio.jobs.heartbeat(job.id, "A").held is False
    assert studio.jobs.finish(job.id, "A", creation(b"from A\n"), 0.1) is False
    studio.jobs.fail(job.id, "A", "too late")
    late = row(studio, job.id)
    assert (late.status, late.lease_owner, late.error) == ("running", "B", None)
    assert count(studio, Work) == 0

    assert studio.jobs.heartbeat(job.id, "B").held is True
    assert studio.jobs.finish(job.id, "B", creation(b"from B\n"), 0.1) is True
    done = row(studio, job.id)
    assert (done.status, done.attempts, done.lease_owner) == ("succeeded", 2, None)
    assert [w.sha256 for w in done.works] == [hashlib.sha256(b"from B\n").hexdigest()]
    assert count(studio, Work) == 1
    assert studio.artifacts.read(done.works[0].sha256) == b"from B\n"
    # Finishing twice records nothing more.
    assert studio.jobs.finish(job.id, "B", creation(b"from B\n"), 0.1) is False
    assert count(studio, Work) == 1


def open_transaction(driver_connection: Any) -> bool:
    """Whether the database connection has a transaction open (and so holds its locks)."""
    if isinstance(driver_connection, sqlite3.Connection):
        return driver_connection.in_transaction
    return driver_connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_a_heartbeat_holds_no_transaction_open_between_its_statements(
    studio: Studio, who: Principal
) -> None:
    """Issue 12: in a worker process an engine that holds the GIL (ncnn, for seconds) can
    stop the heartbeat thread between any two Python steps; a transaction it had open kept
    SQLite's one write lock, and every request of the server waited for the whole run.
    Each of its statements is now its own transaction (and a worker process leaves the
    job.progress events, which need one, to its server: studio/processes.py)."""
    studio.jobs.step_events = False  # as in a worker process
    job, _ = studio.jobs.submit(who, "test.wait", QUICK)
    assert studio.jobs.claim("A") is not None
    studio.jobs.cancel(who, job.id)
    after_each: list[bool] = []

    def after(conn: Any, *_: Any) -> None:
        after_each.append(open_transaction(conn.connection.driver_connection))

    event.listen(studio.db.engine, "after_cursor_execute", after)
    try:
        beat = studio.jobs.heartbeat(job.id, "A", 0.5, "half way")
    finally:
        event.remove(studio.db.engine, "after_cursor_execute", after)
    assert (beat.held, beat.cancel) == (True, True)
    assert after_each and not any(after_each), after_each
    running = row(studio, job.id)
    assert (running.progress, running.message) == (0.5, "half way")
    assert studio.jobs.heartbeat(job.id, "B").held is False


def test_a_heartbeat_stopped_before_it_writes_never_moves_the_lease_back(
    studio: Studio, who: Principal
) -> None:
    """Issue 12 (CI): ncnn stopped a worker process's heartbeat between computing its lease
    time and writing it; the supervisor renewed the lease meanwhile, and the stale time,
    written late, put the lease in the past: the other worker process took the job over.
    Here the supervisor's renewal runs just before the first heartbeat's statements."""
    job, _ = studio.jobs.submit(who, "test.wait", QUICK)
    assert studio.jobs.claim("A") is not None
    renewed: list[Any] = []

    def renew_first(*_: Any) -> None:
        if not renewed:
            renewed.append(None)
            time.sleep(0.05)
            studio.jobs.heartbeat(job.id, "A")  # as the supervisor does
            renewed.append(row(studio, job.id).lease_expires_at)

    event.listen(studio.db.engine, "before_cursor_execute", renew_first)
    try:
        assert studio.jobs.heartbeat(job.id, "A", 0.5).held
    finally:
        event.remove(studio.db.engine, "before_cursor_execute", renew_first)
    later = renewed[1]
    running = row(studio, job.id)
    assert (running.progress, running.lease_expires_at) == (0.5, later)


def test_a_running_worker_stops_when_its_job_is_taken_over(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", {"seconds": 20.0, "steps": 80})
    worker = Worker(studio, "A")
    thread = in_thread(worker.run_one)
    wait_until(lambda: row(studio, job.id).status == "running", 10, what="the job to run")

    def take_over() -> bool:  # A's heartbeats keep renewing its lease: retry until B has it
        expire_lease(studio, job.id)
        return studio.jobs.claim("B") is not None

    wait_until(take_over, 10, what="B to take the job over")
    thread.join(10)
    assert not thread.is_alive(), "the worker kept running a job it had lost"
    job = row(studio, job.id)
    # A wrote nothing: the job is B's, still running, with no works and no error.
    assert (job.status, job.lease_owner, job.attempts, job.error) == ("running", "B", 2, None)
    assert count(studio, Work) == 0


def test_a_job_whose_worker_keeps_dying_fails(open_studio: Callable[..., Studio]) -> None:
    studio = open_studio(max_attempts=2)
    who = add_user(studio, "maker@example.com")
    doomed, _ = studio.jobs.submit(who, "test.wait", QUICK)
    assert studio.jobs.claim("A") is not None
    expire_lease(studio, doomed.id)
    assert studio.jobs.claim("B") is not None
    later, _ = studio.jobs.submit(who, "test.wait", QUICK)
    expire_lease(studio, doomed.id)

    claimed = studio.jobs.claim("C")  # gives up on the doomed job and takes the next one
    assert claimed is not None and claimed.job_id == later.id
    job = row(studio, doomed.id)
    assert (job.status, job.attempts, job.lease_owner) == ("failed", 2, None)
    assert job.error == "the worker running this job stopped answering 2 times; giving up"
    assert job.finished_at is not None
    assert count(studio, Work) == 0
    assert studio.jobs.claim("D") is None


def test_a_cancelled_job_whose_worker_died_is_canceled(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", QUICK)
    assert studio.jobs.claim("A") is not None
    asked = studio.jobs.cancel(who, job.id)
    assert (asked.status, asked.cancel_requested) == ("running", True)
    assert studio.jobs.heartbeat(job.id, "A").cancel is True
    expire_lease(studio, job.id)

    assert studio.jobs.claim("B") is None
    job = row(studio, job.id)
    assert (job.status, job.error, job.lease_owner, job.attempts) == ("canceled", None, None, 1)
    assert job.finished_at is not None


# -- cancel -------------------------------------------------------------------------


def test_cancel_a_queued_job(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", QUICK)
    canceled = studio.jobs.cancel(who, job.id)
    assert canceled.status == "canceled"
    stored = row(studio, job.id)
    assert (stored.status, stored.attempts) == ("canceled", 0)
    assert stored.finished_at is not None
    assert studio.jobs.claim("w") is None


def test_cancel_a_running_job_stops_its_engine(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", {"seconds": 30.0, "steps": 60})
    thread = in_thread(Worker(studio, "A").run_one)
    wait_until(lambda: row(studio, job.id).progress > 0, 10, what="the job to make progress")
    asked = time.monotonic()
    assert studio.jobs.cancel(who, job.id).cancel_requested is True

    thread.join(10)
    assert not thread.is_alive(), "the engine did not stop"
    assert time.monotonic() - asked < 10
    stored = row(studio, job.id)
    assert (stored.status, stored.error, stored.lease_owner) == ("canceled", None, None)
    assert stored.progress < 0.5
    assert count(studio, Work) == 0


def test_cancel_a_finished_job_is_a_conflict(studio: Studio, who: Principal) -> None:
    done, _ = studio.jobs.submit(who, "test.wait", QUICK)
    assert Worker(studio).run_one() is True
    assert row(studio, done.id).status == "succeeded"
    with pytest.raises(Conflict, match="already succeeded") as caught:
        studio.jobs.cancel(who, done.id)
    assert caught.value.status == 409

    stopped, _ = studio.jobs.submit(who, "test.wait", QUICK)
    studio.jobs.cancel(who, stopped.id)
    with pytest.raises(Conflict, match="already canceled"):
        studio.jobs.cancel(who, stopped.id)
    assert row(studio, done.id).status == "succeeded"
    assert count(studio, Work) == 1


# -- progress and engine errors -------------------------------------------------------


def test_running_job_reports_progress(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", {"seconds": 2.0, "steps": 5})
    thread = in_thread(Worker(studio).run_one)
    seen: list[tuple[float, str | None]] = []

    def finished() -> bool:
        current = studio.jobs.get(who, job.id)
        if current.status == "running":
            seen.append((current.progress, current.message))
        return current.status in TERMINAL_STATUSES

    wait_until(finished, 20, interval=0.02, what="the job to finish")
    thread.join(10)

    reported = [(p, m) for p, m in seen if m is not None]
    fractions = [p for p, _ in reported]
    assert fractions == sorted(fractions), "progress went backwards"
    assert len(set(fractions)) >= 3, f"too few progress reports: {seen}"
    steps = [int(re.fullmatch(r"step (\d) of 5", m).group(1)) for _, m in reported]  # type: ignore[union-attr]
    assert steps == sorted(steps) and len(set(steps)) >= 3
    for fraction, step in zip(fractions, steps, strict=True):
        assert fraction == pytest.approx((step - 1) / 5)
    done = studio.jobs.get(who, job.id)
    assert (done.status, done.progress, done.message) == ("succeeded", 1.0, None)
    assert studio.artifacts.read(done.works[0].sha256) == result_bytes(done.seed)


def test_engine_error_fails_the_job(studio: Studio, who: Principal) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", {"fail": True})
    assert Worker(studio).run_one() is True
    failed = studio.jobs.get(who, job.id)
    assert (failed.status, failed.error, failed.lease_owner) == ("failed", "asked to fail", None)
    assert failed.works == []
    assert count(studio, Work) == 0
    assert count(studio, WorkFile) == 0
    assert studio.artifacts.count() == 0


def test_a_result_the_studio_cannot_store_fails_the_job_at_once(
    studio: Studio, who: Principal
) -> None:
    job, _ = studio.jobs.submit(who, "test.wait", {"empty": True})
    assert Worker(studio).run_one() is True
    failed = studio.jobs.get(who, job.id)
    assert (failed.status, failed.attempts, failed.lease_owner) == ("failed", 1, None)
    assert failed.error == "internal error storing the result of test.wait: ValueError"
    assert count(studio, Work) == 0
    assert studio.artifacts.count() == 0
    assert Worker(studio).run_one() is False  # not queued again


def test_a_file_that_cannot_be_written_records_no_work(
    studio: Studio, who: Principal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are written beside the transaction that records their works, which waits for
    them before it commits: a failed write (a full disk) leaves no work naming a file
    that is not there."""
    put = studio.artifacts.put

    def full_disk(data: bytes) -> str:
        if data == result_bytes(7):
            raise OSError(28, "No space left on device")
        return put(data)

    monkeypatch.setattr(studio.artifacts, "put", full_disk)
    job, _ = studio.jobs.submit(who, "test.wait", QUICK, seed=7)
    assert Worker(studio).run_one() is True
    failed = studio.jobs.get(who, job.id)
    assert failed.status == "failed" and "OSError" in (failed.error or "")
    assert count(studio, Work) == 0 and count(studio, WorkFile) == 0
    assert not studio.artifacts.exists(hashlib.sha256(result_bytes(7)).hexdigest())


# -- a real server and a real worker process ----------------------------------------------


@pytest.mark.integration
def test_server_takes_concurrent_requests_without_losing_one(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = atelier_env(tmp_path / "data", db_url, workers=2, poll_seconds=0.1)
    with Running(["serve", "--port", str(port)], env, tmp_path / "serve.log") as server:
        wait_for_http(server, base)
        headers = {"Authorization": f"Bearer {api_key(base)}"}
        body = {"engine": "test.wait", "params": {"seconds": 0.02, "steps": 2}}
        keys = [f"distinct-{i}" for i in range(50)] + ["repeated"] * 20
        start = threading.Barrier(len(keys))
        with httpx.Client(base_url=base, headers=headers, timeout=120.0) as client:

            def post(key: str) -> tuple[str, int, str]:
                """On a connection of its own: 70 threads sharing one client's pool once
                read from a socket another thread had closed (httpx: EBADF)."""
                with httpx.Client(base_url=base, headers=headers, timeout=120.0) as own:
                    start.wait()
                    answer = own.post("/v1/jobs", json=body, headers={"Idempotency-Key": key})
                assert answer.status_code in (200, 201), answer.text
                return key, answer.status_code, answer.json()["id"]

            with ThreadPoolExecutor(len(keys)) as pool:
                answers = list(pool.map(post, keys))

            distinct = [a for a in answers if a[0] != "repeated"]
            repeated = [a for a in answers if a[0] == "repeated"]
            assert [code for _, code, _ in distinct] == [201] * 50
            assert sorted(code for _, code, _ in repeated) == [200] * 19 + [201]
            assert len({job_id for _, _, job_id in repeated}) == 1
            ids = {job_id for _, _, job_id in answers}
            assert len(ids) == 51

            def all_done() -> list[dict[str, Any]]:
                server.check_alive()
                jobs: list[dict[str, Any]] = client.get("/v1/jobs", params={"limit": 200}).json()[
                    "items"
                ]
                return jobs if all(j["status"] in TERMINAL_STATUSES for j in jobs) else []

            jobs = wait_until(all_done, 300, interval=0.2, what="all 51 jobs to finish")
            assert {j["id"] for j in jobs} == ids
            assert {j["status"] for j in jobs} == {"succeeded"}, server.output()
            assert {len(j["work_ids"]) for j in jobs} == {1}
            assert {j["attempts"] for j in jobs} == {1}
            sample = jobs[0]
            file = client.get(f"/v1/works/{sample['work_ids'][0]}/file")
            assert file.status_code == 200
            assert file.content == result_bytes(sample["seed"])

        engine = create_engine(db_url)
        try:
            with engine.connect() as c:
                jobs_by_status: dict[str, int] = dict(
                    c.execute(select(Job.status, func.count()).group_by(Job.status)).all()
                )
                works = c.execute(select(func.count()).select_from(Work)).scalar()
                jobs_with_works = c.execute(select(func.count(func.distinct(Work.job_id)))).scalar()
                files = c.execute(select(func.count()).select_from(WorkFile)).scalar()
        finally:
            engine.dispose()
        assert jobs_by_status == {"succeeded": 51}
        # Each text work: its file, its signed sidecar manifest and its excerpt for visitors.
        assert (works, jobs_with_works, files) == (51, 51, 153)


@pytest.mark.integration
def test_a_job_survives_its_worker_being_killed(tmp_path: Path, db_url: str) -> None:
    settings = make_settings(tmp_path, db_url, lease_seconds=2.0)
    studio = Studio(settings)
    try:
        studio.prepare()
        who = add_user(studio, "maker@example.com")
        env = atelier_env(settings.data_dir, db_url, lease_seconds=2, poll_seconds=0.1)
        with Running(["worker"], env, tmp_path / "worker.log") as worker:
            job, _ = studio.jobs.submit(who, "test.wait", {"seconds": 6.0, "steps": 30})

            def running_there() -> bool:
                worker.check_alive()
                current = row(studio, job.id)
                return (
                    current.status == "running"
                    and lease_pid(current.lease_owner or "::0:") in worker_processes(worker.pid)
                    and current.progress > 0
                )

            wait_until(running_there, 180, what="a worker process to run the job")
            child = lease_pid(row(studio, job.id).lease_owner or "")
            worker.kill9()
            # Its worker process dies with it, mid-job: no orphan goes on running the job.
            wait_until(lambda: not process_alive(child), 10, what="the worker process to end")

        killed = row(studio, job.id)
        assert (killed.status, killed.attempts) == ("running", 1)
        left = settings.scratch_dir / f"{job.id}-1"
        assert left.is_dir(), "the killed worker left no scratch folder to clean"
        # A second worker takes the job once the dead one's lease runs out, and finishes it.
        second = Worker(studio, "second")
        wait_until(second.run_one, 20, interval=0.1, what="the lease to run out")
        # It removed the killed attempt's scratch folder when it took the job, and its own.
        assert list(settings.scratch_dir.iterdir()) == []

        done = row(studio, job.id)
        assert (done.status, done.attempts, done.error) == ("succeeded", 2, None)
        assert len(done.works) == 1
        assert count(studio, Work) == 1
        expected = result_bytes(done.seed)
        digest = hashlib.sha256(expected).hexdigest()
        stored = [p for p in settings.artifacts_dir.rglob("*") if p.is_file()]
        kept = [f.sha256 for f in done.works[0].files if f.role in ("manifest", "preview")]
        assert sorted(p.name for p in stored) == sorted({digest, *kept})
        assert studio.artifacts.read(digest) == expected
        assert done.works[0].sha256 == digest
    finally:
        studio.close()


@pytest.mark.integration
def test_a_killed_workers_scratch_folder_is_swept_when_a_worker_starts(tmp_path: Path) -> None:
    """A killed worker's job that nobody takes over (here: cancelled while its worker was
    dead) leaves a folder no takeover removes: the next worker to start sweeps it."""
    db_url = f"sqlite:///{tmp_path / 'atelier.db'}"
    settings = make_settings(tmp_path, db_url, lease_seconds=2.0)
    studio = Studio(settings)
    try:
        studio.prepare()
        who = add_user(studio, "maker@example.com")
        env = atelier_env(settings.data_dir, db_url, lease_seconds=2, poll_seconds=0.1)
        job, _ = studio.jobs.submit(who, "test.wait", {"seconds": 30.0, "steps": 60})
        with Running(["worker"], env, tmp_path / "first.log") as first:

            def running() -> bool:
                first.check_alive()
                return row(studio, job.id).progress > 0

            wait_until(running, 60, what="the first worker to run the job")
            first.kill9()
        folder = settings.scratch_dir / f"{job.id}-1"
        assert folder.is_dir()
        studio.jobs.cancel(who, job.id)
        wait_until(
            lambda: (row(studio, job.id).lease_expires_at or utcnow()) < utcnow(),
            10,
            what="the lease to end",
        )

        with Running(["worker"], env, tmp_path / "second.log") as second:

            def swept() -> bool:
                second.check_alive()
                return not folder.exists()

            wait_until(swept, 60, what="the second worker to sweep the dead one's folder")
            assert list(settings.scratch_dir.iterdir()) == []
            wait_until(lambda: row(studio, job.id).status == "canceled", 10, what="the job reaped")
    finally:
        studio.close()
