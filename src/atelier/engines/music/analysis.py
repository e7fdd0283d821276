"""Measures of what the music engines write, read from a Piece as a listener (or a test,
or `atelier eval music --blind`) would: the final chord of a four-part setting, clashes
with the melody, runs of one repeated note, and how far a restyled tune is from its
source (contour, rhythm, notes changed, the key's leading tone, the opening).

Keys are our text ("E minor", "D dorian"); a note is *diatonic* when it belongs to its
key's mode as written (the natural scale: the raised seventh of a minor key is not)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from atelier.engines.music import tokens as tok
from atelier.engines.music.piece import Note, Piece, merge_ties

WHITE_KEYS = frozenset({0, 2, 4, 5, 7, 9, 11})  # every mode's notes in its reference key
MINOR_THIRD_MODES = frozenset({"minor", "dorian", "phrygian", "aeolian", "locrian"})


def diatonic(pitch: int, key: str) -> bool:
    """Whether a pitch belongs to the key's natural scale (its mode as written)."""
    return (pitch + tok.key_shift(key)) % 12 in WHITE_KEYS


def tonic_triad(key: str, melody_last: int | None = None) -> tuple[int, int, int]:
    """Pitch classes of the key's tonic triad: root, third (the mode's, or the other one
    when the melody itself ends on it: a Picardy third), fifth."""
    root, mode = tok.split_key(key)
    third = (root + (3 if mode in MINOR_THIRD_MODES else 4)) % 12
    if melody_last is not None and melody_last % 12 == (root + 7 - (third - root) % 12) % 12:
        third = melody_last % 12
    return root, third, (root + 7) % 12


def beat_length(meter: str) -> Fraction:
    """The beat: a dotted quarter in compound meters (6/8, 9/8, 12/8), else the unit."""
    beats, _, unit = meter.partition("/")
    if unit == "8" and int(beats) % 3 == 0 and int(beats) > 3:
        return Fraction(3, 2)
    return Fraction(4, int(unit))


def sounding(notes: tuple[Note, ...], time: Fraction) -> Note | None:
    """The note (or rest) sounding at `time`."""
    for n in notes:
        if n.start <= time < n.start + n.duration:
            return n
    return None


# ---------------------------------------------------------------- four parts


@dataclass(frozen=True)
class FinalChord:
    pitches: tuple[int, ...]  # soprano, alto, tenor, bass as they sound at the last note
    held: bool  # every voice holds its note to the end (no passing note under the close)
    root_position_tonic: bool  # bass on the tonic, only tonic-triad notes, the third there


def final_chord(piece: Piece) -> FinalChord:
    """The chord under the melody's last note, and whether it is the key's tonic triad in
    root position, held by every voice to the end."""
    soprano = [n for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]
    if not soprano or len(piece.parts) < 4:
        raise ValueError("a four-part piece with a melody is needed")
    last = soprano[-1]
    end = last.start + last.duration
    pitches: list[int] = [last.pitch] if last.pitch is not None else []
    held = True
    for part in piece.parts[1:4]:
        notes = merge_ties(part.notes)
        under = sounding(notes, last.start)
        if under is None or under.pitch is None:
            held = False
            continue
        pitches.append(under.pitch)
        held &= under.start + under.duration >= end
    root, third, fifth = tonic_triad(piece.key, last.pitch)
    classes = {p % 12 for p in pitches}
    good = len(pitches) == 4 and pitches[-1] % 12 == root and classes <= {root, third, fifth}
    return FinalChord(tuple(pitches), held, good and third in classes and held)


def clashes(piece: Piece) -> int:
    """Beats where a lower voice sounds a semitone (or a minor ninth, or a major seventh)
    from the melody and one of the two notes is outside the key's scale: a chromatic
    note rubbing against the tune."""
    melody = piece.parts[0].notes
    beat = beat_length(piece.meter)
    offset = piece.pickup % beat
    count = 0
    time = offset
    end = piece.quarter_length()
    while time < end:
        top = sounding(melody, time)
        if top is not None and top.pitch is not None:
            for part in piece.parts[1:]:
                low = sounding(part.notes, time)
                if low is None or low.pitch is None:
                    continue
                semitone = (top.pitch - low.pitch) % 12 in (1, 11)
                chromatic = not (diatonic(top.pitch, piece.key) and diatonic(low.pitch, piece.key))
                count += semitone and chromatic
        time += beat
    return count


