"""Music and audio files in: recognise them by their bytes, check them, read them as a Piece.

Uploads are stored without their names, so formats are told from content, never from
an extension. The studio calls `check_music` and `check_audio` on upload; engines call
`read_melody`, `read_piece` and `read_audio` on the stored files. Every reading is bounded:
compressed MusicXML inflates under caps, each format is counted against its limits before
music21 builds anything (limits.py), and the upload check runs in a child process with a
time and memory budget (bounds.py). Repeats are expanded: a Piece is the music as played."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import soundfile
from music21 import chord, converter, key, note, stream
from music21.midi import MidiFile
from music21.midi.translate import midiFileToStream

from atelier.engines import bounds
from atelier.engines.base import EngineError, Measure
from atelier.engines.bounds import BoundedZip, OverLimit, run_bounded
from atelier.engines.kinds import AUDIO_MIMES, MUSIC_MIMES
from atelier.engines.music.abc import first_tune, read_abc
from atelier.engines.music.common import MAX_READ_BARS, METERS
from atelier.engines.music.limits import (
    abc_counts,
    check_counts,
    midi_counts,
    musicxml_counts,
)
from atelier.engines.music.piece import Piece, bar_length, from_music21, part_from_music21
from atelier.engines.music.repeats import as_played

FORMAT_NAMES = {
    "midi": "MIDI",
    "musicxml": "MusicXML",
    "mxl": "compressed MusicXML",
    "abc": "ABC",
    "wav": "WAV",
    "mp3": "MP3",
    "ogg": "Ogg Vorbis",
    "flac": "FLAC",
}
MUSIC_SUFFIXES = (".mid", ".midi", ".musicxml", ".xml", ".mxl", ".abc")
AUDIO_SUFFIXES = (".wav", ".mp3", ".ogg", ".oga", ".flac")
MAX_MUSIC_BYTES = 2_000_000  # a 256-bar melody is tens of kB even as MusicXML; compressed
# MusicXML is held to it once inflated too: its score at most this, the archive at most twice
MAX_MXL_MEMBERS = 64
CHECK_SECONDS = 20.0  # an upload's reading, in a child process; 256 bars of ABC take 3 s
CHECK_MEMORY_BYTES = 1_500_000_000  # and the memory that child may take beyond its start
MAX_AUDIO_SECONDS = 600.0  # uploads; each engine sets its own, smaller limit
LONGEST_BAR = bar_length("12/8")  # the longest bar of any supported meter, in quarters
MAX_CHORD_SHARE = 0.25  # a part with more of its onsets in chords is not a melody

bounds.preload(__name__)  # the upload check's children start with music21 imported


# ---------------------------------------------------------------- recognising


def music_format(data: bytes) -> str | None:
    """ "midi", "musicxml", "mxl" or "abc" from the file's bytes; None for anything else."""
    if data.startswith(b"MThd"):
        return "midi"
    if data.startswith(b"PK\x03\x04"):
        return "mxl" if _names_a_score(data) else None
    text = data[:65536].decode("utf-8", errors="replace")
    if "<score-partwise" in text[:8192] or "<score-timewise" in text[:8192]:
        return "musicxml"
    if re.search(r"^X:", text, re.M) and re.search(r"^K:", text, re.M):
        return "abc"
    return None


def audio_format(data: bytes) -> str | None:
    """ "wav", "mp3", "ogg" or "flac" from the file's bytes; None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"fLaC"):
        return "flac"
    if data.startswith(b"OggS"):
        return "ogg"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def upload_kind(filename: str, data: bytes) -> str | None:
    """ "music" or "audio" when the bytes are one (or, failing that, the name says so,
    so that a damaged file is refused in words about what it was meant to be)."""
    if music_format(data) is not None:
        return "music"
    if audio_format(data) is not None:
        return "audio"
    suffix = Path(filename or "").suffix.lower()
    if suffix in MUSIC_SUFFIXES:
        return "music"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None


def _names_a_score(data: bytes) -> bool:
    """Whether a zip archive's list of names (nothing inflated) is a compressed MusicXML
    one's; archives larger than any music file are not looked into."""
    if len(data) > MAX_MUSIC_BYTES:
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        return False
    return "META-INF/container.xml" in names or bool(_score_names(names))


def _score_names(names: list[str]) -> list[str]:
    return [n for n in names if n.endswith((".xml", ".musicxml")) and not n.startswith("META-INF/")]


def _mxl_score(data: bytes) -> bytes:
    """The score inside a compressed MusicXML archive (its container names it), inflated
    under the caps; OverLimit past one, ValueError for a damaged archive or no score."""
    with BoundedZip(data, MAX_MXL_MEMBERS, MAX_MUSIC_BYTES, 2 * MAX_MUSIC_BYTES) as archive:
        if "META-INF/container.xml" in archive.names:
            container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
            for rootfile in container.iter():
                if rootfile.tag.endswith("rootfile") and rootfile.get("full-path") in archive.names:
                    return archive.read(rootfile.get("full-path") or "")
        scores = _score_names(archive.names)
        if not scores:
            raise ValueError("the archive holds no score")
        return archive.read(scores[0])


