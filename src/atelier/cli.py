"""The `atelier` command: serve, worker, admin, engines, make."""

from __future__ import annotations

import json
import mimetypes
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from atelier.accounts import service as accounts
from atelier.accounts.service import AccountError, Principal
from atelier.settings import get_settings
from atelier.store.models import ROLES, TERMINAL_STATUSES
from atelier.studio import Studio
from atelier.studio.errors import StudioError
from atelier.studio.runner import WorkerPool


def _studio() -> Studio:
    studio = Studio(get_settings())
    password = studio.prepare()
    if password:
        click.echo(f"Created admin {studio.settings.admin_email} with password: {password}")
    return studio


def _principal(studio: Studio, email: str) -> Principal:
    with studio.db.transaction() as s:
        user = accounts.find_user(s, email)
        if user is None:
            raise click.ClickException(
                f"no user {email}; create one with `atelier admin create-user`"
            )
        return accounts.principal_for(user, via="local")


@click.group()
def main() -> None:
    """Atelier: a self-hosted AI creative studio."""


@main.command()
@click.option("--host", default=None, help="Address to listen on (default: ATELIER_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (ATELIER_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the studio: pages, the /v1 API and in-process workers."""
    import uvicorn

    from atelier.web.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@main.command()
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True)
def worker(threads: int) -> None:
    """Run jobs from the shared database in this process (as many as you like)."""
    studio = _studio()
    pool = WorkerPool(studio, threads).start()
    click.echo(f"worker running {threads} thread(s) on {studio.db.engine.url!r}; Ctrl-C stops")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pool.stop()


@main.group()
def admin() -> None:
    """Accounts and keys."""


@admin.command("create-user")
@click.argument("email")
@click.option("--password", default=None, help="At least 10 characters; generated if left out.")
@click.option("--role", type=click.Choice(ROLES), default="creator", show_default=True)
def create_user(email: str, password: str | None, role: str) -> None:
    import secrets

    studio = _studio()
    chosen = password or secrets.token_urlsafe(15)
    try:
        with studio.db.transaction() as s:
            user = accounts.create_user(s, email, chosen, role)
    except AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc}") from None
    click.echo(f"created {role} {user.email}" + ("" if password else f" with password: {chosen}"))


@admin.command("create-key")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(accounts.SCOPES),
    default=accounts.SCOPES,
    show_default=True,
)
def create_key(email: str, name: str, scopes: tuple[str, ...]) -> None:
    """Print a new API key for EMAIL (shown once)."""
    studio = _studio()
    who = _principal(studio, email)
    with studio.db.transaction() as s:
        key, _ = accounts.create_key(s, who.user_id, name, list(scopes))
    click.echo(key)


@admin.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email: str, role: str) -> None:
    """Give EMAIL another role (recorded in the audit log)."""
    studio = _studio()
    try:
        with studio.db.transaction() as s:
            user = accounts.find_user(s, email)
            if user is None:
                raise click.ClickException(f"no user {email}")
            previous = user.role
            accounts.set_role(s, user, role)
    except AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc}") from None
    click.echo(f"{user.email}: {previous} -> {role}")


@main.command()
def prepare() -> None:
    """Build what engines need before they run (indexes, model files); quick when done."""
    studio = Studio(get_settings())
    for engine in studio.engines():
        started = time.monotonic()
        engine.prepare()
        click.echo(f"prepared {engine.name} in {time.monotonic() - started:.1f} s")


@main.command()
def engines() -> None:
    """List the engines and their parameters."""
    studio = Studio(get_settings())
    for engine in studio.engines():
        reason = engine.available()
        click.echo(
            f"{engine.name:20} {engine.title}{'  (unavailable: ' + reason + ')' if reason else ''}"
        )
        click.echo(f"{'':20} {engine.description}")
        for name, prop in engine.Params.model_json_schema().get("properties", {}).items():
            click.echo(f"{'':22}{name}: {prop.get('description', '')}")


def _value(studio: Studio, who: Principal, raw: str) -> Any:
    if raw.startswith("@"):
        path = Path(raw[1:]).expanduser()
        if not path.is_file():
            raise click.BadParameter(f"no file {path}")
        return studio.add_upload(who, path.name, path.read_bytes()).id
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


@main.command("make")
@click.argument("engine")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter; a file as KEY=@path. Repeat for more.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the result (default: the work's id and extension).",
)
@click.option("--as", "email", default=None, help="The account that makes it (default: the admin).")
def make(
    engine: str, sets: tuple[str, ...], seed: int | None, output: Path | None, email: str | None
) -> None:
    """Run one creation through the studio, here, with a progress bar."""
    studio = _studio()
    who = _principal(studio, email or studio.settings.admin_email)
    try:
        params = {}
        for item in sets:
            key, sep, raw = item.partition("=")
            if not sep or not key:
                raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--set")
            params[key] = _value(studio, who, raw)
        job, _ = studio.submit(who, engine, params, seed)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    pool = WorkerPool(studio, 1).start()
    try:
        with tqdm(total=100, desc=engine, unit="%", file=sys.stderr) as bar:
            while job.status not in TERMINAL_STATUSES:
                time.sleep(0.1)
                job = studio.job(who, job.id)
                bar.set_postfix_str((job.message or job.status).splitlines()[-1][-60:])  # one line
                bar.update(round(job.progress * 100) - bar.n)
    finally:
        pool.stop()
    if job.status != "succeeded":
        raise click.ClickException(f"job {job.status}: {job.error or ''}")
    for index, summary in enumerate(job.works):
        try:
            file, path = studio.work_file(who, summary.id, None)
        except StudioError as exc:  # held for review
            click.echo(f"work {summary.id}: {exc.detail}")
            continue
        if output is None:
            target = Path(f"{summary.id}{mimetypes.guess_extension(file.mime) or ''}")
        else:
            target = output if len(job.works) == 1 else output.with_stem(f"{output.stem}-{index}")
        shutil.copyfile(path, target)
        click.echo(f"{target}  (work {summary.id}, seed {job.seed})")
        for sidecar in (f for f in summary.files if f.role == "manifest"):
            # A text work's signed manifest travels beside it (`atelier verify` finds it).
            shutil.copyfile(studio.artifacts.path(sidecar.sha256), f"{target}.manifest.json")


