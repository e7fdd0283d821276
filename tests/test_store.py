"""The store: migrations on SQLite and PostgreSQL, and content-addressed artifacts."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from atelier.store.artifacts import LocalArtifactStore
from atelier.store.db import MIGRATIONS, Database
from atelier.store.models import Base, Job, User, Work, utcnow

TABLES = set(Base.metadata.tables)


# Where main's databases stood before commerce's migrations joined (two heads then).
BEFORE_THE_JOIN = ("0004_gallery", "0006_sign_in")


def migrations(database: Database | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database is not None:
        config.attributes["engine"] = database.engine
    return config


def head_revisions() -> set[str]:
    """The newest migration of every branch (one, since 0008_one_head joined them)."""
    heads = set(ScriptDirectory.from_config(migrations()).get_heads())
    assert heads
    return heads


def current_revisions(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


# -- migrations ---------------------------------------------------------------------


def test_migrate_brings_an_empty_database_to_head(database: Database) -> None:
    assert inspect(database.engine).get_table_names() == []

    database.migrate()

    names = set(inspect(database.engine).get_table_names())
    assert names == TABLES | {"alembic_version"}
    assert current_revisions(database) == head_revisions()
    # Migrating again is a no-op, not an error, and leaves the revision alone.
    database.migrate()
    assert current_revisions(database) == head_revisions()


def test_the_migrations_have_one_head() -> None:
    """Issue 13: one newest revision, so the next migration has one parent."""
    assert len(head_revisions()) == 1


def test_a_database_from_before_the_join_upgrades_with_its_rows(database: Database) -> None:
    """Main's schema before commerce's migrations (heads 0004_gallery and 0006_sign_in)
    upgrades through 0006_market_live_orders, 0007 and the join to the models' schema."""
    for revision in BEFORE_THE_JOIN:
        command.upgrade(migrations(database), revision)
    assert current_revisions(database) == set(BEFORE_THE_JOIN)
    with database.transaction() as s:  # as that schema had them, so by hand
        s.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, disabled, created_at, handle)"
                " VALUES ('u1', 'a@example.com', 'x', 'creator', false, :now, 'a')"
            ),
            {"now": utcnow()},
        )
        s.execute(
            text(
                "INSERT INTO invoices (id, number, key, user_id, status, currency, total,"
                " issued_at) VALUES ('i1', 'INV-2026-000001', 'k', 'u1', 'paid', 'EUR', 4900,"
                " :now)"
            ),
            {"now": utcnow()},
        )

    database.migrate()

    assert current_revisions(database) == head_revisions()
    assert set(inspect(database.engine).get_table_names()) == TABLES | {"alembic_version"}
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    with database.transaction() as s:  # 0007 altered invoices in place: the rows stay
        assert s.execute(select(User.email)).all() == [("a@example.com",)]
        rows = s.execute(text("SELECT number, total, refunded_at FROM invoices")).all()
        assert [tuple(r) for r in rows] == [("INV-2026-000001", 4900, None)]


def test_models_match_the_migrated_schema(database: Database) -> None:
    database.migrate()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
        # The comparison is not blind: a column the migrations lack shows up.
        changed = MetaData()
        for table in Base.metadata.sorted_tables:
            table.to_metadata(changed)
        changed.tables["jobs"].append_column(Column("extra", String(10), nullable=True))
        missing = compare_metadata(context, changed)
    assert differences == []
    assert [(d[0], d[2], d[3].name) for d in missing] == [("add_column", "jobs", "extra")]


def test_migrated_schema_enforces_the_models_constraints(database: Database) -> None:
    database.migrate()
    with database.transaction() as s:
        user = User(email="a@example.com", password_hash="x", role="creator")
        s.add(user)
    job_values = {
        "owner_id": user.id,
        "engine": "test.wait",
        "params": {"seconds": 0},
        "seed": 2**32 - 1,  # BigInteger: the largest seed fits
        "request_hash": "0" * 64,
        "idempotency_key": "k1",
    }
    with database.transaction() as s:
        s.add(Job(**job_values))
    # One idempotency key per owner: the database itself refuses a second job.
    with pytest.raises(IntegrityError), database.transaction() as s:
        s.add(Job(**job_values))
    with database.transaction() as s:
        job = s.scalar(select(Job))
        assert job is not None
        assert (job.seed, job.params, job.status, job.attempts) == (
            2**32 - 1,
            {"seconds": 0},
            "queued",
            0,
        )
        work = {
            "owner_id": user.id,
            "job_id": job.id,
            "position": 0,
            "engine": "test.wait",
            "mime": "text/plain",
            "sha256": "a" * 64,
            "size": 1,
            "params": {},
            "seed": 1,
            "created_at": utcnow(),
        }
        s.add(Work(**work))
    # One work per (job, position).
    with pytest.raises(IntegrityError), database.transaction() as s:
        s.add(Work(**work))
    with database.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Job)) == 1
        assert s.scalar(select(func.count()).select_from(Work)) == 1


# -- artifacts ----------------------------------------------------------------------


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_artifacts_are_content_addressed(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    data = b"a small creation\n"
    digest = store.put(data)

    assert digest == hashlib.sha256(data).hexdigest()
    path = store.path(digest)
    assert path.name == digest
    assert path == tmp_path / "artifacts" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert store.read(digest) == data

    # The same bytes again are stored once; other bytes get their own file.
    assert store.put(data) == digest
    other = store.put(b"another creation\n")
    assert other != digest
    assert files_under(store.root) == sorted([path, store.path(other)])
    assert store.count() == 2
    assert store.read(other) == b"another creation\n"


def test_artifact_put_keeps_the_first_copy(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    digest = store.put(b"bytes")
    before = store.path(digest).stat()
    store.put(b"bytes")
    after = store.path(digest).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_artifacts_stored_concurrently_leave_one_whole_file(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    data = bytes(range(256)) * 4096  # 1 MiB: large enough for writes to overlap
    start = threading.Barrier(8)

    def put() -> str:
        start.wait()
        return store.put(data)

    with ThreadPoolExecutor(8) as pool:
        digests = list(pool.map(lambda _: put(), range(8)))

    assert set(digests) == {hashlib.sha256(data).hexdigest()}
    # Exactly one file, whole, and no temporary files left behind.
    assert files_under(store.root) == [store.path(digests[0])]
    assert store.read(digests[0]) == data


def test_artifact_temporary_files_are_not_counted(tmp_path: Path) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    digest = store.put(b"whole")
    # What a crash in the middle of a write would leave: a temporary file beside it.
    (store.path(digest).parent / ".tmp-abandoned").write_bytes(b"who")
    assert store.count() == 1
    assert store.read(digest) == b"whole"


@pytest.mark.parametrize("bad", ["", "abc", "A" * 64, "../" + "a" * 61, "g" * 64])
def test_artifact_paths_take_only_sha256_digests(tmp_path: Path, bad: str) -> None:
    store = LocalArtifactStore(tmp_path / "artifacts")
    with pytest.raises(ValueError, match="sha256"):
        store.path(bad)
