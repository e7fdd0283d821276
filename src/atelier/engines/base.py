"""The engine protocol: what every engine declares and what it is given to run.

An engine declares, besides its parameters and `run`, what a job will make before it
runs (`output_budget`: pixels, seconds of audio, tokens), which plans limit and which
prices its estimate at its own `rates`."""

from __future__ import annotations

import os
import threading
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from atelier.engines.kinds import KINDS


def usable_cpus() -> int:
    """CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class EngineError(Exception):
    """A failure the user can act on (bad input found while running); its text is shown."""


class Cancelled(Exception):
    """Raised inside an engine when its job was cancelled."""


# Form hints: field metadata (`Field(..., json_schema_extra=ADVANCED)`) that the pages read.
ABOUT: dict[str, Any] = {"about": True}  # what the work is about: first, in a large box
ADVANCED: dict[str, Any] = {"advanced": True}  # a knob most leave alone: folded away


def pick_from(gallery: str, none: str = "") -> dict[str, Any]:
    """Form hint: the field is chosen from a gallery that shows each value by a sample (a
    picture or a sound, engines/galleries.py); `none` says what leaving it empty means."""
    return {"choices": gallery, "choices_none": none} if none else {"choices": gallery}


def upload(*accept: str, mask_for: str = "") -> Any:
    """Marks a parameter as an upload id; `accept` lists the kinds allowed ("image", the
    names in engines/kinds.py). `mask_for` names the picture parameter this one is a mask
    of (the page lets one paint it over that picture)."""
    unknown = [kind for kind in accept if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds {unknown}; known: {', '.join(KINDS)}")
    extra: dict[str, Any] = {"format": "upload", "accept": list(accept)}
    if mask_for:
        extra["mask_for"] = mask_for
    return Field(min_length=32, max_length=32, pattern="^[0-9a-f]{32}$", json_schema_extra=extra)


ImageUploadId = Annotated[str, upload("image")]
# A mask painted over the `image` parameter's picture (light pixels mark the area).
MaskUploadId = Annotated[str, upload("image", mask_for="image")]


def takes_number(annotation: Any) -> bool:
    """Whether a field takes a number and not a yes/no (int, float, or a union holding one
    of them but no bool)."""
    found = set(typing.get_args(annotation)) or {annotation}
    if bool in found:
        return False
    return any(t in (int, float) or (typing.get_args(t) and takes_number(t)) for t in found)


class Params(BaseModel):
    """Base of every engine's parameter schema: unknown fields are errors, not ignored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def no_yes_or_no_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """true is not 1: `"bars": true` had been read as one bar and refused as "should
        be greater than or equal to 2", which did not say what was wrong."""
        name = info.field_name
        if isinstance(value, bool) and name and takes_number(cls.model_fields[name].annotation):
            raise ValueError(f"{name} is a number, not {str(value).lower()}")
        return value


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
    if fine.
    `seed`, when set, is the seed this creation was made from, if not the job's own (a
    job's variants: seed + i, engines/image/variants.py); its work records it."""

    files: list[Artifact]
    title: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)
    models: tuple[ModelCard, ...] | None = None
    unmet: list[str] = field(default_factory=list)
    seed: int | None = None


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


@dataclass(frozen=True)
class Measure:
    """What the studio recorded of an upload when it arrived, so that a budget is declared
    without opening the file: a picture's size, a recording's length, a score's bars and
    length (in quarter notes, and in seconds at its own tempo) and its melody's notes."""

    width: int = 0
    height: int = 0
    seconds: float = 0.0
    bars: int = 0
    quarters: float = 0.0
    notes: int = 0  # of its melody line

    @property
    def pixels(self) -> int:
        return self.width * self.height


# An input not yet chosen (the form's estimate before a file is picked): a typical one.
TYPICAL = Measure(width=800, height=600, seconds=30.0, bars=16, quarters=64.0)
Inputs = Mapping[str, Measure]  # by parameter name: the uploads a job's parameters name


@dataclass(frozen=True)
class Budget:
    """What a job will make, declared before it runs. Plans limit `pixels` (of its largest
    picture) and `audio_seconds` (of its longest piece of audio); an estimate prices the
    whole budget, what it reads (`pixels_in`, `tokens_in`) included, at the engine's rates.
    `field` names the parameter that sets the size, for a refusal to point at."""

    images: int = 0  # pictures (or animation frames) made
    pixels: int = 0  # of the largest one
    audio_seconds: float = 0.0  # of the longest piece of audio
    notes: float = 0.0  # of music written or read (a note a quarter where not yet known)
    tokens: int = 0  # of text the model writes, every draft counted
    pixels_in: int = 0  # of the pictures read
    tokens_in: int = 0  # of the text read
    network_pixels: int = 0  # what a tiled network works on, overlaps included (esrgan)
    field: str = ""

    @property
    def pixels_out(self) -> int:
        return self.images * self.pixels


