"""Four-part harmonization on an eighth-note grid: the grid a melody becomes, the
constrained decoding of HarmonyNet, the voice-leading counts, and the grid back as parts.

Decoding keeps every voice in its range, never crosses voices or spaces the upper voices
more than an octave apart, avoids parallel fifths and octaves whenever another choice is
left, never sets a chromatic note a semitone from the melody (nor a diatonic one against
a chromatic melody note), and closes on the tonic triad in root position, third included
(the tenor is chosen so that the alto can still take the third), held by every voice for
the whole of the melody's last note (a bass that only reaches the tonic on the last
eighth is heard as a passing note, not a cadence); among `candidates` drafts it keeps
the one with the fewest voice-leading faults, then the most likely (the engines draw one
at a time and pick by their own checks: generating.harmonized).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch

from atelier.engines.music.model import GRID_POSITIONS, PITCHES, HarmonyNet
from atelier.engines.music.piece import Note, Part

STEP = Fraction(1, 2)  # quarter notes per grid step
WHITE_KEYS = frozenset({0, 2, 4, 5, 7, 9, 11})  # the natural scale in the reference key
VOICES = ("soprano", "alto", "tenor", "bass")
# Textbook SATB ranges (MIDI): soprano C4–A5, alto G3–D5, tenor C3–G4, bass E2–C4.
RANGES = {"soprano": (60, 81), "alto": (55, 74), "tenor": (48, 67), "bass": (40, 60)}


def voice_grid(notes: tuple[Note, ...], length: Fraction) -> np.ndarray:
    """The pitch sounding at each eighth (0 in a rest) up to `length` quarters."""
    grid = np.zeros(math.ceil(length / STEP), dtype=np.int64)
    for n in notes:
        if n.pitch is not None:
            grid[math.ceil(n.start / STEP) : math.ceil((n.start + n.duration) / STEP)] = n.pitch
    return grid


def features(soprano: np.ndarray, start: int, bar_eighths: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each step falls in its bar, and whether the soprano sounds a new note there."""
    position = (start + np.arange(len(soprano))) % bar_eighths % GRID_POSITIONS
    onset = np.ones(len(soprano), dtype=np.int64)
    onset[1:] = soprano[1:] != soprano[:-1]
    return position.astype(np.int64), onset


@dataclass(frozen=True)
class Faults:
    parallel_fifths: int
    parallel_octaves: int
    range_violations: int
    crossings: int

    @property
    def total(self) -> int:
        return self.parallel_fifths + self.parallel_octaves + self.range_violations + self.crossings


def _parallels(previous: np.ndarray, current: np.ndarray) -> tuple[int, int]:
    """Fifths and octaves (or unisons) between any two voices moving the same way."""
    fifths = octaves = 0
    for upper in range(4):
        for lower in range(upper + 1, 4):
            a0, b0, a1, b1 = previous[upper], previous[lower], current[upper], current[lower]
            if 0 in (a0, b0, a1, b1) or a0 == a1 or b0 == b1:
                continue
            if (a1 - a0) * (b1 - b0) <= 0:
                continue
            before, after = abs(a0 - b0) % 12, abs(a1 - b1) % 12
            fifths += before == after == 7
            octaves += before == after == 0
    return fifths, octaves


def faults(grid: np.ndarray) -> Faults:
    """Voice-leading faults of a (steps, 4) S-A-T-B grid, counted where a chord changes."""
    fifths = octaves = ranges = crossings = 0
    previous: np.ndarray | None = None
    for row in grid:
        if previous is not None and np.array_equal(row, previous):
            continue
        for voice, pitch in enumerate(row):
            if pitch and (previous is None or pitch != previous[voice]):
                low, high = RANGES[VOICES[voice]]
                ranges += not low <= pitch <= high
        crossings += sum(1 for v in range(3) if row[v] and row[v + 1] and row[v + 1] > row[v])
        if previous is not None:
            f, o = _parallels(previous, row)
            fifths, octaves = fifths + f, octaves + o
        previous = row
    return Faults(fifths, octaves, ranges, crossings)


def _allowed(voice: str, upper: int, below: int, shift: int) -> np.ndarray:
    """Pitches (reference key) a voice may take under `upper` and above `below`."""
    low, high = RANGES[voice]
    pitches = np.arange(PITCHES)
    sounding = pitches - shift  # the actual pitch once transposed back to the user's key
    ok = (sounding >= low) & (sounding <= high) & (pitches <= upper) & (pitches >= below)
    if voice != "bass":
        ok &= pitches >= upper - 12
    return ok


