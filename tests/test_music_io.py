"""Music files in and out: the Piece type's round trips through MIDI, MusicXML and ABC,
the checks on uploads and melodies, rendered audio and engraved scores."""

from __future__ import annotations

import io
import re
import wave
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from music21 import converter, corpus
from PIL import Image

from atelier.engines.base import EngineError
from atelier.engines.kinds import kind_of
from atelier.engines.music import render
from atelier.engines.music.files import (
    check_audio,
    check_music,
    melody_line,
    read_melody,
    read_piece,
    upload_kind,
)
from atelier.engines.music.piece import Note, Part, Piece, from_music21, merge_ties, to_music21
from atelier.store.thumbnails import thumbnail
from tests.support.media import JIG, JIG_ABC, TRIPLETS, F, melody


def sounding(piece: Piece, part: int = 0) -> tuple[Note, ...]:
    return merge_ties(piece.parts[part].notes)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def mxl(musicxml: bytes) -> bytes:
    """A compressed MusicXML archive holding `musicxml`."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container><rootfiles>'
            '<rootfile full-path="score.musicxml"/></rootfiles></container>',
        )
        archive.writestr("score.musicxml", musicxml)
    return buffer.getvalue()


# -- round trips ----------------------------------------------------------------------


def test_bach_chorale_survives_midi_musicxml_and_mxl(tmp_path: Path) -> None:
    chorale = from_music21(corpus.parse("bach/bwv66.6"))
    assert [p.name for p in chorale.parts] == ["soprano", "alto", "tenor", "bass"]
    assert (chorale.key, chorale.meter, chorale.pickup) == ("F# minor", "4/4", F(1))
    assert chorale.bars() == 9 and chorale.quarter_length() == 36
    musicxml = render.to_musicxml(chorale)
    files = {
        "midi": write(tmp_path, "c.mid", render.to_midi(chorale)),
        "musicxml": write(tmp_path, "c.musicxml", musicxml),
        "mxl": write(tmp_path, "c.mxl", mxl(musicxml)),
    }
    for kind, path in files.items():
        back = read_piece(path)
        assert len(back.parts) == 4, kind
        for i in range(4):
            assert sounding(back, i) == sounding(chorale, i), (kind, i)
        assert (back.key, back.meter, back.tempo) == (chorale.key, "4/4", chorale.tempo), kind
        # MIDI has no bars, so no pickup; the notated formats keep it.
        assert back.pickup == (0 if kind == "midi" else 1), kind
    assert sounding(read_melody(files["musicxml"])) == sounding(chorale, 0)


def test_folk_tunes_from_the_corpus_survive_midi_and_musicxml(tmp_path: Path) -> None:
    book = Path(str(corpus.getWork("oneills1850/0001-0050"))).read_text(errors="replace")
    # Tunes 2, 3 and 5: 2/4, 4/4 and 6/8, each with a pickup (tune 1 has dotted 32nds,
    # finer than the MIDI reader's grid).
    tunes = ["X:" + t for t in re.split(r"^X:", book, flags=re.M)[1:]]
    tunes = [tunes[1], tunes[2], tunes[4]]
    for number, text in enumerate(tunes):
        source = write(tmp_path, f"tune{number}.abc", text.encode())
        tune = read_melody(source)
        assert tune.parts[0].name == "melody" and tune.bars() >= 4
        assert tune == read_melody(source)  # reading is deterministic
        expected = sounding(from_music21(converter.parse(source)))
        assert sounding(tune) == expected
        back = read_melody(write(tmp_path, f"tune{number}.musicxml", render.to_musicxml(tune)))
        assert sounding(back) == sounding(tune), number
        assert (back.meter, back.key, back.pickup) == (tune.meter, tune.key, tune.pickup)
        # MIDI is read on a 16th/triplet grid: O'Neill's dotted 32nds move by a 32nd at most.
        midi = read_melody(write(tmp_path, f"tune{number}.mid", render.to_midi(tune)))
        heard = [n for n in sounding(midi) if n.pitch is not None]
        written = [n for n in sounding(tune) if n.pitch is not None]
        assert [n.pitch for n in heard] == [n.pitch for n in written], number
        moved = [abs(a.start - b.start) for a, b in zip(heard, written, strict=True)]
        assert max(moved) <= F(1, 8), number


@pytest.mark.parametrize("piece", [JIG, TRIPLETS], ids=["jig-6/8-pickup", "triplets-4/4"])
def test_hand_made_pieces_survive_every_format(tmp_path: Path, piece: Piece) -> None:
    musicxml = render.to_musicxml(piece)
    for name, data in (
        ("p.mid", render.to_midi(piece)),
        ("p.musicxml", musicxml),
        ("p.mxl", mxl(musicxml)),
    ):
        back = read_melody(write(tmp_path, name, data))
        assert sounding(back) == piece.parts[0].notes, name
        assert (back.meter, back.key, back.tempo) == (piece.meter, piece.key, piece.tempo)
        if not name.endswith(".mid"):
            assert back.pickup == piece.pickup and back.title == piece.title
            assert back.parts[0].program == piece.parts[0].program


def test_abc_reads_as_written(tmp_path: Path) -> None:
    tune = read_melody(write(tmp_path, "jig.abc", JIG_ABC.encode()))
    assert sounding(tune) == JIG.parts[0].notes
    assert (tune.meter, tune.key, tune.tempo, tune.pickup) == ("6/8", "C major", 96, F(1, 2))
    assert tune.bars() == 3


def test_to_music21_writes_bars_ties_and_spelling() -> None:
    score = to_music21(JIG)
    measures = score.parts[0].getElementsByClass("Measure")
    assert [m.number for m in measures] == [0, 1, 2, 3]
    assert [float(m.duration.quarterLength) for m in measures] == [0.5, 3.0, 3.0, 1.0]
    tied: list[Any] = [n for n in score.parts[0].flatten().notes if n.tie is not None]
    assert [(n.nameWithOctave, n.tie.type) for n in tied] == [("D5", "start"), ("D5", "stop")]
    sharp_key = to_music21(
        Piece(parts=(Part("melody", melody((70, 1), (65, 1))),), key="F# minor", meter="2/4")
    )
    assert [n.pitch.name for n in sharp_key.flatten().notes] == ["A#", "E#"]
    flat_key = to_music21(
        Piece(parts=(Part("melody", melody((70, 1), (63, 1))),), key="F major", meter="2/4")
    )
    assert [n.pitch.name for n in flat_key.flatten().notes] == ["B-", "E-"]


# -- bad input --------------------------------------------------------------------------


def midi_of(piece: Piece) -> bytes:
    return render.to_midi(piece)


def test_unreadable_files_are_refused_in_words(tmp_path: Path) -> None:
    good = midi_of(JIG)
    cases = {
        "empty.mid": (b"", "empty"),
        "cut.mid": (good[: len(good) // 2], "damaged"),
        "notes.txt": (b"just some words, not music\n" * 10, "not a music file"),
        "header.mid": (b"MThd\x00\x00\x00\x06\x00\x01", "damaged"),
        "empty.abc": (b"X:1\nT:nothing\nK:C\n", "no notes"),
    }
    for name, (data, words) in cases.items():
        with pytest.raises(EngineError, match=words):
            read_melody(write(tmp_path, name, data))
        if data:
            with pytest.raises(ValueError, match=words):
                check_music(data)


def test_too_long_polyphonic_and_odd_meters_are_refused(tmp_path: Path) -> None:
    hours = Piece(
        parts=(Part("melody", melody(*[(60 + i % 12, 4) for i in range(300)])),),
        key="C major",
        meter="4/4",
        tempo=60,
    )
    with pytest.raises(EngineError, match="limit is 256"):
        read_melody(write(tmp_path, "long.mid", midi_of(hours)))
    with pytest.raises(EngineError, match="3 bars long; the limit is 2"):
        read_melody(write(tmp_path, "jig.mid", midi_of(JIG)), max_bars=2)

    chords = to_music21(JIG)
    for element in list(chords.parts[0].recurse().notes):
        element.activeSite.replace(element, _triad(element))
    with pytest.raises(EngineError, match="no melody found"):
        read_melody(write(tmp_path, "chords.musicxml", _xml(chords)))

    five = Piece(parts=(Part("melody", melody((60, 5), (62, 5))),), key="C major", meter="5/4")
    with pytest.raises(EngineError, match="5/4, which is not supported"):
        read_melody(write(tmp_path, "five.musicxml", render.to_musicxml(five)))
    # read_piece takes any meter (and tells MusicXML by content, whatever the name says).
    assert read_piece(write(tmp_path, "five.mid", render.to_musicxml(five))).meter == "5/4"


def test_the_melody_is_found_beside_an_accompaniment(tmp_path: Path) -> None:
    """A chordal first part (piano) and a melody second: the melody is the line read."""
    piano = replace(JIG.parts[0], name="piano", program=0)
    violin = replace(JIG.parts[0], name="violin", program=40)
    both = to_music21(replace(JIG, parts=(piano, violin)))
    for element in list(both.parts[0].recurse().notes):
        element.activeSite.replace(element, _triad(element))
    for name, data in (("both.musicxml", _xml(both)), ("both.mid", _midi(both))):
        found = read_melody(write(tmp_path, name, data))
        assert sounding(found) == JIG.parts[0].notes, name
        assert found.parts[0].program == 40, name


def _midi(score: Any) -> bytes:
    from music21.midi.translate import streamToMidiFile

    return bytes(streamToMidiFile(score).writestr())


def _triad(element: Any) -> Any:
    from music21 import chord

    root = element.pitch.midi
    made = chord.Chord([root, root + 4, root + 7])
    made.duration = element.duration
    return made


def _xml(score: Any) -> bytes:
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    return bytes(GeneralObjectExporter(score).parse())


# -- uploads: told by content -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "subtype", "mime"),
    [
        ("WAV", "PCM_16", "audio/wav"),
        ("FLAC", "PCM_16", "audio/flac"),
        ("OGG", "VORBIS", "audio/ogg"),
        ("MP3", "MPEG_LAYER_III", "audio/mpeg"),
    ],
)
def test_recordings_are_recognised_and_checked(fmt: str, subtype: str, mime: str) -> None:
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050)
    buffer = io.BytesIO()
    soundfile.write(buffer, tone.astype(np.float32), 22050, format=fmt, subtype=subtype)
    data = buffer.getvalue()
    assert upload_kind("anything", data) == "audio"
    found, measure = check_audio(data)
    assert found == mime and kind_of(mime) == "audio"
    assert measure.seconds == pytest.approx(1.0, abs=0.1)  # one second of tone, recorded
    with pytest.raises(ValueError, match="limit is 0"):
        check_audio(data, max_seconds=0.5)


def test_music_uploads_are_recognised_by_content_not_name() -> None:
    musicxml = render.to_musicxml(JIG)
    for data, mime in (
        (midi_of(JIG), "audio/midi"),
        (musicxml, "application/vnd.recordare.musicxml+xml"),
        (mxl(musicxml), "application/vnd.recordare.musicxml"),
        (JIG_ABC.encode(), "text/vnd.abc"),
    ):
        assert upload_kind("photo.png", data) == "music"
        found, measure = check_music(data)
        assert found == mime and kind_of(mime) == "music"
        # Its length is recorded at upload, for the budget of a job that reads it.
        assert (measure.bars, measure.quarters) == (JIG.bars(), float(JIG.quarter_length()))
        # And its melody's notes, as the engines read them (a note tied over a bar line
        # is two).
        line = melody_line(data)
        assert line is not None and measure.notes == len(line.parts[0].notes)
        assert len(JIG.parts[0].notes) <= measure.notes <= len(JIG.parts[0].notes) + 1
        assert measure.seconds == pytest.approx(measure.quarters * 60 / JIG.tempo)
    # A damaged file is judged by what its name says it was meant to be.
    assert upload_kind("tune.mid", b"garbage") == "music"
    assert upload_kind("hum.wav", b"garbage") == "audio"
    assert upload_kind("photo.png", b"garbage") is None
    with pytest.raises(ValueError, match="not an audio file"):
        check_audio(b"garbage")


# -- rendering --------------------------------------------------------------------------


def test_delivered_files_audio_score_and_determinism() -> None:
    # Bar 1: four quarter notes; bar 2: a whole rest; bar 3: a whole note. 2 s a bar.
    piece = Piece(
        parts=(Part("melody", melody((72, 1), (74, 1), (76, 1), (77, 1), (None, 4), (67, 4)), 73),),
        key="C major",
        meter="4/4",
        tempo=120,
        title="Render test",
    )
    files = render.deliver(piece, "test")
    assert [(f.name, f.mime) for f in files] == [
        ("test.wav", "audio/wav"),
        ("test.mid", "audio/midi"),
        ("test.musicxml", "application/vnd.recordare.musicxml+xml"),
        ("test.svg", "image/svg+xml"),
    ]
    assert [f.data for f in render.deliver(piece, "test")] == [f.data for f in files]

    with wave.open(io.BytesIO(files[0].data)) as sound:
        assert (sound.getframerate(), sound.getsampwidth(), sound.getnchannels()) == (44100, 2, 2)
        frames = sound.readframes(sound.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, 2).astype(float) / 32768
    assert render.seconds(piece) == 6.0  # 12 quarter notes at 120 a minute
    assert len(samples) == round((6 + render.TAIL_SECONDS) * 44100)

    def rms(start: float, end: float) -> float:
        part = samples[int(start * 44100) : int(end * 44100)]
        return float(np.sqrt(np.mean(part**2)))

    notes_1, rest, notes_3 = rms(0.1, 1.9), rms(2.8, 3.9), rms(4.1, 5.9)
    assert notes_1 > 0.01 and notes_3 > 0.01
    assert rest < 0.05 * min(notes_1, notes_3)

    svg = files[3].data.decode()
    assert svg.count('class="note"') == 5 and svg.count('class="measure"') == 3
    assert svg.count('class="mRest"') == 1 and 'viewBox="' in svg
    jig_svg = render.to_svg(render.to_musicxml(JIG)).decode()
    # The tied D is drawn as two notes; the pickup is a bar of its own.
    assert jig_svg.count('class="note"') == 9 and jig_svg.count('class="measure"') == 4
    assert jig_svg.count('class="tie"') == 1


def test_a_long_score_is_still_one_svg_with_every_bar() -> None:
    long_tune = Piece(
        parts=(Part("melody", melody(*[(60 + (i * 5) % 17, 1) for i in range(128 * 4)])),),
        key="C major",
        meter="4/4",
    )
    svg = render.to_svg(render.to_musicxml(long_tune)).decode()
    assert svg.count('class="measure"') == 128 and svg.count('class="note"') == 512


def test_audio_works_get_a_waveform_thumbnail() -> None:
    piece = Piece(
        parts=(Part("melody", melody((None, 4), (67, 4)), 73),),
        key="C major",
        meter="4/4",
        tempo=120,
    )
    wav = render.deliver(piece, "t", score=False)[0].data
    preview = Image.open(io.BytesIO(thumbnail(wav, "audio/wav") or b"")).convert("L")
    assert preview.format is None or preview.size == (384, 192)
    pixels = np.asarray(preview)
    # 5.5 s in 384 columns: a rest to column 139, the note to 279, then its release.
    silent, loud = pixels[:, 5:130], pixels[:, 150:270]
    assert np.delete(silent, [95, 96, 97], axis=0).min() > 200  # background and centre line

    assert (loud < 150).mean() > 0.2
