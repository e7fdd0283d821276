"""The `atelier` command shortens GNU OpenMP's spinning and keeps numpy's OpenBLAS on one
thread before any engine loads them (see atelier/thread_env.py and
benchmarks/contention.py), and keeps an operator's own values; so does the benchmark that
prices jobs by their CPU seconds. Each case is a fresh interpreter, as `atelier serve` and
its spawned workers are."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.settings import ROOT

# Prints the first of `modules` to be imported and `variable` as it was at that moment.
PROBE = """
import os, sys
seen = []
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in {modules!r} and not seen:
            seen.append((name, os.environ.get({variable!r})))
sys.meta_path.insert(0, Watch())
{importing}
print(*seen[0])
"""


@pytest.mark.parametrize(
    ("variable", "modules", "given", "expected"),
    [
        # GNU OpenMP's spin count, read when the first library that loads libgomp loads
        ("GOMP_SPINCOUNT", ("torch", "llama_cpp"), None, ["torch", "1000"]),
        ("GOMP_SPINCOUNT", ("torch", "llama_cpp"), "20000", ["torch", "20000"]),
        # numpy's OpenBLAS threads, read when numpy loads it
        ("OPENBLAS_NUM_THREADS", ("numpy",), None, ["numpy", "1"]),
        ("OPENBLAS_NUM_THREADS", ("numpy",), "2", ["numpy", "2"]),
    ],
)
def test_the_command_sets_it_before_the_library_that_reads_it_loads(
    variable: str, modules: tuple[str, ...], given: str | None, expected: list[str]
) -> None:
    env = {k: v for k, v in os.environ.items() if k != variable}
    env["PYTHONPATH"] = str(ROOT / "src")
    if given is not None:
        env[variable] = given
    probe = PROBE.format(modules=modules, variable=variable, importing="import atelier.cli")
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == expected


def test_the_estimates_benchmark_runs_its_jobs_with_the_same_settings() -> None:
    """benchmarks/estimates.py settles jobs in this process: with numpy's OpenBLAS spinning
    on a second thread, a compose job's CPU seconds were 1.12 for 0.57 of clock."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("GOMP_SPINCOUNT", "OPENBLAS_NUM_THREADS")
    }
    env["PYTHONPATH"] = f"{ROOT / 'src'}{os.pathsep}{ROOT / 'benchmarks'}"
    probe = PROBE.format(
        modules=("numpy",),
        variable="OPENBLAS_NUM_THREADS",
        importing="import estimates; print(os.environ['GOMP_SPINCOUNT'])",
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1000", "numpy", "1"]
