"""Engines on a Ray cluster: `atelier worker --ray ADDRESS` (or ATELIER_RAY_ADDRESS).

The database stays the source of truth for jobs. Each RayWorker thread claims a job there
as any worker does (only jobs of engines some live node can run), keeps its lease with
the heartbeat, and ships the job (engines/remote.py: parameters, seed, inputs: with the
S3 artifact store, the uploads' digests, fetched from the bucket by the node itself, so
the worker never relays them; with the local store, their bytes) to Ray
as a task that asks for what its engine needs (`Needs`: CPUs, memory, GPUs), so that Ray
places it on a node that has them free. The creations come back as bytes and the worker
finishes the job in the database: sealing, storing, settling credits, as for any job.

A node that dies mid-job fails its task with a Ray system error: the worker hands the job
back to the queue at once (spine.requeue; an attempt counted, failed after the last), and
the next claim runs it on a node still alive. Ray's own retries are off, so every run is
an attempt the database knows of. A worker that dies takes its tasks with it (Ray ends
the tasks of a driver that is gone) and its jobs' leases run out: another worker takes
them over, as for any worker. A cancelled job's task is cancelled on its node.

Ray is an optional extra (atelier[ray]), imported only here and only when asked for."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from atelier.engines import remote
from atelier.engines.base import Cancelled, Context, Creation, Engine, EngineConfig, Needs
from atelier.settings import Settings
from atelier.studio.leases import Claimed
from atelier.studio.runner import Interrupted, Worker, WorkerPool
from atelier.studio.service import Studio

MB = 1024 * 1024
NODES_EVERY = 2.0  # seconds a look at the cluster's nodes is reused
WAIT_STEP = 0.25  # seconds between looks at a cancel while a task runs


class RayUnavailable(Exception):
    """Ray is not installed, or its cluster cannot be reached."""


def needs_of(engine: Engine[Any], settings: Settings) -> Needs:
    """What a job of this engine asks of a node: the engine's own, or the operator's."""
    override = settings.ray_needs.get(engine.name, {})
    return dataclasses.replace(
        engine.needs,
        cpus=override.get("cpus", engine.needs.cpus),
        gpus=override.get("gpus", engine.needs.gpus),
        memory_mb=int(override.get("memory_mb", engine.needs.memory_mb)),
    )


class RayCluster:
    """This process's connection to a Ray cluster (Ray's driver is one per process)."""

    def __init__(self, address: str) -> None:
        try:
            import ray
        except ImportError:
            raise RayUnavailable(
                "Ray is not installed: install the extra, pip install 'atelier[ray]'"
            ) from None
        self.ray: Any = ray  # typed loosely: the extra may be absent where mypy runs
        try:
            ray.init(address=address, namespace="atelier", log_to_driver=False)
        except ConnectionError as exc:
            raise RayUnavailable(f"no Ray cluster answers at {address}: {exc}") from None
        # Its worker processes live on, their engines' models loaded, GPU tasks' too (Ray
        # would end a GPU task's process after each call: max_calls=1 by default).
        self._task = ray.remote(max_calls=0)(remote.reporting)
        self._lock = threading.Lock()
        self._nodes: list[dict[str, float]] = []
        self._seen = 0.0

    def nodes(self) -> list[dict[str, float]]:
        """The resources of each live node (CPU, GPU, memory in bytes), seen lately."""
        with self._lock:
            if time.monotonic() - self._seen > NODES_EVERY:
                self._nodes = [n["Resources"] for n in self.ray.nodes() if n["Alive"]]
                self._seen = time.monotonic()
            return self._nodes

    def fits(self, needs: Needs) -> bool:
        """Whether some live node could run a job with these needs (when free)."""
        return any(
            node.get("CPU", 0.0) >= needs.cpus
            and node.get("GPU", 0.0) >= needs.gpus
            and node.get("memory", 0.0) >= needs.memory_mb * MB
            for node in self.nodes()
        )

    def run(self, shipment: remote.Shipment, needs: Needs, ctx: Context) -> list[Creation]:
        """Run the shipment on a node that has `needs` free; its creations. Its progress
        goes to ctx; the task is cancelled when the job is (or its lease is lost)."""
        stream = self._task.options(
            num_cpus=needs.cpus,
            num_gpus=needs.gpus,
            memory=needs.memory_mb * MB,
            max_retries=0,  # a lost run goes back to the database's queue (an attempt)
            num_returns="streaming",
        ).remote(shipment)
        try:
            return self._follow(stream, ctx)
        except Cancelled:
            self.ray.cancel(stream)
            raise

    def _follow(self, stream: Any, ctx: Context) -> list[Creation]:
        """Pass the task's reports on to ctx until its creations come."""
        while True:
            ctx.check_cancelled()
            if not self.ray.wait([stream], timeout=WAIT_STEP)[0]:
                continue
            item = self._next(stream)
            if not isinstance(item, remote.Report):
                return item
            ctx.progress(item.fraction, item.message)

    def _next(self, stream: Any) -> remote.Report | list[Creation]:
        """The task's next item; its failure as the engine's error, or as Interrupted when
        the node (or the process running it) was lost."""
        ray = self.ray
        try:
            item: remote.Report | list[Creation] = ray.get(next(stream))
        except StopIteration:
            raise Interrupted("its Ray task ended without a result") from None
        except ray.exceptions.TaskCancelledError:
            raise Cancelled() from None
        except ray.exceptions.RayTaskError as exc:  # the engine raised: its own error
            cause = exc.cause
            raise (cause if isinstance(cause, Exception) else exc) from None
        except ray.exceptions.RayError as exc:  # the node, its worker or the object lost
            raise Interrupted(f"its Ray node was lost ({type(exc).__name__})") from exc
        return item

    def close(self) -> None:
        self.ray.shutdown()


