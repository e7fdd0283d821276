"""The `atelier` command: serve, worker, admin, engines, make."""

from __future__ import annotations

import dataclasses
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
from atelier.commerce import money
from atelier.commerce.plans import PlanSpec
from atelier.errors import StudioError
from atelier.settings import get_settings
from atelier.store.models import ROLES, TERMINAL_STATUSES
from atelier.studio import Studio
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


# -- plans and billing (commerce) ------------------------------------------------------


@admin.group("plan")
def plan_group() -> None:
    """Plans users subscribe to (the one with trial days is every new user's)."""


@plan_group.command("list")
def plan_list() -> None:
    studio = _studio()
    who = _principal(studio, studio.settings.admin_email)
    for plan in studio.commerce.all_plans(who):
        click.echo(
            f"{plan.id:<12} {plan.name:<14} {money.text(plan.price, studio.commerce.currency):>14}"
            "/month "
            f"{plan.monthly_credits:>7} credits  concurrency {plan.concurrency}"
            f"{'  trial ' + str(plan.trial_days) + ' days' if plan.trial_days else ''}"
            f"{'' if plan.active else '  (retired)'}"
        )


PLAN_OPTIONS = {
    "name": str,
    "monthly_credits": int,
    "price": int,
    "concurrency": int,
    "max_pixels": int,
    "max_seconds": int,
    "overage_price": int,
    "trial_days": int,
    "position": int,
}
PLAN_FLAGS = ("private_works", "commercial_use", "api_access", "overage", "active")


def _plan_options(command: Any) -> Any:
    for name, kind in PLAN_OPTIONS.items():
        command = click.option(f"--{name.replace('_', '-')}", name, type=kind)(command)
    for name in PLAN_FLAGS:
        flag = name.replace("_", "-")
        command = click.option(f"--{flag}/--no-{flag}", name, default=None)(command)
    return command


@plan_group.command("set")
@click.argument("plan_id")
@_plan_options
def plan_set(plan_id: str, **values: Any) -> None:
    """Create plan PLAN_ID or change the values given (prices in minor units: cents for EUR)."""
    studio = _studio()
    who = _principal(studio, studio.settings.admin_email)
    existing = {p.id: p for p in studio.commerce.all_plans(who)}.get(plan_id)
    spec: dict[str, Any] = {}
    for field in dataclasses.fields(PlanSpec):
        if values[field.name] is not None:
            spec[field.name] = values[field.name]
        elif existing is not None:
            spec[field.name] = getattr(existing, field.name)
        elif field.default is not dataclasses.MISSING:
            spec[field.name] = field.default
        else:
            raise click.ClickException(f"a new plan needs --{field.name.replace('_', '-')}")
    try:
        plan = studio.commerce.save_plan(who, plan_id, PlanSpec(**spec), create=not existing)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{'changed' if existing else 'created'} plan {plan.id} ({plan.name})")


@plan_group.command("retire")
@click.argument("plan_id")
def plan_retire(plan_id: str) -> None:
    """Stop offering a plan; its subscribers keep it until they change."""
    studio = _studio()
    try:
        studio.commerce.retire_plan(_principal(studio, studio.settings.admin_email), plan_id)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"retired plan {plan_id}")


@admin.group("billing")
def billing_group() -> None:
    """Invoices and renewals."""


@billing_group.command("renew")
def billing_renew() -> None:
    """Open the invoices of subscriptions whose period ended; end cancelled ones (run daily)."""
    for invoice in _studio().commerce.renew_due():
        click.echo(
            f"{invoice.number} {invoice.status} {money.text(invoice.total, invoice.currency)}"
        )


@billing_group.command("invoices")
@click.option("--status", type=click.Choice(["open", "paid", "void", "refunded"]), default="open")
def billing_invoices(status: str) -> None:
    studio = _studio()
    who = _principal(studio, studio.settings.admin_email)
    for invoice in studio.commerce.all_invoices(who, status, 200, 0):
        customer = studio.commerce.customer(invoice)
        total = money.text(invoice.total, invoice.currency)
        click.echo(f"{invoice.id} {invoice.number} {customer} {total}")


@billing_group.command("paid")
@click.argument("invoice_id")
@click.option("--reference", default="", help="e.g. the bank transfer's reference")
def billing_paid(invoice_id: str, reference: str) -> None:
    """Record that INVOICE_ID (its id, from `invoices`) was paid; credits arrive."""
    studio = _studio()
    try:
        who = _principal(studio, studio.settings.admin_email)
        invoice = studio.commerce.mark_paid(who, invoice_id, reference)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(f"{invoice.number} {invoice.status}")


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
@click.option("--split", default=None, help='Only rows of this split ("tune", "holdout", "test").')
@click.option("--misses", is_flag=True, help="Also list what the full screen gets wrong.")
def evaluate_safety(data: Path, split: str | None, misses: bool) -> None:
    """Precision and recall of the prompt screen per language, category and overall, after
    each layer: the word lists, + the profanity model, + the meaning-based layer (E5)."""
    from atelier.safety import evaluate as safety
    from atelier.safety.text import TextScreen

    examples = safety.load(data, split)
    if not examples:
        raise click.ClickException(f"no prompts in {data}" + (f" (split {split})" if split else ""))
    started = time.monotonic()
    # One thread unless set: small texts run faster on one, and far faster on a busy machine.
    screen = TextScreen(get_settings().engine_threads or 1)
    click.echo(safety.report(examples, screen, misses))
    click.echo(f"\n{len(examples)} prompts in {time.monotonic() - started:.1f} s")


