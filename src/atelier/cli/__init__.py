"""The `atelier` command: serve, worker, admin, engines, make, eval, keys, verify, log,
train, dataset. Each group of commands lives in its own module here."""

from __future__ import annotations

import click

from atelier.cli import admin, dataset, evaluate, provenance, run, train


@click.group()
def main() -> None:
    """Atelier: a self-hosted AI creative studio."""


for command in (
    run.serve,
    run.worker,
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
