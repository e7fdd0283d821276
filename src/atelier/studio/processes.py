"""Worker processes: `atelier serve` and `atelier worker` start them, keep them running
and stop them; engines run there, never in the process that answers requests.

Why processes: some model calls hold the GIL for their whole length (Real-ESRGAN's ncnn
holds it for a block, ~40 s on two cores), so in a thread of the server every request
waits behind them. Each worker process builds its own `Studio` once, so its models stay
loaded between jobs, and claims jobs from the database as any worker does. Its CPU
priority is lowered by `worker_nice`.

The supervisor (a thread of the parent):
- starts `workers` processes of `worker_threads` threads each, and starts another when
  one dies (after a pause that grows while they keep dying young);
- renews the leases of the jobs its live children hold, every third of a lease: a child
  whose engine holds the GIL cannot run its own heartbeat thread, and without this its
  job would be taken over by another worker while it is still being run; for the same
  reason it keeps its children's roster rows seen (studio/roster.py);
- passes the server's submits on to the children at once (a byte down a pipe to each:
  unlike a shared multiprocessing.Event, a pipe cannot be left locked by a child that
  was killed), so a job does not wait for a poll;
- relays the children's progress reports (a text job: every token) up another pipe into
  the server's LiveJobs, so its event streams push them as they come;
- on stop, asks each child to stop (SIGTERM: running jobs finish, up to a deadline),
  then kills the rest. A child dies with its parent (PR_SET_PDEATHSIG on Linux, else a
  thread that watches the parent), so a killed server leaves no orphans: their jobs are
  taken over when their leases run out.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import select as fds
import signal
import sys
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from sqlalchemy import or_, select

from atelier.settings import Settings
from atelier.store.models import Job
from atelier.studio import job_events, warmup
from atelier.studio.runner import Wake, WorkerPool, owner_prefix
from atelier.studio.service import Studio

log = logging.getLogger("atelier.worker")
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks copied
YOUNG = 30.0  # a child that dies sooner than this after starting is restarted after a pause
MAX_PAUSE = 60.0
PR_SET_PDEATHSIG = 1
RELAYED_CHARS = 900  # a report's line stays under PIPE_BUF (4096 bytes): written whole
# After relaying a batch of reports the relay waits this long, so a text job's tokens come
# a few to a batch and each job's latest is told once (the stream sends the latest state
# anyway: web/api/jobs.py); not before a job's first EAGER_REPORTS, so its first words
# are not held back.
RELAY_GAP_SECONDS = 0.05
EAGER_REPORTS = 8


class PipeWake:
    """An event across two processes: set() writes a byte (never blocking: a full pipe
    wakes the reader already; a dead reader is ignored), wait() polls for one, clear()
    drains them. Each child gets its own."""

    def __init__(self) -> None:
        self.reader, self.writer = SPAWN.Pipe(duplex=False)
        os.set_blocking(self.reader.fileno(), False)  # the child's copies share these flags
        os.set_blocking(self.writer.fileno(), False)

    def set(self) -> None:
        with contextlib.suppress(BlockingIOError, BrokenPipeError):
            os.write(self.writer.fileno(), b"!")

    def wait(self, timeout: float | None = None) -> bool:
        return bool(multiprocessing.connection.wait([self.reader], timeout))

    def clear(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while os.read(self.reader.fileno(), 4096):
                pass

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class LiveLink:
    """A child's progress reports, up to its server: one JSON line per report. A report is
    written without blocking (a line under PIPE_BUF goes whole or not at all), so a server
    that is behind loses a report, never a token of the engine's time: the next report, or
    the database, catches up. A job's end waits for room, up to a second."""

    def __init__(self) -> None:
        self.reader, self.writer = SPAWN.Pipe(duplex=False)
        os.set_blocking(self.reader.fileno(), False)
        os.set_blocking(self.writer.fileno(), False)
        self._partial = b""
        self.running: set[str] = set()  # the server's side: jobs with a live report

    def send(self, job_id: str, report: tuple[float, str] | None) -> None:
        body = [job_id] if report is None else [job_id, report[0], report[1][:RELAYED_CHARS]]
        line = json.dumps(body, ensure_ascii=False).encode() + b"\n"
        deadline = time.monotonic() + (1.0 if report is None else 0.0)
        while True:
            try:
                os.write(self.writer.fileno(), line)
                return
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                fds.select([], [self.writer.fileno()], [], left)  # until there is room
            except OSError:  # the server is gone
                return

    def receive(self) -> list[tuple[str, tuple[float, str] | None]]:
        """The whole reports waiting in the pipe (none at its end)."""
        try:
            data = os.read(self.reader.fileno(), 65536)
        except BlockingIOError:
            return []
        *lines, self._partial = (self._partial + data).split(b"\n")
        reports: list[tuple[str, tuple[float, str] | None]] = []
        for line in lines:
            body = json.loads(line)
            reports.append((body[0], (body[1], body[2]) if len(body) == 3 else None))
        return reports

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


