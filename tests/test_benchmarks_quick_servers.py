"""The benchmarks of the `servers` share (tests/support/benchmarks.py): each one's quick
run goes to the end and writes its figures, so none can rot. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.benchmarks import BENCHMARKS, LIBRARY, RUNS, SHARES, run_quick

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.mark.parametrize("script", SHARES["servers"])
def test_quick_mode_writes_its_figures(script: str, tmp_path: Path) -> None:
    run_quick(script, tmp_path)


def test_every_benchmark_has_a_quick_run_in_one_share() -> None:
    scripts = {path.name for path in BENCHMARKS.glob("*.py")} - LIBRARY
    assert set(RUNS) == scripts
    assert sorted(name for share in SHARES.values() for name in share) == sorted(scripts)
