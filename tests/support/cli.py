"""The `atelier` command in the test process (click's CliRunner), its settings from
ATELIER_* variables that the `data_dir` fixture (registered by conftest's pytest_plugins)
sets for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from atelier.cli import main
from atelier.settings import get_settings


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "data"
    monkeypatch.setenv("ATELIER_DATA_DIR", str(folder))
    monkeypatch.setenv("ATELIER_ADMIN_PASSWORD", "admin password 1")
    monkeypatch.setenv("ATELIER_ENGINE_THREADS", "1")
    monkeypatch.setenv("ATELIER_POLL_SECONDS", "0.05")
    monkeypatch.setenv("ATELIER_WORKERS", "0")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.exception)
    return result