@main.group("eval")
def evaluate() -> None:
    """Measure the engines' output quality on evaluation sets."""


@evaluate.command("text")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("tests/data/text_eval.json"),
    show_default=True,
    help="Inputs with reference outputs, per engine.",
)
@click.option("--candidates", type=click.IntRange(2, 8), default=4, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Items per engine (all).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def evaluate_text(
    data: Path, candidates: int, limit: int | None, seed: int, json_path: Path | None
) -> None:
    """BLEU, chrF, ROUGE, meaning kept, perplexity, distinct-n and verse constraints for the
    text engines, before (one draft) and after reranking N drafts."""
    from atelier.evaluate import text

    studio = Studio(get_settings())
    engines = {e.name: e for e in studio.engines() if e.medium == "text"}
    for engine in engines.values():
        reason = engine.available()
        if reason:
            raise click.ClickException(f"{engine.name} is unavailable: {reason}")
    spec = engines["text.write"].spec  # type: ignore[attr-defined]
    scorer = text.Perplexity(spec.gguf, spec.threads) if spec.gguf else None
    report = text.evaluate(
        engines, text.load(data), candidates, limit, scorer, seed, log=click.echo
    )
    click.echo(text.markdown(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


@evaluate.command("safety")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("tests/data/moderation_prompts.jsonl"),
    show_default=True,
    help='JSON lines: {"text", "label"}, the label a category or "safe".',
)
@click.option("--split", default=None, help='Only rows of this split ("tune", "holdout").')
@click.option("--misses", is_flag=True, help="Also list what the full screen gets wrong.")
def evaluate_safety(data: Path, split: str | None, misses: bool) -> None:
    """Precision and recall of the prompt screen, per category and overall, after each
    layer: the word lists, + the profanity model, + the meaning-based layer (MiniLM)."""
    from collections import Counter

    from atelier.safety import evaluate as safety
    from atelier.safety.text import TextScreen

    examples = safety.load(data, split)
    if not examples:
        raise click.ClickException(f"no prompts in {data}" + (f" (split {split})" if split else ""))
    started = time.monotonic()
    # One thread unless set: small texts run faster on one, and far faster on a busy machine.
    results, wrong = safety.evaluate(examples, TextScreen(get_settings().engine_threads or 1))
    counts = Counter(e.label for e in examples)
    counts["overall"] = sum(n for label, n in counts.items() if label != "safe")
    click.echo(safety.table(results, counts))
    click.echo(
        f"\n{len(examples)} prompts ({counts['safe']} harmless) in "
        f"{time.monotonic() - started:.1f} s"
    )
    if misses:
        for miss in wrong:
            click.echo(f"{miss.label:>13} -> {', '.join(miss.caught) or '-':24} {miss.text}")


@main.group()
def keys() -> None:
    """The studio's signing identity (C2PA root, signing certificate, log key)."""


@keys.command("init")
@click.option("--alg", type=click.Choice(["es256", "ed25519"]), default=None, help="Key type.")
def keys_init(alg: str | None) -> None:
    """Make the root CA, the signing certificate and the log key (once)."""
    from atelier.provenance.keys import KeyProblem, fingerprint

    studio = Studio(get_settings())
    studio.db.migrate()  # key events go to the audit log
    try:
        identity = studio.provenance.init_keys(alg or studio.settings.signing_alg)
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created keys in {studio.provenance.keys_dir}; root {fingerprint(identity.root)}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Issue a new signing certificate and log key; old certificates still verify."""
    from atelier.provenance.keys import KeyProblem, fingerprint

    studio = _studio()
    try:
        identity = studio.provenance.rotate_keys()
    except KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new signing certificate {fingerprint(identity.signing_cert)}")
    click.echo(f"new log key certificate {fingerprint(identity.log_cert)}")


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


@main.command("verify")
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
    studio = _studio()
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


@main.group("log")
def log_group() -> None:
    """The transparency log."""


@log_group.command("checkpoint")
def log_checkpoint() -> None:
    """Print the latest signed checkpoint (keep it; pass it to `verify --since` later)."""
    click.echo(_studio().provenance.checkpoint()["checkpoint"], nl=False)


@log_group.command("audit")
def log_audit() -> None:
    """Recompute the whole log from its entries and check every stored hash and signed
    checkpoint; exits 1 when anything differs."""
    problems = _studio().provenance.audit_log()
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        sys.exit(1)
    click.echo("the log is intact")
