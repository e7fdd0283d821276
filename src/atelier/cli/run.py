"""Running the studio: serve, worker, db upgrade, prepare, engines, and one creation
with `make`."""

from __future__ import annotations

import mimetypes
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import click

from atelier.accounts.authz import Principal
from atelier.cli import common
from atelier.errors import StudioError
from atelier.settings import get_settings
from atelier.studio import Studio
from atelier.studio.catalogue import params_schema
from atelier.studio.dispatch import start_dispatcher
from atelier.studio.processes import Supervisor
from atelier.studio.roster import served
from atelier.studio.service import upgrade_schema


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: ATELIER_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (ATELIER_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the studio: pages, the /v1 API, and ATELIER_WORKERS worker processes.

    It first upgrades the database's schema (under the schema lock: several servers may
    start at once) and checks the signing keys; it refuses to start, naming the setting,
    when they are not the studio's."""
    import uvicorn

    from atelier.web.app import create_app

    common.studio().close()
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


@click.command()
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes to start and keep running.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Jobs each process runs at once (default: ATELIER_WORKER_THREADS); with --ray, "
    "jobs this process hands to the Ray cluster at once.",
)
@click.option(
    "--ray",
    "ray_address",
    default=None,
    metavar="ADDRESS",
    help="Run the engines on this Ray cluster (its head's host:port, or auto; default: "
    "ATELIER_RAY_ADDRESS), each job on a node with what its engine needs.",
)
@click.option(
    "--engines",
    "spec",
    default=None,
    metavar="LIST",
    help="Serve only these engines: names (image.diffusion), families (music: every "
    "music.* engine) or gpu (every engine that runs on a GPU), comma-separated; default: "
    "every engine that can run here.",
)
def worker(processes: int, threads: int | None, ray_address: str | None, spec: str | None) -> None:
    """Run jobs from the shared database in worker processes (on as many machines as you
    like), or on a Ray cluster; SIGINT or SIGTERM stops them, letting running jobs finish
    for up to 30 s.

    The database's schema must be at head (`atelier db upgrade`) and this node must hold
    the studio's signing keys (`atelier keys import`) once another node has made them."""
    # Blocked before any thread starts, so that every thread inherits the mask and only
    # sigwait below receives them.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    studio = common.studio(upgrade=False)
    try:
        engines = None if spec is None else served(studio.engines, spec)
    except StudioError as exc:
        raise click.BadParameter(exc.detail, param_hint="--engines") from None
    threads = threads or studio.settings.worker_threads
    ray_address = ray_address or studio.settings.ray_address
    if ray_address:
        _ray_worker(studio, ray_address, threads)
        return
    supervisor = Supervisor(studio, processes, threads, engines).start()
    dispatcher = start_dispatcher(studio)  # webhooks, beside the workers
    click.echo(
        f"worker: {processes} process(es) of {threads} thread(s) on {studio.database()}, "
        f"serving {', '.join(engines) if engines else 'every engine that runs here'}; "
        "Ctrl-C stops"
    )
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    click.echo("worker: stopping")
    if dispatcher is not None:
        dispatcher.stop()
    supervisor.stop()
    studio.close()


def _ray_worker(studio: Studio, address: str, jobs: int) -> None:
    """`atelier worker --ray`: one process, `jobs` jobs at once on the cluster."""
    from atelier.studio import ray_workers

    try:
        cluster, pool = ray_workers.start(studio, address, jobs)
    except ray_workers.RayUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"worker: {jobs} job(s) at once on the Ray cluster at {address}; Ctrl-C stops")
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    click.echo("worker: stopping")
    pool.stop()
    cluster.close()
    studio.close()


@click.group("db")
def db_group() -> None:
    """The database's schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the schema to this version's head, once: under an advisory lock on
    PostgreSQL (an exclusive file lock on SQLite), so that upgrades started at once run
    one after the other and the later ones find nothing to do."""
    where = upgrade_schema(get_settings())
    click.echo(f"the schema of {where} is at head")


@click.command()
def prepare() -> None:
    """Build what engines need before they run (indexes, model files); quick when done."""
    studio = Studio(get_settings())
    for engine in studio.engines.all():
        started = time.monotonic()
        engine.prepare()
        click.echo(f"prepared {engine.name} in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    made = studio.choices.render_all()
    click.echo(f"rendered {made} gallery samples in {time.monotonic() - started:.1f} s")


@click.command()
def engines() -> None:
    """List the engines and their parameters."""
    studio = Studio(get_settings())
    for engine in studio.engines.all():
        reason = engine.available()
        click.echo(
            f"{engine.name:20} {engine.title}{'  (unavailable: ' + reason + ')' if reason else ''}"
        )
        click.echo(f"{'':20} {engine.description}")
        for name, prop in params_schema(engine).get("properties", {}).items():
            click.echo(f"{'':22}{name}: {prop.get('description', '')}")


def _value(studio: Studio, who: Principal, value: Any) -> Any:
    """A setting's value; `@path` uploads the file and stands for its id."""
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    path = Path(value[1:]).expanduser()
    if not path.is_file():
        raise click.BadParameter(f"no file {path}")
    return studio.uploads.add(who, path.name, path.read_bytes()).id


@click.command("make")
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
    studio = common.studio()
    who = common.principal(studio, email or studio.settings.admin_email)
    try:
        params = {}
        for item in sets:
            key, value = common.setting(item)
            params[key] = _value(studio, who, value)
        job, _ = studio.jobs.submit(who, engine, params, seed)
    except StudioError as exc:
        raise click.ClickException(exc.detail) from None
    job = common.follow(studio, who, job)
    if job.status != "succeeded":
        raise click.ClickException(f"job {job.status}: {job.error or ''}")
    for index, summary in enumerate(job.works):
        try:
            file, path = studio.works.file(who, summary.id, None)
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
            _, stored = studio.works.file(who, summary.id, sidecar.name)
            shutil.copyfile(stored, f"{target}.manifest.json")
