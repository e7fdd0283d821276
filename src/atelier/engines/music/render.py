"""A Piece out: the files every music creation is delivered as.

Rendered audio first (the primary file, which the studio signs), then MIDI, MusicXML and an
engraved SVG score. Audio comes from the `fluidsynth` command line with the FluidR3 General
MIDI soundfont (Debian's fluid-soundfont-gm: MIT-licensed and far fuller than the 6 MB
TimGM6mb, for half a second more per render); the same piece gives the same bytes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import wave
from importlib.resources import files
from pathlib import Path

import numpy as np
import verovio
from music21.midi.translate import streamToMidiFile
from music21.musicxml.m21ToXml import GeneralObjectExporter

from atelier.engines.base import Artifact, EngineError, ModelCard
from atelier.engines.music import loudness
from atelier.engines.music.piece import Piece, to_music21

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
# Every music engine lists this card: the rendered audio is made of the soundfont's samples.
SOUNDFONT_CARD = ModelCard(
    name="FluidR3_GM General MIDI soundfont",
    version="Debian fluid-soundfont-gm 3.1",
    licence="MIT",
    source="Debian package fluid-soundfont-gm (Frank Wen's FluidR3, /usr/share/sounds/sf2)",
    commercial_use=True,
    kind="data",
)
SAMPLE_RATE = 44100
TAIL_SECONDS = 1.5  # after the last note: its release and the reverb's decay
RENDER_TIMEOUT_SECONDS = 300
MIDI_MIME = "audio/midi"
MUSICXML_MIME = "application/vnd.recordare.musicxml+xml"
SVG_MIME = "image/svg+xml"
WAV_MIME = "audio/wav"

# Verovio's default font folder is set per thread (on import); workers run in other
# threads, so each toolkit is pointed at the package's fonts itself.
VEROVIO_FONTS = str(files("verovio") / "data")
# Verovio: one page as tall as the music needs (a page scrolls in the browser), scaled
# by the viewBox to any width; ids from a fixed seed so the same score gives the same SVG.
SCORE_OPTIONS = {
    "pageWidth": 2100,
    "pageHeight": 60000,
    "adjustPageHeight": True,
    "breaks": "auto",
    "scale": 40,
    "svgViewBox": True,
    "svgRemoveXlink": True,
    "footer": "none",
    "xmlIdSeed": 1,
}


def render_problem() -> str | None:
    """Why audio cannot be rendered on this machine, or None (for engines' available())."""
    if shutil.which("fluidsynth") is None:
        return "the fluidsynth program is not installed (Debian package fluidsynth)"
    if not SOUNDFONT.is_file():
        return f"the soundfont {SOUNDFONT} is missing (Debian package fluid-soundfont-gm)"
    return None


def deliver(
    piece: Piece, base_name: str, *, audio: bool = True, score: bool = True
) -> list[Artifact]:
    """The creation's files: <base>.wav (when `audio`), .mid, .musicxml, .svg (when
    `score`)."""
    midi = to_midi(piece)
    musicxml = to_musicxml(piece)
    files = []
    if audio:
        files.append(Artifact(f"{base_name}.wav", WAV_MIME, to_wav(piece, midi)))
    files.append(Artifact(f"{base_name}.mid", MIDI_MIME, midi))
    files.append(Artifact(f"{base_name}.musicxml", MUSICXML_MIME, musicxml))
    if score:
        files.append(Artifact(f"{base_name}.svg", SVG_MIME, to_svg(musicxml)))
    return files


def seconds(piece: Piece) -> float:
    """How long the piece plays at its tempo, without the tail."""
    return float(piece.quarter_length()) * 60.0 / piece.tempo


def to_midi(piece: Piece) -> bytes:
    """A standard MIDI file: one track per part, each on its own channel and program."""
    midi_file = streamToMidiFile(to_music21(piece))
    return bytes(midi_file.writestr())


def to_musicxml(piece: Piece) -> bytes:
    """MusicXML 4 without the export date (so the same piece gives the same bytes) and
    without the "Music21" composer music21 writes when none is known."""
    xml = GeneralObjectExporter(to_music21(piece)).parse()
    xml = re.sub(rb"\s*<encoding-date>[^<]*</encoding-date>", b"", xml)
    return re.sub(rb'\s*<creator type="composer">Music21</creator>', b"", xml)


def to_svg(musicxml: bytes, bars: int | None = None) -> bytes:
    """The engraved score as one SVG (only its first `bars` bars when given); a score too
    long for one tall page becomes a single long system instead, so nothing is ever left
    out."""
    toolkit = verovio.toolkit(False)
    toolkit.setResourcePath(VEROVIO_FONTS)
    toolkit.setOptions(SCORE_OPTIONS)
    if bars is not None:
        toolkit.select({"measureRange": f"1-{bars}"})  # applied when the data is loaded
    if not toolkit.loadData(musicxml.decode("utf-8")):
        raise EngineError("the score could not be engraved (verovio refused the MusicXML)")
    if toolkit.getPageCount() > 1:
        toolkit.setOptions({"breaks": "none"})
        toolkit.redoLayout()
    return toolkit.renderToSVG(1).encode("utf-8")


def to_wav(piece: Piece, midi: bytes) -> bytes:
    """44.1 kHz 16-bit stereo WAV of the MIDI through FluidSynth, cut to the piece's
    length plus a fixed tail, at −16 LUFS with true peaks at most −1 dBFS (loudness.py)."""
    problem = render_problem()
    if problem is not None:
        raise EngineError(f"audio cannot be rendered: {problem}")
    with tempfile.TemporaryDirectory(prefix="atelier-render-") as folder:
        midi_path, wav_path = Path(folder, "piece.mid"), Path(folder, "piece.wav")
        midi_path.write_bytes(midi)
        command = [
            "fluidsynth", "-ni", "-q", "-r", str(SAMPLE_RATE), "-T", "wav", "-O", "s16",
            "-F", str(wav_path), str(SOUNDFONT), str(midi_path),
        ]  # fmt: skip
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=RENDER_TIMEOUT_SECONDS)
        except subprocess.CalledProcessError as exc:
            message = exc.stderr.decode("utf-8", errors="replace").strip()[-300:]
            raise EngineError(f"FluidSynth failed to render the audio: {message}") from None
        except subprocess.TimeoutExpired:
            raise EngineError("FluidSynth took too long to render the audio") from None
        with wave.open(str(wav_path), "rb") as rendered:
            frames = rendered.readframes(rendered.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, 2)
    wanted = round((seconds(piece) + TAIL_SECONDS) * SAMPLE_RATE)
    fitted = np.zeros((wanted, 2), dtype=np.float32)
    fitted[: min(wanted, len(samples))] = samples[:wanted] / 32768
    level = loudness.normalise(fitted, SAMPLE_RATE)
    return wav_bytes(np.clip(np.round(level * 32767), -32768, 32767).astype("<i2"), SAMPLE_RATE)


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    """16-bit PCM WAV bytes of an int16 array shaped (frames, channels)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.ascontiguousarray(samples, dtype="<i2").tobytes())
    return buffer.getvalue()
