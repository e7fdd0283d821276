"""Artifact stores: one behaviour suite for the local folder and the S3-compatible bucket
(moto's server on loopback, tests/conftest.py), and the S3 store's own promises: a bounded
local cache, checked bytes, its prefix, and start-up errors that name the setting."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from pydantic import ValidationError

from atelier.cli import main
from atelier.settings import Settings, get_settings
from atelier.store.artifacts import ArtifactStore, LocalArtifactStore
from atelier.store.s3 import S3ArtifactStore, StoreUnavailable
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.conftest import _free_port, api_user, make_settings, s3_settings
from tests.helpers_server import (
    Running,
    api_key,
    atelier_env,
    free_port,
    wait_for_http,
    wait_until,
)
from tests.test_api import submit, wait_job


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    made: ArtifactStore
    if request.param == "local":
        made = LocalArtifactStore(tmp_path / "artifacts")
    else:
        made = S3ArtifactStore(s3_settings(tmp_path, request.getfixturevalue("s3_server")))
    made.prepare()
    yield made


@pytest.fixture
def s3_store(tmp_path: Path, s3_server: str) -> S3ArtifactStore:
    made = S3ArtifactStore(s3_settings(tmp_path, s3_server, s3_cache_bytes=1024 * 1024))
    made.prepare()
    return made


def test_put_returns_the_sha256_and_the_bytes_come_back(store: ArtifactStore) -> None:
    data = b"\x89PNG not really, but bytes all the same \x00\xff"
    digest = store.put(data)

    assert digest == hashlib.sha256(data).hexdigest()
    assert store.exists(digest)
    assert store.read(digest) == data
    with store.open(digest) as handle:
        assert handle.read() == data
    assert store.staged(digest).read_bytes() == data
    other = hashlib.sha256(b"never stored").hexdigest()
    assert not store.exists(other)
    with pytest.raises(FileNotFoundError):
        store.read(other)
    with pytest.raises(FileNotFoundError):
        store.staged(other)


def test_the_same_bytes_are_stored_once(store: ArtifactStore, tmp_path: Path) -> None:
    data = b"one artifact" * 1000
    source = tmp_path / "same.bin"
    source.write_bytes(data)

    first = store.put(data)
    assert store.put(data) == first
    assert store.put_file(source) == first
    other = store.put(b"another")

    assert sorted(store.digests()) == sorted([first, other])
    assert store.count() == 2
    usage = store.usage()
    assert (usage.files, usage.bytes) == (2, len(data) + len(b"another"))


def test_the_same_bytes_put_at_once_leave_one_whole_artifact(store: ArtifactStore) -> None:
    """Two workers finishing the same job (one took it over) store its file once."""
    data = bytes(range(256)) * 4000
    with ThreadPoolExecutor(6) as pool:
        digests = set(pool.map(lambda _: store.put(data), range(12)))

    assert digests == {hashlib.sha256(data).hexdigest()}
    assert list(store.digests()) == list(digests)
    assert store.read(digests.pop()) == data


def test_put_file_stores_a_file_by_its_digest(store: ArtifactStore, tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # 2.3 MB: more than one chunk
    source = tmp_path / "big.bin"
    source.write_bytes(data)

    digest = store.put_file(source)

    assert digest == hashlib.sha256(data).hexdigest()
    assert store.staged(digest).read_bytes() == data


def test_delete_forgets_the_bytes_and_is_quiet_when_none(store: ArtifactStore) -> None:
    kept, gone = store.put(b"kept"), store.put(b"gone")
    store.staged(gone)  # cached too, for the S3 store

    store.delete(gone)
    store.delete(gone)

    assert not store.exists(gone)
    with pytest.raises(FileNotFoundError):
        store.staged(gone)
    assert list(store.digests()) == [kept]
    assert store.read(kept) == b"kept"


def test_digests_must_be_sha256(store: ArtifactStore) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        store.exists("../../etc/passwd")


# -- the S3 store's own ---------------------------------------------------------------


def test_objects_are_keyed_by_digest_under_the_prefix(s3_store: S3ArtifactStore) -> None:
    digest = s3_store.put(b"where is it")
    listed = s3_store.client.list_objects_v2(Bucket=s3_store.bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"atelier/{digest[:2]}/{digest[2:4]}/{digest}"]
    # Another program's object in the bucket is not an artifact.
    s3_store.client.put_object(Bucket=s3_store.bucket, Key="atelier/README", Body=b"hi")
    s3_store.client.put_object(Bucket=s3_store.bucket, Key="other/" + digest, Body=b"x")
    assert list(s3_store.digests()) == [digest]


def test_the_staging_cache_keeps_to_its_bound(s3_store: S3ArtifactStore) -> None:
    blobs = [bytes([i]) * 400_000 for i in range(4)]  # 1.6 MB through a 1 MiB cache
    digests = [s3_store.put(b) for b in blobs]

    paths = [s3_store.staged(d) for d in digests]

    cached = [p for p in s3_store.cache.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in cached) <= 1024 * 1024
    assert sorted(cached) == sorted(paths[2:])  # the least recently used went first
    assert s3_store.staged(digests[0]).read_bytes() == blobs[0]  # fetched again
    assert all(s3_store.exists(d) for d in digests)  # the bucket keeps them all


def test_staging_refuses_an_object_whose_bytes_do_not_match(s3_store: S3ArtifactStore) -> None:
    digest = s3_store.put(b"the real bytes")
    s3_store.client.put_object(Bucket=s3_store.bucket, Key=s3_store.key(digest), Body=b"forged")

    with pytest.raises(OSError, match="does not hold the bytes it names"):
        s3_store.staged(digest)
    assert [p for p in s3_store.cache.rglob("*") if p.is_file()] == []


def test_a_presigned_url_fetches_the_object(tmp_path: Path, s3_server: str) -> None:
    store = S3ArtifactStore(s3_settings(tmp_path, s3_server, s3_downloads="redirect"))
    digest = store.put(b"signed for")

    url = store.download_url(digest, "a work.txt", "text/plain")

    assert url is not None and url.startswith(f"{s3_server}/")
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.content == b"signed for"
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''a%20work.txt"
    assert store.download_origin() == s3_server
    assert S3ArtifactStore(s3_settings(tmp_path, s3_server)).download_url(digest, "x", "y") is None


# -- settings checked at start-up ---------------------------------------------------------


def test_s3_without_a_bucket_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="ATELIER_S3_BUCKET must name a bucket"):
        make_settings(tmp_path, artifact_store="s3")


def test_an_unreachable_endpoint_is_named_at_start_up(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{_free_port()}"
    settings = make_settings(
        tmp_path,
        artifact_store="s3",
        s3_bucket="b",
        s3_endpoint_url=nowhere,
        s3_access_key_id="k",
        s3_secret_access_key="s",
    )
    studio = Studio(settings)
    try:
        with pytest.raises(StoreUnavailable) as refused:
            studio.prepare()
    finally:
        studio.close()
    assert str(refused.value).startswith(
        f"ATELIER_S3_ENDPOINT_URL: cannot reach the object store at {nowhere}"
    )


def test_a_missing_bucket_is_named_at_start_up(tmp_path: Path, s3_server: str) -> None:
    settings: Settings = s3_settings(tmp_path, s3_server).model_copy(
        update={"s3_bucket": "no-such-bucket"}
    )
    with pytest.raises(StoreUnavailable) as refused:
        S3ArtifactStore(settings).prepare()
    assert str(refused.value) == (
        f"ATELIER_S3_BUCKET: there is no bucket 'no-such-bucket' at {s3_server}; create it first"
    )


# -- a studio on S3, end to end -------------------------------------------------------------


@pytest.mark.parametrize("downloads", ["proxy", "redirect"])
def test_a_studio_on_s3_makes_serves_and_erases_a_work(
    tmp_path: Path, s3_server: str, downloads: str
) -> None:
    settings = s3_settings(tmp_path, s3_server, workers=1, s3_downloads=downloads)
    with TestClient(create_app(settings)) as client:
        studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
        headers = api_user(client, "ana@example.com")
        job = submit(client, headers, "test.wait", {}, seed=5)
        done = wait_job(client, headers, job["id"])
        assert done["status"] == "succeeded", done
        [work_id] = done["work_ids"]
        work = client.get(f"/v1/works/{work_id}", headers=headers).json()
        [primary] = [f for f in work["files"] if f["role"] == "primary"]
        store = studio.artifacts
        assert isinstance(store, S3ArtifactStore)
        key = store.key(primary["sha256"])
        stored = store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        assert stored == b"seed 5 work 0\n"

        answer = client.get(f"/v1/works/{work_id}/file", headers=headers, follow_redirects=False)
        if downloads == "redirect":
            assert answer.status_code == 307
            assert answer.headers["location"].startswith(f"{s3_server}/{store.bucket}/{key}?")
            answer = httpx.get(answer.headers["location"])
            page = client.get(f"/works/{work_id}", headers=headers)
            assert f"img-src 'self' blob: {s3_server}" in page.headers["content-security-policy"]
        assert answer.status_code == 200
        assert answer.content == stored
        # Nobody else gets it, whatever the store: the checks come before any URL.
        bob = api_user(client, "bob@example.com")
        refused = client.get(f"/v1/works/{work_id}/file", headers=bob, follow_redirects=False)
        assert refused.status_code == 404

        ana = studio.accounts.local("ana@example.com")
        assert ana is not None
        assert studio.works.delete(ana, [work_id]) == 1
        assert not store.exists(primary["sha256"])
        listed = store.client.list_objects_v2(Bucket=store.bucket, Prefix=key)
        assert listed.get("KeyCount") == 0


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({}, "Error: ATELIER_S3_BUCKET must name a bucket when ATELIER_ARTIFACT_STORE=s3"),
        (
            {"ATELIER_S3_BUCKET": "b", "ATELIER_S3_ACCESS_KEY_ID": "k"},
            "Error: ATELIER_S3_ENDPOINT_URL: cannot reach the object store at http://127.0.0.1:",
        ),
    ],
)
def test_the_command_line_names_the_setting(tmp_path: Path, env: dict[str, str], said: str) -> None:
    get_settings.cache_clear()
    try:
        answer = CliRunner().invoke(
            main,
            ["worker"],
            env={
                "ATELIER_DATA_DIR": str(tmp_path / "data"),
                "ATELIER_ARTIFACT_STORE": "s3",
                "ATELIER_S3_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}",
                "ATELIER_S3_SECRET_ACCESS_KEY": "s",
                **env,
            },
        )
    finally:
        get_settings.cache_clear()
    assert answer.exit_code == 1
    assert answer.output.startswith(said), answer.output
    assert "Traceback" not in answer.output


@pytest.mark.slow
@pytest.mark.integration
def test_atelier_serve_s_worker_processes_keep_works_in_the_bucket(
    tmp_path: Path, s3_server: str
) -> None:
    """`atelier serve` with a worker process (not the server) that stages and stores
    through the bucket: the work's bytes come back from it, none land in the data folder."""
    settings = s3_settings(tmp_path, s3_server)
    port = free_port()
    env = atelier_env(
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'atelier.db'}",
        port=port,
        workers=1,
        poll_seconds=0.1,
        artifact_store="s3",
        s3_bucket=settings.s3_bucket,
        s3_prefix=settings.s3_prefix,
        s3_endpoint_url=s3_server,
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    base = f"http://127.0.0.1:{port}"
    with Running(["serve"], env, tmp_path / "serve.log") as server:
        wait_for_http(server, base, timeout=120)
        headers = {"Authorization": f"Bearer {api_key(base)}"}
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            job = http.post("/v1/jobs", json={"engine": "test.wait", "params": {}, "seed": 3})
            assert job.status_code == 201, job.text

            def finished() -> bool:
                server.check_alive()
                answer = http.get(f"/v1/jobs/{job.json()['id']}").json()
                return bool(answer["status"] == "succeeded")

            wait_until(finished, 120, interval=0.2, what="the job to succeed")
            [work_id] = http.get(f"/v1/jobs/{job.json()['id']}").json()["work_ids"]
            downloaded = http.get(f"/v1/works/{work_id}/file")
    assert downloaded.status_code == 200
    assert downloaded.content == b"seed 3 work 0\n"
    store = S3ArtifactStore(settings)
    digest = hashlib.sha256(downloaded.content).hexdigest()
    assert store.read(digest) == downloaded.content
    local = tmp_path / "data" / "artifacts"
    assert [p for p in local.rglob("*") if p.is_file()] == []
