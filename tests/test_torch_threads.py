"""The music engines are settled as one core, so they run their networks on one torch
thread (a second one's spin-waiting was billed as the job's CPU time under load), and put
the process's setting back afterwards for the next job of the same worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from atelier.engines.base import Context, EngineConfig
from atelier.engines.music.compose import ComposeParams, MusicCompose
from atelier.engines.music.harmonize import Harmonize, HarmonizeParams
from atelier.torch_threads import torch_threads
from tests.support.settings import ASSETS

UPLOAD = "0123456789abcdef0123456789abcdef"
TUNE = b"X:1\nT:Threads\nM:4/4\nL:1/8\nK:G\nGABc d2B2|c2A2 B2G2|A2F2 G2E2|D4 G4|\n"


@pytest.fixture
def two_threads() -> Iterator[None]:
    with torch_threads(2):
        yield


def _run(engine: MusicCompose | Harmonize, params: object, tmp_path: Path) -> list[int]:
    """The thread counts torch had whenever the engine reported progress."""
    seen: list[int] = []
    melody = tmp_path / "melody.abc"
    melody.write_bytes(TUNE)
    ctx = Context(3, tmp_path, {UPLOAD: melody}, lambda *_: seen.append(torch.get_num_threads()))
    [creation] = engine.run(params, ctx)  # type: ignore[arg-type]
    assert {a.mime for a in creation.files} >= {"audio/wav", "audio/midi"}
    return seen


@pytest.mark.usefixtures("two_threads")
def test_music_engines_run_on_one_thread_and_restore_the_setting(tmp_path: Path) -> None:
    config = EngineConfig(assets_dir=ASSETS)
    composed = _run(MusicCompose(config), ComposeParams(bars=4), tmp_path)
    harmonized = _run(Harmonize(config), HarmonizeParams(melody=UPLOAD, candidates=1), tmp_path)
    assert composed and set(composed) == {1}
    assert harmonized and set(harmonized) == {1}
    assert torch.get_num_threads() == 2


@pytest.mark.usefixtures("two_threads")
def test_the_setting_comes_back_when_the_block_fails() -> None:
    with pytest.raises(RuntimeError), torch_threads(1):
        assert torch.get_num_threads() == 1
        raise RuntimeError("a job failed")
    assert torch.get_num_threads() == 2
    with torch_threads(0):  # 0: leave it as it is
        assert torch.get_num_threads() == 2
