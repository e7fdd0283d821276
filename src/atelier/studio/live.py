"""Live progress of the jobs running in this process, for whoever follows them.

A worker reports every progress call here (a text engine: every token) and writes the
database only a few times a second; an event stream in the same process waits here and
wakes at once. A worker process of `atelier serve` forwards its reports to the server's
LiveJobs (studio/processes.py), so streams there are pushed at once too; jobs run by an
`atelier worker` elsewhere are not seen here: their followers read the database at their
poll interval."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

Forward = Callable[[str, tuple[float, str] | None], None]


class LiveJobs:
    """The latest progress of each running job, a change counter, and its waiters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, tuple[float, str]] = {}
        self._versions: dict[str, int] = {}
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}
        self.forward: Forward | None = None  # also told every report (None: the job ended)

    def report(self, job_id: str, fraction: float, message: str) -> None:
        """A running job's progress, from its worker's thread."""
        with self._lock:
            self._latest[job_id] = (fraction, message)
            self._versions[job_id] = self._versions.get(job_id, 0) + 1
            self._wake(job_id)
        if self.forward is not None:
            self.forward(job_id, (fraction, message))

    def ended(self, job_id: str) -> None:
        """The job's end is in the database: its followers read it from there."""
        with self._lock:
            self._latest.pop(job_id, None)
            self._versions.pop(job_id, None)
            self._wake(job_id)
        if self.forward is not None:
            self.forward(job_id, None)

    def latest(self, job_id: str) -> tuple[float, str] | None:
        """(fraction, message) while the job runs in this process; else None."""
        with self._lock:
            return self._latest.get(job_id)

    def version(self, job_id: str) -> int:
        with self._lock:
            return self._versions.get(job_id, 0)

    async def wait(self, job_id: str, seen: int, timeout: float) -> None:
        """Return when the job changes after version `seen`, or after `timeout` seconds."""
        event = asyncio.Event()
        waiter = (asyncio.get_running_loop(), event)
        with self._lock:
            if self._versions.get(job_id, 0) != seen:
                return
            self._waiters.setdefault(job_id, set()).add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
        finally:
            with self._lock:
                waiters = self._waiters.get(job_id, set())
                waiters.discard(waiter)
                if not waiters:
                    self._waiters.pop(job_id, None)

    def _wake(self, job_id: str) -> None:
        for loop, event in self._waiters.get(job_id, ()):
            with contextlib.suppress(RuntimeError):  # its loop has closed: nobody waits
                loop.call_soon_threadsafe(event.set)