@dataclass
class _Slot:
    process: BaseProcess | None = None
    wake: PipeWake | None = None
    link: LiveLink | None = None
    started: float = 0.0
    due: float = 0.0  # when to start the next one
    failures: int = 0  # young deaths in a row
    retired: bool = False  # stopped on purpose from outside: left stopped


class Supervisor:
    """`processes` worker processes of `threads` threads each, kept running until stop();
    `engines`: the only ones they claim (None: every engine that can run here)."""

    def __init__(
        self,
        studio: Studio,
        processes: int,
        threads: int,
        engines: Collection[str] | None = None,
    ) -> None:
        self.studio = studio
        self.threads = threads
        self.engines = None if engines is None else sorted(engines)
        self._slots = [_Slot() for _ in range(processes)]
        self._stopping = threading.Event()
        self._stop_timeout = 30.0
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="atelier-supervisor")
        self._forwarder = threading.Thread(target=self._forward, name="atelier-wake", daemon=True)
        self._relay = threading.Thread(target=self._relay_live, name="atelier-live", daemon=True)

    def start(self) -> Supervisor:
        if self._slots:
            self._watcher.start()
            self._forwarder.start()
            self._relay.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the children to stop, let running jobs finish for up to `timeout`, kill the
        rest (their jobs are taken over when their leases run out)."""
        self._stop_timeout = timeout
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()  # it stops the children itself (see _watch)

    # -- the supervisor thread -------------------------------------------------------------

    def _watch(self) -> None:
        """Start, restart and finally stop the children; renew their jobs' leases.

        Every child is started by this thread and it ends only after they have: Linux
        sends a child the parent-death signal when the thread that started it ends."""
        every = min(1.0, self.studio.settings.lease_seconds / 3)
        renewed = 0.0
        while not self._stopping.is_set():
            try:
                self._reap_and_start()
                if time.monotonic() - renewed >= self.studio.settings.lease_seconds / 3:
                    renewed = time.monotonic()
                    self._renew_leases()
            except Exception:
                log.exception("supervising the worker processes failed; trying again")
            sentinels = [s.process.sentinel for s in self._slots if s.process is not None]
            multiprocessing.connection.wait(sentinels, timeout=every)
        self._stop_children()

    def _reap_and_start(self) -> None:
        now = time.monotonic()
        for index, slot in enumerate(self._slots):
            process = slot.process
            if process is not None and not process.is_alive():
                process.join()
                code = process.exitcode
                self._forget(slot)
                if code == 0:  # asked to stop (SIGTERM) by someone else: leave it stopped
                    slot.retired = True
                    log.warning(
                        "worker process %s stopped (exit 0); not restarting it", process.pid
                    )
                    continue
                young = now - slot.started < YOUNG
                slot.failures = slot.failures + 1 if young else 0
                pause = min(MAX_PAUSE, 2.0 ** (slot.failures - 1)) if young else 0.0
                slot.due = now + pause
                log.warning(
                    "worker process %s died (exit code %s); starting another in %.0f s",
                    process.pid,
                    code,
                    pause,
                )
            if slot.process is None and not slot.retired and now >= slot.due:
                self._start_child(index, slot)

    def _start_child(self, index: int, slot: _Slot) -> None:
        wake, link = PipeWake(), LiveLink()
        process = SPAWN.Process(
            target=run_child,
            args=(self.studio.settings, self.threads, wake, link, os.getpid(), self.engines),
            name=f"atelier-worker-{index}",
        )
        process.start()
        if self.studio.settings.warm_start and process.pid:
            warmup.starting(self.studio.settings.data_dir, process.pid)
        with self._lock:
            slot.process, slot.wake, slot.link = process, wake, link
            slot.started = time.monotonic()
        log.info("started worker process %s (%d thread(s))", process.pid, self.threads)

    def _renew_leases(self) -> None:
        """Renew the lease of every job a live child holds (its heartbeat may be stuck
        behind an engine that holds the GIL)."""
        live = [
            s.process.pid
            for s in self._slots
            if s.process and s.process.pid and s.process.is_alive()
        ]
        if not live:
            return
        self.studio.roster.seen_processes(live)
        held_by_them = or_(
            *(Job.lease_owner.startswith(owner_prefix(pid), autoescape=True) for pid in live)
        )
        query = select(Job.id, Job.lease_owner).where(Job.status == "running", held_by_them)
        with self.studio.db.transaction() as s:
            held = s.execute(query).all()
        for job_id, owner in held:
            self.studio.jobs.heartbeat(job_id, owner or "")

    def _stop_children(self) -> None:
        children = [s.process for s in self._slots if s.process is not None]
        for process in children:
            if process.is_alive():
                process.terminate()  # SIGTERM: stop claiming, let the running job finish
        deadline = time.monotonic() + self._stop_timeout
        for process in children:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in children:
            if process.is_alive():
                log.warning("worker process %s did not stop in time; killing it", process.pid)
                process.kill()
                process.join()
        for slot in self._slots:
            self._forget(slot)

    def _forget(self, slot: _Slot) -> None:
        """A child has ended: drop it and close its pipe (under the lock, so that the
        forwarder never writes to a closed descriptor, or to another file given its
        number)."""
        with self._lock:
            if slot.wake is not None:
                slot.wake.close()
            if slot.link is not None:
                for job_id in slot.link.running:  # its reports stop: followers read the database
                    self.studio.live.ended(job_id)
                slot.link.close()
            slot.process, slot.wake, slot.link = None, None, None

    def _forward(self) -> None:
        """Pass this process's submits on to every child."""
        added = self.studio.jobs.added
        while not self._stopping.is_set():
            if added.wait(0.5):
                added.clear()  # before waking: a submit after this sets it again
                with self._lock:
                    for slot in self._slots:
                        if slot.wake is not None:
                            slot.wake.set()

    def _relay_live(self) -> None:
        """The children's progress reports, into this process's LiveJobs; each tenth of
        a job's way also as its job.progress event (a child writes none: see
        Spine.tell_progress)."""
        live = self.studio.live
        reached: dict[str, float] = {}
        counted: dict[str, int] = {}  # reports relayed, by job
        while not self._stopping.is_set():
            with self._lock:
                readers = [s.link.reader for s in self._slots if s.link is not None]
            if not readers:
                self._stopping.wait(0.5)
                continue
            with contextlib.suppress(OSError, ValueError):  # a pipe closed meanwhile
                multiprocessing.connection.wait(readers, timeout=0.5)
            steps: list[str] = []
            pause = False
            with self._lock:  # a link is closed only under the lock (see _forget)
                for slot in self._slots:
                    if slot.link is None:
                        continue
                    latest: dict[str, tuple[float, str]] = {}
                    for job_id, report in slot.link.receive():
                        if report is None:
                            latest.pop(job_id, None)
                            slot.link.running.discard(job_id)
                            reached.pop(job_id, None)
                            counted.pop(job_id, None)
                            live.ended(job_id)
                        else:
                            latest[job_id] = report
                            counted[job_id] = counted.get(job_id, 0) + 1
                            pause = pause or counted[job_id] > EAGER_REPORTS
                            if job_events.next_step(reached.get(job_id, 0.0), report[0]):
                                steps.append(job_id)
                            reached[job_id] = report[0]
                    for job_id, report in latest.items():
                        slot.link.running.add(job_id)
                        live.report(job_id, *report)
            for job_id in steps:  # outside the lock: a transaction may wait its turn
                try:
                    self.studio.jobs.tell_progress(job_id)
                except Exception:
                    log.exception("job %s: its progress event could not be written", job_id)
            if pause:
                self._stopping.wait(RELAY_GAP_SECONDS)


