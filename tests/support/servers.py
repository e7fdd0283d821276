"""Servers the tests start and wait for: free loopback ports, PostgreSQL's binaries, and
the real `atelier` command in a subprocess.

`wait_until` polls a condition with a deadline (tests never sleep a fixed time to wait);
`serve_app` runs an app in this process on a free port (for a browser to reach);
`atelier_env` builds the environment a subprocess reads its settings from; `Running`
starts `atelier serve` or `atelier worker`, logs to a file and always stops it."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

from atelier.settings import RATE_LIMITED
from tests.support.settings import ROOT

ATELIER = ROOT / ".venv" / "bin" / "atelier"
ADMIN_EMAIL = "admin@localhost"
ADMIN_PASSWORD = "admin password for tests"

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], timeout: float, interval: float = 0.05, what: str = ""
) -> T:
    """Call `predicate` until it returns something truthy, and return that.

    Fails the test with `what` when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_app(app: FastAPI, timeout: float = 60.0) -> Iterator[str]:
    """`app` served by uvicorn in a thread of this process (its studio stays reachable
    from the test); yields its base URL and stops it on the way out."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_until(
        lambda: server.started or not thread.is_alive(), timeout, 0.02, "the server to start"
    )
    if not server.started:
        raise RuntimeError("the server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def pg_bin() -> Path:
    """The folder of PostgreSQL's initdb and pg_ctl."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not candidates:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make setup` (apt-get install postgresql)"
        )
    return Path(candidates[-1]).parent


def atelier_env(data_dir: Path, database_url: str, **settings: object) -> dict[str, str]:
    """The environment for an `atelier` subprocess: ATELIER_* from `settings`, none inherited."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "ATELIER_DATA_DIR": str(data_dir),
            "ATELIER_DATABASE_URL": database_url,
            "ATELIER_ENGINE_MODULES": '["tests.support.engines"]',
            "ATELIER_ADMIN_EMAIL": ADMIN_EMAIL,
            "ATELIER_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "ATELIER_ENGINE_THREADS": "1",
            # Models load at first use, as in-process tests do; test_warm_start and
            # benchmarks/warm_start.py ask for warm start themselves.
            "ATELIER_WARM_START": "false",
            # Tests submit far faster than people do; test_limits tests the limits.
            **{f"ATELIER_LIMIT_{action.upper()}": "10000/minute" for action in RATE_LIMITED},
        }
    )
    env.update({f"ATELIER_{k.upper()}": str(v) for k, v in settings.items()})
    return env


class Running:
    """`atelier <args>` in a subprocess, its output in `log`; stopped on leaving the block."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Running:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [str(ATELIER), *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def check_alive(self) -> None:
        if not self.alive():
            raise AssertionError(f"`atelier {' '.join(self.args)}` exited:\n{self.output()}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def worker_processes(pid: int) -> list[int]:
    """The worker processes `pid` started and runs now (multiprocessing's spawned
    children, not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
            command = (entry / "cmdline").read_bytes() if stat else b""
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2] if stat else ("", "")
        if int(parent or 0) == pid and state != "Z" and b"spawn_main" in command:
            found.append(int(entry.name))
    return sorted(found)


def process_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def lease_pid(lease_owner: str) -> int:
    """The process id in a worker's id (`host:pid:name:random`)."""
    return int(lease_owner.split(":")[-3])


def wait_for_http(server: Running, base_url: str, timeout: float = 60.0) -> None:
    """Wait until the server answers HTTP at all (it listens once migrations are done)."""

    def answers() -> bool:
        server.check_alive()
        try:
            httpx.get(f"{base_url}/openapi.json", timeout=2.0)
        except httpx.TransportError:
            return False
        return True

    wait_until(answers, timeout, interval=0.1, what=f"{base_url} to answer")


def api_key(base_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> str:
    """Sign in with a cookie, then create an API key with the login's CSRF token."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        login = client.post("/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        csrf = login.json()["csrf_token"]
        created = client.post(
            "/v1/keys",
            json={"name": "tests", "scopes": ["read", "write"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert created.status_code == 201, created.text
        return str(created.json()["key"])
