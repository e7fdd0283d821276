"""The benchmarks of the `media` share (tests/support/benchmarks.py): each one's quick
run goes to the end and writes its figures, so none can rot. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.benchmarks import SHARES, run_quick

pytestmark = [pytest.mark.slow, pytest.mark.integration]


@pytest.mark.parametrize("script", SHARES["media"])
def test_quick_mode_writes_its_figures(script: str, tmp_path: Path) -> None:
    run_quick(script, tmp_path)
