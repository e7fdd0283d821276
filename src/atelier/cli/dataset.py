"""`atelier dataset`: a client's collections from the command line: make one, add files or
a zip with their rights, clean it into a version, print its card, train a model on it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from atelier.cli import common
from atelier.datasets.items import RIGHTS
from atelier.errors import StudioError
from atelier.studio import Studio
from atelier.training.engines import TRAINERS

AS = click.option("--as", "email", default=None, help="The owner (default: the admin).")


def _studio_and_owner(email: str | None) -> tuple[Studio, Any]:
    studio = common.studio()
    return studio, common.principal(studio, email or studio.settings.admin_email)


@click.group()
def dataset() -> None:
    """Your collections: add files with their rights, make versions, train models."""


@dataset.command("create")
@click.argument("name")
@click.option("--medium", type=click.Choice(["image", "music", "text"]), required=True)
@click.option("--description", default="")
@AS
def create(name: str, medium: str, description: str, email: str | None) -> None:
    """Make an empty dataset; prints its id."""
    studio, who = _studio_and_owner(email)
    try:
        made = studio.datasets.create(who, name, medium, description)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(made.id)


@dataset.command("list")
@AS
def list_(email: str | None) -> None:
    """Your datasets: id, medium, items, versions, name."""
    studio, who = _studio_and_owner(email)
    for d in studio.datasets.mine(who):
        click.echo(
            f"{d.id}  {d.medium:5}  {len(d.items):6} items  {len(d.versions)} versions  {d.name}"
        )


@dataset.command("add")
@click.argument("dataset_id")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--rights",
    type=click.Choice(list(RIGHTS)),
    default="unknown",
    show_default=True,
    help="What you affirm for the files (a zip's rights.csv may say it item by item).",
)
@click.option("--caption", default="", help="Pictures: a caption (LoRA training reads it).")
@AS
def add(
    dataset_id: str, files: tuple[str, ...], rights: str, caption: str, email: str | None
) -> None:
    """Add files, or zips of files, to a dataset."""
    studio, who = _studio_and_owner(email)
    for name in files:
        path = Path(name)
        try:
            added = studio.datasets.add(
                who, dataset_id, path.name, path.read_bytes(), rights, caption
            )
        except StudioError as exc:
            raise click.ClickException(f"{path}: {exc.detail}") from None
        click.echo(f"{path}: {len(added)} item{'' if len(added) == 1 else 's'} added")


@dataset.command("version")
@click.argument("dataset_id")
@click.option("--size", type=click.IntRange(64, 2048), default=512, help="Pictures: the side.")
@click.option("--transpose/--no-transpose", default=True, help="Melodies: to the reference key.")
@click.option("--valid-percent", type=click.IntRange(1, 50), default=10, show_default=True)
@AS
def version(
    dataset_id: str, size: int, transpose: bool, valid_percent: int, email: str | None
) -> None:
    """Clean the items into a version; prints each step and every removal."""
    studio, who = _studio_and_owner(email)
    try:
        made, new = studio.datasets.make_version(who, dataset_id, size, transpose, valid_percent)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    card = made.card
    click.echo(f"version {made.id} ({'new' if new else 'made before'}): {made.items} items")
    for step in card["steps"]:
        click.echo(f"  {step['title']:40} {step['before']:6} → {step['after']}")
    for removal in card["removed"]:
        click.echo(f"  removed {removal['item']}: {removal['reason']} ({removal['detail']})")
    click.echo(f"  rights: {json.dumps(card['rights'])}; commercial use: {card['commercial_use']}")


@dataset.command("card")
@click.argument("version_id")
@click.option("--json", "as_json", is_flag=True, help="The card as JSON, not Markdown.")
@AS
def card(version_id: str, as_json: bool, email: str | None) -> None:
    """A version's card: counts before and after each cleaning step, every removal with
    its reason, the rights mix and the statistics its plots draw."""
    studio, who = _studio_and_owner(email)
    try:
        if as_json:
            found, _ = studio.datasets.version(who, version_id)
            click.echo(json.dumps(found.card, indent=2))
        else:
            click.echo(studio.datasets.markdown(who, version_id))
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None


@dataset.command("delete")
@click.argument("dataset_id")
@AS
def delete(dataset_id: str, email: str | None) -> None:
    """Delete a dataset, its items and versions (models trained on it stay)."""
    studio, who = _studio_and_owner(email)
    try:
        studio.datasets.delete(who, dataset_id)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"deleted {dataset_id}")


@dataset.command("train")
@click.argument("version_id")
@click.option("--name", required=True, help="Your model's name.")
@click.option("--set", "sets", multiple=True, help="A training setting KEY=VALUE (JSON value).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None)
@AS
def train(
    version_id: str, name: str, sets: tuple[str, ...], seed: int | None, email: str | None
) -> None:
    """Train a model on a version here (a job on the studio's queue), with a progress bar;
    prints the model's id."""
    studio, who = _studio_and_owner(email)
    params: dict[str, Any] = {"dataset": version_id, "name": name}
    params.update(common.setting(item) for item in sets)
    try:
        _, found = studio.datasets.version(who, version_id)
        job, _ = studio.jobs.submit(who, TRAINERS[found.medium], params, seed)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    job = common.follow(studio, who, job)
    model = studio.models.of_job(who, job.id)
    if job.status != "succeeded" or model is None:
        raise click.ClickException(f"job {job.status}: {job.error or ''}")
    click.echo(f"model {model.id} ({model.kind}); its works may be sold: {model.commercial_use}")
