"""ABC files read to the 2.1 standard, through music21's ABC tokenizer.

Three things music21's own `converter.parse` does not do the way the standard and players
expect: it carries no accidental through its bar unless the file declares `%abc-2.1`
(the standard's default is to carry it, `%%propagate-accidentals pitch`); a note tied from
an altered one across a bar line loses the alteration; and it beams every bar, at a cost
that grows with the square of the tune's length (38 s for 250 bars), though beams are
notation that nothing here reads. Repeats are expanded by the caller (files.py), as for
MusicXML."""

from __future__ import annotations

import re

from music21 import abcFormat, key, metadata, note, stream
from music21.abcFormat import translate

STANDARD = (2, 1, 0)


class _UnbeamedPart(stream.Part):
    """A part that ignores music21's request to beam it (see the module's docstring)."""

    def makeBeams(self, *args: object, **kwargs: object) -> None:  # noqa: N802 (music21's name)
        return None


def first_tune(text: str) -> str:
    """The file's header and its first tune only: a whole tune book (hundreds of tunes)
    would take minutes to parse."""
    starts = [m.start() for m in re.finditer(r"^X:", text, re.M)]
    return text[: starts[1]] if len(starts) > 1 else text


def read_abc(text: str) -> stream.Score:
    """The first tune of an ABC file as a music21 Score, one part per voice: accidentals
    carried through their bar (unless a `%%propagate-accidentals` line says otherwise) and
    across a tie into the next bar."""
    handler = abcFormat.ABCHandler(abcVersion=STANDARD)
    handler.process(first_tune(text))
    score = stream.Score()
    score.insert(0, _metadata(handler))
    voices = handler.splitByVoice()
    if len(voices) > 1:  # the first holds what every voice shares (the tune's header)
        voices = [voices[0] + voice for voice in voices[1:]]
    for voice in voices:
        part = translate.abcToStreamPart(voice, inputM21=_UnbeamedPart())
        _carry_through_ties(part)
        _mark_key_changes(voice, part)
        score.coreInsert(0, part)
    score.coreElementsChanged()
    return score


def _mark_key_changes(voice: abcFormat.ABCHandler, part: stream.Part) -> None:
    """A `K:` field inside the tune starts a bar in its key: music21 reads its notes in it
    but writes no key signature there, so nothing downstream could see the change."""
    measures = list(part.getElementsByClass(stream.Measure))
    bars, started = 0, False
    for token in voice.tokens:
        if isinstance(token, abcFormat.ABCNote):
            started = True
        elif isinstance(token, abcFormat.ABCBar) and started:
            bars += 1
        elif isinstance(token, abcFormat.ABCMetadata) and token.isKey() and started:
            written = token.getKeySignatureObject()
            if written is not None and bars < len(measures):
                measures[bars].insert(0, key.KeySignature(written.sharps))


def _metadata(handler: abcFormat.ABCHandler) -> metadata.Metadata:
    """The tune's first title (music21 keeps the others as alternatives; we need one)."""
    found = metadata.Metadata()
    for token in handler.tokens:
        if isinstance(token, abcFormat.ABCMetadata) and token.isTitle():
            found.title = token.data
            break
    return found


def _carry_through_ties(part: stream.Part) -> None:
    """A note tied from the one before it sounds that note's pitch: `^G2-|G2` is two tied
    G sharps (the accidental is not written again after the bar line). A note that writes
    its own accidental keeps it."""
    previous: note.Note | None = None
    for current in part.recurse().getElementsByClass(note.Note):
        if (
            previous is not None
            and previous.tie is not None
            and previous.tie.type in ("start", "continue")
            and current.pitch.step == previous.pitch.step
            and current.pitch.octave == previous.pitch.octave
            and not _written_accidental(current)
        ):
            current.pitch.accidental = previous.pitch.accidental
        previous = current


def _written_accidental(n: note.Note) -> bool:
    accidental = n.pitch.accidental
    return accidental is not None and accidental.displayStatus is True
