"""Engines for tests and benchmarks of the spine itself (registered via
ATELIER_ENGINE_MODULES=tests.support.engines, or by importing this module)."""

from __future__ import annotations

import time
from typing import Any

from pydantic import Field

from atelier.engines import registry
from atelier.engines.base import Artifact, Context, Creation, Engine, EngineError, Params
from atelier.engines.checks import Candidate, draw


class WaitParams(Params):
    seconds: float = Field(0.0, ge=0.0, le=120.0)
    steps: int = Field(1, ge=1, le=1000)
    works: int = Field(1, ge=1, le=5)
    fail: bool = False
    empty: bool = False  # misbehave: works without files, which the studio refuses to store
    unmet: list[str] = Field(default_factory=list, max_length=4)  # checks the result "fails"


class Wait(Engine):
    """Waits, reporting progress and honouring cancel, then writes the seed as text."""

    name = "test.wait"
    medium = "text"
    title = "Wait (test)"
    description = "Waits `seconds` in `steps`, then returns a small text file per work."
    Params = WaitParams

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        for step in range(params.steps):
            ctx.progress(step / params.steps, f"step {step + 1} of {params.steps}")
            deadline = time.monotonic() + params.seconds / params.steps
            while time.monotonic() < deadline:
                ctx.check_cancelled()
                time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
        if params.fail:
            raise EngineError("asked to fail")
        return [
            Creation(
                files=[]
                if params.empty
                else [Artifact("result.txt", "text/plain", f"seed {ctx.seed} work {i}\n".encode())],
                title=f"wait {i}",
                unmet=list(params.unmet),
            )
            for i in range(params.works)
        ]


registry.register(Wait)


class BurnParams(Params):
    cpu_seconds: float = Field(1.0, ge=0.0, le=60.0)
    redraw_cpu_seconds: float = Field(0.0, ge=0.0, le=60.0)  # > 0: the first draft misses


class Burn(Engine):
    """Works on one core until its thread has used `cpu_seconds` of CPU time, then writes
    a small text file: a job whose compute is known, however busy the machine is. With
    `redraw_cpu_seconds`, that first draft misses its check and one redraw burns them."""

    name = "test.burn"
    medium = "text"
    title = "Burn (test)"
    description = "Keeps one core busy for `cpu_seconds` of CPU time."
    Params = BurnParams

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        def make(i: int) -> Candidate[int]:
            started = time.thread_time()
            while time.thread_time() - started < (
                params.redraw_cpu_seconds if i else params.cpu_seconds
            ):
                ctx.check_cancelled()
                sum(range(10_000))
            return Candidate(
                i, unmet=["asked to miss"] if params.redraw_cpu_seconds and not i else []
            )

        draw(make, 1, 1)
        return [Creation(files=[Artifact("result.txt", "text/plain", b"burnt\n")])]


registry.register(Burn)


class Score(Engine):
    """Writes notes and an SVG score that carries a script, as a hostile score would
    (test_headers)."""

    name = "test.score"
    medium = "text"
    title = "Score (test)"
    description = "Returns a text file and an SVG file with a <script> in it."
    Params = Params

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        svg = (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>document.title = 'ran'</script><rect width='10' height='10'/></svg>"
        )
        files = [
            Artifact("notes.txt", "text/plain", b"C D E\n"),
            Artifact("score.svg", "image/svg+xml", svg),
        ]
        return [Creation(files=files, title="score")]


registry.register(Score)


class BurstParams(Params):
    words: list[str] = Field(min_length=1, max_length=20)
    hold: float = Field(5.0, ge=0.0, le=60.0)


class Burst(Engine):
    """Reports its words one by one with no pause, as a text model writes tokens, then
    holds `hold` seconds (honouring cancel) before it returns them as text."""

    name = "test.burst"
    medium = "text"
    title = "Burst (test)"
    description = "Reports progress in a quick burst, then waits."
    Params = BurstParams

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        for i in range(len(params.words)):
            ctx.progress(0.5 * (i + 1) / len(params.words), " ".join(params.words[: i + 1]))
        deadline = time.monotonic() + params.hold
        while time.monotonic() < deadline:
            ctx.check_cancelled()
            time.sleep(0.02)
        text = " ".join(params.words) + "\n"
        return [Creation(files=[Artifact("words.txt", "text/plain", text.encode())], title="burst")]


registry.register(Burst)
