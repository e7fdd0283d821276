"""How much processor time this process has used: what a job run alone in a worker
process is settled on (studio/runner.py), and what its redraws are told apart by
(engines/checks.py)."""

from __future__ import annotations

import resource


def process_cpu_seconds() -> float:
    """This process's CPU seconds so far: every thread's (the engine's own and its
    libraries' pools: ONNX Runtime, ncnn's OpenMP, llama.cpp, torch) and those of its ended
    children (FluidSynth, which renders music)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
