"""Syllables, rhymes and verse forms (CMU Pronouncing Dictionary), and the few-shot
examples' own verse: a base model copies the form it is shown, so it must be right."""

from __future__ import annotations

import pytest

from atelier.engines.text import verse
from atelier.engines.text.examples import WRITE
from atelier.engines.text.write import line_score


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


# A limerick text.write delivered as meeting its checks (no `unmet`) while its own check
# said it broke its form: its fifth line ends on its second line's word.
HANDBAGS = [
    "A heron that collected all the bags,",
    "Then collected the handbags.",
    "He'd sit in a big chair,",
    "Then sit down on his bare",
    "Feet, and stare at the handbags.",
]


def test_a_line_owes_a_rhyme_to_every_earlier_line_of_its_letter() -> None:
    """A limerick's fifth line rhymes with its first and its second: ending on the second
    line's word is no rhyme, and the poem is said to break its form, as its check says."""
    form = verse.FORMS["limerick"]
    assert not verse.check(HANDBAGS, form).meets
    assert verse.broken(HANDBAGS, form) == ["line 5 ends on line 2's word ('handbags'): no rhyme"]
    assert verse.lines_kept(HANDBAGS, form) == [True, True, True, True, False]
    assert verse.partners(form, 4) == [0, 1] and verse.partners(verse.FORMS["haiku"], 2) == []
    # Writing line by line, a fifth line is drawn again unless it rhymes with both.
    fifth, lines = HANDBAGS[4], HANDBAGS[:4]
    assert line_score(fifth, 7, 10, HANDBAGS[:1], lines, set(), [])[1]
    assert not line_score(fifth, 7, 10, HANDBAGS[:2], lines, set(), [])[1]


def test_a_poem_breaks_its_form_in_words_exactly_when_its_check_says_so() -> None:
    """`broken` (the reasons a work shows) and `check` (its score, `meets_form`) agree on
    every example and on each example with one line's last word swapped for another's."""
    for name, form in verse.FORMS.items():
        for piece in WRITE[name]:
            lines = piece.text.splitlines()
            poems = [lines] + [
                [
                    *lines[:i],
                    lines[i].rsplit(" ", 1)[0] + " " + verse.last_word(lines[k]),
                    *lines[i + 1 :],
                ]
                for i in range(len(lines))
                for k in range(len(lines))
                if k != i
            ]
            for poem in poems:
                assert verse.check(poem, form).meets == (verse.broken(poem, form) == []), poem
