"""Classes of misses the sixth blind part (test6) showed, mended after its blind run and
its run with the game icons were judged (its figures after these are not blind: see
docs/models.md). Each case is a sibling of a miss, not a test6 prompt."""

from __future__ import annotations

import numpy as np

from atelier.engines.image.compose import Compose
from atelier.engines.image.compose.prompt import parse


def test_a_state_said_with_in_is_no_place() -> None:
    """ "cherry trees in bloom" put three trees inside a flower, 11 pixels high."""
    for prompt in ("plum trees in bloom by a lake", "an apple tree in full bloom"):
        scene = parse(prompt)
        assert [s.noun for s in scene.subjects] == ["tree"] and not scene.relations
        assert "blooming" in scene.subjects[0].query


def test_a_chick_is_never_a_chicken_burger(compose_engine: Compose) -> None:
    """The burger's title read as headed by "chicken": five chicks drew a burger among them
    once the turkey that had stood for them was indexed as one."""
    for seed in (1, 2):
        plan = compose_engine.plan(
            "four chicks on the grass", 768, 512, np.random.default_rng(seed)
        )
        [chicks] = plan.choices
        assert chicks.entries and not any("burger" in e.path for e in chicks.entries)
        assert all(e.head in ("chick", "chicken") for e in chicks.entries)


def test_in_a_thing_worn_is_wearing_it() -> None:
    """Tried as a stranger: "a penguin in a scarf next to an iceberg" put the penguin inside
    the scarf, hidden."""
    for prompt, worn in (("a penguin in a scarf", "scarf"), ("a cat in a tiny hat", "hat")):
        scene = parse(prompt)
        nouns = [s.noun for s in scene.subjects]
        [relation] = scene.relations
        assert (nouns[relation.subject], relation.relation) == (worn, "worn_by")
