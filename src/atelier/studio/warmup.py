"""Warm start: models are loaded before the first job needs them, and anyone can see
where that stands.

Each process that runs engines (a worker process, or the server with worker threads)
loads the models of every runnable engine it serves on a thread of its own as it starts
(`Warmup` of the engines, `Engine.warm`, one after another); meanwhile its worker threads
claim the jobs of the engines already loaded (and of those with nothing to load), the set
widening as each engine finishes, so a job waits for its own models only, in the queue,
never in the middle of a request. The
process that answers requests warms what a submit needs, the prompt screen, the same way.

Each warm-up writes where it stands to a small JSON file of its own in the data folder
(`warmup/HOST-PID-ROLE.json`, removed when it stops), so the pages and the API of any
process on this machine can say "warming up" and name what is still loading
(`WarmupBoard.report`). A file whose process has died is ignored, and removed."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from atelier.engines.base import Engine

log = logging.getLogger("atelier.warmup")
FOLDER = "warmup"  # in the data folder
PATIENCE = 600.0  # seconds a worker waits for its warm-up before it claims jobs anyway
ENGINES, SUBMIT = "engines", "submit"  # the roles: a worker's engines, a server's submits
STARTING = "worker process starting"  # what a worker process warms before it says more


def _host() -> str:
    return socket.gethostname()[:30].replace("-", "_")


def _path(data_dir: Path, pid: int, role: str) -> Path:
    return data_dir / FOLDER / f"{_host()}-{pid}-{role}.json"


def _write(path: Path, state: dict[str, Any]) -> None:
    """Replace the state file in one step (readers never see half of one)."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(json.dumps(state))
        os.replace(partial, path)


def starting(data_dir: Path, pid: int) -> None:
    """Say that worker process `pid` has been started and will warm its engines (its own
    `Warmup` replaces this), so that no moment after start-up reads as ready."""
    state: dict[str, Any] = {"pending": [STARTING], "ready": [], "failed": {}, "finished": None}
    _write(_path(data_dir, pid, ENGINES), state)


def settle() -> None:
    """What a worker process has loaded (models, indexes, word lists) lives as long as it
    does: move it out of the garbage collector's full passes (`gc.freeze`). Each pass
    walked its objects (812,000 with every engine loaded: 0.34 s of CPU), and the time fell
    on whichever job was running and was charged to it (benchmarks/estimates.py: the same
    harmonization took 1.04 s, or 1.29 s when a pass came during it; with the objects
    frozen a pass takes 0.01 to 0.03 s)."""
    gc.collect()
    gc.freeze()


def engine_steps(engines: list[Engine[Any]]) -> list[tuple[str, Callable[[], Any]]]:
    """What a process that runs these engines loads: each runnable engine with models."""
    return [
        (e.name, e.warm)
        for e in engines
        if type(e).warm is not Engine.warm and e.available() is None
    ]


class Warmup:
    """Runs `steps` (name, load) one after another on a background thread; `done` is set
    when all have run (a step that fails is logged and named, and the rest still run).
    `ended` is called after each step (a worker pool wakes its threads: one more engine's
    jobs may be claimed)."""

    def __init__(
        self,
        steps: list[tuple[str, Callable[[], Any]]],
        data_dir: Path,
        role: str,
        ended: Callable[[], None] = lambda: None,
        lifelong: bool = False,
    ) -> None:
        """`lifelong`: the process serves this studio until it ends (a worker process), so
        what the steps load is `settle`d when they have all run."""
        self.steps = steps
        self.ended = ended
        self.lifelong = lifelong
        self.done = threading.Event()
        self._loading = frozenset(name for name, _ in steps)  # replaced, never changed
        self.path = _path(data_dir, os.getpid(), role)
        self._state: dict[str, Any] = {
            "pending": [name for name, _ in steps],
            "ready": [],
            "failed": {},
            "finished": None,
        }
        self._closed = threading.Lock()  # held from close(): nothing is written after it
        self._thread = threading.Thread(
            target=self._run, name=f"atelier-warmup-{role}", daemon=True
        )

    def start(self) -> Warmup:
        self._write()
        self._thread.start()
        return self

    def _run(self) -> None:
        for name, load in self.steps:
            began = time.monotonic()
            try:
                load()
                self._state["ready"].append(name)
                log.info("warmed %s in %.1f s", name, time.monotonic() - began)
            except Exception as exc:  # its first job loads it, or says why it cannot
                self._state["failed"][name] = str(exc)[:300] or type(exc).__name__
                log.exception("warming %s failed", name)
            self._state["pending"].remove(name)
            self._loading = self._loading - {name}
            self._write()
            self.ended()
        if self.lifelong:
            settle()
        self._state["finished"] = time.time()
        self._write()
        self.done.set()

    def loading(self) -> frozenset[str]:
        """The steps not yet ended (loaded or failed: a failed one's first job loads it
        again, or says why it cannot)."""
        return self._loading

    def _write(self) -> None:
        if self._closed.acquire(blocking=False):
            try:
                _write(self.path, self._state)
            finally:
                self._closed.release()

    def close(self) -> None:
        """Forget this process's state (it stops running engines); a step still loading
        ends in the background."""
        self._closed.acquire()
        with contextlib.suppress(OSError):
            self.path.unlink()


@dataclass(frozen=True)
class WarmReport:
    """Where warming stands on this machine: `warming` names what is still loading."""

    state: Literal["warming", "ready"]
    warming: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    finished: float | None = None  # when the last warm-up here ended (Unix time)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WarmupBoard:
    """Reads the warm-ups of this machine's live processes."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / FOLDER

    def report(self) -> WarmReport:
        warming: list[str] = []
        ready: list[str] = []
        failed: dict[str, str] = {}
        finished: list[float] = []
        for path in sorted(self.folder.glob(f"{_host()}-*.json")):
            parts = path.stem.split("-")
            if len(parts) != 3 or not parts[1].isdigit():
                continue
            if not _alive(int(parts[1])):  # killed before it could remove its file
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            try:
                state = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # removed or replaced while read
            warming += [n for n in state["pending"] if n not in warming]
            ready += [n for n in state["ready"] if n not in ready]
            failed.update(state["failed"])
            if state["finished"] is not None:
                finished.append(state["finished"])
        ready = [n for n in ready if n not in warming]
        return WarmReport(
            "warming" if warming else "ready",
            warming,
            ready,
            failed,
            max(finished) if finished and not warming else None,
        )