# ---------------------------------------------------------------- upload checks


def check_music(data: bytes, seconds: float = CHECK_SECONDS) -> tuple[str, Measure]:
    """The MIME type of a readable MIDI, MusicXML or ABC file with notes in it, and its
    length (bars, quarter notes, seconds at its own tempo). OverLimit for one over a limit
    (bytes, bars, notes, parts, or the `seconds` and memory its reading may take: it is
    read in a child process, off the caller's thread); otherwise ValueError, in words a
    user understands."""
    mime, measure, _ = check_music_melody(data, seconds)
    return mime, measure


def check_music_melody(
    data: bytes, seconds: float = CHECK_SECONDS
) -> tuple[str, Measure, Piece | None]:
    """`check_music`'s MIME type and length, and the file's melody line as `read_melody`
    finds it (in any meter; None when no part is a melody), from the same bounded reading:
    the studio fingerprints it to recognise its own melodies coming back."""
    if len(data) > MAX_MUSIC_BYTES:
        raise OverLimit(
            f"the music file is {len(data):,} bytes; the limit for music files is "
            f"{MAX_MUSIC_BYTES:,}"
        )
    kind = music_format(data)
    if kind is None:
        raise ValueError("not a music file (MIDI, MusicXML or ABC expected)")
    measure, melody = run_bounded(
        _check_readable, data, seconds=seconds, memory_bytes=CHECK_MEMORY_BYTES
    )
    return MUSIC_MIMES[kind], measure, melody


def _check_readable(data: bytes) -> tuple[Measure, Piece | None]:
    """Runs in check_music's child: the music's length and its melody line, if a part is
    one; OverLimit or ValueError unless `data` reads as music."""
    try:
        piece, source = _piece_from_bytes(data, MAX_READ_BARS)
    except OverLimit:
        raise
    except EngineError as exc:
        raise ValueError(str(exc)) from None
    quarters = float(piece.quarter_length())
    melody = _melody_of(piece, source)
    notes = len(melody.parts[0].notes) if melody is not None else 0
    seconds = quarters * 60 / piece.tempo
    return Measure(bars=piece.bars(), quarters=quarters, seconds=seconds, notes=notes), melody


