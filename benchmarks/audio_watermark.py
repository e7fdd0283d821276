"""The audio mark in music previews: does the work id survive, and what does it cost.

    .venv/bin/python benchmarks/audio_watermark.py [--quick] [--write-docs]

`--quick` is a smoke run on the first piece alone (the tests' run).

Pieces: five Bach chorales from music21's corpus, each played by one General MIDI
instrument (piano, strings, organ, flute, guitar) and rendered as the studio renders music
(FluidSynth, FluidR3_GM, −16 LUFS); each gets a fresh work id and its preview made the
studio's way (`previews.audio_clip`: the first 30 s at most and half at most, mono
22.05 kHz, faded out, marked, MP3 at 80 kbit/s). Attacks on the decoded preview, each
encoded again as MP3 (80 kbit/s unless said): none (the preview as stored), 64 kbit/s,
+6 dB (clipped where it passes full scale), −6 dB, and three 10 s excerpts per piece cut
at seeded random points; beyond what the mark is asked to survive, 40 kbit/s and one 6.5 s
excerpt per piece. Bit accuracy: the 64 payload bits read at the known alignment
(`audiomark.bits_at`; an encoder's delay found by cross-correlation with the clip);
detected: `audiomark.detect` returns the work's id (the search over every alignment,
CRC-16 checked); wrong: it returns another id. Unmarked: the same pieces'
previews made without a mark, white noise and pink noise, which must give no id. SNR: the
music's energy in 1–4 kHz against everything the mark changes, before the MP3 encoding.
`--write-docs` puts the tables into docs/provenance.md between the `audio-mark` markers."""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile
from music21 import corpus
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from atelier.engines.music import render
from atelier.engines.music.piece import from_music21
from atelier.provenance import audiomark
from atelier.store.models import new_id
from atelier.studio import previews

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Run, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "provenance.md"
HEADING = "## How the audio mark survives"
START, END = "<!-- audio-mark:start -->", "<!-- audio-mark:end -->"
PIECES = [("bach/bwv66.6", 0, "piano"), ("bach/bwv7.7", 48, "strings"),
          ("bach/bwv10.7", 19, "organ"), ("bach/bwv11.6", 73, "flute"),
          ("bach/bwv102.7", 24, "guitar")]  # fmt: skip
RATE = audiomark.RATE
EXCERPT = 10 * RATE
LOW_RATE = 0.6  # libsndfile's level for 64 kbit/s at 22.05 kHz mono (measured: 64.3)
LOWER_RATE = 0.8  # 40 kbit/s (measured: 40.2): past what the mark is asked to survive
SHORT = int(6.5 * RATE)  # just over the 64 symbols that hold the payload

Samples = NDArray[np.float64]


def recording(name: str, program: int) -> bytes:
    piece = from_music21(corpus.parse(name))
    piece = replace(piece, parts=tuple(replace(p, program=program) for p in piece.parts))
    return render.to_wav(piece, render.to_midi(piece))


def heard(data: bytes) -> Samples:
    return soundfile.read(io.BytesIO(data), dtype="float64")[0]  # type: ignore[no-any-return]


def attacks(clip: Samples, rng: np.random.Generator) -> list[tuple[str, Samples, int]]:
    """(attack, samples as heard after it, where in the clip they start)."""
    out = [
        ("none (the preview as stored)", clip, 0),
        ("MP3 again at 64 kbit/s", heard(previews.mp3(clip, LOW_RATE)), 0),
        ("+6 dB", heard(previews.mp3(clip * 2.0)), 0),
        ("−6 dB", heard(previews.mp3(clip * 0.5)), 0),
        ("(beyond the brief) MP3 again at 40 kbit/s", heard(previews.mp3(clip, LOWER_RATE)), 0),
    ]
    for label, length, count in (
        ("10 s excerpt from anywhere", EXCERPT, 3),
        ("(beyond the brief) 6.5 s excerpt", SHORT, 1),
    ):
        for _ in range(count):
            start = int(rng.integers(0, len(clip) - length + 1))
            out.append((label, heard(previews.mp3(clip[start : start + length])), start))
    return out


