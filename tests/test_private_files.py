"""Secrets on disk are readable by the studio's own user only: the SQLite database (and
its -wal and -shm files), the signing keys and the generated key passphrase."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from atelier.store.db import Database
from atelier.studio import Studio
from tests.support.accounts import add_user
from tests.support.settings import make_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_studio_keeps_its_database_and_keys_0600(tmp_path: Path) -> None:
    umask = os.umask(0o022)  # the usual umask: files are world-readable unless made so
    studio = Studio(make_settings(tmp_path))
    try:
        studio.prepare()
        add_user(studio, "someone@example.com")  # a write: the WAL files exist
        data = studio.settings.data_dir
        secrets = [
            data / "atelier.db",
            data / "atelier.db-wal",
            data / "atelier.db-shm",
            data / "key-passphrase",
            *sorted((data / "keys").glob("*.key")),
        ]
        assert len(secrets) == 7, secrets
        assert {str(p.relative_to(data)): oct(mode(p)) for p in secrets} == {
            str(p.relative_to(data)): "0o600" for p in secrets
        }
    finally:
        studio.close()
        os.umask(umask)


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    database = Database(f"sqlite:///{path}")
    try:
        database.migrate()
        assert oct(mode(path)) == "0o600"
    finally:
        database.dispose()
