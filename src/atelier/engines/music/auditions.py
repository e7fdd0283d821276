"""Auditions: a few seconds of each instrument and each music style, so that they are
chosen by ear (the create forms' galleries, engines/galleries.py).

An instrument plays one phrase (a major arpeggio up and down, in its own register); a style
is a few bars that music.compose writes in it with a fixed seed, played by the style's own
instrument (a chorale sung in four parts). Both are rendered as every music work is
(render.py: FluidSynth with the FluidR3 General MIDI soundfont, brought to −16 LUFS),
then mixed to mono MP3, which every browser plays and is a tenth of the WAV's size."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import soundfile

from atelier.engines.music import render
from atelier.engines.music.common import INSTRUMENTS
from atelier.engines.music.piece import Note, Part, Piece

PHRASE = ((0, 1), (4, 1), (7, 1), (12, 1), (7, 1), (4, 1), (0, 2))  # (semitones, quarters)
PHRASE_TEMPO = 120  # eight quarters: 4 s, and the renderer's tail
MIDDLE_C = 60
# Where an instrument's phrase starts when middle C would sit outside its usual range.
REGISTERS = {
    "acoustic-bass": 36,
    "contrabass": 36,
    "tuba": 36,
    "cello": 48,
    "trombone": 48,
    "bassoon": 48,
    "piccolo": 72,
    "tin-whistle": 72,
    "recorder": 72,
    "music-box": 72,
    "celesta": 72,
}
STYLE_SEED = 1
STYLE_BARS = 4
# Each style in a key, meter and tempo typical of it, four bars of 4 to 7 seconds.
STYLE_SETTINGS = {
    "german-folk": ("G major", "3/4", 120),
    "irish": ("D major", "6/8", 180),
    "scottish": ("A major", "4/4", 160),
    "chorale": ("G major", "4/4", 144),
    "renaissance": ("F major", "2/2", 160),
}


def instrument_piece(instrument: str) -> Piece:
    """The phrase every instrument plays, in the instrument's register."""
    base = REGISTERS.get(instrument, MIDDLE_C)
    notes, start = [], Fraction(0)
    for step, quarters in PHRASE:
        notes.append(Note(base + step, start, Fraction(quarters)))
        start += quarters
    part = Part("melody", tuple(notes), INSTRUMENTS[instrument])
    return Piece((part,), "C major", "4/4", PHRASE_TEMPO, title=f"{instrument} audition")


def style_piece(style: str) -> Piece:
    """Four bars music.compose writes in the style (our full melody model, a fixed seed),
    a chorale harmonized in four parts, each in its default instrument."""
    from atelier.engines.music.compose import ComposeParams, compose

    key, meter, tempo = STYLE_SETTINGS[style]
    params = ComposeParams.model_validate(
        {
            "style": style,
            "key": key,
            "meter": meter,
            "tempo": tempo,
            "bars": STYLE_BARS,
            "harmonize": style == "chorale",
        }
    )
    return compose(params, STYLE_SEED)


def mp3(piece: Piece) -> bytes:
    """The piece rendered as every music work is, as mono MP3."""
    wav = render.to_wav(piece, render.to_midi(piece))
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    out = io.BytesIO()
    soundfile.write(out, np.mean(samples, axis=1), rate, format="MP3")
    return out.getvalue()
