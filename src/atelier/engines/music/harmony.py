"""Four-part harmonization on an eighth-note grid: the grid a melody becomes, the
constrained decoding of HarmonyNet, the voice-leading counts, and the grid back as parts.

Decoding keeps every voice in its range, never crosses voices or spaces the upper voices
more than an octave apart, avoids parallel fifths and octaves whenever another choice is
left, and ends on the tonic in the bass; among `candidates` drafts it keeps the one with
the fewest voice-leading faults, then the most likely.
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
) -> np.ndarray:
    """A (steps, 4) S-A-T-B grid under a soprano grid in the reference key."""
    position, onset = features(soprano, start, bar_eighths)
    context = net.read(
        torch.from_numpy(soprano)[None],
        torch.from_numpy(position)[None],
        torch.from_numpy(onset)[None],
        torch.tensor([int(mode == "minor")]),
    )
    tonic = 9 if mode == "minor" else 0
    best: tuple[int, float, np.ndarray] | None = None
    for _ in range(candidates):
        grid, score = _draft(net, context, soprano, tonic, shift, rng, temperature)
        count = faults(grid - np.where(grid > 0, shift, 0)).total
        if best is None or (count, -score) < (best[0], -best[1]):
            best = (count, score, grid)
    assert best is not None
    return best[2]


def _draft(
    net: HarmonyNet,
    context: torch.Tensor,
    soprano: np.ndarray,
    tonic: int,
    shift: int,
    rng: np.random.Generator,
    temperature: float,
) -> tuple[np.ndarray, float]:
    steps = len(soprano)
    grid = np.zeros((steps, 4), dtype=np.int64)
    grid[:, 0] = soprano
    state: torch.Tensor | None = None
    previous = np.zeros(4, dtype=np.int64)
    total = 0.0
    for t in range(steps):
        atb = torch.tensor([[[previous[1], previous[2], previous[3]]]])
        hidden, state = net.walk(context[:, t : t + 1], atb, state)
        hidden = hidden[0, 0]
        s = int(soprano[t])
        if s == 0:  # the soprano rests: so does the choir
            previous = grid[t]
            continue
        last = t == steps - 1 or (t + 1 < steps and soprano[t + 1 :].max() == 0)
        chord: dict[int, int] = {0: s}
        bass_ok = _allowed("bass", s - 1, 0, shift)
        if last:
            bass_ok &= np.arange(PITCHES) % 12 == tonic
        bass, lp = _choose(
            net.bass_logits(hidden), bass_ok, _parallel_with(chord, previous, 3), rng, temperature
        )
        chord[3] = bass
        tenor_logits = net.tenor_logits(hidden, torch.tensor(bass))
        tenor_ok = _allowed("tenor", s, bass, shift)
        tenor, lt = _choose(
            tenor_logits, tenor_ok, _parallel_with(chord, previous, 2), rng, temperature
        )
        chord[2] = tenor
        alto_logits = net.alto_logits(hidden, torch.tensor(bass), torch.tensor(tenor))
        alto_ok = _allowed("alto", s, tenor, shift) & (np.arange(PITCHES) <= tenor + 12)
        if not alto_ok.any():
            alto_ok = _allowed("alto", s, tenor, shift)
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
