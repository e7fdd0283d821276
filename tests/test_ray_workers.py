"""Ray as the scale-out engine (issue 17): `atelier worker --ray` claims jobs from
PostgreSQL, runs their engines as Ray tasks on a real two-node cluster on this machine,
and finishes them in the database. A node killed mid-job loses nothing: every job ends
once, with one work and one artifact, its credits settled once. Without Ray nothing
changes: the requeue and shipping tests below need no cluster."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from atelier.accounts.authz import Principal
from atelier.commerce.models import LedgerTransaction
from atelier.engines import remote
from atelier.engines.base import Context, EngineConfig, EngineError
from atelier.store.models import TERMINAL_STATUSES, Job, Work, WorkFile
from atelier.studio import Studio
from tests.support.accounts import add_user, grant_credits
from tests.support.media import photo, pixels, png
from tests.support.ray_cluster import Cluster
from tests.support.servers import Running, atelier_env, wait_until
from tests.support.settings import ASSETS, ROOT, make_settings, s3_settings

PHOTO = photo(96, 64)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A Ray head and a second node, one CPU each, on loopback; every process they
    started is killed at the end, however the tests went."""
    pytest.importorskip("ray", reason="Ray is the optional atelier[ray] extra")
    folder = Path(tempfile.mkdtemp(prefix="atelier-ray-"))  # short: Ray's socket paths
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    # The nodes' Ray workers import this checkout's atelier and the tests' engines.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    made = Cluster(folder, env)
    try:
        made.start_head()
        made.add_node()
        yield made
    finally:
        made.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def studio_pg(pg_url: str, tmp_path: Path) -> Iterator[Studio]:
    studio = Studio(make_settings(tmp_path, pg_url))
    studio.prepare()
    yield studio
    studio.close()


def ray_worker(studio: Studio, cluster: Cluster, log: Path, **settings: object) -> Running:
    env = atelier_env(
        studio.settings.data_dir,
        studio.settings.resolved_database_url,
        assets_dir=ASSETS,
        lease_seconds=5,
        poll_seconds=0.2,
        **settings,
    )
    return Running(["worker", "--ray", cluster.address, "--threads", "2"], env, log)


def creator(studio: Studio) -> Principal:
    who = add_user(studio, "ray@example.com")
    grant_credits(studio, who, 1000)
    return who


def ended(studio: Studio, worker: Running, ids: list[str]) -> bool:
    worker.check_alive()
    with studio.db.transaction() as s:
        statuses = s.scalars(select(Job.status).where(Job.id.in_(ids))).all()
    return all(status in TERMINAL_STATUSES for status in statuses)


def ledger_kinds(studio: Studio, job_id: str) -> list[str]:
    with studio.db.transaction() as s:
        query = select(LedgerTransaction.kind).where(LedgerTransaction.job_id == job_id)
        return sorted(s.scalars(query))


