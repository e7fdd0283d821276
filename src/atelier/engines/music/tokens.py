"""The melody tokenizer shared by training (datasets/music.py) and the engines.

A melody is key-normalised first: transposed so its key signature has no sharps or flats
(major → C, minor → A, dorian → D, …), by the smallest shift (−6…+5 semitones), and the
shift is kept so the engines can transpose back. Then it is one token sequence:

    BOS STYLE_s MODE_m METER_x  ( [BAR…] POS_p PITCH_x|REST DUR_d )*  EOS

A BAR token starts each new bar a note lands in; POS is the note's place in its bar and
DUR its length, both in 24ths of a quarter note (16ths, 32nds and triplets are exact).
Notes are the notes as heard (tied chains joined), so a note may cross bar lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from atelier.engines.music.piece import Note, Part, Piece, bar_length, merge_ties

STYLES = ("german-folk", "irish", "scottish", "chorale", "renaissance")
METERS = ("2/4", "3/4", "4/4", "2/2", "3/2", "3/8", "6/8", "9/8", "12/8")
# Each mode's tonic when its signature has no accidentals (pitch class).
MODE_TONIC = {
    "major": 0,
    "minor": 9,
    "dorian": 2,
    "phrygian": 4,
    "lydian": 5,
    "mixolydian": 7,
    "aeolian": 9,
    "locrian": 11,
}
MODES = tuple(MODE_TONIC)
PITCH_LOW, PITCH_HIGH = 36, 96  # normalised MIDI range the model knows (C2…C7)
TICKS = 24  # ticks per quarter note
MAX_TICKS = 6 * TICKS  # the longest bar (3/2, 12/8)
# Durations: every tick up to a 3/2 bar, then whole quarters up to 16 (long final notes).
DURATIONS = (*range(1, MAX_TICKS + 1), *range(MAX_TICKS + TICKS, 16 * TICKS + 1, TICKS))
DUR_INDEX = {ticks: index for index, ticks in enumerate(DURATIONS)}

SPECIALS = ("PAD", "BOS", "EOS", "BAR", "REST")
VOCAB: tuple[str, ...] = (
    *SPECIALS,
    *(f"STYLE_{s}" for s in STYLES),
    *(f"MODE_{m}" for m in MODES),
    *(f"METER_{m}" for m in METERS),
    *(f"PITCH_{p}" for p in range(PITCH_LOW, PITCH_HIGH + 1)),
    *(f"POS_{t}" for t in range(MAX_TICKS)),
    *(f"DUR_{t}" for t in DURATIONS),
)
ID = {name: index for index, name in enumerate(VOCAB)}
PAD, BOS, EOS, BAR, REST = (ID[s] for s in SPECIALS)
FIRST_PITCH = ID[f"PITCH_{PITCH_LOW}"]
FIRST_POS = ID["POS_0"]
FIRST_DUR = ID["DUR_1"]
HEADER = 4  # BOS STYLE MODE METER


class TokenError(ValueError):
    """A melody the tokenizer cannot represent (its text says why)."""


def pitch_id(pitch: int) -> int:
    return FIRST_PITCH + pitch - PITCH_LOW


def pos_id(ticks: int) -> int:
    return FIRST_POS + ticks


def dur_id(ticks: int) -> int:
    return FIRST_DUR + DUR_INDEX[ticks]


def dur_ticks(token: int) -> int:
    return DURATIONS[token - FIRST_DUR]


def is_pitch(token: int) -> bool:
    return FIRST_PITCH <= token < FIRST_POS


def is_dur(token: int) -> bool:
    return FIRST_DUR <= token < len(VOCAB)


def split_key(key: str) -> tuple[int, str]:
    """ "F# minor" → (6, "minor"); unknown modes are refused."""
    tonic, _, mode = key.partition(" ")
    names = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    if not tonic or tonic[0].upper() not in names:
        raise TokenError(f"not a key: {key!r}")
    pitch_class = names[tonic[0].upper()]
    for accidental in tonic[1:]:
        if accidental in "#":
            pitch_class += 1
        elif accidental in "b-":
            pitch_class -= 1
        else:
            raise TokenError(f"not a key: {key!r}")
    mode = (mode or "major").lower()
    if mode not in MODE_TONIC:
        raise TokenError(f"mode {mode!r} is not one of {', '.join(MODES)}")
    return pitch_class % 12, mode


def key_shift(key: str) -> int:
    """Semitones that take `key` to its reference (C major, A minor, D dorian…), −6…+5."""
    tonic, mode = split_key(key)
    return (MODE_TONIC[mode] - tonic + 6) % 12 - 6


def transpose(piece: Piece, semitones: int, key: str) -> Piece:
    parts = tuple(
        Part(
            part.name,
            tuple(
                Note(None if n.pitch is None else n.pitch + semitones, n.start, n.duration, n.tie)
                for n in part.notes
            ),
            part.program,
        )
        for part in piece.parts
    )
    return Piece(parts, key, piece.meter, piece.tempo, piece.pickup, piece.title)


def ticks(value: Fraction, what: str) -> int:
    scaled = value * TICKS
    if scaled.denominator != 1:
        raise TokenError(f"{what} {value} is finer than a 24th of a quarter note")
    return int(scaled)


def _rests_split(notes: tuple[Note, ...]) -> list[Note]:
    """Rests longer than the longest duration token, cut into pieces that fit."""
    out: list[Note] = []
    longest = Fraction(MAX_TICKS, TICKS)
    for n in notes:
        start, left = n.start, n.duration
        while n.pitch is None and left > longest:
            out.append(Note(None, start, longest))
            start, left = start + longest, left - longest
        out.append(Note(n.pitch, start, left, n.tie))
    return out


@dataclass(frozen=True)
class Encoded:
    tokens: list[int]
    shift: int  # semitones added to reach the reference key
    mode: str


def encode(piece: Piece, style: str, part: int = 0) -> Encoded:
    """One part of a piece as tokens, key-normalised."""
    if style not in STYLES:
        raise TokenError(f"unknown style {style!r}")
    if piece.meter not in METERS:
        raise TokenError(f"meter {piece.meter} is not one of {', '.join(METERS)}")
    tonic, mode = split_key(piece.key)
    shift = key_shift(piece.key)
    bar = ticks(bar_length(piece.meter), "bar")
    # A pickup is placed at the end of its bar, so positions are metrical positions.
    offset = (bar - ticks(piece.pickup, "pickup")) % bar if piece.pickup else 0
    tokens = [BOS, ID[f"STYLE_{style}"], ID[f"MODE_{mode}"], ID[f"METER_{piece.meter}"]]
    current_bar = -1
    notes = _rests_split(merge_ties(piece.parts[part].notes))
    if not any(n.pitch is not None for n in notes):
        raise TokenError("the melody has no notes")
    for n in notes:
        start = ticks(n.start, "a note's start") + offset
        length = ticks(n.duration, "a duration")
        if length not in DUR_INDEX:
            raise TokenError(f"a note of {n.duration} quarters is too long")
        bar_index = start // bar
        tokens += [BAR] * (bar_index - current_bar)
        current_bar = bar_index
        tokens.append(pos_id(start % bar))
        if n.pitch is None:
            tokens.append(REST)
        else:
            pitch = n.pitch + shift
            if not PITCH_LOW <= pitch <= PITCH_HIGH:
                raise TokenError(f"pitch {n.pitch} is outside the range the model knows")
            tokens.append(pitch_id(pitch))
        tokens.append(dur_id(length))
    tokens.append(EOS)
    return Encoded(tokens, shift, mode)


@dataclass(frozen=True)
class Header:
    style: str
    mode: str
    meter: str


def header(tokens: list[int]) -> Header:
    names = [VOCAB[t] for t in tokens[1:HEADER]]
    return Header(names[0][6:], names[1][5:], names[2][6:])


def notes_of(tokens: list[int], meter: str) -> tuple[list[Note], Fraction]:
    """The notes a token body describes (reference key) and the pickup they imply.

    Tolerant by design: a token out of place is skipped, so any sequence decodes."""
    bar = ticks(bar_length(meter), "bar")
    bar_index, position = -1, None
    pitch: int | None = None
    have_pitch = False
    placed: list[tuple[int, int | None, int]] = []  # (tick, pitch, length)
    for token in tokens:
        if token == BAR:
            bar_index += 1
        elif FIRST_POS <= token < FIRST_DUR:
            position = token - FIRST_POS
            have_pitch = False
        elif token == REST or is_pitch(token):
            pitch = None if token == REST else token - FIRST_PITCH + PITCH_LOW
            have_pitch = position is not None
        elif is_dur(token) and have_pitch and position is not None:
            placed.append((max(bar_index, 0) * bar + position, pitch, dur_ticks(token)))
            have_pitch = False
        elif token == EOS:
            break
    if not placed:
        return [], Fraction(0)
    first_tick = placed[0][0]
    offset = first_tick if first_tick < bar else 0
    pickup = Fraction(bar - offset, TICKS) if offset else Fraction(0)
    notes: list[Note] = []
    cursor = 0
    for tick, pitch, length in placed:
        tick -= offset
        if tick < cursor:  # overlapping: the earlier note is cut
            if notes and tick > Fraction(notes[-1].start) * TICKS:
                last = notes[-1]
                notes[-1] = Note(last.pitch, last.start, Fraction(tick, TICKS) - last.start)
            else:
                continue
        elif tick > cursor:
            notes.append(Note(None, Fraction(cursor, TICKS), Fraction(tick - cursor, TICKS)))
        notes.append(Note(pitch, Fraction(tick, TICKS), Fraction(length, TICKS)))
        cursor = tick + length
    return notes, pickup


def decode(tokens: list[int], key: str, tempo: int = 100, title: str = "") -> Piece:
    """Tokens back to a one-part Piece, transposed from the reference key to `key`."""
    head = header(tokens)
    notes, pickup = notes_of(tokens[HEADER:], head.meter)
    reference = Piece((Part("melody", tuple(notes)),), key, head.meter, tempo, pickup, title)
    return transpose(reference, -key_shift(key), key)