@evaluate.command("music")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="The corpus folder (default: the assets folder's music/).",
)
@click.option(
    "--samples",
    type=click.IntRange(1, 1000),
    default=12,
    show_default=True,
    help="Melodies generated per model and style.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def evaluate_music(
    data: Path | None, samples: int, seed: int, threads: int, json_path: Path | None
) -> None:
    """Held-out NLL per style against n-gram and unigram baselines, generated melodies
    against the test melodies, harmonizations of held-out chorales against Bach's."""
    import torch

    from atelier.datasets.music import Corpus
    from atelier.engines.music import generating
    from atelier.evaluate import music

    torch.set_num_threads(threads)
    corpus = Corpus.load(data or _music_data())
    nets = {
        generating.MELODY_MODELS[choice]: generating.melody_net(choice)
        for choice in ("full", "clean")
    }
    report = music.evaluate(corpus, nets, generating.harmony_net(), samples, seed, click.echo)
    click.echo(music.markdown(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")


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


@main.group()
def train() -> None:
    """Train the studio's own models (docs/models.md says how each was made)."""


@train.group("music")
def train_music() -> None:
    """The music models: parse the corpus once (dataset), then train melody and harmony."""


def _music_data() -> Path:
    return get_settings().resolved_assets_dir / "music"


def _command_line() -> str:
    return "atelier " + " ".join(sys.argv[1:])


@train_music.command("dataset")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for music-corpus.npz (default: the assets folder's music/).",
)
@click.option(
    "--collection",
    "collections",
    multiple=True,
    help="Only this collection (repeat; default: all): essen, oneill, aird, ryan-scottish, "
    "bach, palestrina.",
)
@click.option("--max-files", type=click.IntRange(1), default=None, help="Files per collection.")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True)
def train_music_dataset(
    out: Path | None, collections: tuple[str, ...], max_files: int | None, processes: int
) -> None:
    """Parse music21's corpus into tokenised melodies and chorale grids (minutes; once)."""
    from atelier.datasets import music

    unknown = set(collections) - set(music.BY_NAME)
    if unknown:
        raise click.BadParameter(
            f"no collection {', '.join(sorted(unknown))}", param_hint="--collection"
        )
    chosen = collections or tuple(music.BY_NAME)
    summary = music.build(out or _music_data(), chosen, max_files, processes, log=click.echo)
    click.echo(json.dumps(summary, indent=2))


def _budget_options(function: Any) -> Any:
    options = [
        click.option(
            "--data",
            type=click.Path(path_type=Path),
            default=None,
            help="The corpus folder (default: the assets folder's music/).",
        ),
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Where the weights and card go (default: the package's weights/).",
        ),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True),
        click.option("--steps", type=click.IntRange(1), default=4000, show_default=True),
        click.option(
            "--minutes",
            type=click.FloatRange(0.05, 600),
            default=12.0,
            show_default=True,
            help="Stop training after this long, whatever the steps.",
        ),
        click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True),
        click.option("--batch", type=click.IntRange(1, 1024), default=32, show_default=True),
        click.option(
            "--dim",
            type=click.IntRange(8, 2048),
            default=None,
            help="Hidden size (default: the model's own).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@train_music.command("melody")
@click.option("--name", default="music-melody-full", show_default=True)
@click.option(
    "--collections",
    type=click.Choice(["all", "clean"]),
    default="all",
    show_default=True,
    help="clean: only collections whose terms allow commercial use.",
)
@click.option("--seq", type=click.IntRange(16, 4096), default=128, show_default=True)
@click.option("--layers", type=click.IntRange(1, 8), default=2, show_default=True)
@_budget_options
def train_music_melody(
    name: str,
    collections: str,
    seq: int,
    layers: int,
    data: Path | None,
    out: Path | None,
    seed: int,
    steps: int,
    minutes: float,
    threads: int,
    batch: int,
    dim: int | None,
) -> None:
    """Train a style-conditioned melody model (LSTM over melody tokens)."""
    from atelier.datasets.music import Corpus
    from atelier.engines.music.model import WEIGHTS_DIR, MelodyConfig
    from atelier.engines.music.tokens import VOCAB
    from atelier.training import music

    corpus = Corpus.load(data or _music_data())
    config = MelodyConfig(len(VOCAB), dim or MelodyConfig.dim, layers)
    budget = music.Budget(steps, minutes, seed, threads, batch)
    chosen = music.CLEAN if collections == "clean" else music.ALL
    music.train_melody(
        corpus, name, chosen, budget, config, seq, out or WEIGHTS_DIR, _command_line(), click.echo
    )


@train_music.command("harmony")
@click.option("--name", default="music-harmony-bach", show_default=True)
@click.option("--window", type=click.IntRange(8, 1024), default=64, show_default=True)
@_budget_options
def train_music_harmony(
    name: str,
    window: int,
    data: Path | None,
    out: Path | None,
    seed: int,
    steps: int,
    minutes: float,
    threads: int,
    batch: int,
    dim: int | None,
) -> None:
    """Train the alto-tenor-bass model on the Bach chorales' training split."""
    from atelier.datasets.music import Corpus
    from atelier.engines.music.model import WEIGHTS_DIR, HarmonyConfig
    from atelier.training import music

    corpus = Corpus.load(data or _music_data())
    budget = music.Budget(steps, minutes, seed, threads, batch)
    music.train_harmony(
        corpus,
        name,
        budget,
        HarmonyConfig(dim or HarmonyConfig.dim),
        window,
        out or WEIGHTS_DIR,
        _command_line(),
        click.echo,
    )