# ---------------------------------------------------------------- melodies


def pitched(piece: Piece) -> list[Note]:
    """The melody's notes as heard (ties joined), without rests."""
    return [n for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]


def longest_repeat(notes: list[Note]) -> int:
    """The most notes in a row on one pitch (a rest between them does not break the run)."""
    longest = run = 0
    previous: int | None = None
    for n in notes:
        run = run + 1 if n.pitch == previous else 1
        previous = n.pitch
        longest = max(longest, run)
    return longest


def _grid(notes: list[Note], step: Fraction, end: Fraction) -> list[int | None]:
    """The pitch sounding at each step (None in a rest)."""
    out: list[int | None] = []
    time = Fraction(0)
    index = 0
    while time < end:
        while index < len(notes) and notes[index].start + notes[index].duration <= time:
            index += 1
        n = notes[index] if index < len(notes) else None
        out.append(n.pitch if n is not None and n.start <= time else None)
        time += step
    return out


def contour_similarity(source: Piece, other: Piece) -> float:
    """How alike two melodies' shapes are: on every eighth where both sound, whether the
    pitch goes up, down or stays since the last eighth both sounded, and the share of
    those moves that agree (1: the same contour)."""
    step = Fraction(1, 2)
    end = max(source.quarter_length(), other.quarter_length())
    a, b = _grid(pitched(source), step, end), _grid(pitched(other), step, end)
    agree = total = 0
    last: tuple[int, int] | None = None
    for x, y in zip(a, b, strict=True):
        if x is None or y is None:
            continue
        if last is not None and (x, y) != last:
            dx, dy = x - last[0], y - last[1]
            if dx or dy:
                total += 1
                agree += (dx > 0) - (dx < 0) == (dy > 0) - (dy < 0)
        last = (x, y)
    return agree / total if total else 1.0


def rhythm_similarity(source: Piece, other: Piece) -> float:
    """The F1 score of the two melodies' note onsets (1: the same rhythm)."""
    a = {n.start for n in pitched(source)}
    b = {n.start for n in pitched(other)}
    if not a or not b:
        return 0.0
    both = len(a & b)
    return 2 * both / (len(a) + len(b))


def changed_share(source: Piece, other: Piece) -> float:
    """The share of the source's notes whose pitch is not sounding at their onset in the
    other melody."""
    notes = pitched(source)
    theirs = tuple(pitched(other))
    changed = 0
    for n in notes:
        there = sounding(theirs, n.start)
        changed += there is None or there.pitch != n.pitch
    return changed / len(notes) if notes else 0.0


def leading_tones(piece: Piece) -> list[Fraction]:
    """Onsets of the raised seventh in a minor-mode tune (G♯ in A minor)."""
    root, mode = tok.split_key(piece.key)
    if mode not in ("minor", "aeolian"):
        return []
    return [
        n.start for n in pitched(piece) if n.pitch is not None and n.pitch % 12 == (root - 1) % 12
    ]


def leading_tones_kept(source: Piece, other: Piece) -> float:
    """Of the source's raised sevenths, the share the other melody still sounds there."""
    onsets = leading_tones(source)
    if not onsets:
        return 1.0
    root = tok.split_key(source.key)[0]
    theirs = tuple(pitched(other))
    kept = 0
    for time in onsets:
        there = sounding(theirs, time)
        kept += (
            there is not None and there.pitch is not None and there.pitch % 12 == (root - 1) % 12
        )
    return kept / len(onsets)


def opening(piece: Piece, notes: int = 4) -> list[int]:
    """The first few pitches: the motif a listener knows the tune by."""
    return [n.pitch for n in pitched(piece)[:notes] if n.pitch is not None]
