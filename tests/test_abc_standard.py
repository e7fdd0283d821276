"""ABC read to the 2.1 standard: accidentals carried through their bar and across ties,
repeats and endings played out, pickups; checked against music21 on corpus tunes."""

from __future__ import annotations

import re
from fractions import Fraction as F
from pathlib import Path

import pytest
from music21 import bar, converter, corpus, spanner, stream

from atelier.engines.base import EngineError
from atelier.engines.music.files import check_music, read_melody, read_piece
from atelier.engines.music.piece import Piece, merge_ties


def read(tmp_path: Path, body: str, meter: str = "4/4", key: str = "C", head: str = "") -> Piece:
    text = f"{head}X:1\nT:Test\nM:{meter}\nL:1/4\nK:{key}\n{body}\n"
    path = tmp_path / "tune.abc"
    path.write_text(text)
    return read_melody(path)


def pitches(piece: Piece) -> list[int | None]:
    return [n.pitch for n in merge_ties(piece.parts[0].notes)]


# -- accidentals ---------------------------------------------------------------------------


def test_an_accidental_carries_to_the_end_of_its_bar(tmp_path: Path) -> None:
    # G sharp ... G in the same bar is G sharp; after the bar line, G is natural again.
    tune = read(tmp_path, "^G A G B|G A G2|]")
    assert pitches(tune) == [68, 69, 68, 71, 67, 69, 67]


def test_naturals_flats_and_the_key_signature_carry_too(tmp_path: Path) -> None:
    assert pitches(read(tmp_path, "^G =G G A|G2 A2|]")) == [68, 67, 67, 69, 67, 69]
    assert pitches(read(tmp_path, "_B c B A|B2 c2|]")) == [70, 72, 70, 69, 71, 72]
    # In D major F is sharp; a written natural holds for the rest of its bar.
    assert pitches(read(tmp_path, "=F A F d|F2 A2|]", key="D")) == [65, 69, 65, 74, 66, 69]


def test_an_accidental_reaches_every_octave_unless_the_file_says_otherwise(
    tmp_path: Path,
) -> None:
    # The standard's default is `%%propagate-accidentals pitch`: the same letter in any octave.
    assert pitches(read(tmp_path, "^G g G g|c4|]")) == [68, 80, 68, 80, 72]
    octave = read(tmp_path, "^G g G g|c4|]", head="%%propagate-accidentals octave\n")
    assert pitches(octave) == [68, 79, 68, 79, 72]
    written = read(tmp_path, "^G g G g|c4|]", head="%%propagate-accidentals not\n")
    assert pitches(written) == [68, 79, 67, 79, 72]


def test_a_tie_carries_the_accidental_across_the_bar_line(tmp_path: Path) -> None:
    tune = read(tmp_path, "A B c ^G-|G A B c|]")
    heard = merge_ties(tune.parts[0].notes)
    assert [(n.pitch, n.start, n.duration) for n in heard[3:5]] == [(68, 3, 2), (69, 5, 1)]
    # A tied note that writes its own accidental keeps it; the next one has none to carry.
    assert pitches(read(tmp_path, "A B c ^G-|=G A G c|]")) == [69, 71, 72, 68, 67, 69, 67, 72]


# -- repeats and pickups ---------------------------------------------------------------------


def test_repeats_are_played_out(tmp_path: Path) -> None:
    tune = read(tmp_path, "|:C D|E F:|G A|B c|]", meter="2/4")
    assert pitches(tune) == [60, 62, 64, 65, 60, 62, 64, 65, 67, 69, 71, 72]
    assert tune.bars() == 6


def test_first_and_second_endings(tmp_path: Path) -> None:
    tune = read(tmp_path, "|:C D|E F|[1 G A:|[2 B c|]", meter="2/4")
    assert pitches(tune) == [60, 62, 64, 65, 67, 69, 60, 62, 64, 65, 71, 72]
    assert tune.bars() == 6


def test_a_repeat_with_no_start_sign_goes_back_to_the_previous_repeat(tmp_path: Path) -> None:
    # Tune books write AABB as `A…:|B…:|`; music21 alone plays the B part from the top.
    tune = read(tmp_path, "C D|E F:|G A|B c:|", meter="2/4")
    assert pitches(tune) == [60, 62, 64, 65] * 2 + [67, 69, 71, 72] * 2


def test_the_last_ending_is_played_once(tmp_path: Path) -> None:
    # `[2 …:|` (a common slip) ends the tune; it does not repeat the second ending.
    tune = read(tmp_path, "|:C D|E F|[1 G A:|[2 B c:|", meter="2/4")
    assert pitches(tune) == [60, 62, 64, 65, 67, 69, 60, 62, 64, 65, 71, 72]


def test_a_pickup_before_a_repeat(tmp_path: Path) -> None:
    # The pickup G is played once; the repeat's last bar carries the G that leads back.
    tune = read(tmp_path, "G|:c2 d|e2 f|g2 e|c2 G:|d3|c3|]", meter="3/4")
    assert tune.pickup == 1
    once = [72, 74, 76, 77, 79, 76, 72, 67]
    assert pitches(tune) == [67, *once, *once, 74, 72]
    starts = [n.start for n in merge_ties(tune.parts[0].notes)]
    assert starts[:9] == [0, 1, 3, 4, 6, 7, 9, 10, 12] and starts[-3:] == [24, 25, 28]
    assert tune.bars() == 10  # the pickup is not a bar


