"""Database connection: SQLite (WAL, write transactions) by default, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from atelier.errors import NotReady

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_lock's key for schema changes: any fixed 64-bit number ("atelier" in ASCII).
MIGRATION_LOCK = 0x6174656C696572


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            private_file(Path(database))
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        _use_sqlite_write_transactions(engine)
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or tighten it if it exists: the
    database holds password hashes and everyone's works. SQLite gives its -wal and -shm
    files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists() and name.stat().st_mode & 0o077 and name.stat().st_uid == os.getuid():
            name.chmod(0o600)


def _use_sqlite_write_transactions(engine: Engine) -> None:
    """Every transaction takes SQLite's write lock at BEGIN (but for a connection in
    autocommit mode, where each statement is its own transaction: `Database.statements`).

    pysqlite's deferred transactions can fail with 'database is locked' when a reader
    later tries to write; taking the lock up front makes each transaction wait its turn
    (busy timeout) instead, which is what atomic job claims and idempotent inserts need.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class SchemaNotAtHead(NotReady):
    """The database's schema is not the one this version of the code expects."""


class Database:
    """An engine plus a session factory; `transaction()` commits or rolls back as one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[Session]:
        """`durable=False` is for writes whose loss in a crash of the database server costs
        nothing (a heartbeat, a lease): PostgreSQL then commits without waiting for the
        write-ahead log to reach the disk (still atomic, and seen by everyone at once).
        SQLite's commits never wait for the disk here (WAL with synchronous=NORMAL)."""
        with self.sessions() as session, session.begin():
            if not durable and self.engine.dialect.name == "postgresql":
                session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads that need no snapshot of their own: each statement runs by
        itself (`statements`), without SQLite's write lock or PostgreSQL's BEGIN and
        COMMIT round trips. For reads only: a write through it would commit at once."""
        with self.statements() as connection, Session(connection) as session:
            yield session

    @contextmanager
    def statements(self) -> Iterator[Connection]:
        """A connection in autocommit mode: each statement is its own transaction, and holds
        the database's locks only while the database runs it (no Python step in between)."""
        with self.engine.connect() as connection:
            yield connection.execution_options(isolation_level="AUTOCOMMIT")

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic `upgrade heads`; the
        migrations keep one head, joined by a merge migration when rooms branch), under
        the schema lock: processes that start at once upgrade one after the other, and
        the later ones find the schema at head and do nothing."""
        with self.schema_lock():
            command.upgrade(_alembic_config(self.engine), "heads")

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Held while the schema changes. PostgreSQL: a session advisory lock on a
        connection of its own (held across Alembic's transactions, released when that
        connection ends, even if this process dies). SQLite: an exclusive lock on a file
        beside the database (`flock`, dropped by the kernel when the process ends); an
        in-memory database has one process and needs none."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()  # a session lock outlives the transaction that took it
                try:
                    yield
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
                    )
                    connection.commit()
            return
        database = make_url(self.url).database
        if not database or database == ":memory:":
            yield
            return
        lock = Path(f"{database}-migrate.lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def require_head(self) -> None:
        """SchemaNotAtHead unless the schema is at this version's head (a worker checks
        this instead of upgrading: docs/operations.md)."""
        heads = set(ScriptDirectory.from_config(_alembic_config(self.engine)).get_heads())
        with self.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        if current != heads:
            found = ", ".join(sorted(current)) or "empty (no migrations run)"
            raise SchemaNotAtHead(
                f"the database schema is at {found}, not at this version's "
                f"{', '.join(sorted(heads))}: run `atelier db upgrade` first"
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config
