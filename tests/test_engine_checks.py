"""An engine's checks are promises (engines/checks.py): a draft that fails them is drawn
again a bounded number of times, the best is kept, and one that never passes is
delivered marked with the reasons. The image and music engines keep it as the text
engines do: their drafts' checks in the work's meta, what the delivered one fails in
`Creation.unmet`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from atelier.engines.base import Context, EngineConfig
from atelier.engines.checks import REDRAWS, Candidate, best_index, counting_redraws, draw
from atelier.engines.image.compose import Compose
from atelier.engines.image.compose.engine import ComposeParams
from atelier.engines.music.restyle import MusicRestyle, RestyleParams
from tests.support.settings import ASSETS

UPLOAD = "0" * 32
# Every note a landmark restyle keeps (its opening, each bar's first note, the final
# tonic): there is nothing it may change.
ALL_LANDMARKS = b"""X:1
T:Landmarks
M:4/4
L:1/1
K:C
C|D|E|G|C|]
"""


def test_draw_stops_at_the_first_draft_that_meets_its_checks_and_is_bounded() -> None:
    made: list[int] = []

    def failing_until(good: int) -> Callable[[int], Candidate[int]]:
        def make(i: int) -> Candidate[int]:
            made.append(i)
            return Candidate(i, score=i, unmet=[] if i >= good else ["no"])

        return make

    drafts = draw(failing_until(2), 1)  # draft 0 fails, redraw 1 fails, redraw 2 passes
    assert [d.value for d in drafts] == [0, 1, 2] and best_index(drafts) == 2
    made.clear()
    drafts = draw(failing_until(99), 2)  # never: the candidates, then REDRAWS more
    assert made == list(range(2 + REDRAWS)) and all(d.unmet for d in drafts)
    made.clear()
    drafts = draw(failing_until(0), 3)  # all the candidates, no redraw
    assert made == [0, 1, 2]
    # among drafts that pass, the best score; a failing draft never beats a passing one
    mixed = [Candidate(0, score=0.9, unmet=["x"]), Candidate(1, score=0.2), Candidate(2, score=0.5)]
    assert best_index(mixed) == 2


def _burnt(cpu_seconds: float, passes: bool) -> Candidate[float]:
    started = time.thread_time()
    while time.thread_time() - started < cpu_seconds:
        sum(range(10_000))
    return Candidate(cpu_seconds, unmet=[] if passes else ["no"])


def test_redraws_are_counted_apart_from_the_drafts_asked_for_and_once() -> None:
    """The drafts asked for are not counted; a redraw is, with the redraws drawn inside it
    (a composed melody redrawn, whose harmonization redrew) counted once, within it."""
    with counting_redraws() as counted:
        draw(lambda i: _burnt(0.6 if i == 0 else 0.3, passes=i > 0), 1)
    assert 0.25 <= counted.cpu_seconds < 0.5 and counted.seconds >= counted.cpu_seconds * 0.5

    def melody(i: int) -> Candidate[float]:
        if i == 0:
            return _burnt(0.0, passes=False)
        inner = draw(lambda k: _burnt(0.3, passes=k > 0), 1)  # 0.6 s in all, half redrawn
        return Candidate(sum(d.value for d in inner))

    with counting_redraws() as counted:
        draw(melody, 1)
    assert 0.55 <= counted.cpu_seconds < 0.8  # 0.9 if the inner redraw were counted twice
    draw(lambda i: _burnt(0.05, passes=i > 0), 1)  # outside a count: nothing to count in
    assert counted.cpu_seconds < 0.8


def _context(tmp_path: Path, seed: int, melody: bytes | None = None) -> Context:
    files = {}
    if melody is not None:
        files[UPLOAD] = tmp_path / "melody.abc"
        files[UPLOAD].write_bytes(melody)
    return Context(seed, tmp_path, files)


@pytest.mark.slow
def test_a_restyle_with_nothing_to_change_says_so(tmp_path: Path) -> None:
    engine = MusicRestyle(EngineConfig(assets_dir=ASSETS))
    params = RestyleParams(melody=UPLOAD, style="irish", freedom=1.0)
    [work] = engine.run(params, _context(tmp_path, 1, ALL_LANDMARKS))
    assert len(work.meta["drafts"]) == 1 + REDRAWS
    assert all(d["changed"] == 0 for d in work.meta["drafts"])
    assert any(r.startswith("no note changed") for r in work.unmet)


def test_a_compose_plan_is_checked_against_what_the_prompt_asked(compose_engine: Compose) -> None:
    """A stand-in drawing and a relation the layout cannot keep are named; a plan that
    keeps every promise has none."""
    magnolia = compose_engine.checked_plan(
        ComposeParams(prompt="a magnolia tree by a river"), np.random.default_rng(1)
    )
    assert magnolia.unmet == ["no drawing of a magnolia tree in the library: a tree drawn"]
    boat = compose_engine.checked_plan(
        ComposeParams(prompt="a boat beside a lighthouse"), np.random.default_rng(1)
    )
    assert boat.unmet == ["the boat is not beside the lighthouse"]
    fine = compose_engine.checked_plan(
        ComposeParams(prompt="a dog to the left of a house, two birds above the house"),
        np.random.default_rng(1),
    )
    assert fine.unmet == [] and fine.checks["counts"] == {"dog": 1, "house": 1, "bird": 2}
    assert fine.checks["relations_held"] == "2/2"
