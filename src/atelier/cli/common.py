"""What the commands share: a prepared studio, and acting as a user from the machine."""

from __future__ import annotations

from pathlib import Path

import click

from atelier.accounts.authz import Principal
from atelier.settings import get_settings
from atelier.studio import Studio


def studio() -> Studio:
    """The studio, prepared (migrated, keys made, first admin made and announced)."""
    made = Studio(get_settings())
    password = made.prepare()
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
