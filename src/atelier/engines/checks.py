"""An engine's own checks are promises to the user (DESIGN.md): every engine that checks
its results draws drafts, keeps the best one that meets all its checks, draws again a
bounded number of times while none does, and delivers the best marked with the checks it
fails (`Creation.unmet`) when none ever does — never as if fine.

A redraw is the engine's promise being kept, not work the user asked for: `draw` (and
`redrawing`, for a part of a draft drawn again) times each one (clock and this process's
CPU) into the `Redraws` that the worker running the job counts them in
(`counting_redraws`), and the job is settled without them (commerce/credits.py
`Compute`).

The text engines keep their own `Draft` (a text with its completion); the others wrap
their result in `Candidate`. Both are picked by `best_index` and drawn by `draw`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from atelier.cpu_time import process_cpu_seconds

REDRAWS = 3  # drafts drawn again, at most, when none meets its checks (non-text engines)


class Checked(Protocol):
    """A draft with a score (higher is better) and the checks it fails, in words."""

    @property
    def score(self) -> float: ...

    @property
    def unmet(self) -> list[str]: ...


T = TypeVar("T")
C = TypeVar("C", bound=Checked)


@dataclass
class Candidate(Generic[T]):
    """One drawn result with its checks' values, their score and the checks it fails."""

    value: T
    checks: dict[str, Any] = field(default_factory=dict)
    score: float = 0.0
    unmet: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """What a work's meta keeps of a draft."""
        return {"score": round(self.score, 3), **self.checks, "unmet": self.unmet}


def best_index(drafts: Sequence[Checked]) -> int:
    """The highest-scoring draft among those that meet every check (else among all);
    the first among equals."""
    return max(range(len(drafts)), key=lambda i: (not drafts[i].unmet, drafts[i].score, -i))


@dataclass
class Redraws:
    """The seconds of clock and of this process's CPU that one job's redraws took."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0


_counting: ContextVar[Redraws | None] = ContextVar("redraws", default=None)


@contextmanager
def counting_redraws() -> Iterator[Redraws]:
    """Count the redraws `draw` makes in this thread until the block ends."""
    counted = Redraws()
    token = _counting.set(counted)
    try:
        yield counted
    finally:
        _counting.reset(token)


@contextmanager
def redrawing() -> Iterator[None]:
    """Time the block into the redraws being counted: work done again because a draft (or
    a part of one, such as a verse line) missed its checks."""
    counted = _counting.get()
    token = _counting.set(None)  # redraws within this one are in its time already
    started, cpu = time.monotonic(), process_cpu_seconds()
    try:
        yield
    finally:
        _counting.reset(token)
        if counted is not None:
            counted.seconds += time.monotonic() - started
            counted.cpu_seconds += process_cpu_seconds() - cpu


def draw(make: Callable[[int], C], count: int, redraws: int = REDRAWS) -> list[C]:
    """`count` drafts (`make(0)` … `make(count - 1)`), then, while none meets its checks,
    up to `redraws` more, stopping at the first that does, each timed into the redraws
    being counted. `make(i)` must be deterministic for a job's seed (seed + i, or one
    generator drawn in turn)."""
    drafts: list[C] = []
    for i in range(count + redraws):
        if i < count:
            drafts.append(make(i))
            continue
        if any(not d.unmet for d in drafts):
            break
        with redrawing():
            drafts.append(make(i))
    return drafts


def drafts_meta(drafts: Sequence[Candidate[Any]], chosen: int) -> dict[str, Any]:
    """What a work's meta says of its drafts (as the text engines' works do): the one
    chosen, its checks, and every draft's checks and failed checks."""
    return {
        "chosen": chosen,
        "checks": drafts[chosen].checks,
        "drafts": [d.summary() for d in drafts],
    }
