"""Proof of origin from the command line: the signing keys, `verify`, the log."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from atelier.cli import common
from atelier.settings import get_settings
from atelier.studio import Studio


@click.group()
def keys() -> None:
    """The studio's signing identity (C2PA root, signing certificate, log key)."""


@keys.command("init")
@click.option("--alg", type=click.Choice(["es256", "ed25519"]), default=None, help="Key type.")
def keys_init(alg: str | None) -> None:
    """Make the root CA, the signing certificate and the log key (once)."""
    from atelier.provenance.keys import KeyProblem, fingerprint

    studio = Studio(get_settings())
    studio.migrate()  # key events go to the audit log
    try:
        identity = studio.provenance.init_keys(alg or studio.settings.signing_alg)
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created keys in {studio.provenance.keys_dir}; root {fingerprint(identity.root)}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Issue a new signing certificate and log key; old certificates still verify."""
    from atelier.provenance.keys import KeyProblem, fingerprint

    studio = common.studio()
    try:
        identity = studio.provenance.rotate_keys()
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new signing certificate {fingerprint(identity.signing_cert)}")
    click.echo(f"new log key certificate {fingerprint(identity.log_cert)}")


@keys.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def keys_export(file: Path) -> None:
    """Write the identity (every key and certificate) to FILE, encrypted under the key
    passphrase, for another node of this studio to `atelier keys import`."""
    from atelier.provenance.keys import fingerprint

    studio = Studio(get_settings())
    data = studio.provenance.export_keys()
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    root = fingerprint(studio.provenance.identity().root)
    click.echo(f"wrote the keys of root {root[:16]} to {file}")
    click.echo("import them with the same passphrase (ATELIER_KEY_PASSPHRASE, or typed)")


@keys.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def keys_import(file: Path) -> None:
    """Make FILE (from `atelier keys export`) this node's identity: its works then chain
    to the studio's root. Asks for the passphrase when ATELIER_KEY_PASSPHRASE is not set."""
    from atelier.provenance.keys import fingerprint

    studio = Studio(get_settings())
    passphrase = None
    if not studio.provenance.has_passphrase():
        passphrase = click.prompt("Key passphrase of the exporting node", hide_input=True)
    identity = studio.provenance.import_keys(file.read_bytes(), passphrase)
    click.echo(
        f"imported the keys of root {fingerprint(identity.root)[:16]} into "
        f"{studio.provenance.keys_dir}"
    )


@keys.command("show")
def keys_show() -> None:
    """Print the identity: certificates, fingerprints, validity, and the log's key."""
    from atelier.provenance.keys import KeyProblem, fingerprint

    studio = Studio(get_settings())
    try:
        identity = studio.provenance.identity()
    except (KeyProblem, FileNotFoundError):
        raise click.ClickException("no keys yet: run `atelier keys init`") from None
    certs = [("root", identity.root), ("signing", identity.signing_cert)]
    certs += [("log", identity.log_cert)]
    certs += [("retired", c) for c in (*identity.retired_signing, *identity.retired_log)]
    for label, cert in certs:
        click.echo(f"{label:8} {cert.subject.rfc4514_string()}")
        click.echo(f"{'':8} sha256 {fingerprint(cert)}; until {cert.not_valid_after_utc:%Y-%m-%d}")
    click.echo(f"log key  {studio.provenance.checkpoint()['log_key']}")


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The sidecar manifest (default: FILE.manifest.json when it exists).",
)
@click.option(
    "--since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An older checkpoint you kept: the log must extend it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(file: Path, manifest: Path | None, since: Path | None, as_json: bool) -> None:
    """Check FILE offline against this studio: its C2PA manifest, the signer's chain to
    the studio's root, its entry in the log, the log's consistency, its watermark.
    Exits 1 when any check fails."""
    studio = common.studio()
    sidecar = manifest or file.with_name(file.name + ".manifest.json")
    report = studio.provenance.verify(
        file.read_bytes(),
        sidecar.read_bytes() if sidecar.is_file() else None,
        since.read_text() if since else None,
    )
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(f"{file}  sha256 {report.sha256}")
        for check in report.checks:
            sign = "✓" if check.ok else ("✗" if check.ok is False else "–")
            click.echo(f"  {sign} {check.name}: {check.detail}")
        click.echo("verified" if report.ok else "NOT verified: a check failed")
    if not report.ok:
        sys.exit(1)


@click.group("log")
def log_group() -> None:
    """The transparency log."""


@log_group.command("checkpoint")
def log_checkpoint() -> None:
    """Print the latest signed checkpoint (keep it; pass it to `verify --since` later)."""
    click.echo(common.studio().provenance.checkpoint()["checkpoint"], nl=False)


@log_group.command("audit")
def log_audit() -> None:
    """Recompute the whole log from its entries and check every stored hash and signed
    checkpoint; exits 1 when anything differs."""
    problems = common.studio().provenance.audit_log()
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        sys.exit(1)
    click.echo("the log is intact")
