"""The `atelier` command: serve, worker, db, admin, engines, make, eval, keys, verify, log,
train, dataset. Each group of commands lives in its own module here."""

from __future__ import annotations

import os

# GNU OpenMP (under llama.cpp and PyTorch) reads this once, when a library first loads it,
# so it is set before any engine is imported; the worker processes inherit it. Its default,
# 300,000 turns of spinning at each barrier before sleeping, is paid in full whenever the
# other thread of a pair is descheduled: beside four busy processes on two cores, a limerick
# took 32.1 s and 20.9 CPU s (settled as 10.5) with it, 9.9 s and 5.5 CPU s with 1,000; on
# a quiet machine 3.0 s and 2.9 s (benchmarks/contention.py). An operator's value stays.
os.environ.setdefault("GOMP_SPINCOUNT", "1000")
# numpy's OpenBLAS keeps a thread per core that waits by spinning, and an engine settled as
# one core pays it: image.compose's matrix products took 1.98 CPU s for 1.17 s of clock
# with it, 1.20 for 1.20 on one thread (benchmarks/contention.py). No engine's numpy work
# here is faster on two. Read when numpy loads, so set before any engine; an operator's
# value stays.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from typing import Any

import click
from pydantic import ValidationError

from atelier.cli import admin, dataset, evaluate, provenance, run, train
from atelier.errors import NotReady
from atelier.store.s3 import StoreUnavailable


class Atelier(click.Group):
    """Settings that cannot work (a missing bucket, an unreachable object store, a value
    out of range, keys that are not the studio's, a schema behind the code) end a command
    with one line naming the setting or what to run, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StoreUnavailable, NotReady) as exc:
            raise click.ClickException(str(exc)) from None
        except ValidationError as exc:
            raise click.ClickException("; ".join(map(_named, exc.errors()))) from None


def _named(error: Any) -> str:
    """A settings error as `ATELIER_NAME: what is wrong` (a check of several settings
    names them in its message)."""
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message
    return f"ATELIER_{str(error['loc'][0]).upper()}: {message}"


@click.group(cls=Atelier)
def main() -> None:
    """Atelier: a self-hosted AI creative studio."""


for command in (
    run.serve,
    run.worker,
    run.db_group,
    admin.admin,
    run.prepare,
    run.engines,
    run.make,
    evaluate.evaluate,
    provenance.keys,
    provenance.verify,
    provenance.log_group,
    train.train,
    dataset.dataset,
):
    main.add_command(command)

__all__ = ["main"]
