"""What the commands share: a prepared studio, and acting as a user from the machine."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from atelier.accounts.authz import Principal
from atelier.settings import get_settings
from atelier.store.models import TERMINAL_STATUSES, Job
from atelier.studio import Studio
from atelier.studio.runner import WorkerPool


def studio(upgrade: bool = True) -> Studio:
    """The studio, prepared (migrated, keys made or checked, first admin made and
    announced); without `upgrade`, the schema must already be at head (workers)."""
    made = Studio(get_settings())
    password = made.prepare(upgrade)
    if password:
        click.echo(f"Created admin {made.settings.admin_email} with password: {password}")
    return made


def principal(studio: Studio, email: str) -> Principal:
    """The user with this e-mail, acting from this machine (all scopes)."""
    who = studio.accounts.local(email)
    if who is None:
        raise click.ClickException(f"no user {email}; create one with `atelier admin create-user`")
    return who


def music_data() -> Path:
    return get_settings().resolved_assets_dir / "music"


def follow(studio: Studio, who: Principal, job: Job) -> Job:
    """Run a submitted job here (one worker in this process) with a progress bar on
    stderr; returns it once it has ended, succeeded or not."""
    pool = WorkerPool(studio, 1).start()
    try:
        with tqdm(total=100, desc=job.engine, unit="%", file=sys.stderr) as bar:
            while job.status not in TERMINAL_STATUSES:
                time.sleep(0.1)
                job = studio.jobs.get(who, job.id)
                bar.set_postfix_str((job.message or job.status).splitlines()[-1][-60:])  # one line
                bar.update(round(job.progress * 100) - bar.n)
    finally:
        pool.stop()
    return job


def setting(item: str) -> tuple[str, Any]:
    """A `--set KEY=VALUE` option: VALUE read as JSON when it is JSON, else as text."""
    key, sep, raw = item.partition("=")
    if not sep or not key:
        raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--set")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw
