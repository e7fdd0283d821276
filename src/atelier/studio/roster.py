"""The workers serving this studio: which engines each serves, and when it was last seen.

A worker process records itself when it starts (`enter`), with the engines it serves:
`atelier worker --engines image.diffusion,music` names them (`served`), otherwise every
engine that can run where it runs. Its claim loop, and the supervisor that renews its
jobs' leases, refresh `seen_at` (`seen`, `seen_processes`). Submit asks `require_served`
for an engine that cannot run in the submitting process: the job is accepted while some
worker serving it has been seen within `worker_seen_seconds`, and refused (503) otherwise,
before anything is written. Rows of workers gone for a day are dropped when another enters.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from atelier.engines.base import Engine
from atelier.errors import Invalid, Unavailable
from atelier.settings import Settings
from atelier.store.db import Database
from atelier.store.models import WorkerRecord, utcnow
from atelier.studio.catalogue import Catalogue

GPU = "gpu"  # `--engines gpu`: every engine that asks for a GPU (Engine.needs.gpus)
FORGET_AFTER = timedelta(days=1)  # a worker row not seen for this long is dropped


def served(catalogue: Catalogue, spec: str) -> list[str]:
    """The engines `--engines SPEC` names: a comma-separated list of engine names
    (`image.diffusion`), families (`music`: every `music.*` engine) and `gpu` (every
    engine that runs on a GPU). Each named engine must be able to run here: a worker that
    announced one it cannot run would have jobs accepted for it that never run."""
    runnable = set(catalogue.runnable())
    names = [e.name for e in catalogue.all()]
    chosen: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        if part == GPU:
            matched = [e.name for e in catalogue.all() if e.needs.gpus > 0 and e.name in runnable]
        elif part in names:
            matched = [part]
        else:
            matched = [n for n in names if n.startswith(f"{part}.") and n in runnable]
        if not matched:
            families = sorted({n.split(".")[0] for n in names})
            raise Invalid(
                "--engines: %(part)s names no engine that can run here; engine names: "
                "%(names)s; families: %(families)s; or %(gpu)s",
                field="engines",
                params={
                    "part": repr(part),
                    "names": ", ".join(names),
                    "families": ", ".join(families),
                    "gpu": GPU,
                },
            )
        for name in matched:
            reason = catalogue.get(name).available()
            if reason:
                raise Invalid(
                    "--engines: %(name)s cannot run here: %(reason)s",
                    field="engines",
                    params={"name": name, "reason": reason},
                )
            if name not in chosen:
                chosen.append(name)
    if not chosen:
        raise Invalid("--engines names no engine", field="engines")
    return chosen


class Roster:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db

    def enter(self, engines: Iterable[str]) -> str:
        """Record a worker process serving `engines`; returns its row's id."""
        host, pid, now = socket.gethostname()[:255], os.getpid(), utcnow()
        record_id = f"{host[:40]}:{pid}:{secrets.token_hex(4)}"
        with self.db.transaction() as s:
            s.execute(delete(WorkerRecord).where(WorkerRecord.seen_at < now - FORGET_AFTER))
            s.add(
                WorkerRecord(
                    id=record_id,
                    host=host,
                    pid=pid,
                    engines=sorted(set(engines)),
                    started_at=now,
                    seen_at=now,
                )
            )
        return record_id

    def seen(self, record_id: str) -> None:
        """The worker is alive (its claim loop calls this)."""
        with self.db.transaction(durable=False) as s:  # a lost refresh costs nothing
            s.execute(
                update(WorkerRecord).where(WorkerRecord.id == record_id).values(seen_at=utcnow())
            )

    def seen_processes(self, pids: Iterable[int]) -> None:
        """Worker processes of this host are alive (their supervisor calls this: a child
        whose engine holds the GIL cannot refresh its own row)."""
        pids = list(pids)
        if not pids:
            return
        host = socket.gethostname()[:255]
        with self.db.transaction(durable=False) as s:
            s.execute(
                update(WorkerRecord)
                .where(WorkerRecord.host == host, WorkerRecord.pid.in_(pids))
                .values(seen_at=utcnow())
            )

    def last_seen(self, engine: str) -> datetime | None:
        """When a worker serving `engine` was last seen (None: never, or not for a day)."""
        with self.db.transaction() as s:
            rows = s.execute(
                select(WorkerRecord.engines, WorkerRecord.seen_at).where(
                    WorkerRecord.seen_at >= utcnow() - FORGET_AFTER
                )
            ).all()
        times = [seen for engines, seen in rows if engine in engines]
        return max(times) if times else None

    def _seconds_since(self, engine: str) -> float | None:
        last = self.last_seen(engine)
        return None if last is None else max(0.0, (utcnow() - last).total_seconds())

    def unavailable(self, engine: Engine) -> str | None:
        """Why `engine` cannot run here, unless a worker serving it was seen lately
        (None: a job for it is accepted; what the engine lists and forms show)."""
        reason = engine.available()
        if reason is None:
            return None
        ago = self._seconds_since(engine.name)
        return None if ago is not None and ago <= self.settings.worker_seen_seconds else reason

    def require_served(self, engine: str, reason: str) -> None:
        """Pass when a worker serving `engine` was seen within worker_seen_seconds; else
        Unavailable naming the engine, why it cannot run here, and how long since one
        was seen."""
        ago = self._seconds_since(engine)
        window = self.settings.worker_seen_seconds
        if ago is not None and ago <= window:
            return
        since = (
            "no worker serving it has been seen"
            if ago is None
            else f"the last worker serving it was seen {ago:.0f} s ago"
        )
        raise Unavailable(
            "engine %(engine)s cannot run on this server (%(reason)s) and %(since)s (within "
            "%(window)s s a job would wait for one): start one with `atelier worker --engines "
            "%(engine)s`",
            field="engine",
            engine=engine,
            last_seen_seconds=None if ago is None else round(ago),
            params={
                "engine": engine,
                "reason": reason,
                "since": since,
                "window": format(window, ".0f"),
            },
        )
