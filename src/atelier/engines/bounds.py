"""Bounded work on untrusted input: archives inflated under caps, and work run in a child
process that is killed when it passes its time or memory budget.

A file a stranger sends is small on the wire and can be huge in work: a zip member that
inflates a thousandfold, a score that a pure-Python parser chews on for minutes. Both are
refused here with `OverLimit`, whose text names the limit."""

from __future__ import annotations

import contextlib
import importlib
import io
import math
import os
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable
from multiprocessing.connection import Client, Connection
from typing import Any, TypeVar

from atelier.engines.base import EngineError

T = TypeVar("T")

_PRELOAD: list[str] = []  # modules the helper imports once, so that children start warm


class OverLimit(EngineError):
    """An input over one of its limits (size once inflated, members, bars, notes, parts,
    seconds or memory of work); the text names the limit."""


# ---------------------------------------------------------------- archives


class BoundedZip:
    """A zip archive read from bytes, whose members inflate under caps: at most
    `max_members` members, each at most `max_member_bytes` once inflated, and at most
    `max_total_bytes` read in all. Sizes are counted while inflating, never taken from the
    archive's own (forgeable) headers. ValueError for a damaged archive."""

    def __init__(
        self, data: bytes, max_members: int, max_member_bytes: int, max_total_bytes: int
    ) -> None:
        try:
            self._archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise ValueError(f"damaged zip archive ({exc})") from None
        self.names = self._archive.namelist()
        if len(self.names) > max_members:
            raise OverLimit(
                f"the archive holds {len(self.names):,} files; the limit is {max_members:,}"
            )
        self.max_member_bytes = max_member_bytes
        self.max_total_bytes = max_total_bytes
        self.total = 0

    def read(self, name: str) -> bytes:
        """One member, inflated; OverLimit as soon as it passes a cap."""
        allowed = min(self.max_member_bytes, self.max_total_bytes - self.total)
        try:
            with self._archive.open(name) as member:
                data = member.read(allowed + 1)
        except KeyError:
            raise ValueError(f"the archive has no {name!r}") from None
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise ValueError(f"damaged zip archive ({exc})") from None
        if len(data) > self.max_member_bytes:
            raise OverLimit(
                f"{name!r} inflates to more than {self.max_member_bytes:,} bytes; "
                f"that is the limit for one file in the archive"
            )
        if len(data) > allowed:
            raise OverLimit(
                f"the archive inflates to more than {self.max_total_bytes:,} bytes; "
                f"that is the limit"
            )
        self.total += len(data)
        return data

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *_: object) -> None:
        self._archive.close()


# ---------------------------------------------------------------- budgets


def preload(module: str) -> None:
    """Have bounded children start with `module` imported (call it at import time, before
    the first `run_bounded`: the helper imports the list when it starts)."""
    if module not in _PRELOAD:
        _PRELOAD.append(module)


def run_bounded(function: Callable[..., T], *args: Any, seconds: float, memory_bytes: int) -> T:
    """`function(*args)` in a child process: its value, or the exception it raised. The
    child is killed after `seconds`, and cannot take more than `memory_bytes` beyond what it
    starts with; either gives OverLimit. `function`, its arguments, value and exceptions
    must pickle (a module-level function; plain data)."""
    with _HELPER.connect() as conn:
        try:
            pid = conn.recv()
            conn.send((seconds, memory_bytes, function, args))
            if not conn.poll(seconds):
                with contextlib.suppress(ProcessLookupError):  # it may end as we give up
                    os.kill(pid, signal.SIGKILL)
                raise OverLimit(
                    f"reading it took longer than {seconds:g} seconds; that is the limit"
                )
            ok, value = conn.recv()
        except EOFError:  # the child ended without answering
            raise OverLimit(
                f"reading it stopped without an answer (it ran out of its "
                f"{memory_bytes / 1e6:,.0f} MB of memory, or crashed)"
            ) from None
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


class _Helper:
    """A helper process, started once, that forks one child per bounded task.

    Not multiprocessing's fork server: on Python 3.11 it cannot preload the main module,
    so each of its children would run the `atelier` script again (importing the whole
    studio: 1.5 s of CPU and 170 MB per upload). The helper is a plain `python -c` with
    `_PRELOAD` imported, and single-threaded, so forking it is safe, as forking the web
    server's threads would not be. It exits when the process that started it does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._address = ""

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def connect(self) -> Connection:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            address = self._address
        return Client(address, family="AF_UNIX")

    def _start(self) -> None:
        folder = tempfile.mkdtemp(prefix="atelier-bounded-")
        self._address = os.path.join(folder, "helper")
        command = "import sys; from atelier.engines.bounds import serve; serve(sys.argv[1:])"
        self._process = subprocess.Popen(
            [sys.executable, "-c", command, self._address, *_PRELOAD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != b"ready":
            raise RuntimeError("the bounded-work helper did not start")


_HELPER = _Helper()


def serve(argv: list[str]) -> None:
    """The helper's loop (see `_Helper`): import the preload modules, then fork a child
    for each connection, until standard input closes (the parent is gone)."""
    address, *modules = argv
    for module in modules:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they end
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(address)
        server.listen()
        print("ready", flush=True)
        try:
            while sys.stdin not in select.select([server, sys.stdin], [], [])[0]:
                accepted, _ = server.accept()
                if os.fork() == 0:
                    server.close()
                    try:
                        _child(Connection(accepted.detach()))
                    finally:
                        os._exit(0)
                accepted.close()
        finally:
            os.unlink(address)
            os.rmdir(os.path.dirname(address))


def _child(conn: Connection) -> None:
    """Runs in the forked child: say its pid, cap its address space and its CPU time (so
    that it ends even if the parent that would kill it is gone), run, and send back
    (True, value) or (False, exception); a MemoryError means the budget was spent."""
    conn.send(os.getpid())
    seconds, memory_bytes, function, args = conn.recv()
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(seconds) + 1, resource.RLIM_INFINITY))
    resource.setrlimit(
        resource.RLIMIT_AS, (_address_space() + memory_bytes, resource.RLIM_INFINITY)
    )
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except MemoryError:
        outcome = (
            False,
            OverLimit(
                f"reading it needed more than {memory_bytes / 1e6:,.0f} MB of memory; "
                f"that is the limit"
            ),
        )
    except Exception as exc:  # handed to the parent, which raises it
        outcome = (False, exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # a value or exception that does not pickle
        conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    conn.close()


def _address_space() -> int:
    """This process's virtual memory size now, in bytes."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * resource.getpagesize()
