"""A job is settled on its CPU seconds ÷ the cores its engine keeps busy (`Engine.cores`,
engines/base.py). Here each engine's job is run and the threads of this process that did
its work are counted from /proc (CPU ticks per thread, not time): an engine said to keep
two cores busy that works on one was billed half its work (Real-ESRGAN's CPU path runs on
one thread, and upscale and portrait were settled per core)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from atelier.engines.base import Context, Engine, EngineConfig, usable_cpus
from atelier.engines.image.portrait import Portrait, PortraitParams
from atelier.engines.image.stylize import Stylize, StylizeParams
from atelier.engines.image.upscale import Upscale, UpscaleParams
from tests.support.media import photo
from tests.support.settings import ASSETS

UPLOAD = "0123456789abcdef0123456789abcdef"
THREADS = 2
BUSY_SHARE = 0.25  # a thread with this share of the busiest one's ticks worked on the job


def _ticks() -> dict[str, int]:
    """CPU clock ticks (user + system) of every thread of this process, by thread id."""
    found = {}
    for thread in os.listdir("/proc/self/task"):
        try:
            fields = Path(f"/proc/self/task/{thread}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # the thread ended meanwhile
            continue
        found[thread] = int(fields[11]) + int(fields[12])
    return found


def _busy_threads(engine: Engine, params: object, tmp_path: Path, photo: Path) -> int:
    ctx = Context(5, tmp_path, {UPLOAD: photo}, threads=THREADS)
    engine.run(params, ctx)  # type: ignore[arg-type]  # loads its models
    before = _ticks()
    creations = engine.run(params, ctx)  # type: ignore[arg-type]
    after = _ticks()
    assert creations and all(c.files for c in creations)
    used = [after[t] - before.get(t, 0) for t in after]
    return sum(1 for ticks in used if ticks >= BUSY_SHARE * max(used))


@pytest.fixture
def small_photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    photo(64, 64).save(path)
    return path


@pytest.mark.parametrize(
    ("engine_class", "params"),
    [
        (Upscale, UpscaleParams(image=UPLOAD, scale=2, model="photo")),
        (Portrait, PortraitParams(variants=1, upscaler="photo")),
    ],
    ids=["image.upscale", "image.portrait"],
)
def test_real_esrgan_engines_are_settled_on_the_one_core_they_use(
    engine_class: type[Engine], params: object, tmp_path: Path, small_photo: Path
) -> None:
    engine = engine_class(EngineConfig(assets_dir=ASSETS, threads=THREADS))
    assert _busy_threads(engine, params, tmp_path, small_photo) == 1
    assert engine.cores(THREADS) == 1


@pytest.mark.skipif(usable_cpus() < THREADS, reason="needs two cores to keep two busy")
def test_stylize_keeps_the_cores_it_is_settled_on_busy(tmp_path: Path) -> None:
    path = tmp_path / "photo.png"
    photo(1024, 768).save(path)
    engine = Stylize(EngineConfig(assets_dir=ASSETS, threads=THREADS))
    params = StylizeParams(image=UPLOAD, style=3)
    assert _busy_threads(engine, params, tmp_path, path) == engine.cores(THREADS) == THREADS
