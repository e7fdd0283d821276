"""Drawings looked at one by one (compose/reviewed.py): a portrait of a real person is
never drawn; one whose title names another thing is indexed as what it shows (the
"chicken" that is a turkey, the "teapot" that is an electric kettle); one that shows
something beside its subject (a Christmas tree's stand, a cake's own candles, a bowl of
eggs) stands for it only where nothing cleaner is named for it, and never where that is
another subject of the prompt. Uses the shared assets (`atelier prepare`)."""

from __future__ import annotations

import numpy as np
import pytest

from atelier.engines.image.compose import Compose, reviewed


def _drawn(engine: Compose, prompt: str) -> dict[str, list[str]]:
    plan = engine.plan(prompt, 768, 512, np.random.default_rng(1))
    return {c.subject.noun: [e.path for e in c.entries] for c in plan.choices}


def test_a_real_persons_portrait_is_never_drawn(compose_engine: Compose) -> None:
    """ "a king" drew a portrait of Martin Luther King Jr."""
    paths = {e.path for e in compose_engine._index().entries}
    assert not paths & reviewed.NEVER
    for seed in (1, 2, 3):
        plan = compose_engine.plan("a king", 768, 512, np.random.default_rng(seed))
        assert not {e.path for c in plan.choices for e in c.entries} & reviewed.NEVER


def test_a_drawing_is_indexed_as_what_it_shows(compose_engine: Compose) -> None:
    entries = {e.path: e for e in compose_engine._index().entries}
    turkey = entries["animals/birds/pollo_architetto_frances_01.svg"]
    assert turkey.head == "turkey" and "chicken" not in turkey.names
    assert entries["food/beverages/a_teapot_01.svg"].head == "kettle"
    assert (
        "animals/birds/pollo_architetto_frances_01.svg"
        not in _drawn(compose_engine, "four chickens on the grass")["chicken"]
    )
    assert "food/beverages/a_teapot_01.svg" not in _drawn(compose_engine, "a teapot")["teapot"]


@pytest.mark.parametrize(
    ("prompt", "noun", "path"),
    [
        ("three pine trees", "tree", "plants/trees/evergreen/tree.svg"),  # on a stand
        ("a tree in a field", "tree", "recreation/holiday/christmas/tree.svg"),
        ("a bowl of soup on a table", "bowl", "food/bowl_chaspo_.svg"),  # coloured eggs
        ("five penguins on the ice", "penguin", "unsorted/Pinguino3.svg"),  # three of them
        ("a birthday cake with five candles", "cake", "food/desserts/birthday_cake.svg"),
        ("a birthday cake with five candles", "cake", "recreation/party/birthday_cake.svg"),
    ],
)
def test_a_drawing_with_something_else_in_it_is_not_chosen(
    compose_engine: Compose, prompt: str, noun: str, path: str
) -> None:
    for seed in (1, 2):
        plan = compose_engine.plan(prompt, 768, 512, np.random.default_rng(seed))
        [choice] = [c for c in plan.choices if c.subject.noun == noun]
        assert choice.entries and path not in [e.path for e in choice.entries]


def test_a_drawings_own_parts_are_fine_unless_asked_for_apart(compose_engine: Compose) -> None:
    """A birthday cake's own candles are a birthday cake's: "a chef holding a birthday cake"
    lost them once they were counted as something unasked."""
    [cake] = _drawn(compose_engine, "a birthday cake on a table")["cake"][:1]
    assert cake in reviewed.PARTS


def test_a_road_sign_filed_elsewhere_is_still_a_sign(compose_engine: Compose) -> None:
    """ "两架小飞机" (two small planes) drew a plane and a road sign showing one: the sign,
    filed under transportation, is known as a road sign by its own words."""
    for seed in (1, 2, 3):
        plan = compose_engine.plan(
            "two airplanes in the sky", 768, 512, np.random.default_rng(seed)
        )
        assert "transportation/airplane.svg" not in [
            e.path for c in plan.choices for e in c.entries
        ]
