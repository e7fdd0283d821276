"""How much music a file may hold, counted from its text or bytes before music21 reads it.

music21 builds a Python object for every note, bar and part, and some of its steps take
time that grows with the square of the length; a few kilobytes of ABC can keep a core busy
for minutes. So each format is pre-scanned here, cheaply (regular expressions over the
text, a walk over MIDI's events), and a file over a limit is refused with `OverLimit`
naming it before anything is built. The counts are upper bounds of what music21 will make
(written bars; repeats are counted again once expanded), not the reading itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

from atelier.engines.base import EngineError
from atelier.engines.bounds import OverLimit

MAX_PARTS = 16  # a chorale has 4, a string quartet 4; a melody is looked for among them
MAX_NOTES = 16_384  # 256 bars of sixteenths in 4/4, in four parts
MAX_MIDI_EVENTS = 200_000  # notes on and off, controllers, meta events: every event walked


@dataclass(frozen=True)
class Counts:
    bars: int  # longest part's written bars (MIDI: its length in the longest bar)
    notes: int  # notes (and, where cheaper to count, rests) in all parts
    parts: int


def check_counts(counts: Counts, max_bars: int, what: str) -> None:
    """OverLimit naming the first limit `counts` passes."""
    if counts.parts > MAX_PARTS:
        raise OverLimit(f"the {what} has {counts.parts} parts; the limit is {MAX_PARTS}")
    if counts.bars > max_bars:
        raise OverLimit(f"the {what} is {counts.bars:,} bars long; the limit is {max_bars}")
    if counts.notes > MAX_NOTES:
        raise OverLimit(f"the {what} has {counts.notes:,} notes; the limit is {MAX_NOTES:,}")


# ---------------------------------------------------------------- ABC

_ABC_COMMENT = re.compile(r"%.*")
_ABC_FIELD_LINE = re.compile(r"^\s*[A-Za-z+]:")
_ABC_VOICE_LINE = re.compile(r"^\s*V:\s*(\S+)", re.M)
_ABC_INLINE_VOICE = re.compile(r"\[V:\s*([^\]\s]+)[^\]]*\]")
_ABC_NOT_MUSIC = re.compile(r'"[^"]*"|![^!]*!|\+[^+\s]*\+|\[[A-Za-z]:[^\]]*\]')
_ABC_BAR_LINE = re.compile(r"[:\[]*\|+[\]:]*|::")
_ABC_NOTE = re.compile(r"[A-Ga-g]")


def abc_counts(tune: str) -> Counts:
    """Bars, notes and voices of one ABC tune (its text after the first K: line)."""
    header_end = re.search(r"^\s*K:.*$", tune, re.M)
    body_lines = tune[header_end.end() :] if header_end else tune
    music = []
    for line in body_lines.splitlines():
        line = _ABC_COMMENT.sub("", line)
        if line.strip() and not _ABC_FIELD_LINE.match(line):
            music.append(_ABC_NOT_MUSIC.sub(" ", line))
    body = "\n".join(music)
    voices = set(_ABC_VOICE_LINE.findall(tune)) | set(_ABC_INLINE_VOICE.findall(body_lines))
    parts = max(1, len(voices))
    bar_lines = len(_ABC_BAR_LINE.findall(body))
    return Counts(bars=-(-bar_lines // parts), notes=len(_ABC_NOTE.findall(body)), parts=parts)


# ---------------------------------------------------------------- MusicXML


def musicxml_counts(text: str) -> Counts:
    """Bars, notes (rests included) and parts of a MusicXML score. A document that declares
    entities is refused: a valid score never needs one, and they can multiply its size."""
    if "<!ENTITY" in text:
        raise OverLimit("the MusicXML file declares entities, which are not allowed")
    measures = len(re.findall(r"<measure[\s>]", text))
    parts = max(1, len(re.findall(r"<score-part[\s>]", text)))
    timewise = "<score-timewise" in text[:8192]
    return Counts(
        bars=measures if timewise else -(-measures // parts),
        notes=len(re.findall(r"<note[\s>]", text)),
        parts=parts,
    )


# ---------------------------------------------------------------- MIDI


def midi_counts(data: bytes, longest_bar: float) -> Counts:
    """Length (in bars of `longest_bar` quarters), notes and voices (track and channel
    pairs that play notes) of a Standard MIDI File, from a walk over its events.
    EngineError for a file that is damaged, cut short or timed in SMPTE frames."""
    if len(data) < 14 or data[:4] != b"MThd":
        raise EngineError("the MIDI file is damaged or cut short")
    header_length = int.from_bytes(data[4:8], "big")
    division = int.from_bytes(data[12:14], "big")
    if division & 0x8000 or division == 0:
        raise EngineError("the MIDI file has no timing (SMPTE time is not supported)")
    position = 8 + header_length
    notes, events, longest, track = 0, 0, 0, 0
    voices: set[tuple[int, int]] = set()
    while position < len(data):
        length = int.from_bytes(data[position + 4 : position + 8], "big")
        if position + 8 > len(data) or position + 8 + length > len(data):
            raise EngineError("the MIDI file is damaged or cut short")
        if data[position : position + 4] == b"MTrk":
            ticks, track_notes, track_events = _walk_track(
                data[position + 8 : position + 8 + length], track, voices
            )
            notes += track_notes
            events += track_events
            longest = max(longest, ticks)
            track += 1
            if events > MAX_MIDI_EVENTS:
                raise OverLimit(
                    f"the MIDI file has more than {MAX_MIDI_EVENTS:,} events; that is the limit"
                )
        position += 8 + length
    quarters = longest / division
    return Counts(bars=int(-(-quarters // longest_bar)), notes=notes, parts=len(voices))


_DATA_BYTES = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}


def _walk_track(track: bytes, number: int, voices: set[tuple[int, int]]) -> tuple[int, int, int]:
    """Total ticks, notes started and events of one track chunk; adds (track, channel)
    to `voices` for each channel that starts a note."""
    position, ticks, notes, events, running = 0, 0, 0, 0, 0
    end = len(track)
    while position < end:
        delta, position = _variable_length(track, position)
        ticks += delta
        events += 1
        if position >= end:
            raise EngineError("the MIDI file is damaged or cut short")
        status = running
        if track[position] & 0x80:
            status = track[position]
            position += 1
        if status == 0xFF:  # meta event: type, length, data
            length, position = _variable_length(track, position + 1)
            position += length
        elif status in (0xF0, 0xF7):  # system exclusive: length, data
            length, position = _variable_length(track, position)
            position += length
        elif status & 0xF0 in _DATA_BYTES:
            running, kind = status, status & 0xF0
            if kind == 0x90 and position + 1 < end and track[position + 1] > 0:
                notes += 1
                voices.add((number, status & 0x0F))
            position += _DATA_BYTES[kind]
        else:
            raise EngineError("the MIDI file is damaged (an event with no status)")
    return ticks, notes, events


def _variable_length(data: bytes, position: int) -> tuple[int, int]:
    """A MIDI variable-length quantity (at most four bytes) and the position after it."""
    value = 0
    for _ in range(4):
        if position >= len(data):
            raise EngineError("the MIDI file is damaged or cut short")
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, position
    raise EngineError("the MIDI file is damaged (a length longer than four bytes)")
