"""The `atelier` command: serve, worker, db, admin, engines, make, eval, keys, verify, log,
train, dataset. Each group of commands lives in its own module here."""

from __future__ import annotations

import os

from atelier import thread_env

# Before any engine loads the libraries that read them (atelier/thread_env.py).
os.environ.update(thread_env.unset())

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
