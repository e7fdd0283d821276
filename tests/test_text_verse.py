"""Syllables, rhymes and verse forms (CMU Pronouncing Dictionary), and the few-shot
examples' own verse: a base model copies the form it is shown, so it must be right."""

from __future__ import annotations

import pytest

from atelier.engines.text import verse
from atelier.engines.text.examples import WRITE


@pytest.mark.parametrize(
    ("word", "count"),
    [("fire", 2), ("station", 2), ("umbrella", 3), ("the", 1), ("beautiful", 3), ("zorbly", 2)],
)
def test_syllables_from_the_dictionary_and_a_spelling_guess(word: str, count: int) -> None:
    assert verse.syllables(word) == count


def test_rhymes_use_any_pronunciation_and_not_the_same_word() -> None:
    assert verse.rhymes("cheese", "knees") and verse.rhymes("again", "domain")
    assert not verse.rhymes("cheese", "cheese") and not verse.rhymes("dance", "pants")
    assert verse.heard_scheme(["a cat", "a hat", "the sun", "is done", "a bat"]) == "AABBA"


def test_check_scores_a_haiku_and_a_broken_limerick() -> None:
    haiku = verse.check(
        ["An old silent pond", "a frog jumps into the pond", "splash! silence again"],
        verse.FORMS["haiku"],
    )
    assert haiku.syllables == [5, 7, 5] and haiku.meets and haiku.score == 1.0
    limerick = verse.check(
        ["A cat who was fond of the sea", "went sailing", "and never came home"],
        verse.FORMS["limerick"],
    )
    assert not limerick.meets
    assert limerick.lines_score == pytest.approx(0.6) and limerick.rhyme_score == 0.0


@pytest.mark.parametrize("form", ["haiku", "limerick", "sonnet"])
def test_the_examples_keep_their_own_form(form: str) -> None:
    for piece in WRITE[form]:
        result = verse.check(piece.text.splitlines(), verse.FORMS[form])
        assert result.meets, (piece.topic, result)
