"""Shared fixtures: a throwaway PostgreSQL server, studios on SQLite and PostgreSQL,
an app with its API client, users, and test images."""

from __future__ import annotations

import glob
import io
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient
from PIL import Image

import tests.engines  # noqa: F401 - registers test.wait
from atelier.accounts import service as accounts
from atelier.accounts.authz import Principal
from atelier.commerce import credits
from atelier.settings import RATE_LIMITED, Settings
from atelier.store.s3 import S3ArtifactStore
from atelier.studio import Studio
from atelier.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
# Engine assets that `make setup` prepares (`atelier prepare`) for `make run` and the tests.
ASSETS = ROOT / "atelier-data" / "assets"
PASSWORD = "correct horse battery"


def _pg_bin() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make setup` (apt-get install postgresql)"
        )
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server in a temp folder on a free port; yields its admin URL.

    initdb refuses to run as root, so as root the server runs as the `postgres` user."""
    bindir = _pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
    data, port = folder / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(folder, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "atelier",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "-l",
            str(folder / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://atelier@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """An S3-compatible server on a free loopback port for the session; yields its URL.

    moto's server (a stand-in: no real S3 server installs from PyPI or Debian here), in its
    own process as a real one would be; the store speaks only the plain S3 API to it."""
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "moto_server exited at start"
                time.sleep(0.1)
        else:
            raise RuntimeError(f"moto_server did not listen on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def s3_settings(tmp_path: Path, endpoint: str, **overrides: object) -> Settings:
    """Settings for a studio whose artifacts are in a fresh bucket of `endpoint`."""
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    values: dict[str, object] = {
        "artifact_store": "s3",
        "s3_bucket": bucket,
        "s3_prefix": "atelier/",
        "s3_endpoint_url": endpoint,
        "s3_access_key_id": "test",
        "s3_secret_access_key": "test",
        **overrides,
    }
    settings = make_settings(tmp_path, **values)
    S3ArtifactStore(settings).client.create_bucket(Bucket=bucket)
    return settings


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atelier.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.replace("+psycopg", "") + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def make_settings(tmp_path: Path, database_url: str | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "assets_dir": ASSETS,
        "database_url": database_url,
        "workers": 0,
        # In the test process (tests.engines is registered here, a TestClient's app can
        # run its jobs): test_worker_processes and the tests that start `atelier serve`
        # run the default, worker processes.
        "worker_mode": "threads",
        "admin_password": "admin password 1",
        "lease_seconds": 5.0,
        "poll_seconds": 0.05,
        "engine_threads": 1,
        # Tests sign in and submit far faster than people do; test_limits tests the limits.
        **{f"limit_{action}": "10000/minute" for action in RATE_LIMITED},
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def studio(settings: Settings) -> Iterator[Studio]:
    studio = Studio(settings)
    studio.prepare()
    yield studio
    studio.close()


def add_user(studio: Studio, email: str, role: str = "creator") -> Principal:
    with studio.db.transaction() as s:
        user = accounts.create_user(s, email, PASSWORD, role)
        return accounts.principal_for(user)


def grant_credits(studio: Studio, who: Principal, amount: int) -> None:
    """Credits beyond the Trial's, for a test whose jobs cost more (as a paid pack would)."""
    with studio.db.transaction() as s:
        credits.grant(s, who.user_id, amount, f"test:{who.user_id}:{amount}", "test credits")


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    """Settings for an app with one in-process worker."""
    return make_settings(tmp_path, workers=1)


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Log the client in with a cookie; returns headers carrying the CSRF token."""
    response = client.post("/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def form_sign_in(request: Any, email: str, password: str = PASSWORD) -> None:
    """Sign a browser context in through the /login form, with the form's CSRF token
    (`request`: Playwright's APIRequestContext, which shares the context's cookies)."""
    page = request.get("/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the sign-in form has no CSRF token"
    form = {"email": email, "password": password, "next": "/", "csrf_token": token.group(1)}
    response = request.post("/login", form=form, max_redirects=0)
    assert response.status == 303, response.text()


def api_user(
    client: TestClient, email: str, role: str = "creator", credits: int = 0
) -> dict[str, str]:
    """A new user and Bearer headers for a fresh API key of theirs; `credits` beyond the
    Trial's for tests whose jobs cost more (as a paid pack would give)."""
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    who = add_user(studio, email, role)
    if credits:
        grant_credits(studio, who, credits)
    with studio.db.transaction() as s:
        key, _ = accounts.create_key(s, who.user_id, "test", ["read", "write"])
    return {"Authorization": f"Bearer {key}"}


def image_bytes(width: int = 96, height: int = 64, fmt: str = "PNG", seed: int = 0) -> bytes:
    """A smooth colourful test picture (not noise: style transfer should see shapes)."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 6.28, 3)
    pixels = np.stack([127 + 120 * np.sin(x / 9 + y / 13 + p) for p in phase], axis=-1)
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buffer, format=fmt)
    return buffer.getvalue()
