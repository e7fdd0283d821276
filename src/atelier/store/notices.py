"""Job notices on PostgreSQL: a submit's NOTIFY wakes idle workers in every process and on
every machine at once (LISTEN), instead of at their next poll.

SQLite has no such channel: there, workers in the submitting process are woken by its
event and the others poll (`poll_seconds`). The poll stays on PostgreSQL too, as the
safety net for a notice missed while a listener reconnects and for leases that run out."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger("atelier.worker")
CHANNEL = "atelier_jobs"
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)  # pauses between reconnections, then the last


class Wakeable(Protocol):
    def set(self) -> None: ...


def listens(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def notify(s: Session) -> None:
    """Announce a queued job; PostgreSQL delivers it when the transaction commits (never
    for one rolled back). Nothing on SQLite."""
    if listens(s.get_bind().engine):
        s.execute(text(f"NOTIFY {CHANNEL}"))


class Listener:
    """A thread with a connection of its own (outside the pool) that LISTENs and sets
    `wake` on every notice, and once after each (re)connection, since a job may have been
    queued while it was not listening."""

    def __init__(self, engine: Engine, wake: Wakeable) -> None:
        self.engine = engine
        self.wake = wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="atelier-listener", daemon=True)

    def start(self) -> Listener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                failures = 0
            except Exception as exc:  # the server restarted, the network dropped
                pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                failures += 1
                log.warning("job notices: %s; listening again in %.1f s", exc, pause)
                self._stop.wait(pause)

    def _listen(self) -> None:
        dialect = self.engine.dialect
        args, options = dialect.create_connect_args(self.engine.url)
        connection = dialect.connect(*args, **options)  # psycopg's own connection
        try:
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self.wake.set()
            while not self._stop.is_set():
                for _ in connection.notifies(timeout=1.0):
                    self.wake.set()
        finally:
            connection.close()