def _choose(
    logits: torch.Tensor,
    allowed: np.ndarray,
    avoid: np.ndarray,
    rng: np.random.Generator,
    temperature: float,
) -> tuple[int, float]:
    """Sample one pitch among the allowed ones, preferring those not in `avoid`."""
    scores = logits.double().numpy() / max(temperature, 1e-3)
    keep = allowed & ~avoid if (allowed & ~avoid).any() else allowed
    if not keep.any():
        keep = np.zeros_like(allowed)
        keep[int(np.argmax(np.where(allowed, scores, -np.inf)))] = True if allowed.any() else 0
        if not keep.any():
            return 0, 0.0
    scores = np.where(keep, scores, -np.inf)
    probs = np.exp(scores - scores.max())
    probs /= probs.sum()
    choice = int(rng.choice(len(probs), p=probs))
    log_probs = torch.log_softmax(logits.double(), dim=-1)
    return choice, float(log_probs[choice])


def _parallel_with(chord: dict[int, int], previous: np.ndarray, voice: int) -> np.ndarray:
    """Candidate pitches for `voice` that would move in parallel fifths or octaves with a
    voice already chosen in this chord."""
    bad = np.zeros(PITCHES, dtype=bool)
    before = previous[voice]
    if not before:
        return bad
    for other, pitch in chord.items():
        other_before = previous[other]
        if not pitch or not other_before or pitch == other_before:
            continue
        for candidate in range(1, PITCHES):
            if candidate == before or (candidate - before) * (pitch - other_before) <= 0:
                continue
            if abs(candidate - pitch) % 12 == abs(before - other_before) % 12 in (0, 7):
                bad[candidate] = True
    return bad


def _clashing(soprano: int, scale: frozenset[int]) -> np.ndarray:
    """Pitches a semitone (or a major seventh, a minor ninth…) from the soprano where
    either note is outside the scale: a chromatic rub against the melody."""
    pitches = np.arange(PITCHES)
    semitone = np.isin((pitches - soprano) % 12, (1, 11))
    in_scale = np.isin(pitches % 12, sorted(scale))
    return semitone & ~(in_scale & (soprano % 12 in scale))


def tonic_triad(mode: str, soprano: int) -> tuple[int, int, int]:
    """Root, third and fifth (pitch classes, reference key) of the closing chord: the
    mode's own third unless the melody ends on the other one (a Picardy third)."""
    root = 9 if mode == "minor" else 0
    third = (root + (3 if mode == "minor" else 4)) % 12
    other = (root + (4 if mode == "minor" else 3)) % 12
    if soprano % 12 == other:
        third = other
    return root, third, (root + 7) % 12


def final_onset(soprano: np.ndarray) -> int:
    """The step where the melody's last note begins (repeats of it count as one note)."""
    sounding = np.flatnonzero(soprano)
    if not len(sounding):
        return len(soprano)
    t = int(sounding[-1])
    while t > 0 and soprano[t - 1] == soprano[t]:
        t -= 1
    return t


@torch.no_grad()
def harmonize(
    net: HarmonyNet,
    soprano: np.ndarray,
    start: int,
    bar_eighths: int,
    mode: str,
    shift: int,
    rng: np.random.Generator,
    temperature: float = 0.6,
    candidates: int = 3,
    scale: frozenset[int] = WHITE_KEYS,
) -> np.ndarray:
    """A (steps, 4) S-A-T-B grid under a soprano grid in the reference key (`scale`: the
    key's natural scale there, for the clash rule)."""
    position, onset = features(soprano, start, bar_eighths)
    context = net.read(
        torch.from_numpy(soprano)[None],
        torch.from_numpy(position)[None],
        torch.from_numpy(onset)[None],
        torch.tensor([int(mode == "minor")]),
    )
    best: tuple[int, float, np.ndarray] | None = None
    for _ in range(candidates):
        grid, score = _draft(net, context, soprano, mode, shift, scale, rng, temperature)
        count = faults(grid - np.where(grid > 0, shift, 0)).total + _incomplete_close(grid, mode)
        if best is None or (count, -score) < (best[0], -best[1]):
            best = (count, score, grid)
    assert best is not None
    return best[2]


def _incomplete_close(grid: np.ndarray, mode: str) -> int:
    """1 when the closing chord lacks its third (an open fifth), else 0."""
    close = final_onset(grid[:, 0])
    if close >= len(grid):
        return 0
    third = tonic_triad(mode, int(grid[close, 0]))[1]
    return int(third not in {int(p) % 12 for p in grid[close] if p})


