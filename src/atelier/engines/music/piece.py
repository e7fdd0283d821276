"""The one music type every music engine reads and writes, and its bridge to music21.

File formats live at the edges (files.py reads them, render.py writes them); engines
transform `Piece`s. Times are exact fractions of a quarter note, so triplets survive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from music21 import (
    chord,
    clef,
    instrument,
    key,
    metadata,
    note,
    stream,
)
from music21 import (
    meter as m21meter,
)
from music21 import (
    pitch as m21pitch,
)
from music21 import (
    tempo as m21tempo,
)
from music21 import (
    tie as m21tie,
)


@dataclass(frozen=True)
class Note:
    pitch: int | None  # MIDI number 0–127; None is a rest
    start: Fraction  # offset from the piece's start, in quarter notes
    duration: Fraction  # in quarter notes, > 0
    tie: bool = False  # tied into the next note of the same pitch


@dataclass(frozen=True)
class Part:
    name: str  # "melody", or "soprano" / "alto" / "tenor" / "bass"
    notes: tuple[Note, ...]  # sorted by start, monophonic (no overlaps)
    program: int = 0  # General MIDI program (0–127) used for rendering


@dataclass(frozen=True)
class Piece:
    parts: tuple[Part, ...]
    key: str  # tonic and mode, e.g. "G major", "E minor", "D dorian"
    meter: str  # "4/4", "3/4", "6/8", "2/4", "3/2", ...
    tempo: int = 100  # quarter notes per minute
    pickup: Fraction = Fraction(0)  # length of an anacrusis, in quarter notes
    title: str = ""

    def quarter_length(self) -> Fraction:
        """Where the last note or rest of any part ends."""
        ends = [n.start + n.duration for part in self.parts for n in part.notes]
        return max(ends, default=Fraction(0))

    def bars(self) -> int:
        """Full bars after the pickup (a pickup is not counted; a short last bar is)."""
        after_pickup = self.quarter_length() - self.pickup
        return max(0, math.ceil(after_pickup / bar_length(self.meter)))


def bar_length(meter: str) -> Fraction:
    """A meter's bar in quarter notes: "6/8" is 3, "3/2" is 6."""
    beats, _, unit = meter.partition("/")
    if not (beats.isdigit() and unit.isdigit() and int(beats) > 0 and int(unit) > 0):
        raise ValueError(f"not a meter: {meter!r}")
    return Fraction(int(beats) * 4, int(unit))


def key_name(k: key.Key) -> str:
    """music21's key as our text: "Bb major", "F# minor" (flats written b, not -)."""
    return f"{k.tonic.name.replace('-', 'b')} {k.mode}"


def music21_key(name: str) -> key.Key:
    """Our key text back as a music21 key ("Bb major" → B- major)."""
    tonic, _, mode = name.partition(" ")
    if len(tonic) > 1:
        tonic = tonic[0] + tonic[1:].replace("b", "-")
    return key.Key(tonic, mode or "major")


def merge_ties(notes: tuple[Note, ...]) -> tuple[Note, ...]:
    """The notes as heard: each tied chain joined into one note (rests kept)."""
    merged: list[Note] = []
    for n in notes:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.tie
            and previous.pitch == n.pitch
            and previous.pitch is not None
            and previous.start + previous.duration == n.start
        ):
            merged[-1] = Note(previous.pitch, previous.start, previous.duration + n.duration, n.tie)
        else:
            merged.append(n)
    return tuple(merged)


def _fraction(value: Any) -> Fraction:
    """music21 offsets are floats or Fractions; MIDI floats are snapped to 1/480 quarter."""
    return Fraction(value).limit_denominator(480)


# ---------------------------------------------------------------- music21 → Piece


def from_music21(source: Any) -> Piece:
    """A music21 Score, Part or Stream as a Piece.

    Each part becomes one monophonic line: a chord or simultaneous notes give their top
    note, a note cut short by a later one ends there, and gaps become rests."""
    every_part = list(source.parts) if isinstance(source, stream.Score) else [source]
    lines = [(p, _line(p)) for p in every_part]
    with_notes = [(p, line) for p, line in lines if line] or lines[:1]
    single = len(with_notes) == 1
    parts = tuple(
        Part(_part_name(p, i, single), line, _program(p)) for i, (p, line) in enumerate(with_notes)
    )
    parts_in = [p for p, _ in with_notes]
    flat = source.flatten()
    meter_text = _meter(source)
    title = source.metadata.bestTitle if source.metadata is not None else ""
    return Piece(
        parts=parts,
        key=_key(flat),
        meter=meter_text,
        tempo=_tempo(flat),
        pickup=_pickup(parts_in[0], meter_text),
        title=title or "",
    )


def part_from_music21(part: Any, name: str) -> Part:
    """One music21 part as a Part of that name: its top line and its instrument."""
    return Part(name, _line(part), _program(part))