def alignment(samples: Samples, clip: Samples, start: int) -> tuple[int, int]:
    """Where the clip's symbols lie in attacked samples cut from `start` (offset of the
    first whole symbol, and its number), the encoder's delay found by cross-correlation
    with the clip: the known alignment bit accuracy is read at."""
    source = clip[start : start + len(samples)]
    lags = fftconvolve(samples, source[::-1], mode="full")
    zero = len(source) - 1
    window = lags[zero - audiomark.SYMBOL : zero + audiomark.SYMBOL + 1]
    delay = int(np.argmax(window)) - audiomark.SYMBOL
    first = -(-start // audiomark.SYMBOL)
    offset = first * audiomark.SYMBOL - start + delay
    while offset < 0:
        offset, first = offset + audiomark.SYMBOL, first + 1
    return offset, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one piece")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    run = Run("audio_watermark.py")
    rng = np.random.default_rng(7)
    pieces = PIECES[:1] if args.quick else PIECES
    rows: dict[str, list[tuple[float, bool, bool]]] = {}
    snrs, embeds, detects, seconds, unmarked = [], [], [], [], []
    for name, program, instrument in pieces:
        wav = recording(name, program)
        work_id = new_id()
        plain = previews.clip_samples(wav)
        began = time.perf_counter()
        marked = audiomark.embed(plain, work_id)
        embeds.append(time.perf_counter() - began)
        band = audiomark._band_limit(plain)
        snrs.append(10 * np.log10(np.sum(band**2) / np.sum((marked - plain) ** 2)))
        clip = heard(previews.audio_clip(wav, work_id))
        seconds.append(len(clip) / RATE)
        truth = audiomark.payload_bits(work_id)
        for attack, samples, start in attacks(clip, rng):
            bits = audiomark.bits_at(samples, *alignment(samples, clip, start))
            accuracy = float(np.mean(bits == truth)) if bits is not None else 0.0
            began = time.perf_counter()
            found = audiomark.detect_samples(samples)
            detects.append(time.perf_counter() - began)
            rows.setdefault(attack, []).append(
                (accuracy, found == work_id[:12], found not in (None, work_id[:12]))
            )
        unmarked.append((f"{instrument} preview", audiomark.detect(previews.audio_clip(wav))))
        print(
            f"{name} ({instrument}): {seconds[-1]:.1f} s preview, SNR {snrs[-1]:.1f} dB", flush=True
        )
    noise = rng.normal(0, 0.1, 30 * RATE)
    pink = np.fft.irfft(np.fft.rfft(noise) / np.sqrt(np.maximum(np.arange(len(noise) // 2 + 1), 1)))
    for label, samples in (
        ("white noise", noise),
        ("pink noise", pink / np.max(np.abs(pink)) * 0.5),
    ):
        unmarked.append((label, audiomark.detect(previews.mp3(samples))))

    lines = [
        run.header(),
        f"{len(pieces)} pieces (Bach chorales rendered as piano, strings, organ, flute, guitar), "
        f"previews of {min(seconds):.1f}–{max(seconds):.1f} s; one fresh work id each.",
        "",
        "| attack | bit accuracy (mean, min) | work id detected | wrong id |",
        "| --- | --- | --- | --- |",
    ]
    for attack, results in rows.items():
        accuracy = [r[0] for r in results]
        lines.append(
            f"| {attack} | {statistics.mean(accuracy):.1%}, {min(accuracy):.1%} "
            f"| {sum(r[1] for r in results)} / {len(results)} | {sum(r[2] for r in results)} |"
        )
    false = [label for label, found in unmarked if found is not None]
    lines += [
        "",
        f"- Unmarked audio read as marked: {len(false)} / {len(unmarked)} (the pieces' "
        f"previews made without the mark: {', '.join(label for label, _ in unmarked)}).",
        f"- SNR in 1–4 kHz (music against the whole change the mark makes): "
        f"mean {statistics.mean(snrs):.1f} dB, min {min(snrs):.1f} dB.",
        f"- Embed: median {statistics.median(embeds) * 1000:.0f} ms per preview "
        f"(max {max(embeds) * 1000:.0f} ms); detect: median "
        f"{statistics.median(detects) * 1000:.0f} ms per file (max "
        f"{max(detects) * 1000:.0f} ms, 10–30 s of audio).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        write_section(DOC, START, END, HEADING, text)


if __name__ == "__main__":
    main()
