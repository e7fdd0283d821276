"""Torch's thread count for a block of work, put back after it.

torch.set_num_threads is one setting for the whole process, so work that needs its own
count sets it for its block and restores what was there: one job's choice does not leak
into the next job of the same worker.

The music engines are settled as one core (engines/base.py, `threaded`), so they run their
networks on one thread: as fast for networks this small, and their CPU seconds no longer
grow with the machine's load. With torch's default of a thread per core, the second
thread's spin-waiting was billed: beside four busy processes on two cores, a 4-bar
restyle took 5.96 CPU s against 1.61 as the machine was; on one thread 1.25 and 1.26
(benchmarks/estimates.py --set spread; docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(threads: int) -> Iterator[None]:
    """Run torch on `threads` threads inside the block (0: leave it as it is)."""
    import torch

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
