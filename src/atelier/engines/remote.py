"""One job run on another machine (a Ray node, studio/ray_workers.py): what the worker
ships there and the functions that run it.

With the S3 artifact store, the job's stored inputs (uploads) travel as their SHA-256 and
the node fetches them from the bucket itself, into a cache of its own (NODE_DATA), so the
worker never downloads nor relays them; other inputs (and every input with the local
folder store, which other machines cannot read) travel as bytes and are written to a
temporary folder on that machine. Progress reports and, last, the creations travel back
as they are (their artifacts are bytes: the worker seals them with the studio's keys,
which changes them, before it stores them).
Nothing here touches the database: the worker that claimed the job finishes it. Each
process keeps the engines it built, so models an engine loaded stay loaded for the next
job it runs."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atelier.engines import registry
from atelier.engines.base import Context, Creation, Engine, EngineConfig

if TYPE_CHECKING:
    from atelier.store.s3 import S3ArtifactStore

FILE = ""  # the key of a packed input that is one file, not a folder
# A node's own folder: its cache of the object store's files (bounded by s3_cache_bytes).
NODE_DATA = Path(tempfile.gettempdir()) / "atelier-ray-node"
REPORT_EVERY = 0.25  # seconds: the most often progress is sent back

# An input's bytes: {FILE: bytes} for a file, {relative path: bytes} for a folder's files.
Packed = dict[str, bytes]


@dataclass(frozen=True)
class Shipment:
    """Everything a job's run needs, and nothing of the studio's."""

    engine: str
    params: dict[str, Any]
    seed: int
    config: EngineConfig
    modules: tuple[str, ...] = ()  # plug-in modules that register engines
    inputs: dict[str, Packed] = field(default_factory=dict)  # by the id ctx.file takes
    stored: dict[str, str] = field(default_factory=dict)  # by the same ids: their SHA-256
    # The object store's settings (the s3_* ones) the node fetches `stored` from.
    store: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Report:
    """The engine's latest progress."""

    fraction: float
    message: str


def pack(files: Mapping[str, Path]) -> dict[str, Packed]:
    """The bytes of the job's staged inputs (files, or folders such as a dataset version)."""
    packed: dict[str, Packed] = {}
    for key, path in files.items():
        if path.is_dir():
            packed[key] = {
                str(item.relative_to(path)): item.read_bytes()
                for item in sorted(path.rglob("*"))
                if item.is_file()
            }
        else:
            packed[key] = {FILE: path.read_bytes()}
    return packed


def fetch(store: tuple[tuple[str, Any], ...], stored: Mapping[str, str]) -> dict[str, Path]:
    """The stored inputs, fetched by this machine from the object store into its cache."""
    bucket = _bucket(store)
    return {key: bucket.staged(digest) for key, digest in stored.items()}


@cache
def _bucket(store: tuple[tuple[str, Any], ...]) -> S3ArtifactStore:
    """One client per process and store: boto3 builds one slowly."""
    from atelier.settings import Settings
    from atelier.store.s3 import S3ArtifactStore

    return S3ArtifactStore(Settings(data_dir=NODE_DATA, artifact_store="s3", **dict(store)))


def unpack(inputs: Mapping[str, Packed], folder: Path) -> dict[str, Path]:
    """Write the inputs under `folder`; their paths by key, as ctx.file finds them."""
    paths: dict[str, Path] = {}
    for index, (key, packed) in enumerate(inputs.items()):
        if set(packed) == {FILE}:
            path = folder / f"input-{index}"
            path.write_bytes(packed[FILE])
        else:
            path = folder / f"input-{index}.d"
            path.mkdir()
            for name, data in packed.items():
                target = (path / name).resolve()
                if not target.is_relative_to(path.resolve()):
                    raise ValueError(f"input {key}: {name!r} leaves its folder")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        paths[key] = path
    return paths


def run(
    shipment: Shipment,
    progress: Callable[[float, str], None] = lambda fraction, message: None,
    cancel: threading.Event | None = None,
) -> list[Creation]:
    """Run the shipped job in a temporary folder of this machine; its creations."""
    engines = _engines(shipment.config, shipment.modules)
    engine = engines.get(shipment.engine)
    if engine is None:
        raise RuntimeError(f"engine {shipment.engine} is not installed on this machine")
    with tempfile.TemporaryDirectory(prefix="atelier-job-") as root:
        files = unpack(shipment.inputs, Path(root))
        if shipment.stored:
            files.update(fetch(shipment.store, shipment.stored))
        scratch = Path(root) / "scratch"
        scratch.mkdir()
        params = engine.Params.model_validate(shipment.params)
        threads = shipment.config.threads
        ctx = Context(shipment.seed, scratch, files, progress, cancel, threads)
        return engine.run(params, ctx)


def reporting(shipment: Shipment) -> Iterator[Report | list[Creation]]:
    """`run` in a thread of its own: yields its latest progress (at most every
    REPORT_EVERY seconds), then its creations; its error is raised here. Closed early
    (the task cancelled), it cancels the engine at its next check and waits for it."""
    latest: list[Report] = []
    cancel, done = threading.Event(), threading.Event()
    outcome: list[list[Creation]] = []
    failure: list[BaseException] = []

    def report(fraction: float, message: str) -> None:
        latest[:] = [Report(fraction, message)]  # one list operation: atomic under the GIL

    def work() -> None:
        try:
            outcome.append(run(shipment, report, cancel))
        except BaseException as exc:  # raised in the generator, where Ray sees it
            failure.append(exc)
        finally:
            done.set()

    engine = threading.Thread(target=work, name="atelier-engine", daemon=True)
    engine.start()
    try:
        while not done.wait(REPORT_EVERY):
            if latest:
                yield latest.pop()
        if failure:
            raise failure[0]
        yield outcome[0]
    finally:
        cancel.set()
        engine.join()


@cache
def _engines(config: EngineConfig, modules: tuple[str, ...]) -> dict[str, Engine[Any]]:
    """Built once per process and configuration: their loaded models are kept."""
    return registry.build(config, modules)
