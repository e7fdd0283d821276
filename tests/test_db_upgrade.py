"""Migrations run once, under a lock (issue 17): `atelier db upgrade` started by several
processes at once on one database; workers check the schema instead of upgrading it."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from atelier.errors import NotReady
from atelier.store.db import MIGRATIONS, Database
from atelier.store.models import Base
from atelier.studio import Studio
from tests.support.servers import ATELIER, atelier_env
from tests.support.settings import ROOT, make_settings


def head() -> tuple[str, ...]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return tuple(ScriptDirectory.from_config(config).get_heads())


def at_head(url: str) -> None:
    """One revision, the head, and every table of the models."""
    database = Database(url)
    try:
        with database.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == head()
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        assert set(inspect(database.engine).get_table_names()) == {
            *Base.metadata.tables,
            "alembic_version",
        }
    finally:
        database.dispose()


@pytest.mark.slow
@pytest.mark.integration
def test_four_processes_upgrading_one_postgresql_database_at_once_all_succeed(
    tmp_path: Path, pg_url: str
) -> None:
    """Each process imports the whole command (~7 s of CPU): PostgreSQL only, where
    processes on several machines meet; SQLite's lock is tested with threads below."""
    upgrades = [
        subprocess.Popen(
            [str(ATELIER), "db", "upgrade"],
            env=atelier_env(tmp_path / f"node{i}", pg_url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for i in range(4)
    ]
    outputs = [(p.wait(timeout=600), p.stdout.read().decode()) for p in upgrades]  # type: ignore[union-attr]

    assert [code for code, _ in outputs] == [0, 0, 0, 0], outputs
    assert all("is at head" in out and "Error" not in out for _, out in outputs), outputs
    at_head(pg_url)


def test_four_upgrades_of_one_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    """The file lock is taken on a descriptor of its own: threads wait for it as
    processes do (without it, this fails)."""
    url = f"sqlite:///{tmp_path / 'atelier.db'}"
    databases = [Database(url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(Database.migrate, databases))  # re-raises the first error
    for database in databases:
        database.dispose()
    at_head(url)


def test_a_worker_refuses_a_schema_behind_and_serve_upgrades_it(tmp_path: Path) -> None:
    studio = Studio(make_settings(tmp_path))
    with pytest.raises(NotReady, match=r"run `atelier db upgrade` first") as refused:
        studio.prepare(upgrade=False)  # as `atelier worker` starts
    assert "empty (no migrations run)" in str(refused.value)
    studio.prepare()  # as `atelier serve` starts: upgrade under the lock
    studio.prepare(upgrade=False)
    studio.close()


@pytest.mark.slow
@pytest.mark.integration
def test_atelier_worker_stops_with_one_line_naming_the_command_to_run(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    finished = subprocess.run(
        [str(ATELIER), "worker"],
        env=atelier_env(settings.data_dir, settings.resolved_database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith("Error: the database schema is at empty")
    assert "run `atelier db upgrade` first" in finished.stderr
    assert "Traceback" not in finished.stderr
