"""Workers: claim a job, run its engine with a heartbeat, hand the result to the studio."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Protocol

from atelier.cpu_time import process_cpu_seconds
from atelier.engines.base import Cancelled, Context, Creation, EngineError
from atelier.engines.checks import Redraws, counting_redraws
from atelier.store import notices
from atelier.studio import scratch, warmup
from atelier.studio.leases import Claimed
from atelier.studio.service import Studio
from atelier.studio.warmup import Warmup

log = logging.getLogger("atelier.worker")
PROGRESS_EVERY = 0.25  # seconds between progress writes (every report goes to studio.live)


class Interrupted(Exception):
    """A job's run was lost through no fault of its own (the machine running it died):
    the job goes back to the queue rather than failing."""


class Wake(Protocol):
    """What idle workers wait on: the spine's event in one process, or one that
    `processes.Supervisor` shares with its worker processes."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def owner_prefix(pid: int) -> str:
    """How the ids of the workers in process `pid` of this host begin."""
    # Fits jobs.lease_owner (64) with the rest of the id; the host is cut to 30.
    return f"{socket.gethostname()[:30]}:{pid}:"


class Worker:
    """One worker runs one job at a time; many may share a database.

    A job is settled on the CPU seconds its run took where they are its own: when the
    engine runs in this thread (`runs_here`) and its pool says nothing else runs in this
    process meanwhile (`alone`: a worker process of one thread, its warm-up over); else on
    its wall-clock seconds, which a busy machine stretches (commerce/credits.py)."""

    runs_here = True  # the engine runs in this process (not on a Ray node)

    def __init__(
        self,
        studio: Studio,
        name: str = "w",
        engines: Collection[str] | None = None,
        alive: Callable[[], None] = lambda: None,
    ) -> None:
        """`engines`: the only ones it claims (None: every engine that can run here);
        `alive` is called at each heartbeat (the pool refreshes its roster row)."""
        self.studio = studio
        self.engines = engines
        self.alive = alive
        self.alone: Callable[[], bool] = lambda: False  # set by the pool that runs it
        # The random part keeps ids unique where hostnames are long and shared by prefix
        # and every container's pid is 1.
        self.id = f"{owner_prefix(os.getpid())}{name[:8]}:{secrets.token_hex(4)}"

    def run_one(self, loading: Collection[str] = ()) -> bool:
        """Run the next job if there is one; returns whether there was. `loading`: the
        engines whose models this process is still loading (their jobs wait for them)."""
        engines = self.claimable()
        if loading:
            served = self.studio.engines.runnable() if engines is None else engines
            engines = [name for name in served if name not in loading]
            if not engines:
                return False
        claimed = self.studio.jobs.claim(self.id, engines)
        if claimed is None:
            return False
        self._execute(claimed)
        return True

    def claimable(self) -> list[str] | None:
        """The engines whose jobs this worker takes (None: every one this process runs)."""
        return None if self.engines is None else sorted(self.engines)

    def inputs(self, job: Claimed) -> dict[str, Path]:
        """The job's input files on this machine: its stored ones fetched here (from the
        object store into its cache; the local store's own files), beside the others."""
        artifacts = self.studio.artifacts
        return {**{key: artifacts.staged(d) for key, d in job.stored.items()}, **job.files}

    def run_engine(self, job: Claimed, ctx: Context) -> list[Creation]:
        """Run the job's engine here, in this thread."""
        engine = self.studio.engines.get(job.engine)
        return engine.run(engine.Params.model_validate(job.params), ctx)

    def _execute(self, job: Claimed) -> None:
        studio, settings = self.studio, self.studio.settings
        stop = threading.Event()  # set when the job must stop: cancelled or lease lost
        lost = threading.Event()
        pending: list[tuple[float, str]] = []  # the latest report not yet written

        def beat(fraction: float | None = None, message: str | None = None) -> None:
            result = studio.jobs.heartbeat(job.job_id, self.id, fraction, message)
            self.alive()
            if not result.held:
                lost.set()
            if result.cancel or not result.held:
                stop.set()

        def progress(fraction: float, message: str) -> None:
            studio.live.report(job.job_id, fraction, message)
            pending[:] = [(fraction, message)]  # one list operation: atomic under the GIL

        def keep_lease() -> None:
            """Writes the latest progress at most every PROGRESS_EVERY seconds and renews
            the lease, on this thread: a text job reports every token, and its engine's
            thread never waits for the database."""
            last = time.monotonic()
            while not done.wait(PROGRESS_EVERY):
                report = pending.pop() if pending else None
                if report is None and time.monotonic() - last < settings.lease_seconds / 3:
                    continue
                try:
                    beat(*report) if report is not None else beat()
                    last = time.monotonic()
                except Exception:  # a database hiccup: try again at the next beat
                    log.exception("heartbeat for job %s failed", job.job_id)

        done = threading.Event()
        heart = threading.Thread(target=keep_lease, name=f"heartbeat-{job.job_id}", daemon=True)
        heart.start()
        folder = scratch.folder(settings.scratch_dir, job.job_id, job.attempt)
        metered = self.runs_here and self.alone()
        started, cpu = time.monotonic(), process_cpu_seconds()
        try:
            files = self.inputs(job)
            ctx = Context(job.seed, folder, files, progress, stop, settings.engine_threads)
            with counting_redraws() as redraws:
                creations = self.run_engine(job, ctx)
            ctx.check_cancelled()
        except Cancelled:
            if not lost.is_set():
                studio.jobs.fail(job.job_id, self.id, "", canceled=True)
        except Interrupted as exc:
            log.warning("job %s: %s; back to the queue", job.job_id, exc)
            studio.jobs.requeue(job.job_id, self.id, str(exc))
        except EngineError as exc:
            studio.jobs.fail(job.job_id, self.id, str(exc))
        except Exception as exc:
            log.exception("job %s failed", job.job_id)
            studio.jobs.fail(
                job.job_id, self.id, f"internal error in {job.engine}: {type(exc).__name__}"
            )
        else:
            used = process_cpu_seconds() - cpu if metered else None
            self._finish(job, creations, time.monotonic() - started, used, redraws)
        finally:
            studio.live.ended(job.job_id)
            done.set()
            heart.join()
            shutil.rmtree(folder, ignore_errors=True)

    def _finish(
        self,
        job: Claimed,
        creations: list[Creation],
        seconds: float,
        cpu_seconds: float | None = None,
        redraws: Redraws | None = None,
    ) -> None:
        """Hand the result to the studio; a result it cannot store fails the job at once
        (rather than leaving it running until its lease runs out, to be run again).
        `cpu_seconds`: the run's own, where they could be read (None: settle on `seconds`);
        `redraws`: the part of both its engine spent drawing again, which is not charged."""
        try:
            stored = self.studio.jobs.finish(
                job.job_id, self.id, creations, seconds, cpu_seconds, redraws
            )
        except Exception as exc:
            log.exception("job %s: its result could not be stored", job.job_id)
            self.studio.jobs.fail(
                job.job_id,
                self.id,
                f"internal error storing the result of {job.engine}: {type(exc).__name__}",
            )
            return
        if not stored:
            log.warning("job %s was taken over by another worker; result dropped", job.job_id)