def _absolute(config: EngineConfig) -> EngineConfig:
    """The configuration with its folders absolute: a node resolves them itself (every
    node has the studio's assets and models at the same paths)."""
    return dataclasses.replace(
        config,
        assets_dir=config.assets_dir.absolute(),
        models_dir=config.models_dir.absolute() if config.models_dir else None,
        text_model=config.text_model.absolute() if config.text_model else None,
    )


def store_settings(settings: Settings) -> tuple[tuple[str, Any], ...]:
    """The object store's settings, for a node that fetches the job's inputs itself."""
    return tuple(
        (name, getattr(settings, name))
        for name in sorted(Settings.model_fields)
        if name.startswith("s3_")
    )


class RayWorker(Worker):
    """A worker whose engines run on the Ray cluster instead of in its own thread: its
    jobs settle on wall-clock seconds (the node's CPU time is not read back)."""

    runs_here = False

    def __init__(
        self,
        studio: Studio,
        name: str,
        cluster: RayCluster,
        alive: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(studio, name, alive=alive)
        self.cluster = cluster

    def claimable(self) -> list[str]:
        """The engines that can run away from the studio and fit a live node."""
        settings = self.studio.settings
        return [
            engine.name
            for engine in self.studio.engines.all()
            if engine.remote and self.cluster.fits(needs_of(engine, settings))
        ]

    def inputs(self, job: Claimed) -> dict[str, Path]:
        """With the object store, only the inputs that are not in it: the node fetches
        the stored ones itself (engines/remote.py); the local store's files go as bytes."""
        return dict(job.files) if self._from_bucket() else super().inputs(job)

    def _from_bucket(self) -> bool:
        return self.studio.settings.artifact_store == "s3"

    def run_engine(self, job: Claimed, ctx: Context) -> list[Creation]:
        engine = self.studio.engines.get(job.engine)
        settings = self.studio.settings
        shipment = remote.Shipment(
            engine=job.engine,
            params=job.params,
            seed=job.seed,
            config=_absolute(engine.config),
            modules=tuple(settings.engine_modules),
            inputs=remote.pack(self.inputs(job)),
            stored=dict(job.stored) if self._from_bucket() else {},
            store=store_settings(settings) if self._from_bucket() else (),
        )
        ctx.progress(0.0, "running on the Ray cluster")
        return self.cluster.run(shipment, needs_of(engine, settings), ctx)


def start(studio: Studio, address: str, jobs: int) -> tuple[RayCluster, WorkerPool]:
    """Connect to the cluster and start `jobs` worker threads that hand their jobs to it."""
    cluster = RayCluster(address)
    pool = WorkerPool(
        studio, jobs, worker=lambda s, name, _, alive: RayWorker(s, name, cluster, alive)
    )
    return cluster, pool.start()
