"""Music and audio files in: recognise them by their bytes, check them, read them as a Piece.

Uploads are stored without their names, so formats are told from content, never from
an extension. The studio calls `check_music` and `check_audio` on upload; engines call
`read_melody`, `read_piece` and `read_audio` on the stored files."""

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
from music21 import chord, converter, note, stream
from music21.midi import DeltaTime, MidiFile
from music21.midi.translate import midiFileToStream

from atelier.engines.base import EngineError
from atelier.engines.music.common import MAX_READ_BARS, METERS
from atelier.engines.music.piece import Piece, bar_length, from_music21, part_from_music21

MUSIC_MIMES = {
    "midi": "audio/midi",
    "musicxml": "application/vnd.recordare.musicxml+xml",
    "mxl": "application/vnd.recordare.musicxml",
    "abc": "text/vnd.abc",
}
AUDIO_MIMES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac"}
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
MAX_MUSIC_BYTES = 2_000_000  # a 256-bar melody is tens of kB even as MusicXML
MAX_AUDIO_SECONDS = 600.0  # uploads; each engine sets its own, smaller limit
LONGEST_BAR = bar_length("12/8")  # the longest bar of any supported meter, in quarters
MAX_CHORD_SHARE = 0.25  # a part with more of its onsets in chords is not a melody


# ---------------------------------------------------------------- recognising


def music_format(data: bytes) -> str | None:
    """ "midi", "musicxml", "mxl" or "abc" from the file's bytes; None for anything else."""
    if data.startswith(b"MThd"):
        return "midi"
    if data.startswith(b"PK\x03\x04"):
        return "mxl" if _mxl_score_name(data) else None
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


def mime_kind(mime: str) -> str:
    """The upload kind a MIME type belongs to ("image", "music", "audio"…), as engines
    name them in `upload(*accept)`: MIDI is "music", though its type says audio/."""
    return "music" if mime in MUSIC_MIMES.values() else mime.split("/")[0]


def _mxl_score_name(data: bytes) -> str | None:
    """The score's file name inside a compressed MusicXML archive (its container says)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "META-INF/container.xml" in names:
                container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
                for rootfile in container.iter():
                    if rootfile.tag.endswith("rootfile") and rootfile.get("full-path") in names:
                        return rootfile.get("full-path")
            scores = [n for n in names if n.endswith((".xml", ".musicxml"))]
            scores = [n for n in scores if not n.startswith("META-INF/")]
            return scores[0] if scores else None
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError):
        return None


# ---------------------------------------------------------------- upload checks


def check_music(data: bytes) -> str:
    """The MIME type of a readable MIDI, MusicXML or ABC file with notes in it; otherwise
    ValueError in words a user understands."""
    kind = music_format(data)
    if kind is None:
        raise ValueError("not a music file (MIDI, MusicXML or ABC expected)")
    if len(data) > MAX_MUSIC_BYTES:
        raise ValueError(
            f"{FORMAT_NAMES[kind]} file is {len(data):,} bytes; the limit for music files is "
            f"{MAX_MUSIC_BYTES:,}"
        )
    try:
        _piece_from_bytes(data, MAX_READ_BARS)
    except EngineError as exc:
        raise ValueError(str(exc)) from None
    return MUSIC_MIMES[kind]


def check_audio(data: bytes, max_seconds: float = MAX_AUDIO_SECONDS) -> str:
    """The MIME type of a decodable WAV, MP3, Ogg or FLAC recording of a sane length;
    otherwise ValueError."""
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
    return AUDIO_MIMES[kind]


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
    parts = list(source.parts) if isinstance(source, stream.Score) else [source]
    for part in parts:
        if _is_melody(part):
            return replace(piece, parts=(part_from_music21(part, "melody"),))
    raise EngineError(
        "no melody found: every part plays chords or several voices at once; "
        "upload a single melody line"
    )


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
        raise EngineError(f"the music is {piece.bars()} bars long; the limit is {max_bars}")
    return piece, source


def _parse(data: bytes, kind: str, max_bars: int) -> Any:
    try:
        if kind == "midi":
            return _parse_midi(data, max_bars)
        if kind == "mxl":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                xml = archive.read(_mxl_score_name(data) or "")
            return converter.parseData(xml.decode("utf-8"), format="musicxml")
        if kind == "musicxml":
            return converter.parseData(data.decode("utf-8"), format="musicxml")
        parsed = converter.parseData(_first_abc_tune(data), format="abc")
        return parsed.scores[0] if isinstance(parsed, stream.Opus) else parsed
    except EngineError:
        raise
    except Exception as exc:  # music21 raises many kinds on damaged files
        raise EngineError(
            f"the {FORMAT_NAMES[kind]} file is damaged or could not be read ({exc})"
        ) from None


def _first_abc_tune(data: bytes) -> str:
    """The file's header and its first tune only: a whole tune book (hundreds of tunes)
    would take minutes to parse."""
    text = data.decode("utf-8", errors="replace")
    starts = [m.start() for m in re.finditer(r"^X:", text, re.M)]
    return text[: starts[1]] if len(starts) > 1 else text


def _parse_midi(data: bytes, max_bars: int) -> Any:
    """MIDI quantised to 16ths and eighth-note triplets, refused early when too long."""
    _check_midi_chunks(data)
    midi = MidiFile()
    midi.readstr(data)
    if not midi.ticksPerQuarterNote:
        raise EngineError("the MIDI file has no timing (SMPTE time is not supported)")
    ticks = max(
        (sum(e.time for e in track.events if isinstance(e, DeltaTime)) for track in midi.tracks),
        default=0,
    )
    quarters = ticks / midi.ticksPerQuarterNote
    if quarters > max_bars * LONGEST_BAR:
        raise EngineError(
            f"the MIDI file lasts {quarters:,.0f} quarter notes; the limit is {max_bars} bars"
        )
    return midiFileToStream(midi, quantizePost=True, quarterLengthDivisors=(4, 3))


def _check_midi_chunks(data: bytes) -> None:
    """Every chunk a MIDI file declares is there in full (music21 would quietly read a
    file cut short as one with fewer notes)."""
    position = 0
    while position < len(data):
        length = int.from_bytes(data[position + 4 : position + 8], "big")
        if position + 8 > len(data) or position + 8 + length > len(data):
            raise EngineError("the MIDI file is damaged or cut short")
        position += 8 + length


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
