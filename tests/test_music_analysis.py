"""The measures the music tests and `atelier eval music --blind` judge the engines by, on
hand-made pieces whose answers are known."""

from __future__ import annotations

from fractions import Fraction as F

from atelier.engines.music import analysis
from atelier.engines.music.piece import Note, Part, Piece


def line(*notes: tuple[int | None, int]) -> tuple[Note, ...]:
    """Notes from (pitch, quarters) pairs, one after the other."""
    out, start = [], F(0)
    for pitch, length in notes:
        out.append(Note(pitch, start, F(length)))
        start += length
    return tuple(out)


def chorale(alto: tuple[Note, ...], tenor: tuple[Note, ...], bass: tuple[Note, ...]) -> Piece:
    soprano = line((76, 2), (74, 2), (72, 4))  # E D C: the tune ends on C
    parts = (Part("soprano", soprano), Part("alto", alto), Part("tenor", tenor), Part("bass", bass))
    return Piece(parts, "C major", "4/4")


def test_final_chord_wants_the_root_position_tonic_held() -> None:
    good = chorale(line((67, 2), (65, 2), (67, 4)), line((60, 2), (59, 2), (64, 4)),
                   line((48, 2), (55, 2), (48, 4)))  # fmt: skip
    assert analysis.final_chord(good).root_position_tonic
    # vi under the last note, the bass reaching C only on its last eighth
    passing = chorale(line((67, 2), (65, 2), (64, 4)), line((60, 2), (59, 2), (60, 4)),
                      line((48, 2), (55, 2), (45, F(7, 2)), (48, F(1, 2))))  # fmt: skip
    close = analysis.final_chord(passing)
    assert not close.root_position_tonic and not close.held
    # a first-inversion tonic (E in the bass), and an open fifth (no third)
    inverted = chorale(line((67, 2), (65, 2), (67, 4)), line((60, 2), (59, 2), (60, 4)),
                       line((48, 2), (55, 2), (52, 4)))  # fmt: skip
    open_fifth = chorale(line((67, 2), (65, 2), (67, 4)), line((60, 2), (59, 2), (55, 4)),
                         line((48, 2), (55, 2), (48, 4)))  # fmt: skip
    assert not analysis.final_chord(inverted).root_position_tonic
    assert not analysis.final_chord(open_fifth).root_position_tonic
    # in A minor the third is C; the melody's own C sharp (a Picardy third) is allowed
    minor = Piece(tuple(Part(n, line((p, 4))) for n, p in
                        (("soprano", 73), ("alto", 64), ("tenor", 57), ("bass", 45))),
                  "A minor", "4/4")  # fmt: skip
    assert analysis.final_chord(minor).root_position_tonic


def test_clashes_are_chromatic_semitones_against_the_melody_on_the_beat() -> None:
    clean = chorale(line((67, 2), (65, 2), (67, 4)), line((60, 2), (59, 2), (64, 4)),
                    line((48, 2), (55, 2), (48, 4)))  # fmt: skip
    assert analysis.clashes(clean) == 0
    # a D sharp in the alto under the melody's E (beats 1 and 2), a C sharp in the bass
    # under its D (beats 3 and 4): four beats of chromatic rubbing
    rubbing = chorale(line((63, 2), (65, 2), (67, 4)), line((60, 2), (59, 2), (64, 4)),
                      line((48, 2), (49, 2), (48, 4)))  # fmt: skip
    assert analysis.clashes(rubbing) == 4


def test_runs_similarity_and_landmarks() -> None:
    tune = Piece((Part("melody", line((69, 1), (71, 1), (72, 1), (68, 1), (69, 4))),),
                 "A minor", "4/4")  # fmt: skip
    same_shape = Piece((Part("melody", line((69, 1), (72, 1), (74, 1), (68, 1), (69, 4))),),
                       "A minor", "4/4")  # fmt: skip
    upside_down = Piece((Part("melody", line((69, 1), (67, 1), (65, 1), (67, 1), (69, 4))),),
                        "A minor", "4/4")  # fmt: skip
    assert analysis.contour_similarity(tune, same_shape) == 1.0
    assert analysis.contour_similarity(tune, upside_down) < 0.5
    assert analysis.rhythm_similarity(tune, upside_down) == 1.0
    assert analysis.changed_share(tune, same_shape) == 0.4
    assert analysis.leading_tones_kept(tune, same_shape) == 1.0
    assert analysis.leading_tones_kept(tune, upside_down) == 0.0
    repeated = line((60, 1), (60, 1), (None, 1), (60, 1), (62, 1), (62, 1))
    assert analysis.longest_repeat([n for n in repeated if n.pitch is not None]) == 3