# A worker for the pool: (studio, name, engines it serves, what to call when it is alive).
MakeWorker = Callable[[Studio, str, Collection[str] | None, Callable[[], None]], "Worker"]


class WorkerPool:
    """Worker threads inside one process: a worker process's, `atelier make`'s, or the
    server's own with worker_mode=threads, or `atelier worker --ray`'s (`worker` makes
    RayWorkers). `wake` is what idle threads wait on (default: the spine's event, set by
    submits in this process). `engines`: the only ones its workers claim (`atelier worker
    --engines`; None: every engine that can run here).

    A pool with threads records itself in the roster (studio/roster.py) with the engines
    it serves, and its claim loop and heartbeats keep the row seen.

    `own_process`: the pool has its process to itself (a worker process's, or a
    benchmark's): with one thread, once its warm-up is over, a job's CPU seconds are the
    process's, and settle it (Worker); and its warm-up ends by moving what it loaded out
    of the garbage collector's full passes (warmup.settle)."""

    def __init__(
        self,
        studio: Studio,
        threads: int,
        wake: Wake | None = None,
        worker: Callable[
            [Studio, str, Collection[str] | None, Callable[[], None]], Worker
        ] = Worker,
        engines: Collection[str] | None = None,
        warm: bool = False,
        own_process: bool = False,
    ) -> None:
        """`warm`: load the engines' models first (a long-lived worker; see warmup.py)."""
        self.studio = studio
        self.own_process = own_process and threads == 1
        self.wake: Wake = studio.jobs.added if wake is None else wake
        self.engines = None if engines is None else frozenset(engines)
        self.warmup: Warmup | None = None
        if warm and threads:
            served = [e for e in studio.engines.all() if engines is None or e.name in engines]
            steps = warmup.engine_steps(served)
            self.warmup = Warmup(
                steps, studio.settings.data_dir, warmup.ENGINES, self.wake.set, own_process
            )
        self._stop = threading.Event()
        self._listener: notices.Listener | None = None  # PostgreSQL: submits anywhere wake us
        self._record: str | None = None  # its row in the roster, once started
        self._seen = 0.0  # when the row was last refreshed (monotonic)
        self._seen_lock = threading.Lock()
        workers = [worker(studio, f"w{i}", self.engines, self._alive) for i in range(threads)]
        for each in workers:
            each.alone = self._alone
        self._threads = [
            threading.Thread(
                target=self._loop, args=(each,), name=f"atelier-worker-{i}", daemon=True
            )
            for i, each in enumerate(workers)
        ]

    def start(self) -> WorkerPool:
        """Sweep the scratch folders no live job holds, then start the threads."""
        if self._threads:
            swept = scratch.sweep(self.studio.settings.scratch_dir, self.studio.db)
            if swept:
                log.info("removed %d stale scratch folder(s): %s", len(swept), ", ".join(swept))
            served = self.studio.engines.runnable() if self.engines is None else self.engines
            self._record = self.studio.roster.enter(served)
            self._seen = time.monotonic()
        if self.warmup is not None:
            self.warmup.start()
        for thread in self._threads:
            thread.start()
        if self._threads and notices.listens(self.studio.db.engine):
            self._listener = notices.Listener(self.studio.db.engine, self.wake).start()
        return self

    def _alone(self) -> bool:
        """Whether this pool's one job is all this process runs now (no model loading)."""
        return self.own_process and (self.warmup is None or not self.warmup.loading())

    def _loading(self, patience: float) -> frozenset[str]:
        """The engines whose jobs wait for their models: those still loading, until the
        warm-up has taken longer than PATIENCE (a load that never ends)."""
        if self.warmup is None or time.monotonic() > patience:
            return frozenset()
        return self.warmup.loading()

    def _loop(self, worker: Worker) -> None:
        wake = self.wake
        patience = time.monotonic() + warmup.PATIENCE
        while not self._stop.is_set():
            wake.clear()
            try:
                if worker.run_one(self._loading(patience)):
                    continue
            except Exception:
                log.exception("worker %s: claiming or closing a job failed", worker.id)
            self._alive()
            wake.wait(self.studio.settings.poll_seconds)

    def _alive(self) -> None:
        """Refresh the pool's roster row, at most every third of worker_seen_seconds (or
        of a lease, whichever is shorter); a failed refresh waits for the next."""
        settings = self.studio.settings
        every = min(settings.worker_seen_seconds, settings.lease_seconds) / 3
        with self._seen_lock:
            if self._record is None or time.monotonic() - self._seen < every:
                return
            self._seen = time.monotonic()
        try:
            self.studio.roster.seen(self._record)
        except Exception:
            log.exception("refreshing worker record %s failed", self._record)

    def stop(self, timeout: float = 30.0) -> None:
        """Let running jobs finish (up to `timeout`); the rest are retried after their lease."""
        self._stop.set()
        if self.warmup is not None:
            self.warmup.close()
        if self._listener is not None:
            self._listener.stop()
        self.wake.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
