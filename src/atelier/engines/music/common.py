"""What the music engines' parameters share: upload kinds, keys, meters, styles,
instruments, and the limits on tempo and length."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from atelier.engines.base import upload

# An upload of a melody (MIDI, MusicXML or ABC) or of a recording (WAV, MP3, OGG, FLAC);
# the studio sniffs and checks each kind before a job exists (studio/service.py).
MelodyUploadId = Annotated[str, upload("music")]
AudioUploadId = Annotated[str, upload("audio")]

Key = Literal[
    "C major", "Db major", "D major", "Eb major", "E major", "F major",
    "F# major", "G major", "Ab major", "A major", "Bb major", "B major",
    "C minor", "C# minor", "D minor", "Eb minor", "E minor", "F minor",
    "F# minor", "G minor", "G# minor", "A minor", "Bb minor", "B minor",
]  # fmt: skip
KEYS: tuple[str, ...] = get_args(Key)

# Meters the engines write and the readers accept; "2/2" is cut time, "6/8" compound.
Meter = Literal["2/4", "3/4", "4/4", "2/2", "3/2", "3/8", "6/8", "9/8", "12/8"]
METERS: tuple[str, ...] = get_args(Meter)

Style = Literal["german-folk", "irish", "scottish", "chorale", "renaissance"]
STYLES: tuple[str, ...] = get_args(Style)

# Friendly names for General MIDI programs (0-based), one chosen per voice.
INSTRUMENTS: dict[str, int] = {
    "piano": 0,
    "harpsichord": 6,
    "celesta": 8,
    "music-box": 10,
    "vibraphone": 11,
    "marimba": 12,
    "organ": 19,
    "accordion": 21,
    "harmonica": 22,
    "acoustic-guitar": 24,
    "electric-guitar": 26,
    "acoustic-bass": 32,
    "violin": 40,
    "viola": 41,
    "cello": 42,
    "contrabass": 43,
    "harp": 46,
    "strings": 48,
    "choir-aahs": 52,
    "voice-oohs": 53,
    "trumpet": 56,
    "trombone": 57,
    "tuba": 58,
    "french-horn": 60,
    "soprano-sax": 64,
    "alto-sax": 65,
    "tenor-sax": 66,
    "oboe": 68,
    "english-horn": 69,
    "bassoon": 70,
    "clarinet": 71,
    "piccolo": 72,
    "flute": 73,
    "recorder": 74,
    "pan-flute": 75,
    "tin-whistle": 78,
    "fiddle": 110,
    "bagpipe": 109,
}
Instrument = Literal[
    "piano", "harpsichord", "celesta", "music-box", "vibraphone", "marimba", "organ",
    "accordion", "harmonica", "acoustic-guitar", "electric-guitar", "acoustic-bass",
    "violin", "viola", "cello", "contrabass", "harp", "strings", "choir-aahs",
    "voice-oohs", "trumpet", "trombone", "tuba", "french-horn", "soprano-sax", "alto-sax",
    "tenor-sax", "oboe", "english-horn", "bassoon", "clarinet", "piccolo", "flute",
    "recorder", "pan-flute", "tin-whistle", "fiddle", "bagpipe",
]  # fmt: skip
assert set(get_args(Instrument)) == set(INSTRUMENTS), "Instrument and INSTRUMENTS differ"

TEMPO_MIN, TEMPO_MAX = 30, 240  # quarter notes per minute
Tempo = Annotated[int, Field(ge=TEMPO_MIN, le=TEMPO_MAX, description="quarter notes a minute")]

BARS_MIN, BARS_MAX = 2, 64  # what a generating engine may be asked to write
Bars = Annotated[int, Field(ge=BARS_MIN, le=BARS_MAX, description="length in bars")]
MAX_READ_BARS = 256  # longest melody an uploaded file may hold (files.read_melody)
