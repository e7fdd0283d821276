"""The engine protocol: what every engine declares and what it is given to run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class EngineError(Exception):
    """A failure the user can act on (bad input found while running); its text is shown."""


class Cancelled(Exception):
    """Raised inside an engine when its job was cancelled."""


def upload(*accept: str) -> Any:
    """Marks a parameter as an upload id; `accept` lists the kinds allowed ("image")."""
    return Field(
        min_length=32,
        max_length=32,
        pattern="^[0-9a-f]{32}$",
        json_schema_extra={"format": "upload", "accept": list(accept)},
    )


ImageUploadId = Annotated[str, upload("image")]


class Params(BaseModel):
    """Base of every engine's parameter schema: unknown fields are errors, not ignored."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Artifact:
    name: str
    mime: str
    data: bytes


@dataclass
class Creation:
    """One work: its files (the first is the primary one) and what the engine noted.

    `sources` lists what this creation drew on beyond the engine's own models (e.g. the
    clip-art files placed in it), each a dict with at least name, licence, commercial_use.
    `models`, when set, replaces the engine's declared models in this work's lineage: an
    engine that lets the user choose between models (say, one trained only on
    commercially usable data) names the one it actually ran.
    `unmet` lists, in words for the user, each of the engine's own checks that this
    creation fails after every redraw the engine allows (a limerick's line off its rhyme,
    a keyword missing, a rewrite that turns a negation round); empty when every check
    passed. A creation with reasons here is delivered marked "checks not met", never as
    if fine."""

    files: list[Artifact]
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    models: tuple[ModelCard, ...] | None = None
    unmet: list[str] = field(default_factory=list)


@dataclass
class ModelCard:
    """A model or data set an engine draws on, with its licence (rights lineage)."""

    name: str
    version: str
    licence: str
    source: str
    commercial_use: bool
    kind: str = "model"  # model | data


class Context:
    """What the runner hands an engine: seed, progress, cancel flag, scratch, inputs."""

    def __init__(
        self,
        seed: int,
        scratch: Path,
        files: dict[str, Path],
        progress: Callable[[float, str], None] = lambda fraction, message: None,
        cancel: threading.Event | None = None,
        threads: int = 0,
    ) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.scratch = scratch
        self.threads = threads
        self._files = files
        self._progress = progress
        self._cancel = cancel or threading.Event()

    def file(self, upload_id: str) -> Path:
        return self._files[upload_id]

    def progress(self, fraction: float, message: str = "") -> None:
        self.check_cancelled()
        self._progress(min(max(fraction, 0.0), 1.0), message)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


@dataclass(frozen=True)
class EngineConfig:
    """What an engine may know of its installation (the studio builds it from settings).

    `assets_dir` holds what `prepare()` builds once at set-up (indexes, assembled model
    files); `models_dir` holds model folders an operator provides (e.g. diffusers)."""

    assets_dir: Path
    models_dir: Path | None = None
    threads: int = 0
    # The text engines' model: a GGUF run in-process (None: the packaged one), or an
    # OpenAI-compatible server when text_server_url is set. See engines/text/runtime.py.
    text_model: Path | None = None
    text_server_url: str = ""
    text_server_model: str = ""
    text_server_key: str = ""
    text_context: int = 4096


class Engine:
    """Subclass, set the class attributes, implement `run`; add one line to the registry."""

    name: ClassVar[str]
    medium: ClassVar[str]  # image | music | text
    title: ClassVar[str]
    description: ClassVar[str]
    Params: ClassVar[type[Params]]
    models: ClassVar[tuple[ModelCard, ...]] = ()
    credits_per_second: ClassVar[float] = 1.0

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def prepare(self) -> None:
        """Build this engine's assets under `config.assets_dir` (idempotent; run at set-up
        by `atelier prepare`, never during a job)."""

    def available(self) -> str | None:
        """None when the engine can run here, else the reason it cannot."""
        return None

    def estimate_seconds(self, params: Any) -> float:
        return 1.0

    def estimate_cost(self, params: Any) -> float:
        """Credits reserved at submit; settled to the measured cost at finish."""
        return round(self.estimate_seconds(params) * self.credits_per_second, 2)

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        raise NotImplementedError