def _part_name(part: Any, index: int, single: bool) -> str:
    name = (getattr(part, "partName", None) or "").strip().lower()
    if single:
        return name if name in {"soprano", "alto", "tenor", "bass"} else "melody"
    return name or f"part {index + 1}"


def _program(part: Any) -> int:
    found = part.recurse().getElementsByClass(instrument.Instrument).first()
    program = getattr(found, "midiProgram", None)
    return program if isinstance(program, int) and 0 <= program <= 127 else 0


def _line(part: Any) -> tuple[Note, ...]:
    """The part's top line, with rests filling every gap; it ends with its last note (a
    closing rest is padding that file formats add or drop as they please). Unpitched
    (drum) notes and grace notes are left out."""
    flat = part.flatten()
    by_start: dict[Fraction, tuple[int, Fraction, bool]] = {}
    for element in flat.notes:
        duration = _fraction(element.duration.quarterLength)
        if duration <= 0 or not isinstance(element, note.Note | chord.Chord):
            continue
        if isinstance(element, chord.Chord):
            pitch = max(p.midi for p in element.pitches)
        else:
            pitch = element.pitch.midi
        tied = element.tie is not None and element.tie.type in ("start", "continue")
        start = _fraction(element.offset)
        kept = by_start.get(start)
        if kept is None or pitch > kept[0]:
            by_start[start] = (pitch, duration, tied)
    notes: list[Note] = []
    for start in sorted(by_start):
        pitch, duration, tied = by_start[start]
        if notes and notes[-1].start + notes[-1].duration > start:
            cut = notes[-1]
            notes[-1] = Note(cut.pitch, cut.start, start - cut.start, False)
        notes.append(Note(pitch, start, duration, tied))
    return _with_rests(notes, notes[-1].start + notes[-1].duration if notes else Fraction(0))


def _with_rests(notes: list[Note], end: Fraction) -> tuple[Note, ...]:
    """Pitched notes sorted by start, with a rest in each gap and up to `end`; a tie is
    kept only into a next note of the same pitch that follows at once."""
    pitched = [n for n in notes if n.pitch is not None]
    line: list[Note] = []
    cursor = Fraction(0)
    for index, n in enumerate(pitched):
        following = pitched[index + 1] if index + 1 < len(pitched) else None
        tied = (
            n.tie
            and following is not None
            and following.pitch == n.pitch
            and following.start == n.start + n.duration
        )
        if n.start > cursor:
            line.append(Note(None, cursor, n.start - cursor))
        line.append(Note(n.pitch, n.start, n.duration, tied))
        cursor = n.start + n.duration
    if end > cursor:
        line.append(Note(None, cursor, end - cursor))
    return tuple(line)


def _key(flat: Any) -> str:
    """The written key; a bare key signature is read as major or minor by analysis."""
    keys = list(flat.getElementsByClass(key.Key))
    if keys:
        return key_name(keys[0])
    signatures = list(flat.getElementsByClass(key.KeySignature))
    if not flat.getElementsByClass((note.Note, chord.Chord)):
        return "C major"
    analysed = flat.analyze("key")
    if not signatures:
        return key_name(analysed)
    sharps = signatures[0].sharps
    for candidate in [analysed, *analysed.alternateInterpretations]:
        if candidate.sharps == sharps and candidate.mode in ("major", "minor"):
            return key_name(candidate)
    return key_name(signatures[0].asKey("major"))


def _meter(source: Any) -> str:
    """The first time signature in reading order (the flat view can misplace one that
    music21's ABC reader makes from a tune's later "L:" line)."""
    signature = source.recurse().getElementsByClass(m21meter.TimeSignature).first()
    return str(signature.ratioString) if signature is not None else "4/4"


def _tempo(flat: Any) -> int:
    marks = list(flat.getElementsByClass(m21tempo.MetronomeMark))
    for mark in marks:
        bpm = mark.getQuarterBPM()
        if bpm:
            return int(round(bpm))
    return 100


def _pickup(part: Any, meter_text: str) -> Fraction:
    """The first measure's length when it is shorter than a bar (an anacrusis)."""
    measures = list(part.getElementsByClass(stream.Measure))
    if len(measures) < 2:
        return Fraction(0)
    first = measures[0]
    length = _fraction(first.duration.quarterLength)
    padding = _fraction(first.paddingLeft or 0)
    if padding > 0:
        return bar_length(meter_text) - padding
    if 0 < length < bar_length(meter_text):
        return length
    return Fraction(0)


# ---------------------------------------------------------------- Piece → music21