def test_a_cancelled_job_stops_its_ray_task_and_a_batch_survives_a_node_killed(
    cluster: Cluster, studio_pg: Studio, tmp_path: Path
) -> None:
    """One worker for both cases: its start and its nodes' first Ray workers (which
    import the engines) are the slow part. First a job cancelled while its task runs,
    then a batch across both nodes, one of which is killed mid-job."""
    studio = studio_pg
    who = creator(studio)
    picture = studio.uploads.add(who, "photo.png", png(PHOTO))
    stylize = {"image": picture.id, "style": 3, "max_size": 64}
    # A job no node can run (it asks for a GPU here): it waits, unclaimed.
    needs = '{"test.burst": {"gpus": 1}}'
    with ray_worker(studio, cluster, tmp_path / "worker.log", max_attempts=5, ray_needs=needs) as w:
        cancelled, _ = studio.jobs.submit(who, "test.wait", {"seconds": 60, "steps": 60})

        def running_on_ray() -> bool:
            w.check_alive()
            return any(node.running_job() for node in cluster.nodes)

        wait_until(running_on_ray, 120, 0.1, "the job's task to run on a node")

        def reported() -> str:
            message = studio.jobs.get(who, cancelled.id).message or ""
            return message if message.startswith("step ") else ""

        # The engine's progress comes back from its node to the job's row.
        wait_until(reported, 60, 0.1, "the engine's progress")
        studio.jobs.cancel(who, cancelled.id)
        wait_until(lambda: ended(studio, w, [cancelled.id]), 60, 0.1, "the job to end")
        # Its task stops on its node (the node's Ray worker goes back to idle).
        wait_until(lambda: not running_on_ray(), 60, 0.1, "the task to stop")

        waits = [
            studio.jobs.submit(who, "test.wait", {"seconds": 3, "steps": 3}, seed=i)[0].id
            for i in range(5)
        ]
        styled = studio.jobs.submit(who, "image.stylize", stylize, seed=7)[0].id
        gpu_only = studio.jobs.submit(who, "test.burst", {"words": ["no"], "hold": 0})[0].id
        second = cluster.nodes[1]

        def on_second_node() -> bool:
            w.check_alive()
            return second.running_job()

        wait_until(on_second_node, 120, 0.05, "a job to run on the second node")
        cluster.kill(second)
        ids = [*waits, styled]
        wait_until(lambda: ended(studio, w, ids), 240, 0.2, "every job to end")
        w.check_alive()

    done = studio.jobs.get(who, cancelled.id)
    assert done.status == "canceled" and done.works == []
    assert ledger_kinds(studio, cancelled.id) == ["job.release", "job.reserve"]

    with studio.db.transaction() as s:
        jobs = {j.id: j for j in s.scalars(select(Job).where(Job.id.in_([*ids, gpu_only])))}
        works = dict(
            s.execute(
                select(Work.job_id, func.count()).where(Work.job_id.in_(ids)).group_by(Work.job_id)
            ).all()
        )
        files = dict(
            s.execute(
                select(Work.job_id, func.count())
                .join(WorkFile, WorkFile.work_id == Work.id)
                .where(Work.job_id.in_(ids), WorkFile.role == "primary")
                .group_by(Work.job_id)
            ).all()
        )
    outcomes = [(j.engine, j.status, j.error) for j in jobs.values()]
    assert {jobs[i].status for i in ids} == {"succeeded"}, outcomes
    assert works == dict.fromkeys(ids, 1) and files == dict.fromkeys(ids, 1)
    # The job on the killed node went back to the queue and ran again, once more.
    assert max(jobs[i].attempts for i in ids) >= 2
    for job_id in ids:
        assert ledger_kinds(studio, job_id) == ["job.reserve", "job.settle"], job_id
    assert jobs[gpu_only].status == "queued" and jobs[gpu_only].attempts == 0

    for seed, job_id in enumerate(waits):
        [summary] = studio.jobs.get(who, job_id).works
        _, path = studio.works.file(who, summary.id, None)
        assert path.read_bytes() == f"seed {seed} work 0\n".encode()
    # The picture a node made is the one this machine makes (the watermark aside).
    [summary] = studio.jobs.get(who, styled).works
    _, path = studio.works.file(who, summary.id, None)
    made = Image.open(path)
    local = here(studio, "image.stylize", stylize, 7, {picture.id: picture_path(studio, picture)})
    assert made.format == "PNG" and made.size == Image.open(io.BytesIO(local)).size
    assert max(made.size) == 64
    assert np.abs(pixels(path.read_bytes()) - pixels(local)).mean() < 2


def test_a_node_fetches_its_inputs_from_the_object_store(
    cluster: Cluster, pg_url: str, s3_server: str, tmp_path: Path
) -> None:
    """With the S3 store the worker ships the upload's digest, not its bytes: the node
    fetches it from the bucket into its own cache (the worker reads it only to cite it in
    the work's C2PA manifest, when it seals the result)."""
    settings = s3_settings(tmp_path, s3_server, database_url=pg_url)
    studio = Studio(settings)
    studio.prepare()
    try:
        who = creator(studio)
        unique = PHOTO.copy()
        unique.putpixel((0, 0), tuple(os.urandom(3)))  # bytes no earlier run fetched
        picture = studio.uploads.add(who, "photo.png", png(unique))
        stylize = {"image": picture.id, "style": 3, "max_size": 64}
        bucket = {
            name: getattr(settings, name)
            for name in ("artifact_store", "s3_bucket", "s3_prefix", "s3_endpoint_url")
        }
        keys = {"s3_access_key_id": "test", "s3_secret_access_key": "test"}
        with ray_worker(studio, cluster, tmp_path / "worker.log", **bucket, **keys) as worker:
            job, _ = studio.jobs.submit(who, "image.stylize", stylize, seed=7)
            wait_until(lambda: ended(studio, worker, [job.id]), 240, 0.2, "the job to end")
        done = studio.jobs.get(who, job.id)
        assert done.status == "succeeded", done.error
        digest = picture.sha256
        node = remote.NODE_DATA / "s3-cache" / digest[:2] / digest[2:4] / digest
        assert node.read_bytes() == png(unique)  # fetched by the node, into its own cache

        [summary] = done.works
        _, path = studio.works.file(who, summary.id, None)
        local = here(
            studio, "image.stylize", stylize, 7, {picture.id: picture_path(studio, picture)}
        )
        assert np.abs(pixels(path.read_bytes()) - pixels(local)).mean() < 2
    finally:
        studio.close()


def picture_path(studio: Studio, upload: Any) -> Path:
    return studio.artifacts.staged(upload.sha256)


