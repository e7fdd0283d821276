"""Backup and restore as docs/operations.md tells it (issue 17's three-machine walk-through):
a studio on PostgreSQL and an S3 bucket (moto's server) with a few works is backed up with
the documented commands (pg_dump, `aws s3 sync`, `atelier keys export`), its database and
bucket wiped and its data folder gone, then restored onto a fresh data folder with the
documented commands (pg_restore, `aws s3 sync` back, `atelier keys import`): the works,
their files' bytes and their proof of origin come back identical."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

import tests.support.picture_engine  # noqa: F401 - registers test.picture (a C2PA picture)
from atelier.settings import Settings
from atelier.store.models import Work, WorkFile
from atelier.store.s3 import S3ArtifactStore
from atelier.studio import Studio
from tests.support.accounts import add_user
from tests.support.servers import atelier_env
from tests.support.settings import s3_settings
from tests.support.works import make_work

PASSPHRASE = "the studio's key passphrase"
ATELIER = Path(sys.executable).parent / "atelier"


def shell(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def node_env(settings: Settings) -> dict[str, str]:
    """An `atelier` command's environment on a machine of this studio."""
    return atelier_env(
        settings.data_dir,
        settings.resolved_database_url,
        artifact_store="s3",
        s3_bucket=settings.s3_bucket,
        s3_prefix=settings.s3_prefix,
        s3_endpoint_url=settings.s3_endpoint_url,
        s3_access_key_id="test",
        s3_secret_access_key="test",
        key_passphrase=PASSPHRASE,
    )


def aws_env() -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def snapshot(studio: Studio) -> dict[str, Any]:
    """Every work with its files' bytes and what verifying its primary file says."""
    found: dict[str, Any] = {}
    with studio.db.transaction() as s:
        works = list(s.scalars(select(Work).order_by(Work.id)))
        files = list(s.scalars(select(WorkFile).order_by(WorkFile.work_id, WorkFile.name)))
    for work in works:
        mine = [f for f in files if f.work_id == work.id]
        data = {f.name: studio.artifacts.staged(f.sha256).read_bytes() for f in mine}
        primary = next(f for f in mine if f.role == "primary")
        sidecar = next((data[f.name] for f in mine if f.role == "manifest"), None)
        report = studio.provenance.verify(data[primary.name], sidecar)
        found[work.id] = {
            "title": work.title,
            "engine": work.engine,
            "owner": work.owner_id,
            "files": {f.name: (f.role, f.sha256, f.size) for f in mine},
            "bytes": data,
            "ok": report.ok,
            "checks": [(c.name, c.ok) for c in report.checks],
            "work_id": report.work_id,
            "log_index": report.log_index,
        }
    return found


def test_a_studio_backed_up_and_wiped_comes_back_identical(
    tmp_path: Path, pg_url: str, s3_server: str
) -> None:
    if shutil.which("aws") is None or shutil.which("pg_dump") is None:
        pytest.skip("the documented backup needs the aws CLI and pg_dump on PATH")
    web = s3_settings(tmp_path / "web", s3_server, database_url=pg_url, key_passphrase=PASSPHRASE)
    studio = Studio(web)
    studio.prepare()
    who = add_user(studio, "maker@example.com")
    make_work(studio, who, "test.picture", {})  # a PNG with a C2PA manifest
    make_work(studio, who, "test.wait", {"works": 2})  # text works with signed sidecars
    before = snapshot(studio)
    studio.close()
    assert len(before) == 3 and all(w["ok"] for w in before.values())

    # Back up, as docs/operations.md says: the database, the bucket, the signing keys.
    backup = tmp_path / "backup"
    backup.mkdir()
    plain_url = pg_url.replace("+psycopg", "")
    bucket = f"s3://{web.s3_bucket}/{web.s3_prefix}"
    endpoint = ["--endpoint-url", s3_server]
    shell(["pg_dump", "--format=custom", "--file", str(backup / "atelier.dump"), plain_url])
    shell(["aws", "s3", "sync", bucket, str(backup / "artifacts"), *endpoint], aws_env())
    shell([str(ATELIER), "keys", "export", str(backup / "keys.bundle")], node_env(web))

    # Lose everything: the database's tables, every object, the web machine's data folder.
    admin_url, name = plain_url.rsplit("/", 1)
    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    store = S3ArtifactStore(web)
    for digest in list(store.digests()):
        store.delete(digest)
    assert list(store.digests()) == []
    shutil.rmtree(web.data_dir)

    # Restore onto a fresh machine, as docs/operations.md says.
    fresh = web.model_copy(update={"data_dir": tmp_path / "restored"})
    shell(["pg_restore", "--no-owner", "--dbname", plain_url, str(backup / "atelier.dump")])
    shell(["aws", "s3", "sync", str(backup / "artifacts"), bucket, *endpoint], aws_env())
    imported = shell([str(ATELIER), "keys", "import", str(backup / "keys.bundle")], node_env(fresh))
    assert "imported the keys of root" in imported

    again = Studio(fresh)
    again.prepare()  # refuses to start if the keys were not the studio's root
    try:
        after = snapshot(again)
    finally:
        again.close()
    assert after == before
