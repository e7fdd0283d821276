"""The music engines' own checks, in words a user reads (engines/checks.py says how a
draft that fails them is drawn again, then delivered marked).

- A four-part setting (harmonize; compose with `harmonize`): it closes on the key's
  tonic chord in root position, third included, held under the melody's last note; no
  lower voice rubs chromatically against the melody on a beat; every voice stays in its
  range and no two cross. Parallel fifths and octaves are avoided where another choice
  is left: they lower a draft's score, they are no promise.
- A melody written by the model (compose, continue): it ends on the tonic, never
  repeats one pitch more than three times in a row (or than the opening does), and
  stays in its key (no note outside the key's scale, a minor key's raised sixth and
  seventh and the opening's own notes allowed).
- A restyle: some notes change, the style check finds the tune nearer the target style
  than before (or already most like it), and it stays recognisable (contour similarity
  at least 0.7 and rhythm similarity at least 0.88: docs/models.md says why), its
  opening and a minor tune's leading tones kept.
- Audio: −16 LUFS integrated (±1 LU), true peak at most −1 dBFS.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import soundfile

from atelier.engines.base import Artifact
from atelier.engines.checks import Candidate
from atelier.engines.music import analysis, harmony, loudness
from atelier.engines.music import tokens as tok
from atelier.engines.music.melody import MAX_REPEATS, RHYTHM_BOUND
from atelier.engines.music.piece import Note, Piece

CONTOUR_BOUND = 0.7  # least contour similarity of a restyle to its source (docs/models.md)
LUFS_TOLERANCE = 1.0
NAMES = ("C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B")


def pitch_name(pitch: int) -> str:
    return f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


def _times(count: int, what: str) -> str:
    return f"{count} {what}" + ("" if count == 1 else "s")


def chorale(piece: Piece) -> Candidate[Piece]:
    """A four-part setting checked (see the module docstring)."""
    close = analysis.final_chord(piece)
    clashes = analysis.clashes(piece)
    end = piece.quarter_length()
    grid = np.stack([harmony.voice_grid(p.notes, end) for p in piece.parts[:4]], axis=1)
    faults = harmony.faults(grid)
    unmet = []
    if not close.root_position_tonic:
        chord = ", ".join(pitch_name(p) for p in reversed(close.pitches))
        unmet.append(
            f"ends on {chord} (bass up), not the {piece.key} tonic chord in root position "
            "held under the last note"
        )
    if clashes:
        unmet.append(f"{_times(clashes, 'chromatic clash')} with the melody on the beat")
    if faults.range_violations:
        unmet.append(f"{_times(faults.range_violations, 'note')} outside its voice's range")
    if faults.crossings:
        unmet.append(f"voices cross {_times(faults.crossings, 'time')}")
    checks = {  # plain ints and bools: the work's meta is JSON
        "final_chord": [int(p) for p in close.pitches],
        "tonic_close": bool(close.root_position_tonic),
        "clashes": int(clashes),
        "parallel_fifths": int(faults.parallel_fifths),
        "parallel_octaves": int(faults.parallel_octaves),
        "range_violations": int(faults.range_violations),
        "crossings": int(faults.crossings),
    }
    return Candidate(piece, checks, 1 / (1 + int(faults.total) + clashes), unmet)


def _outside(notes: list[Note], key: str, allowed: set[int]) -> list[Note]:
    """Notes outside the key's natural scale, its raised sixth and seventh in a minor
    mode, and the pitch classes in `allowed`."""
    tonic, mode = tok.split_key(key)
    if mode in analysis.MINOR_THIRD_MODES:
        allowed = allowed | {(tonic + 9) % 12, (tonic + 11) % 12}
    return [
        n
        for n in notes
        if n.pitch is not None
        and not analysis.diatonic(n.pitch, key)
        and n.pitch % 12 not in allowed
    ]


def melody(piece: Piece, opening: Piece | None = None) -> Candidate[Piece]:
    """A melody the model wrote (after `opening`, for continue) checked (see the module
    docstring)."""
    notes = analysis.pitched(piece)
    given = analysis.pitched(opening) if opening is not None else []
    start = opening.quarter_length() if opening is not None else 0
    added = [n for n in notes if n.start >= start]
    limit = max(MAX_REPEATS, analysis.longest_repeat(given))
    run = analysis.longest_repeat(added)
    tonic = tok.split_key(piece.key)[0]
    last = notes[-1].pitch if notes else None
    outside = _outside(added, piece.key, {n.pitch % 12 for n in given if n.pitch is not None})
    on_tonic = last is not None and last % 12 == tonic
    unmet = []
    if not on_tonic:
        ending = pitch_name(last) if last is not None else "a rest"
        unmet.append(f"ends on {ending}, not the tonic of {piece.key}")
    if run > limit:
        unmet.append(f"repeats one note {run} times in a row (at most {limit})")
    if outside:
        names = ", ".join(sorted({pitch_name(n.pitch) for n in outside if n.pitch is not None}))
        unmet.append(f"{_times(len(outside), 'note')} outside {piece.key}: {names}")
    checks = {"ends_on_tonic": bool(on_tonic), "longest_repeat": run, "outside_key": len(outside)}
    score = 1 - len(outside) / max(len(added), 1)
    return Candidate(piece, checks, score, unmet)


def restyle(
    source: Piece, piece: Piece, style: str, before: float, after: float
) -> Candidate[Piece]:
    """A restyled tune checked against its source (see the module docstring); `before`
    and `after`: the style check's probability of `style` for the source and the restyle
    (at least 0.5: it is the likeliest style)."""
    changed = analysis.changed_share(source, piece)
    contour = analysis.contour_similarity(source, piece)
    rhythm = analysis.rhythm_similarity(source, piece)
    opening = analysis.opening(source) == analysis.opening(piece)
    leading = analysis.leading_tones_kept(source, piece)
    unmet = []
    if changed == 0:
        unmet.append("no note changed: every note of the tune is one the restyle keeps")
    elif after <= before and after < 0.5:
        unmet.append(
            f"no nearer the {style.replace('-', ' ')} style: the style check gives it "
            f"{before:.1%} before, {after:.1%} after"
        )
    if contour < CONTOUR_BOUND:
        unmet.append(f"contour similarity {contour:.2f}, under {CONTOUR_BOUND}: hard to recognise")
    if rhythm < RHYTHM_BOUND:
        unmet.append(f"rhythm similarity {rhythm:.2f}, under {RHYTHM_BOUND}: hard to recognise")
    if not opening:
        unmet.append("the opening notes changed")
    if leading < 1:
        unmet.append("a leading tone of the minor key was dropped")
    checks = {
        "style_before": round(float(before), 3),
        "style_after": round(float(after), 3),
        "changed": round(float(changed), 3),
        "contour": round(float(contour), 3),
        "rhythm": round(float(rhythm), 3),
        "opening_kept": bool(opening),
        "leading_tones_kept": round(float(leading), 3),
    }
    return Candidate(piece, checks, after - before + contour, unmet)


def audio(files: list[Artifact]) -> tuple[dict[str, Any], list[str]]:
    """The delivered WAV's loudness and true peak, and what is off in words."""
    wav = next((f for f in files if f.name.endswith(".wav")), None)
    if wav is None:
        return {}, []
    samples, rate = soundfile.read(io.BytesIO(wav.data), dtype="float32", always_2d=True)
    lufs = loudness.integrated_lufs(samples, rate)
    peak = loudness.true_peak_dbfs(samples)
    unmet = []
    if not abs(lufs - loudness.TARGET_LUFS) <= LUFS_TOLERANCE:
        unmet.append(f"the audio is at {lufs:.1f} LUFS, not {loudness.TARGET_LUFS:.0f} ± 1")
    if peak > loudness.MAX_TRUE_PEAK_DBFS:
        unmet.append(f"the audio peaks at {peak:.1f} dBFS, over {loudness.MAX_TRUE_PEAK_DBFS}")
    return {"lufs": round(lufs, 2), "true_peak_dbfs": round(peak, 2)}, unmet