def to_music21(piece: Piece) -> stream.Score:
    """A music21 Score with measures (pickup first), ties across bar lines, key, meter,
    tempo, title and one instrument per part."""
    score = stream.Score()
    score.metadata = metadata.Metadata()
    score.metadata.title = piece.title
    boundaries = _bar_lines(piece)
    for index, part in enumerate(piece.parts):
        score.insert(0, _part_to_music21(piece, part, boundaries, index))
    return score


def _bar_lines(piece: Piece) -> list[Fraction]:
    """Measure starts and the piece's end: the pickup, then whole bars; the last bar may
    be short (as after a pickup). An empty piece is one bar of rest."""
    bar = bar_length(piece.meter)
    end = piece.quarter_length() or bar
    lines = [Fraction(0)]
    position = piece.pickup if piece.pickup > 0 else bar
    while position < end:
        lines.append(position)
        position += bar
    lines.append(end)
    return lines


def _part_to_music21(
    piece: Piece, part: Part, boundaries: list[Fraction], index: int
) -> stream.Part:
    part_id = f"P{index + 1}"  # fixed ids: the same piece gives the same MusicXML
    out = stream.Part(id=part_id)
    out.partName = part.name
    out.partAbbreviation = part.name[:3].title()
    voice = instrument.instrumentFromMidiProgram(part.program)
    voice.partName = part.name
    voice.instrumentId = f"I{index + 1}"
    voice.partId = part_id
    out.insert(0, voice)
    pieces = _split_at_bar_lines(_filled(part.notes, boundaries[-1]), boundaries)
    spelling = _spelling(music21_key(piece.key))
    tied_from_previous = False
    for number, (start, end) in enumerate(zip(boundaries, boundaries[1:], strict=False)):
        measure = stream.Measure(number=number if piece.pickup > 0 else number + 1)
        if number == 0:
            measure.insert(0, _clef(part))
            measure.insert(0, music21_key(piece.key))
            measure.insert(0, m21meter.TimeSignature(piece.meter))
            if index == 0:
                measure.insert(0, m21tempo.MetronomeMark(number=piece.tempo))
            if piece.pickup > 0:
                measure.paddingLeft = float(bar_length(piece.meter) - piece.pickup)
        for n in pieces:
            if not start <= n.start < end:
                continue
            element: note.GeneralNote
            if n.pitch is None:
                element = note.Rest(quarterLength=n.duration)
            else:
                element = note.Note(spelling[n.pitch % 12], quarterLength=n.duration)
                element.pitch.octave = _octave(element.pitch, n.pitch)
                if n.tie or tied_from_previous:
                    kind = "continue" if (n.tie and tied_from_previous) else "start"
                    element.tie = m21tie.Tie(kind if n.tie else "stop")
            tied_from_previous = n.pitch is not None and n.tie
            measure.insert(n.start - start, element)
        out.append(measure)
    return out


SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "D-", "D", "E-", "E", "F", "G-", "G", "A-", "A", "B-", "B")


def _spelling(k: key.Key) -> dict[int, str]:
    """A note name for each pitch class in key `k`: the scale's own names (in minor also
    the raised sixth and seventh), otherwise sharps in sharp keys and flats in flat keys."""
    names = dict(enumerate(SHARP_NAMES if k.sharps >= 0 else FLAT_NAMES))
    scale = list(k.pitches)
    if k.mode == "minor":
        scale += [scale[5].transpose("A1"), scale[6].transpose("A1")]
    for p in scale:
        names[p.pitchClass] = p.name
    return names


def _octave(spelled: m21pitch.Pitch, midi: int) -> int:
    """The octave that gives a spelled pitch its MIDI number (B#3 is MIDI 60)."""
    spelled.octave = midi // 12 - 1
    return spelled.octave + (midi - spelled.midi) // 12


def _clef(part: Part) -> clef.Clef:
    """Treble, treble-8vb (a tenor's) or bass, by the part's average pitch."""
    pitches = [n.pitch for n in part.notes if n.pitch is not None]
    average = sum(pitches) / len(pitches) if pitches else 72
    if average >= 62:
        return clef.TrebleClef()
    if average >= 54 and part.name != "bass":
        return clef.Treble8vbClef()
    return clef.BassClef()


def _filled(notes: tuple[Note, ...], end: Fraction) -> tuple[Note, ...]:
    """The part's notes with rests in any gap and up to the last bar line."""
    return _with_rests([n for n in notes if n.pitch is not None], end)


def _split_at_bar_lines(notes: tuple[Note, ...], boundaries: list[Fraction]) -> list[Note]:
    """Notes cut where they cross a bar line; the pitched pieces are tied together."""
    out: list[Note] = []
    for n in notes:
        start, end = n.start, n.start + n.duration
        cuts = [b for b in boundaries if start < b < end]
        for cut in cuts:
            out.append(Note(n.pitch, start, cut - start, tie=n.pitch is not None))
            start = cut
        out.append(Note(n.pitch, start, end - start, n.tie))
    return out
