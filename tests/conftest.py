"""Shared fixtures and hooks only: a throwaway PostgreSQL server, an S3-compatible one,
studios on SQLite and PostgreSQL, an app with its API client. Plain helpers live in
tests/support/; the fixtures of tests/support/pages.py (`server`, `browser`),
tests/support/cli.py (`data_dir`) and tests/support/screening.py (`screen`, the text
screen) are registered below, for every module that asks."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

import tests.support.engines  # noqa: F401 - registers test.wait
from atelier.settings import Settings
from atelier.studio import Studio
from atelier.web.app import create_app
from tests.support.servers import free_port, pg_bin
from tests.support.settings import make_settings

pytest_plugins = [
    "tests.support.pages",
    "tests.support.cli",
    "tests.support.screening",
    "tests.support.composing",
]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server in a temp folder on a free port; yields its admin URL.

    initdb refuses to run as root, so as root the server runs as the `postgres` user."""
    bindir = pg_bin()
    folder = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
    data, port = folder / "data", free_port()
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
    port = free_port()
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


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atelier.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    """A fresh, empty PostgreSQL database, for what only PostgreSQL does."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = postgres_server.replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres_server}/{name}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def studio(settings: Settings) -> Iterator[Studio]:
    studio = Studio(settings)
    studio.prepare()
    yield studio
    studio.close()


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    """Settings for an app with one in-process worker."""
    return make_settings(tmp_path, workers=1)


@pytest.fixture
def client(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings)) as test_client:
        yield test_client
