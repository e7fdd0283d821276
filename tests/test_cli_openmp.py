"""The `atelier` command shortens GNU OpenMP's spinning and keeps numpy's OpenBLAS on one
thread before any engine loads them (see atelier/cli/__init__.py and
benchmarks/contention.py), and keeps an operator's own values. Each case is a fresh
interpreter, as `atelier serve` and its spawned workers are."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.settings import ROOT

# Notes GOMP_SPINCOUNT at the moment the first library that loads libgomp is imported.
PROBE = """
import os, sys
seen = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in ("torch", "llama_cpp") and not seen:
            seen.append((name, os.environ.get("GOMP_SPINCOUNT")))
sys.meta_path.insert(0, Watch())
import atelier.cli
print(*seen[0])
"""


@pytest.mark.parametrize(("given", "expected"), [(None, "1000"), ("20000", "20000")])
def test_the_command_sets_the_spin_count_before_any_engine_library(
    given: str | None, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    env["PYTHONPATH"] = str(ROOT / "src")
    if given is not None:
        env["GOMP_SPINCOUNT"] = given
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["torch", expected]


# Notes OPENBLAS_NUM_THREADS at the moment numpy (which loads OpenBLAS) is first imported.
NUMPY_PROBE = PROBE.replace('("torch", "llama_cpp")', '("numpy",)').replace(
    "GOMP_SPINCOUNT", "OPENBLAS_NUM_THREADS"
)


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("2", "2")])
def test_the_command_keeps_openblas_on_one_thread_before_numpy_loads(
    given: str | None, expected: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PYTHONPATH"] = str(ROOT / "src")
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run(
        [sys.executable, "-c", NUMPY_PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["numpy", expected]
