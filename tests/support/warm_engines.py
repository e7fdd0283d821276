"""test.warm_quick and test.warm_slow: engines whose models load when a test says so,
for the warm start's order (registered on import, by tests/test_warm_start.py; not in
tests.support.engines, which every test and every `atelier` subprocess loads). Their
loads pass at once unless a test clears `QUICK` or `SLOW` first (and sets it again)."""

from __future__ import annotations

import threading
from typing import Any

from atelier.engines import registry
from atelier.engines.base import Artifact, Context, Creation, Engine, Params

QUICK = threading.Event()
SLOW = threading.Event()
QUICK.set()
SLOW.set()
LOAD_TIMEOUT = 120.0  # seconds: a test that forgets to set its event still ends


class Loads(Engine[Params]):
    """Its warm-up waits for its event; a job writes the name of the engine."""

    medium = "text"
    description = "Waits for its test to let its models load; a job writes its name."
    Params = Params
    loaded: threading.Event

    def warm(self) -> None:
        self.loaded.wait(LOAD_TIMEOUT)

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        return [Creation([Artifact("name.txt", "text/plain", self.name.encode())], self.name)]


class QuickLoad(Loads):
    name = "test.warm_quick"
    title = "Quick to load (test)"
    loaded = QUICK


class SlowLoad(Loads):
    name = "test.warm_slow"
    title = "Slow to load (test)"
    loaded = SLOW


registry.register(QuickLoad)
registry.register(SlowLoad)
