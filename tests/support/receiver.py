"""A webhook receiver on loopback, in a process of its own so a test can kill it (SIGKILL)
mid-stream and start it again on the same port.

Run as `python -m tests.support.receiver PORT LOG [--status CODE] [--hold-after N]`: it
appends every request it reads (its headers and body) to LOG as one JSON line, flushed to
disk before it answers `CODE` (default 204). With --hold-after N, the requests after the
first N are logged and then never answered (the process is to be killed holding them)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import wait_until
from tests.support.settings import ROOT


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]


def serve(port: int, log: Path, status: int, hold_after: int | None) -> None:
    lock = threading.Lock()
    seen = [0]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            line = json.dumps({"headers": headers, "body": body.decode()})
            with lock:
                with log.open("a") as out:
                    out.write(line + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                seen[0] += 1
                hold = hold_after is not None and seen[0] > hold_after
            if hold:
                threading.Event().wait()  # until the process is killed
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802 - the test's "are you up?"
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


class Receiver:
    """The receiver process: started, killed, started again; what it logged, in order."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log = port, log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self, status: int = 204, hold_after: int | None = None) -> Receiver:
        args = [sys.executable, "-m", "tests.support.receiver", str(self.port), str(self.log)]
        args += ["--status", str(status)]
        if hold_after is not None:
            args += ["--hold-after", str(hold_after)]
        self.proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        wait_until(self._up, 30, what="the webhook receiver to listen")
        return self

    def _up(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, "the receiver exited"
        try:
            return httpx.get(self.url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL: no goodbye to the requests it holds."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def received(self) -> list[Received]:
        if not self.log.exists():
            return []
        lines = self.log.read_text().splitlines()
        return [Received(**json.loads(line)) for line in lines]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("log", type=Path)
    parser.add_argument("--status", type=int, default=204)
    parser.add_argument("--hold-after", type=int, default=None)
    options = parser.parse_args()
    serve(options.port, options.log, options.status, options.hold_after)


if __name__ == "__main__":
    main()
