"""The thread settings every process that runs engines starts with: the `atelier` command
(and the worker processes it starts, which inherit them) and the benchmarks that measure
what jobs cost. Each is read once, when its library first loads, so callers apply them
before any engine is imported; an operator's own value stays.

- GNU OpenMP (under llama.cpp and PyTorch) spins 300,000 turns at each barrier before
  sleeping, paid in full whenever the other thread of a pair is descheduled: beside four
  busy processes on two cores, a limerick took 32.1 s and 20.9 CPU s (settled as 10.5)
  with it, 9.9 s and 5.5 CPU s with 1,000; on a quiet machine 3.0 s and 2.9 s
  (benchmarks/contention.py).
- numpy's OpenBLAS keeps a thread per core that waits by spinning, and an engine settled
  as one core pays it: image.compose's matrix products took 1.98 CPU s for 1.17 s of clock
  with it, 1.20 for 1.20 on one thread (benchmarks/contention.py). No engine's numpy work
  here is faster on two.
"""

from __future__ import annotations

import os

DEFAULTS = {"GOMP_SPINCOUNT": "1000", "OPENBLAS_NUM_THREADS": "1"}


def unset() -> dict[str, str]:
    """The defaults this process's environment does not set already."""
    return {name: value for name, value in DEFAULTS.items() if name not in os.environ}