def here(
    studio: Studio, name: str, params: dict[str, Any], seed: int, files: dict[str, Path]
) -> bytes:
    """The engine's first file, run in this process."""
    engine = studio.engines.get(name)
    folder = studio.settings.scratch_dir / "here"
    folder.mkdir(parents=True, exist_ok=True)
    [creation] = engine.run(engine.Params.model_validate(params), Context(seed, folder, files))
    return creation.files[0].data


def test_requeue_returns_a_job_then_fails_it_after_its_last_attempt(
    db_url: str, tmp_path: Path
) -> None:
    """What a worker does when the node running a job died (no cluster needed)."""
    studio = Studio(make_settings(tmp_path, db_url, max_attempts=2))
    studio.prepare()
    try:
        who = creator(studio)
        job, _ = studio.jobs.submit(who, "test.wait", {})
        assert studio.jobs.claim("w1") is not None
        studio.jobs.requeue(job.id, "someone else", "lost")  # not its lease: nothing
        assert studio.jobs.get(who, job.id).status == "running"
        studio.jobs.requeue(job.id, "w1", "its Ray node was lost (NodeDiedError)")
        back = studio.jobs.get(who, job.id)
        assert (back.status, back.attempts, back.lease_owner) == ("queued", 1, None)
        assert back.message == "its Ray node was lost (NodeDiedError)"
        assert ledger_kinds(studio, job.id) == ["job.reserve"]

        again = studio.jobs.claim("w2")
        assert again is not None and again.attempt == 2
        studio.jobs.requeue(job.id, "w2", "its Ray node was lost (WorkerCrashedError)")
        failed = studio.jobs.get(who, job.id)
        assert failed.status == "failed"
        assert failed.error == "its Ray node was lost (WorkerCrashedError); giving up"
        assert ledger_kinds(studio, job.id) == ["job.release", "job.reserve"]
    finally:
        studio.close()


def test_a_claim_takes_only_the_engines_asked_for(studio: Studio) -> None:
    who = creator(studio)
    burst, _ = studio.jobs.submit(who, "test.burst", {"words": ["a"], "hold": 0})
    wait, _ = studio.jobs.submit(who, "test.wait", {})
    claimed = studio.jobs.claim("w", ["test.wait"])
    assert claimed is not None and claimed.job_id == wait.id
    assert studio.jobs.claim("w", ["test.wait"]) is None
    assert studio.jobs.get(who, burst.id).status == "queued"


def test_a_shipment_runs_with_its_inputs_unpacked(tmp_path: Path) -> None:
    """What a node runs: inputs as bytes, files and folders, back as paths."""
    folder = tmp_path / "dataset"
    (folder / "part").mkdir(parents=True)
    (folder / "part" / "a.txt").write_bytes(b"A")
    (tmp_path / "one.bin").write_bytes(b"\x00\x01")
    packed = remote.pack({"d": folder, "f": tmp_path / "one.bin"})
    assert packed == {"d": {"part/a.txt": b"A"}, "f": {remote.FILE: b"\x00\x01"}}
    out = tmp_path / "out"
    out.mkdir()
    paths = remote.unpack(packed, out)
    assert (paths["d"] / "part" / "a.txt").read_bytes() == b"A"
    assert paths["f"].read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError, match="leaves its folder"):
        remote.unpack({"x": {"../escape": b"!"}}, tmp_path)

    shipment = remote.Shipment(
        engine="test.wait",
        params={"works": 2},
        seed=9,
        config=EngineConfig(assets_dir=ASSETS),
        modules=("tests.support.engines",),
    )
    creations = remote.run(shipment)
    assert [c.files[0].data for c in creations] == [b"seed 9 work 0\n", b"seed 9 work 1\n"]
    with pytest.raises(RuntimeError, match="not installed on this machine"):
        remote.run(remote.Shipment("no.such", {}, 0, EngineConfig(assets_dir=ASSETS)))


def test_a_reporting_run_sends_progress_then_creations_and_stops_when_closed() -> None:
    """What a Ray task yields (remote.reporting), run here."""
    config = EngineConfig(assets_dir=ASSETS)
    modules = ("tests.support.engines",)
    quick = remote.Shipment("test.wait", {"seconds": 1.2, "steps": 4}, 5, config, modules)
    items = list(remote.reporting(quick))
    reports, last = items[:-1], items[-1]
    assert reports and all(isinstance(r, remote.Report) for r in reports)
    assert all(r.message.startswith("step ") and 0 <= r.fraction < 1 for r in reports)
    assert isinstance(last, list) and last[0].files[0].data == b"seed 5 work 0\n"

    failing = remote.Shipment("test.wait", {"fail": True}, 5, config, modules)
    with pytest.raises(EngineError, match="asked to fail"):
        list(remote.reporting(failing))

    # Closed early, as when its task is cancelled: the engine stops at its next check.
    slow = remote.Shipment("test.wait", {"seconds": 60, "steps": 600}, 5, config, modules)
    stream = remote.reporting(slow)
    assert isinstance(next(stream), remote.Report)
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "atelier-engine"]