def _leaves_a_third(soprano: int, third: int, shift: int, clash: np.ndarray) -> np.ndarray:
    """Tenor pitches that let the closing chord have its third: the melody or the tenor
    has it, or the alto can still take it between the tenor and the melody, within an
    octave of the tenor (so the tenor is chosen with the alto's third in view)."""
    out = np.zeros(PITCHES, dtype=bool)
    if soprano % 12 == third:
        out[:] = True
        return out
    thirds = _in_classes({third}) & ~clash
    for tenor in range(1, PITCHES):
        alto = _allowed("alto", soprano, tenor, shift) & (np.arange(PITCHES) <= tenor + 12)
        out[tenor] = tenor % 12 == third or bool((alto & thirds).any())
    return out


def _in_classes(classes: set[int]) -> np.ndarray:
    return np.isin(np.arange(PITCHES) % 12, sorted(classes))


def _first_possible(*masks: np.ndarray) -> np.ndarray:
    """The first of the masks, strictest first, that leaves any pitch."""
    return next((m for m in masks if m.any()), masks[-1])


def _draft(
    net: HarmonyNet,
    context: torch.Tensor,
    soprano: np.ndarray,
    mode: str,
    shift: int,
    scale: frozenset[int],
    rng: np.random.Generator,
    temperature: float,
) -> tuple[np.ndarray, float]:
    steps = len(soprano)
    grid = np.zeros((steps, 4), dtype=np.int64)
    grid[:, 0] = soprano
    state: torch.Tensor | None = None
    previous = np.zeros(4, dtype=np.int64)
    total = 0.0
    close = final_onset(soprano)
    for t in range(steps):
        atb = torch.tensor([[[previous[1], previous[2], previous[3]]]])
        hidden, state = net.walk(context[:, t : t + 1], atb, state)
        hidden = hidden[0, 0]
        s = int(soprano[t])
        if s == 0:  # the soprano rests: so does the choir
            previous = grid[t]
            continue
        if t > close:  # the closing chord is held to the end
            grid[t, 1:] = grid[close, 1:]
            previous = grid[t]
            continue
        closing = t == close
        clash = _clashing(s, scale)
        root, third, fifth = tonic_triad(mode, s)
        anything = np.ones(PITCHES, dtype=bool)
        bass_notes = _in_classes({root}) if closing else anything
        chord_notes = _in_classes({root, third, fifth}) if closing else anything
        chord: dict[int, int] = {0: s}
        bass_range = _allowed("bass", s - 1, 0, shift)
        bass_ok = _first_possible(
            bass_range & bass_notes & ~clash, bass_range & bass_notes, bass_range
        )
        bass, lp = _choose(
            net.bass_logits(hidden), bass_ok, _parallel_with(chord, previous, 3), rng, temperature
        )
        chord[3] = bass
        tenor_logits = net.tenor_logits(hidden, torch.tensor(bass))
        tenor_range = _allowed("tenor", s, bass, shift)
        complete = _leaves_a_third(s, third, shift, clash) if closing else anything
        tenor_ok = _first_possible(
            tenor_range & chord_notes & ~clash & complete,
            tenor_range & chord_notes & ~clash,
            tenor_range & chord_notes,
            tenor_range,
        )
        tenor, lt = _choose(
            tenor_logits, tenor_ok, _parallel_with(chord, previous, 2), rng, temperature
        )
        chord[2] = tenor
        alto_logits = net.alto_logits(hidden, torch.tensor(bass), torch.tensor(tenor))
        alto_range = _allowed("alto", s, tenor, shift)
        spaced = alto_range & (np.arange(PITCHES) <= tenor + 12)
        third_wanted = closing and third not in (s % 12, tenor % 12)
        alto_notes = _in_classes({third}) if third_wanted else chord_notes
        alto_ok = _first_possible(
            spaced & alto_notes & ~clash,
            spaced & chord_notes & ~clash,
            alto_range & chord_notes,
            alto_range,
        )
        alto, la = _choose(
            alto_logits, alto_ok, _parallel_with(chord, previous, 1), rng, temperature
        )
        grid[t] = (s, alto, tenor, bass)
        previous = grid[t]
        total += lp + lt + la
    return grid, total


def voice_parts(grid: np.ndarray, programs: tuple[int, int, int, int]) -> tuple[Part, ...]:
    """S-A-T-B parts from a grid: a voice's equal neighbouring steps join into one note."""
    parts = []
    for column, name in enumerate(VOICES):
        notes: list[Note] = []
        for step, pitch in enumerate(grid[:, column]):
            value = int(pitch) or None
            start = step * STEP
            if notes and notes[-1].pitch == value and notes[-1].start + notes[-1].duration == start:
                notes[-1] = Note(value, notes[-1].start, notes[-1].duration + STEP)
            else:
                notes.append(Note(value, start, STEP))
        parts.append(Part(name, tuple(notes), programs[column]))
    return tuple(parts)