def test_the_bar_limit_counts_the_music_as_played(tmp_path: Path) -> None:
    """150 written bars, repeated: 300 as played, over the 256-bar limit."""
    path = tmp_path / "long.abc"
    path.write_text("X:1\nM:2/4\nL:1/4\nK:C\n|:" + "C D|" * 149 + "C D:|\n")
    with pytest.raises(EngineError, match="300 bars long; the limit is 256"):
        read_piece(path)
    with pytest.raises(EngineError, match="300 bars long; the limit is 256"):
        check_music(path.read_bytes())


# -- against music21 -------------------------------------------------------------------------


def music21_reading(tune: str, version: str, expand: bool = True) -> list[tuple[int, F, F]]:
    """music21's own reading of `tune` as ABC `version`, repeats expanded: the first
    part's sounding notes (grace notes, which we leave out, left out)."""
    parsed = converter.parseData(f"%abc-{version}\n{tune}", format="abc")
    score = parsed.scores[0] if isinstance(parsed, stream.Opus) else parsed
    if expand and (score[bar.Repeat] or score[spanner.RepeatBracket]):
        score = score.expandRepeats()
    return [
        (
            n.pitch.midi,
            F(n.offset).limit_denominator(480),
            F(n.quarterLength).limit_denominator(480),
        )
        for n in score.parts[0].flatten().notes
        if n.isNote and n.quarterLength > 0
    ]


def test_corpus_tunes_read_as_music21_reads_them_to_the_standard(tmp_path: Path) -> None:
    """Twelve of O'Neill's tunes (the first of the book 0732-0758_bs): our reading equals
    music21's when music21 is told the file is ABC 2.1 and its repeats are expanded. The
    set holds tunes with repeats, pickups and accidentals carried through a bar (which
    music21 reads otherwise when the file does not declare its version)."""
    book = Path(str(corpus.getWork("oneills1850/0732-0758_bs"))).read_text(errors="replace")
    tunes = ["X:" + t for t in re.split(r"^X:", book, flags=re.M)[1:13]]
    carried = repeated = pickups = 0
    for number, tune in enumerate(tunes):
        path = tmp_path / f"tune{number}.abc"
        path.write_text(tune)
        piece = read_piece(path)
        ours = [(n.pitch, n.start, n.duration) for n in piece.parts[0].notes if n.pitch]
        standard = music21_reading(tune, "2.1")
        assert ours == standard, number
        carried += [p for p, _, _ in music21_reading(tune, "1.3")] != [p for p, _, _ in ours]
        repeated += len(ours) > len(music21_reading(tune, "2.1", expand=False))
        pickups += piece.pickup > 0
    assert carried >= 1 and repeated >= 6 and pickups >= 3, (carried, repeated, pickups)


# -- key changes -----------------------------------------------------------------------------


def test_a_tune_that_changes_key_is_refused_naming_the_bar(tmp_path: Path) -> None:
    """A tune in F that turned to D major in bar 3 was harmonized in D minor throughout (a
    D minor chord under its last D major phrase, B flats against F sharps), and its F
    sharps were written as G flats: a tune is read in one key, so one that changes is
    refused, saying where."""
    with pytest.raises(EngineError, match="changes key in bar 3, from 1 flat to 2 sharps"):
        read(tmp_path, "F G A B|c B A G|\nK:D\nF G A B|c d e f|d4|]", key="F")
    with pytest.raises(EngineError, match="in bar 2, from no sharps or flats to 1 sharp"):
        read(
            tmp_path, "G|c B A G|\nK:G\nF G A B|c4|]"
        )  # after a pickup, bar 1 is the first full one


def test_a_key_said_again_is_no_change(tmp_path: Path) -> None:
    assert pitches(read(tmp_path, "G A B c|\nK:G\nd c B A|G4|]", key="G"))[-1] == 67
    assert pitches(read(tmp_path, "A B c d|\nK:Amin\ne d c B|A4|]", key="Am"))[-1] == 69


def test_a_musicxml_score_that_changes_key_is_refused_too(tmp_path: Path) -> None:
    from music21 import key, meter, note

    part = stream.Part()
    for bar_number, (sharps, names) in enumerate(
        [(0, "C D E F"), (0, "G F E D"), (2, "F# G A B"), (2, "D4 D4 D4 D4")], start=1
    ):
        measure = stream.Measure(number=bar_number)
        if bar_number == 1:
            measure.append(meter.TimeSignature("4/4"))
        if bar_number in (1, 3):
            measure.append(key.KeySignature(sharps))
        for name in names.split():
            measure.append(note.Note(name if name[-1].isdigit() else name + "4"))
        part.append(measure)
    path = tmp_path / "tune.musicxml"
    stream.Score([part]).write("musicxml", fp=path)
    with pytest.raises(EngineError, match="changes key in bar 3, from no sharps or flats to 2"):
        read_melody(path)
