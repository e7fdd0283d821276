"""Custom models through the studio's doors: the `atelier dataset` CLI and the /v1 API end
to end; a
training job whose worker is killed (kill -9) resumes on the next claim from its last
checkpoint and ends with the weights of an uninterrupted run; a model is used by its
owner and a user it is shared with and refused to a third; a model trained on items of
unknown rights makes works that cannot be sold commercially.

Training is tiny here (a few steps of the melody model on 24 short tunes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from atelier.accounts.authz import Principal
from atelier.errors import Forbidden, Invalid, NotFound
from atelier.store.models import Job
from atelier.studio import Studio
from atelier.studio.runner import Worker
from atelier.training.engines import read_curve
from tests.support import client_sets as cs
from tests.support.accounts import add_user, admin_of, api_user, upgrade
from tests.support.api import problem_fields, studio_of, submit, wait_job
from tests.support.cli import ok, run
from tests.support.settings import ASSETS, ROOT, make_settings
from tests.support.works import make_work

TINY = {"batch": 4, "seq": 48, "checkpoint_every": 4, "eval_every": 4}


def tunes(studio: Studio, who: Principal, rights: str) -> str:
    """The client's tunes (with the duplicates, damaged and unsafe files mixed in) as a
    cleaned version; returns its id."""
    made = studio.datasets.create(who, "client tunes", "music")
    studio.datasets.add(who, made.id, "tunes.zip", cs.zipped(cs.melody_files()), rights)
    version, _ = studio.datasets.make_version(who, made.id, valid_percent=25)
    return version.id


def train(studio: Studio, who: Principal, version_id: str, steps: int, seed: int = 3) -> Job:
    params = {"dataset": version_id, "name": "client-melody", "steps": steps, **TINY}
    job, _ = studio.jobs.submit(who, "train.music", params, seed)
    return job


def state(studio: Studio, who: Principal, model_id: str) -> dict[str, torch.Tensor]:
    _, path = studio.models.weights(who, model_id)
    loaded: dict[str, torch.Tensor] = torch.load(path, weights_only=True)["state"]
    return loaded


# ---------------------------------------------------------------- the CLI


def test_the_dataset_cli_from_files_to_a_model(data_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "tunes.zip"
    archive.write_bytes(cs.zipped(cs.melody_files()))
    dataset_id = ok("dataset", "create", "client tunes", "--medium", "music").stdout.split()[-1]
    added = ok("dataset", "add", dataset_id, str(archive), "--rights", "own_work")
    assert f"{archive}: 29 items added" in added.stdout

    refused = run("dataset", "add", dataset_id, str(archive), "--rights", "mine")
    assert refused.exit_code == 2 and "'mine' is not one of" in refused.output
    again = run("dataset", "add", dataset_id, str(archive))
    assert again.exit_code == 1 and "already has items named tunes/00.abc" in again.output

    made = ok("dataset", "version", dataset_id, "--valid-percent", "25").stdout
    version_id = made.split()[1]
    assert "24 items" in made.splitlines()[0]
    for name, reason in [
        ("broken.mid", "undecodable"),
        ("short.abc", "size"),
        ("copy-of-04.abc", "duplicate"),
        ("05.abc", "near-duplicate"),  # 05-in-D.abc, first by name, is kept,
        ("unsafe.abc", "unsafe"),
    ]:
        assert any(
            line.startswith(f"  removed tunes/{name}: {reason}") for line in made.splitlines()
        ), (name, made)
    assert 'rights: {"own_work": 24}; commercial use: True' in made

    markdown = ok("dataset", "card", version_id).stdout
    assert markdown.startswith("# Dataset card: client tunes")
    assert "| tunes/broken.mid | undecodable |" in markdown
    card = json.loads(ok("dataset", "card", version_id, "--json").stdout)
    assert [(s["before"], s["after"]) for s in card["steps"]][:2] == [(29, 28), (28, 27)]
    assert len(card["removed"]) == 5

    sets = [a for k, v in {**TINY, "steps": 6}.items() for a in ("--set", f"{k}={v}")]
    trained = ok("dataset", "train", version_id, "--name", "client-melody", "--seed", "1", *sets)
    line = trained.stdout.strip().splitlines()[-1]
    assert line.startswith("model ") and line.endswith("(melody); its works may be sold: True")

    missing = run("dataset", "train", "0" * 32, "--name", "x")
    assert missing.exit_code == 1 and f"no dataset version {'0' * 32}" in missing.output
    listed = ok("dataset", "list").stdout
    assert listed.split()[:6] == [dataset_id, "music", "29", "items", "1", "versions"]


# ---------------------------------------------------------------- kill -9 and resume


def test_a_killed_worker_s_training_job_resumes_from_its_last_checkpoint(
    tmp_path: Path,
) -> None:
    """A worker in its own process is killed (SIGKILL) mid-training; once its lease runs
    out, a new worker claims the job, starts from the last checkpoint (not step 0) and
    ends with the same weights as an uninterrupted run with the same seed (exactly: the
    same machine, one thread, step-seeded randomness)."""
    settings = make_settings(tmp_path, lease_seconds=2.0)
    studio = Studio(settings)
    studio.prepare()
    admin = admin_of(studio)
    version_id = tunes(studio, admin, "own_work")
    steps = 40
    job = train(studio, admin, version_id, steps)
    folder = studio.models.checkpoints(job.id)

    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        "ATELIER_DATA_DIR": str(settings.data_dir),
        "ATELIER_ASSETS_DIR": str(ASSETS),
        "ATELIER_ADMIN_PASSWORD": "admin password 1",
        "ATELIER_LEASE_SECONDS": "2",
        "ATELIER_POLL_SECONDS": "0.05",
        "ATELIER_ENGINE_THREADS": "1",
        "ATELIER_WORKERS": "0",
    }
    command = [sys.executable, "-c", "from atelier.cli import main; main()", "worker"]
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        seen: dict[str, Any] = {}
        while len(seen.get("series", {}).get("loss", {})) < 10:
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
            time.sleep(0.02)
            seen = read_curve(folder) or {}
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    killed_at = torch.load(folder / "checkpoint.pt", weights_only=True)["step"]
    assert 8 <= killed_at < steps and killed_at % TINY["checkpoint_every"] == 0
    before = read_curve(folder)
    assert before is not None
    assert studio.jobs.get(admin, job.id).status == "running"

    successor = Worker(studio, "next")
    while not successor.run_one():  # the dead worker's lease has yet to run out
        time.sleep(0.2)
    done = studio.jobs.get(admin, job.id)
    assert done.status == "succeeded", done.error
    with studio.db.transaction() as s:
        assert s.get(Job, job.id).attempts == 2  # type: ignore[union-attr]
    model = studio.models.of_job(admin, job.id)
    assert model is not None
    assert model.metrics["resumed_from"] == killed_at
    loss = model.metrics["curve"]["series"]["loss"]
    assert sorted(map(int, loss)) == list(range(1, steps + 1))
    for step in range(1, killed_at + 1):  # the first worker's steps stand as it wrote them
        assert loss[str(step)] == before["series"]["loss"][str(step)]

    whole = train(studio, admin, version_id, steps)
    assert Worker(studio, "whole").run_one()
    uninterrupted = studio.models.of_job(admin, whole.id)
    assert uninterrupted is not None and uninterrupted.metrics["resumed_from"] == 0
    resumed_state, whole_state = (
        state(studio, admin, model.id),
        state(studio, admin, uninterrupted.id),
    )
    assert resumed_state.keys() == whole_state.keys()
    assert all(torch.equal(resumed_state[k], whole_state[k]) for k in whole_state)
    assert uninterrupted.metrics["curve"]["series"]["loss"] == loss
    studio.close()


# ---------------------------------------------------------------- sharing and rights


def test_a_model_is_shared_with_one_user_refused_to_another_and_carries_its_rights(
    studio: Studio,
) -> None:
    """Trained on tunes whose rights are unknown: the owner's model works for the owner
    and the user it is shared with (whose works cannot be offered commercially, naming
    the model), and is refused to a third user at every door of the service."""
    admin = admin_of(studio)
    job = train(studio, admin, tunes(studio, admin, "unknown"), steps=4)
    assert Worker(studio).run_one()
    model = studio.models.of_job(admin, job.id)
    assert model is not None and model.commercial_use is False
    dataset_card = next(c for c in model.lineage if c["kind"] == "data")
    assert dataset_card["commercial_use"] is False

    friend = add_user(studio, "friend@example.com")
    stranger = add_user(studio, "stranger@example.com")
    studio.models.share(admin, model.id, "friend@example.com")
    compose = {"model": model.id, "bars": 4, "style": "irish"}

    mine = make_work(studio, admin, "music.compose", compose)
    theirs = make_work(studio, friend, "music.compose", compose)
    assert "client-melody" in [c["name"] for c in theirs.lineage["models"]]
    assert studio.models.get(friend, model.id).id == model.id
    assert mine.sha256 != "" and theirs.sha256 != ""

    with studio.db.transaction() as s:
        jobs_before = s.scalar(select(func.count()).select_from(Job))
    with pytest.raises(NotFound) as refused:
        studio.jobs.submit(stranger, "music.compose", compose, seed=1)
    assert refused.value.errors[0][0] == "params.model"
    assert f"no model {model.id}" in refused.value.detail
    with pytest.raises(NotFound):
        studio.models.get(stranger, model.id)
    assert model.id not in [m.id for m in studio.models.mine(stranger)]
    with pytest.raises(Forbidden):
        studio.models.share(friend, model.id, "stranger@example.com")
    with pytest.raises(Forbidden):
        studio.models.weights(friend, model.id)
    with studio.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == jobs_before

    # On a plan with commercial use, the friend's own work from the clean base can be
    # sold; the one made with the model cannot, and the reason names the model.
    upgrade(studio, friend)
    prices = {"standard": 1500}
    plain = make_work(studio, friend, "music.compose", {"model": "clean", "bars": 4})
    assert studio.market.list_work(friend, plain.id, prices).listing is not None
    with pytest.raises(Invalid) as unsellable:
        studio.market.list_work(friend, theirs.id, prices)
    assert unsellable.value.errors[0][0] == "offers.standard"
    assert "client-melody" in unsellable.value.detail
    assert "no commercial use" in unsellable.value.detail

    studio.models.unshare(admin, model.id, friend.user_id)
    with pytest.raises(NotFound):
        studio.jobs.submit(friend, "music.compose", compose, seed=2)


def test_self_serve_training_needs_a_plan_that_includes_it(studio: Studio) -> None:
    creator = add_user(studio, "maker@example.com")
    version_id = tunes(studio, creator, "own_work")
    with pytest.raises(Forbidden) as refused:
        train(studio, creator, version_id, steps=4)
    assert "the Trial plan does not include training your own models" in refused.value.detail
    with studio.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 0


# ---------------------------------------------------------------- the API


def test_the_api_from_a_zip_to_a_shared_model(client: TestClient) -> None:
    """A creator on the Studio plan (it includes custom models) uploads, versions and
    trains by the API; the model is theirs and their friend's to use, not a stranger's."""
    owner = api_user(client, "owner@example.com")
    studio = studio_of(client)
    who = studio.accounts.local("owner@example.com")
    assert who is not None
    upgrade(studio, who, "studio")

    made = client.post(
        "/v1/datasets", json={"name": "client tunes", "medium": "music"}, headers=owner
    )
    assert made.status_code == 201, made.text
    files = f"/v1/datasets/{made.json()['id']}/files"
    archive = {"file": ("tunes.zip", cs.zipped(cs.melody_files()), "application/zip")}
    refused = client.post(f"{files}?rights=mine", files=archive, headers=owner)
    assert refused.status_code == 422 and "rights" in refused.text
    added = client.post(f"{files}?rights=unknown", files=archive, headers=owner)
    assert added.status_code == 201, added.text
    assert len(added.json()["added"]) == 29
    first = client.get(f"/v1/datasets/{made.json()['id']}/items?limit=20", headers=owner).json()
    rest = client.get(first["next"], headers=owner).json()
    assert len(first["items"]) == 20 and len(rest["items"]) == 9 and rest["next"] is None
    names = [i["name"] for i in first["items"] + rest["items"]]
    assert sorted(names) == sorted(i["name"] for i in added.json()["added"])
    versions = f"/v1/datasets/{made.json()['id']}/versions"
    version = client.post(versions, json={"valid_percent": 25}, headers=owner)
    assert version.status_code == 201, version.text
    assert {r["reason"] for r in version.json()["card"]["removed"]} == {
        "undecodable",
        "size",
        "duplicate",
        "near-duplicate",
        "unsafe",
    }
    card = client.get(version.json()["urls"]["card"], headers=owner)
    assert card.status_code == 200 and "| tunes/unsafe.abc | unsafe |" in card.text

    params = {"dataset": version.json()["id"], "name": "client-melody", "steps": 4, **TINY}
    job = wait_job(client, owner, submit(client, owner, "train.music", params, seed=1)["id"])
    assert job["status"] == "succeeded", job
    training = client.get(f"/v1/training/{job['id']}", headers=owner).json()
    assert sorted(training["curve"]["series"]["loss"], key=int) == ["1", "2", "3", "4"]
    model = client.get(f"/v1/models/{training['model_id']}", headers=owner).json()
    assert model["commercial_use"] is False and model["kind"] == "melody"

    friend = api_user(client, "friend@example.com")
    stranger = api_user(client, "stranger@example.com")
    shared = client.post(
        f"/v1/models/{model['id']}/shares", json={"email": "friend@example.com"}, headers=owner
    )
    assert shared.status_code == 201, shared.text
    assert [s["email"] for s in shared.json()["items"]] == ["friend@example.com"]
    compose = {"model": model["id"], "bars": 4}
    used = wait_job(client, friend, submit(client, friend, "music.compose", compose)["id"])
    assert used["status"] == "succeeded", used
    assert client.get(f"/v1/models/{model['id']}", headers=friend).status_code == 200
    weights = client.get(f"/v1/models/{model['id']}/weights", headers=friend)
    assert weights.status_code == 403 and problem_fields(weights) == []
    assert "only the model's owner may download its weights" in weights.json()["detail"]

    seen = client.get(f"/v1/models/{model['id']}", headers=stranger)
    assert seen.status_code == 404 and problem_fields(seen) == ["model_id"]
    job = client.post(
        "/v1/jobs", json={"engine": "music.compose", "params": compose}, headers=stranger
    )
    assert job.status_code == 404 and problem_fields(job) == ["params.model"]
    assert client.get("/v1/models", headers=stranger).json() == {"items": [], "next": None}
    assert [m["id"] for m in client.get("/v1/models", headers=friend).json()["items"]] == [
        model["id"]
    ]
