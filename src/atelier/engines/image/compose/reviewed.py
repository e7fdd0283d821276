"""Drawings looked at one by one where their words mislead (the 190 the evaluation sets'
pictures used most, on contact sheets): what each shows beside the thing its title names,
what it really is where its title says another thing, and those never to draw.

Paths are the index's: openclipart's relative to its folder (the same drawing filed in
two folders is listed twice), the emoji's under fluent/, the icons' under gameicons/."""

from __future__ import annotations

from typing import Any

from atelier.engines.image.compose.words import wordset


def _word_sets(table: dict[str, str]) -> dict[str, frozenset[str]]:
    return {path: wordset(words) for path, words in table.items()}


# What a drawing shows beside its subject. It stands for the subject only where the prompt
# asks for that too (the stand of a Christmas tree drawing: "a Christmas tree on a stand"),
# or where the library has nothing else named for it; and never where that is another
# subject of the prompt (the bowl's eggs under "eggs in a bowl").
EXTRAS = _word_sets(
    {
        "plants/trees/evergreen/tree.svg": "stand",
        "recreation/holiday/christmas/tree.svg": "stand",
        "plants/trees/evergreen/christmas_tree_01.svg": "star bauble",
        "recreation/holiday/christmas/christmas_tree_01.svg": "star bauble",
        "animals/birds/gufo_civetta_architetto__01.svg": "twig grass",
        "unsorted/pennuto02.svg": "grass water",
        "food/bowl_chaspo_.svg": "egg",
        "transportation/plane_in_the_sky_mo_01.svg": "cloud",
        "unsorted/Pinguino3.svg": "chick penguin",
        "unsorted/rose.svg": "bouquet rose",
        "people/fire_engine_mimooh_01.svg": "penguin",
        "people/signore_architetto_franc_01.svg": "headset",
        "fluent/food/pot-of-food.svg": "food soup",
        "buildings/homes/house_gabrielle_nowicki_.svg": "lawn",
        "electronics/saku_robot__anton_yu_01.svg": "gun",
        "animals/mammals/cartoon_squirrel_mike_sm1.svg": "book",
        "education/books/cartoon_squirrel_mike_sm1.svg": "book",
        "plants/arbre_modern_jean-victor_01.svg": "puddle",
        "plants/arbre_modern_bw_jean-vic_01.svg": "puddle",
        "fluent/places/tent.svg": "moon",
        "gameicons/aquarium.svg": "fish",
        "gameicons/boat-fishing.svg": "angler",
    }
)
# What a drawing shows as part of its subject: fine unasked, but never where that is
# another subject of the prompt (a birthday cake's own candles under "five candles on a
# cake": ten candles).
PARTS = _word_sets(
    {
        "food/desserts/birthday_cake.svg": "candle",
        "recreation/holiday/birthday_cake.svg": "candle",
        "recreation/party/birthday_cake.svg": "candle",
    }
)
# What a drawing really is, where its title says another thing: the index describes it by
# this title alone (its keywords and file name went with the wrong one).
IS = {
    "animals/birds/pollo_architetto_frances_01.svg": "turkey",  # titled a chicken
    "food/beverages/a_teapot_01.svg": "electric kettle",  # titled a teapot
    "buildings/furniture/poltrona_ufficio_archite_01.svg": "office chair",  # "armchair"
    "animals/mammals/happy_monkey_benji_park_01.svg": "monkey head",
    "animals/mammals/dogs/bobi_architetto_francesc_01.svg": "bulldog head",
    "people/card_figure_queen_nic_r.svg": "queen bust",
    "people/card_figure_king_nicu_r.svg": "king bust",
    "transportation/fire_engine_romus_01.svg": "fire engine plan view",  # seen from above
    "food/meats_and_eggs/chicken_burger.svg": "hamburger",  # its head read as "chicken"
    "food/meats_and_eggs/chicken_burger_bw.svg": "hamburger",
}
# Never drawn: portraits of real people ("a king" drew Martin Luther King Jr.).
NEVER = frozenset(
    (
        "people/martin_luther_king_jr._h_01.svg",
        "people/martin_luther_king_jr._h_02.svg",
        "people/martin_luther_king_jr._h_03.svg",
        "people/einstein_01.svg",
        "people/beethoveo_ganson.svg",
    )
)


def facts(path: str, described: dict[str, Any]) -> dict[str, Any] | None:
    """A drawing's facts as the index takes them: None for one never drawn; for one that is
    another thing than its title says, that thing's title, without the wrong one's keywords
    and file name."""
    if path in NEVER:
        return None
    if path in IS:
        return {**described, "title": IS[path], "keywords": [], "renamed": True}
    return described


def extras(path: str) -> frozenset[str]:
    """What the drawing at `path` shows beside its subject (none where not reviewed)."""
    return EXTRAS.get(path, frozenset())


def shown(path: str) -> frozenset[str]:
    """Everything the drawing at `path` shows beside its subject, its parts included."""
    return EXTRAS.get(path, frozenset()) | PARTS.get(path, frozenset())