# -- the child ------------------------------------------------------------------------


def run_child(
    settings: Settings,
    threads: int,
    wake: Wake,
    link: LiveLink,
    parent: int,
    engines: Collection[str] | None = None,
) -> None:
    """A worker process: a studio of its own, `threads` workers (claiming only `engines`
    when named), until SIGTERM; its progress reports go up `link` too."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # threads inherit the mask
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    _die_with(parent)
    if settings.worker_nice:
        os.nice(settings.worker_nice)
    logging.basicConfig(format="%(asctime)s worker %(process)d %(levelname)s %(message)s")
    logging.getLogger("atelier").setLevel(logging.INFO)
    studio = Studio(settings)
    studio.live.forward = link.send
    studio.jobs.step_events = False  # its server writes them, from the reports it relays
    pool = WorkerPool(
        studio, threads, wake, engines=engines, warm=settings.warm_start, own_process=True
    ).start()
    signal.sigwait({signal.SIGTERM})
    pool.stop()
    studio.close()


def _die_with(parent: int) -> None:
    """End this process when `parent` ends, however it ends."""
    libc = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc:
        ctypes.CDLL(libc, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it ended before the call
            os._exit(1)
        return
    sentinel = multiprocessing.parent_process()

    def watch() -> None:
        if sentinel is not None:
            multiprocessing.connection.wait([sentinel.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="atelier-parent-watch", daemon=True).start()


def start_workers(studio: Studio) -> WorkerPool | Supervisor:
    """The workers `atelier serve` runs, as the settings say: worker processes it
    supervises, or (worker_mode=threads) threads of its own."""
    settings = studio.settings
    if settings.worker_mode == "threads":
        return WorkerPool(studio, settings.workers, warm=settings.warm_start).start()
    return Supervisor(studio, settings.workers, settings.worker_threads).start()
