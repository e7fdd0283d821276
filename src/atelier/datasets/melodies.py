"""Melodies in a dataset: MIDI, MusicXML or ABC, each checked under the upload limits (in a
bounded child process: engines/music/files.py) and read as our one-part `Piece`. Near
duplicates share most of their interval-and-rhythm shingles, so a transposed or slower copy
of a tune is still found. Normalised melodies are stored as a small JSON Piece, optionally
transposed to the reference key of their mode (C major, A minor, D dorian…), which is where
the melody model reads them anyway."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from atelier.datasets.cleaning import Decoded, Removal, shingle_duplicates
from atelier.datasets.items import Item
from atelier.engines.base import EngineError
from atelier.engines.music import tokens as tok
from atelier.engines.music.files import check_music, read_melody
from atelier.engines.music.piece import Note, Part, Piece, merge_ties

MIME = "application/vnd.atelier.piece+json"
SHINGLE = 4  # notes per shingle: (interval, rhythm) 4-grams
NAMES = {0: "C", 2: "D", 4: "E", 5: "F", 7: "G", 9: "A", 11: "B"}


@dataclass(frozen=True)
class MelodyMedium:
    """`min_notes`/`max_notes` bound a usable melody; melodies sharing at least `near` of
    their shingles (Jaccard) are near duplicates; `transpose` moves each to its reference
    key; `style` is the tokenizer's style slot a melody is checked against."""

    min_notes: int = 8
    max_notes: int = 4000
    near: float = 0.7
    transpose: bool = True
    name: str = "music"

    def settings(self) -> dict[str, Any]:
        return {
            "min_notes": self.min_notes,
            "max_notes": self.max_notes,
            "near_duplicate_jaccard": self.near,
            "transpose_to_reference_key": self.transpose,
            "normalisation": "read as one melody line (repeats expanded, chords to their top "
            "note), ties joined"
            + ("; transposed to the reference key of its mode" if self.transpose else ""),
        }

    def decode(self, item: Item) -> list[Decoded | Removal]:
        try:
            check_music(item.data)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "melody"
                path.write_bytes(item.data)
                piece = read_melody(path)
            tok.encode(piece, tok.STYLES[0])  # the melody model must be able to read it
        except (ValueError, EngineError) as exc:  # OverLimit is an EngineError
            return [Removal(item.name, "undecodable", str(exc))]
        return [
            Decoded(
                item.name,
                item,
                piece,
                key=item.sha256,
                text=piece.title,
                meta={"key": piece.key, "meter": piece.meter, "bars": piece.bars()},
            )
        ]

    def size_problem(self, decoded: Decoded) -> str | None:
        notes = sum(n.pitch is not None for n in decoded.content.parts[0].notes)
        if notes < self.min_notes:
            return f"{notes} notes; a melody needs at least {self.min_notes}"
        if notes > self.max_notes:
            return f"{notes} notes; the limit is {self.max_notes}"
        return None

    def near_duplicates(self, kept: Sequence[Decoded]) -> list[tuple[int, int, float]]:
        return shingle_duplicates([fingerprint(d.content) for d in kept], self.near)

    def normalise(self, decoded: Decoded) -> tuple[bytes, str, dict[str, Any]]:
        piece: Piece = decoded.content
        if self.transpose:
            piece = to_reference_key(piece)
        pitches = [n.pitch for n in piece.parts[0].notes if n.pitch is not None]
        meta = {
            "key": decoded.meta["key"],
            "meter": piece.meter,
            "bars": piece.bars(),
            "notes": len(pitches),
            "lowest": min(pitches),
            "highest": max(pitches),
        }
        return piece_json(piece), MIME, meta


def fingerprint(piece: Piece) -> frozenset[tuple[tuple[int, int], ...]]:
    """Shingles of (interval in semitones, duration ratio in half-octaves of log2) between
    consecutive notes: the same under transposition and under a change of tempo."""
    notes = [n for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]
    steps = [
        (b.pitch - a.pitch, round(2 * math.log2(b.duration / a.duration)))  # type: ignore[operator]
        for a, b in zip(notes, notes[1:], strict=False)
    ]
    return frozenset(tuple(steps[i : i + SHINGLE]) for i in range(max(len(steps) - SHINGLE + 1, 0)))


def to_reference_key(piece: Piece) -> Piece:
    """The piece transposed by the tokenizer's key shift (−6…+5 semitones) to the key of
    its mode without accidentals."""
    shift = tok.key_shift(piece.key)
    _, mode = tok.split_key(piece.key)
    return tok.transpose(piece, shift, f"{NAMES[tok.MODE_TONIC[mode]]} {mode}")


def piece_json(piece: Piece) -> bytes:
    """A one-part Piece as canonical JSON (times as exact fractions "3/2")."""
    body = {
        "key": piece.key,
        "meter": piece.meter,
        "tempo": piece.tempo,
        "pickup": str(piece.pickup),
        "title": piece.title,
        "notes": [[n.pitch, str(n.start), str(n.duration), n.tie] for n in piece.parts[0].notes],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def piece_from_json(data: bytes) -> Piece:
    body = json.loads(data)
    notes = tuple(
        Note(pitch, Fraction(start), Fraction(duration), bool(tie))
        for pitch, start, duration, tie in body["notes"]
    )
    return Piece(
        (Part("melody", notes),),
        body["key"],
        body["meter"],
        int(body["tempo"]),
        Fraction(body["pickup"]),
        body["title"],
    )
