"""Routing (issue 17): a worker serves the engines it names and claims only those; submit
accepts a job for an engine the server cannot run while a worker serving it has been
seen lately, and refuses it (503, nothing written) when none has."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from atelier.commerce.models import LedgerEntry
from atelier.errors import Invalid
from atelier.store.models import Job, WorkerRecord
from atelier.studio import Studio
from atelier.studio.roster import served
from atelier.studio.runner import WorkerPool
from atelier.web.app import create_app
from tests.support.accounts import add_user, api_user
from tests.support.api import snapshot, studio_of, submit, wait_job
from tests.support.diffusion import build_tiny_pipeline
from tests.support.servers import Running, atelier_env, wait_until
from tests.support.settings import make_settings

DIFFUSION = "image.diffusion"
PAINT = {"prompt": "a red cat", "width": 64, "height": 64, "steps": 2}


@pytest.fixture
def studio(tmp_path: Path, db_url: str) -> Iterator[Studio]:
    made = Studio(make_settings(tmp_path, db_url))
    made.prepare()
    yield made
    made.close()


def status(studio: Studio, job_id: str) -> tuple[str, int]:
    with studio.db.transaction() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job.status, job.attempts


def test_a_worker_serving_one_engine_never_claims_another(studio: Studio) -> None:
    who = add_user(studio, "ana@example.com")
    other, _ = studio.jobs.submit(who, "test.burst", {"words": ["not", "mine"], "hold": 0})
    mine, _ = studio.jobs.submit(who, "test.wait", {})
    pool = WorkerPool(studio, 1, engines=served(studio.engines, "test.wait")).start()
    try:
        wait_until(lambda: status(studio, mine.id)[0] == "succeeded", 60, what="test.wait to run")
        # The older job was there all along: its claims passed it over.
        assert studio.jobs.claim("probe", {"test.wait"}) is None
        assert status(studio, other.id) == ("queued", 0)
        with studio.db.transaction() as s:
            rows = s.execute(select(WorkerRecord.engines, WorkerRecord.pid)).all()
        assert [list(r.engines) for r in rows] == [["test.wait"]]
    finally:
        pool.stop()
    everything = WorkerPool(studio, 1).start()  # one serving every engine takes it
    try:
        wait_until(lambda: status(studio, other.id)[0] == "succeeded", 60, what="test.burst")
    finally:
        everything.stop()


def test_engines_are_named_by_name_family_or_gpu(studio: Studio) -> None:
    assert served(studio.engines, "test.wait, test.burst") == ["test.wait", "test.burst"]
    assert served(studio.engines, "music") == [
        n for n in studio.engines.runnable() if n.startswith("music.")
    ]
    with pytest.raises(Invalid, match="'nothing' names no engine that can run here"):
        served(studio.engines, "test.wait,nothing")
    # No model folder here: image.diffusion cannot run, so a worker may not announce it.
    with pytest.raises(Invalid, match="image.diffusion cannot run here: no diffusers model"):
        served(studio.engines, DIFFUSION)
    with pytest.raises(Invalid, match="'gpu' names no engine that can run here"):
        served(studio.engines, "gpu")


def test_submit_is_refused_when_no_worker_serving_the_engine_was_seen(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, workers=1))) as client:
        headers = api_user(client, "ana@example.com")
        before = snapshot(client)
        with studio_of(client).db.transaction() as s:
            ledger = s.scalar(select(func.count()).select_from(LedgerEntry))

        answer = client.post(
            "/v1/jobs", json={"engine": DIFFUSION, "params": PAINT}, headers=headers
        )

        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        body = answer.json()
        assert body["engine"] == DIFFUSION and body["last_seen_seconds"] is None
        assert "engine image.diffusion cannot run on this server" in body["detail"]
        assert "no worker serving it has been seen" in body["detail"]
        assert "atelier worker --engines image.diffusion" in body["detail"]
        assert snapshot(client) == before  # no job, nothing stored
        with studio_of(client).db.transaction() as s:  # no credits held
            assert s.scalar(select(func.count()).select_from(LedgerEntry)) == ledger
        # The server's own worker serves every engine it can run: those are taken as ever.
        job = submit(client, headers, "test.wait", {})
        assert wait_job(client, headers, job["id"])["status"] == "succeeded"


@pytest.mark.slow
@pytest.mark.integration
def test_a_job_only_a_worker_elsewhere_serves_waits_queued_until_it_appears(
    tmp_path: Path,
) -> None:
    """The server has no model folder (image.diffusion cannot run there); a GPU worker has
    one. While it restarts, a job for it is accepted and waits; `atelier worker --engines
    image.diffusion` then runs it."""
    models = tmp_path / "models"
    models.mkdir()
    build_tiny_pipeline(models / "tiny-sd")
    database = f"sqlite:///{tmp_path / 'atelier.db'}"
    settings = make_settings(tmp_path, database, workers=1, key_passphrase="one studio")
    with TestClient(create_app(settings)) as client:
        server = studio_of(client)
        headers = api_user(client, "ana@example.com", credits=100)
        # The worker was there a moment ago (it made its roster row, then stopped).
        gpu_node = Studio(make_settings(tmp_path, database, models_dir=models))
        WorkerPool(gpu_node, 1, engines=served(gpu_node.engines, "gpu")).start().stop()
        gpu_node.close()
        assert server.roster.last_seen(DIFFUSION) is not None
        listed = client.get(f"/v1/engines/{DIFFUSION}", headers=headers).json()
        assert listed["available"] is True  # the create page offers it again

        job = submit(client, headers, DIFFUSION, PAINT, seed=3)
        # The server's own worker passes it over, claim after claim.
        for _ in range(20):
            assert server.jobs.claim("probe") is None
        assert wait_job(client, headers, job["id"], until=("queued",))["attempts"] == 0

        env = atelier_env(
            settings.data_dir,
            database,
            models_dir=models,
            key_passphrase="one studio",
            poll_seconds=0.1,
            workers=0,
        )
        with Running(["worker", "--engines", DIFFUSION], env, tmp_path / "worker.log") as worker:
            done = wait_job(client, headers, job["id"], timeout=600)
            assert done["status"] == "succeeded", (done, worker.output())
        assert "serving image.diffusion" in worker.output()
        work = client.get(f"/v1/works/{done['work_ids'][0]}", headers=headers).json()
        data = client.get(work["url"], headers=headers).content
        assert Image.open(io.BytesIO(data)).size == (64, 64)