@dataclass(frozen=True)
class Rates:
    """Seconds of work per unit of a budget (measured: benchmarks/estimates.py)."""

    start: float = 1.0
    per_image: float = 0.0
    per_megapixel_out: float = 0.0
    per_megapixel_in: float = 0.0
    per_audio_second: float = 0.0
    per_note: float = 0.0
    per_token: float = 0.0
    per_token_in: float = 0.0

    def seconds(self, budget: Budget) -> float:
        return (
            self.start
            + self.per_image * budget.images
            + self.per_megapixel_out * budget.pixels_out / 1e6
            + self.per_megapixel_in * budget.pixels_in / 1e6
            + self.per_audio_second * budget.audio_seconds
            + self.per_note * budget.notes
            + self.per_token * budget.tokens
            + self.per_token_in * budget.tokens_in
        )


@dataclass(frozen=True)
class Needs:
    """What one run of an engine takes of a machine. On a Ray cluster (studio/ray_workers.py)
    each job is placed on a node that has it free; operators may override it per engine
    (ATELIER_RAY_NEEDS)."""

    cpus: float = 1.0
    memory_mb: int = 512
    gpus: float = 0.0


# For an engine not yet measured: a rough guess, so that its estimate still grows with
# what it makes (measured engines set their own: benchmarks/estimates.py).
UNMEASURED = Rates(start=1.0, per_megapixel_out=1.0, per_audio_second=0.1, per_token=0.02)

P = TypeVar("P", bound=Params)


class Engine(Generic[P]):
    """Subclass as `Engine[MyParams]`, set the class attributes, implement `run` and
    `output_budget`; add one line to the registry. The form, the estimate and the plan's
    limits follow from these."""

    name: ClassVar[str]
    medium: ClassVar[str]  # image | music | text
    title: ClassVar[str]
    description: ClassVar[str]
    Params: type[P]
    models: ClassVar[tuple[ModelCard, ...]] = ()
    credits_per_second: ClassVar[float] = 1.0
    rates: ClassVar[Rates] = UNMEASURED
    needs: ClassVar[Needs] = Needs()
    # Whether its work runs on a library's thread pool (ONNX Runtime, ncnn, llama.cpp) that
    # keeps every core it is allowed busy, rather than on one core: a job's CPU seconds
    # are divided by those cores when it is settled (`cores`; commerce/credits.py).
    threaded: ClassVar[bool] = False
    # Whether a job of it can run on another machine with only its parameters and input
    # files (engines/remote.py): not a trainer, whose checkpoint folder stays here.
    remote: ClassVar[bool] = True

    def __init__(self, config: EngineConfig) -> None:
        self.config = config

    def cores(self, threads: int) -> int:
        """The cores a job keeps busy here: one, or for a threaded engine the threads its
        libraries are given (`threads`, the engine_threads setting; 0: every core)."""
        if not self.threaded:
            return 1
        return min(threads, usable_cpus()) if threads else usable_cpus()

    def prepare(self) -> None:
        """Build this engine's assets under `config.assets_dir` (idempotent; run at set-up
        by `atelier prepare`, never during a job)."""

    def warm(self) -> None:
        """Load the models `run` needs into this process now (idempotent: they stay
        loaded), so that the first job does not wait for them. A worker calls it once at
        start-up, on a thread of its own (studio/warmup.py); an engine with nothing to
        load keeps this default."""

    def available(self) -> str | None:
        """None when the engine can run here, else the reason it cannot."""
        return None

    def output_budget(self, params: P, inputs: Inputs) -> Budget:
        """What a job with these parameters will make (and read). `inputs` holds the
        measures of the uploads its parameters name; one not there yet is `TYPICAL`.
        An engine that makes pictures or audio must say how much (the registry checks)."""
        return Budget()

    def estimate_seconds(self, params: P, budget: Budget) -> float:
        return round(self.rates.seconds(budget), 2)

    def estimate_cost(self, params: P, budget: Budget) -> float:
        """Credits reserved at submit; settled to the measured cost at finish."""
        return round(self.estimate_seconds(params, budget) * self.credits_per_second, 2)

    def run(self, params: P, ctx: Context) -> list[Creation]:
        raise NotImplementedError


def declares_budget(engine_class: type[Engine[Any]]) -> bool:
    """Whether the engine says what it makes (overrides `output_budget`)."""
    return engine_class.output_budget is not Engine.output_budget
