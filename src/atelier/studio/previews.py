"""What the public gets of a work instead of its originals (docs/previews.md): a picture's
marked thumbnail (made by store/thumbnails.py), and for music and text a reduced copy made
here when the work is sealed:

- a recording: its first seconds as a mono 22.05 kHz MP3 (every browser plays MP3; libsndfile,
  which soundfile's wheel bundles, writes it), faded out;
- a score: its first bars, engraved like the full score;
- a text: its opening words, cut on a word.

Each is at most a fixed length and at most half of the work, so that no preview is ever the
whole of a short work. A recording's clip carries the work's id in an inaudible mark
(provenance/audiomark.py) when sealing asks for it; a score or text excerpt carries none
and is recognised by its hash when it is uploaded again."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import soundfile
from numpy.typing import NDArray
from scipy.signal import resample_poly

from atelier.engines.music.render import MUSICXML_MIME, SVG_MIME, to_svg
from atelier.provenance import audiomark

SHARE = 0.5  # no preview is more than this share of its work
CLIP_SECONDS = 30.0
CLIP_RATE = audiomark.RATE  # 22.05 kHz: the rate the audio mark is made for
CLIP_FADE_SECONDS = 2.0
# libsndfile's MP3 bit rate, from 0 (the highest) to 1 (the lowest): at 22.05 kHz mono,
# 0.5 is a constant 80 kbit/s: 300 kB for 30 s (measured), against 5.3 MB of WAV.
CLIP_COMPRESSION = 0.5
SCORE_BARS = 4
EXCERPT_WORDS = 60
# Scripts written without spaces between words: two of their characters count as a word
# (Chinese words are one to three characters, most often two).
UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(rf"([{UNSPACED}])|[^\s{UNSPACED}]+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Preview:
    """A file the public gets in place of a work's original (role "preview")."""

    name: str
    mime: str
    data: bytes


def previews(files: Sequence[tuple[str, str, bytes]], mark: str | None = None) -> list[Preview]:
    """The previews of a work's sealed files (name, mime, data; the primary one first): an
    excerpt of a text; a clip of a recording (marked with the work id `mark`, when given),
    and the first bars of its score (engraved from its MusicXML) when it has an engraved
    score. Pictures get none here (their thumbnail is their preview)."""
    _, primary_mime, primary = files[0]
    if primary_mime == "text/plain":
        text = primary.decode("utf-8", errors="replace")
        return [Preview("excerpt.txt", "text/plain", text_excerpt(text).encode("utf-8"))]
    by_mime = {mime: data for _, mime, data in reversed(files)}  # the first of each kind
    made = []
    if "audio/wav" in by_mime:
        made.append(Preview("preview.mp3", "audio/mpeg", audio_clip(by_mime["audio/wav"], mark)))
    if MUSICXML_MIME in by_mime and SVG_MIME in by_mime:
        made.append(Preview("score-preview.svg", SVG_MIME, score_excerpt(by_mime[MUSICXML_MIME])))
    return made


def clip_seconds(seconds: float) -> float:
    """How much of a recording of `seconds` its preview plays."""
    return min(CLIP_SECONDS, seconds * SHARE)


def audio_clip(wav: bytes, mark: str | None = None) -> bytes:
    """The recording's clip (`clip_samples`) as MP3, carrying the work id `mark` in the
    audio mark when given (put in before the MP3 encoding, which it survives)."""
    clip = clip_samples(wav)
    if mark is not None:
        clip = audiomark.embed(clip, mark)
    return mp3(clip)


def clip_samples(wav: bytes) -> NDArray[np.float64]:
    """The recording's first `clip_seconds`, mixed to mono at CLIP_RATE, with a linear
    fade-out over its last CLIP_FADE_SECONDS (or its last half, when shorter)."""
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float64", always_2d=True)
    seconds = clip_seconds(len(samples) / rate)
    mono = samples[: math.ceil(seconds * rate)].mean(axis=1)
    common = math.gcd(CLIP_RATE, rate)
    clip = resample_poly(mono, CLIP_RATE // common, rate // common)[: int(seconds * CLIP_RATE)]
    fade = min(int(CLIP_FADE_SECONDS * CLIP_RATE), len(clip) // 2)
    if fade:
        clip[-fade:] *= np.linspace(1.0, 0.0, fade)
    return clip


def mp3(samples: NDArray[np.float64], compression: float = CLIP_COMPRESSION) -> bytes:
    """Mono samples at CLIP_RATE as a constant-rate MP3 (`compression`: libsndfile's level,
    CLIP_COMPRESSION for the previews' 80 kbit/s)."""
    out = io.BytesIO()
    soundfile.write(
        out,
        np.clip(samples, -1.0, 1.0),
        CLIP_RATE,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=compression,
        bitrate_mode="CONSTANT",
    )
    return out.getvalue()


def bars(musicxml: bytes) -> int:
    """How many bars the score has (those of its first part)."""
    part = ET.fromstring(musicxml).find("part")
    return 0 if part is None else len(part.findall("measure"))


def score_bars(total: int) -> int:
    """How many bars of a score of `total` bars its preview shows (at least one)."""
    return max(1, min(SCORE_BARS, int(total * SHARE)))


def score_excerpt(musicxml: bytes) -> bytes:
    """The score's first `score_bars` bars, engraved as one SVG."""
    return to_svg(musicxml, score_bars(bars(musicxml)))


def text_excerpt(text: str) -> str:
    """The text's opening words, at most EXCERPT_WORDS and at most half of them, cut after
    a word (the spacing and line breaks before it kept) and marked with an ellipsis."""
    words = list(WORD.finditer(text))
    weights = [0.5 if w.group(1) else 1.0 for w in words]  # group 1: an unspaced character
    limit = min(EXCERPT_WORDS, sum(weights) * SHARE)
    taken, end = 0.0, 0
    for word, weight in zip(words, weights, strict=True):
        if taken + weight > limit:
            break
        taken, end = taken + weight, word.end()
    return text[:end].rstrip() + ELLIPSIS
