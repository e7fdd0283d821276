"""The kinds of upload an engine may take, in one place: engines name them in
`upload(*accept)`, the studio stores each upload under the MIME types of its kind and
checks a job's uploads against what its parameters accept, and the pages' file pickers
offer what `accept` says."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UploadKind:
    name: str
    what: str  # in words, for messages: "a picture (PNG, JPEG…)"
    accept: str  # what a file picker offers (HTML's accept attribute)
    mimes: tuple[str, ...]  # the types an upload of this kind is stored as


IMAGE_MIMES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
MUSIC_MIMES = {
    "midi": "audio/midi",
    "musicxml": "application/vnd.recordare.musicxml+xml",
    "mxl": "application/vnd.recordare.musicxml",
    "abc": "text/vnd.abc",
}
AUDIO_MIMES = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "flac": "audio/flac"}

KINDS: dict[str, UploadKind] = {
    kind.name: kind
    for kind in (
        UploadKind(
            "image",
            "a picture (PNG, JPEG, WebP, GIF, BMP or TIFF)",
            "image/*",
            tuple(IMAGE_MIMES.values()),
        ),
        UploadKind(
            "music",
            "a score (MIDI, MusicXML or ABC)",
            ".mid,.midi,audio/midi,.musicxml,.xml,.mxl,.abc",
            tuple(MUSIC_MIMES.values()),
        ),
        UploadKind(
            "audio",
            "a recording (WAV, MP3, OGG or FLAC)",
            "audio/*,.wav,.mp3,.flac,.ogg",
            tuple(AUDIO_MIMES.values()),
        ),
    )
}


def kind_of(mime: str) -> str | None:
    """The kind an upload stored as `mime` is (MIDI is "music", though its type says
    audio/); None for a type no kind has (a work's SVG score, a text)."""
    return next((kind.name for kind in KINDS.values() if mime in kind.mimes), None)


def accept_attribute(kinds: tuple[str, ...] | list[str]) -> str:
    """What a file picker for an upload of these kinds offers."""
    return ",".join(KINDS[kind].accept for kind in kinds)