def check_audio(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> tuple[str, Measure]:
    """The MIME type of a decodable WAV, MP3, Ogg or FLAC recording of a sane length, and
    its length; otherwise ValueError."""
    kind = audio_format(data)
    if kind is None:
        raise ValueError("not an audio file (WAV, MP3, OGG or FLAC expected)")
    try:
        with soundfile.SoundFile(io.BytesIO(data)) as sound:
            seconds = sound.frames / sound.samplerate
            sound.read(min(sound.frames, sound.samplerate), dtype="float32")
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        reason = re.sub(r"Error opening <[^>]*>: ", "", str(exc))
        raise ValueError(f"{FORMAT_NAMES[kind]} audio is damaged or truncated ({reason})") from None
    if seconds <= 0:
        raise ValueError(f"{FORMAT_NAMES[kind]} audio is empty")
    if seconds > max_seconds:
        raise ValueError(
            f"recording is {seconds / 60:.1f} minutes long; the limit is {max_seconds / 60:.0f}"
        )
    return AUDIO_MIMES[kind], Measure(seconds=seconds)


# ---------------------------------------------------------------- reading


def read_piece(path: Path, max_bars: int = MAX_READ_BARS) -> Piece:
    """Every part of a MIDI, MusicXML or ABC file (the first tune of an ABC book)."""
    piece, _ = _piece_from_bytes(_read_bytes(path), max_bars)
    return piece


def read_melody(path: Path, max_bars: int = MAX_READ_BARS) -> Piece:
    """A one-part monophonic Piece named "melody": the file's first part that is a melody
    (few chords; of those, its top note), in a supported meter, at most `max_bars` long."""
    piece, source = _piece_from_bytes(_read_bytes(path), max_bars)
    if piece.meter not in METERS:
        raise EngineError(
            f"the melody is in {piece.meter}, which is not supported; use one of "
            f"{', '.join(METERS)}"
        )
    melody = _melody_of(piece, source)
    if melody is None:
        raise EngineError(
            "no melody found: every part plays chords or several voices at once; "
            "upload a single melody line"
        )
    change = _key_change(source, counted_from=0 if piece.pickup else 1)
    if change:
        raise EngineError(
            f"the melody changes key {change}: a tune is read in one key (its harmony, its "
            "continuation and its spelling would be in the first key throughout); upload "
            "each part in its own key as a tune of its own"
        )
    return melody


def _key_change(source: Any, counted_from: int) -> str | None:
    """Where the first part's key signature changes, in words ("in bar 3, from 1 flat to
    2 sharps"; bars counted from `counted_from`, 0 where a pickup comes first); None when it
    keeps one. A tune in F that turned to D major had been harmonized in D minor
    throughout, its F sharps written as G flats."""
    parts = list(source.parts) if isinstance(source, stream.Score) else [source]
    measures = list(parts[0].getElementsByClass(stream.Measure))
    before: int | None = None
    for signature in parts[0].recurse().getElementsByClass(key.KeySignature):
        if before is not None and signature.sharps != before:
            bar = next((i for i, m in enumerate(measures) if signature in m), None)
            where = f"in bar {bar + counted_from}" if bar is not None else "partway through"
            return f"{where}, from {_accidentals(before)} to {_accidentals(signature.sharps)}"
        before = signature.sharps
    return None


def _accidentals(sharps: int) -> str:
    count, name = abs(sharps), "sharp" if sharps > 0 else "flat"
    return "no sharps or flats" if not sharps else f"{count} {name}{'s' if count > 1 else ''}"


def melody_line(data: bytes, max_bars: int = MAX_READ_BARS) -> Piece | None:
    """The melody line of music bytes the studio made itself (a work's MIDI), read in this
    process: uploads are read bounded, by `check_music_melody`. None when there is none."""
    try:
        return _melody_of(*_piece_from_bytes(data, max_bars))
    except EngineError:
        return None


def _melody_of(piece: Piece, source: Any) -> Piece | None:
    """The first part of `source` that is a melody (few chords; of those, its top note)."""
    parts = list(source.parts) if isinstance(source, stream.Score) else [source]
    for part in parts:
        if _is_melody(part):
            return replace(piece, parts=(part_from_music21(part, "melody"),))
    return None


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EngineError(f"the music file could not be read ({exc})") from None
    if not data:
        raise EngineError("the music file is empty")
    if len(data) > MAX_MUSIC_BYTES:
        raise EngineError(f"the music file is larger than {MAX_MUSIC_BYTES:,} bytes")
    return data


def _piece_from_bytes(data: bytes, max_bars: int) -> tuple[Piece, Any]:
    """The Piece and the music21 stream it came from; EngineError for anything unusable."""
    if not data:
        raise EngineError("the music file is empty")
    kind = music_format(data)
    if kind is None:
        raise EngineError("not a music file (MIDI, MusicXML or ABC expected)")
    source = _parse(data, kind, max_bars)
    try:
        piece = from_music21(source)
    except Exception as exc:  # music21 raises many kinds on odd input
        raise EngineError(f"the {FORMAT_NAMES[kind]} file could not be read ({exc})") from None
    if not any(n.pitch is not None for part in piece.parts for n in part.notes):
        raise EngineError(f"the {FORMAT_NAMES[kind]} file has no notes")
    if piece.bars() > max_bars:
        raise OverLimit(f"the music is {piece.bars()} bars long; the limit is {max_bars}")
    return piece, source


def _parse(data: bytes, kind: str, max_bars: int) -> Any:
    """The file as a music21 stream, its repeats expanded; each format is counted against
    the limits before music21 reads it."""
    name = FORMAT_NAMES[kind]
    try:
        if kind == "midi":
            return _parse_midi(data, max_bars)
        if kind == "abc":
            tune = first_tune(data.decode("utf-8", errors="replace"))
            check_counts(abc_counts(tune), max_bars, f"{name} tune")
            return as_played(read_abc(tune))
        text = (_mxl_score(data) if kind == "mxl" else data).decode("utf-8")
        check_counts(musicxml_counts(text), max_bars, f"{name} score")
        return as_played(converter.parseData(text, format="musicxml"))
    except EngineError:
        raise
    except Exception as exc:  # music21 raises many kinds on damaged files
        raise EngineError(f"the {name} file is damaged or could not be read ({exc})") from None


def _parse_midi(data: bytes, max_bars: int) -> Any:
    """MIDI quantised to 16ths and eighth-note triplets, refused early when too long."""
    check_counts(midi_counts(data, float(LONGEST_BAR)), max_bars, "MIDI file")
    midi = MidiFile()
    midi.readstr(data)
    return midiFileToStream(midi, quantizePost=True, quarterLengthDivisors=(4, 3))


def _is_melody(part: Any) -> bool:
    """A part with pitched notes whose onsets are mostly single notes (a chord here and
    there is reduced to its top note; drums are no melody)."""
    onsets: dict[float, int] = {}
    for element in part.flatten().getElementsByClass((note.Note, chord.Chord)):
        if element.duration.quarterLength <= 0:
            continue
        count = len(element.pitches) if isinstance(element, chord.Chord) else 1
        offset = float(element.offset)
        onsets[offset] = onsets.get(offset, 0) + count
    if not onsets:
        return False
    chords = sum(1 for count in onsets.values() if count > 1)
    return chords / len(onsets) <= MAX_CHORD_SHARE


def read_audio(path: Path, max_seconds: float) -> tuple[np.ndarray, int]:
    """A recording as mono float32 samples and its sample rate; EngineError when it cannot
    be decoded, is empty or lasts longer than `max_seconds`."""
    data = _read_audio_bytes(path)
    try:
        check_audio(data, max_seconds)
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except ValueError as exc:
        raise EngineError(str(exc)) from None
    except (soundfile.LibsndfileError, RuntimeError) as exc:
        raise EngineError(f"the recording is damaged ({exc})") from None
    return samples.mean(axis=1), int(rate)


def _read_audio_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EngineError(f"the recording could not be read ({exc})") from None
    if not data:
        raise EngineError("the recording is empty")
    return data
