"""music.transcribe: a recording (a hummed or played tune) → a clean melody.

Spotify's Basic Pitch (its packaged ONNX model, on the CPU) finds the notes; they are
reduced to one line (the stronger of two overlapping notes wins), put on a 8th or 16th
grid at the given or estimated tempo, and the key is read by music21's analysis. The
result is delivered like every music work: audio, MIDI, MusicXML and score."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
from fractions import Fraction
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType
from typing import Literal

import numpy as np
import onnxruntime as ort
from pydantic import Field

from atelier.engines.base import (
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    EngineError,
    Inputs,
    ModelCard,
    Params,
    Rates,
    pick_from,
)
from atelier.engines.music.common import (
    INSTRUMENTS,
    KEYS,
    TEMPO_MAX,
    TEMPO_MIN,
    AudioUploadId,
    Instrument,
    Key,
    Meter,
    Tempo,
)
from atelier.engines.music.files import read_audio
from atelier.engines.music.piece import Note, Part, Piece, music21_key, to_music21
from atelier.engines.music.render import SOUNDFONT_CARD, deliver, render_problem

MAX_SECONDS = 300.0  # five minutes of recording
SILENCE_RMS = 0.003  # below this (about -50 dBFS) a recording counts as silent
LOWEST_HZ, HIGHEST_HZ = 60.0, 2100.0  # a singing voice or melody instrument (B1 to C7)
TEMPO_SAMPLE_RATE, TEMPO_HOP = 22050, 512  # the onset envelope's frame rate (~43 a second)
DECAY_GAP_SECONDS, DECAY_SHARE = 0.3, 0.6  # see one_line
GRID_STEPS = {"8th": Fraction(1, 2), "16th": Fraction(1, 4)}  # in quarter notes

BASIC_PITCH = ModelCard(
    name="Basic Pitch (ICASSP 2022 note, onset and contour model, ONNX)",
    version="basic-pitch 0.4.0",
    licence="Apache-2.0",
    source="https://pypi.org/project/basic-pitch/0.4.0/ (Spotify, github.com/spotify/basic-pitch)",
    commercial_use=True,
)


class TranscribeParams(Params):
    audio: AudioUploadId = Field(
        description="The recording (upload id): WAV, MP3, OGG or FLAC, up to 5 minutes."
    )
    tempo: Tempo | None = Field(
        None, description="Quarter notes a minute; estimated from the recording when empty."
    )
    meter: Meter = Field("4/4", description="The time signature to write the melody in.")
    key: Key | None = Field(None, description="The key; estimated from the notes when empty.")
    grid: Literal["8th", "16th"] = Field(
        "16th", description="The shortest note: onsets and ends snap to this grid."
    )
    instrument: Instrument = Field(
        "piano",
        description="Instrument of the rendered audio.",
        json_schema_extra=pick_from("instrument"),
    )
    onset_threshold: float = Field(
        0.5, ge=0.05, le=0.95, description="How sure the model must be that a note starts."
    )
    frame_threshold: float = Field(
        0.3, ge=0.05, le=0.95, description="How sure it must be that a note still sounds."
    )
    min_note_ms: int = Field(
        120, ge=30, le=1000, description="Shorter notes (milliseconds) are dropped."
    )


@dataclass(frozen=True)
class Heard:
    """A note as Basic Pitch heard it, in seconds."""

    start: float
    end: float
    pitch: int
    loudness: float


class Transcribe(Engine[TranscribeParams]):
    name = "music.transcribe"
    medium = "music"
    title = "Transcribe"
    description = (
        "Turn a recording (a hummed or played tune) into a clean melody: MIDI, MusicXML, "
        "score and audio."
    )
    Params = TranscribeParams
    models = (BASIC_PITCH, SOUNDFONT_CARD)
    threaded = True  # its libraries' thread pools: settled per core
    credits_per_second = 1.0
    # CPU seconds per core (music/generating.py says how they are fitted): recordings of 5 to 60 s
    # took 0.27 to 1.69 s, within 0.90-1.09 of these; since the render's float32 loudness passes
    # a long recording costs a little over half of what it did.
    rates = Rates(start=0.131, per_audio_second=0.0254)

    def warm(self) -> None:
        _basic_pitch()  # its modules (and librosa) take seconds to import

    def available(self) -> str | None:
        if not _model_path().is_file():
            return "the basic-pitch package (its ONNX model) is not installed"
        return render_problem()

    def output_budget(self, params: TranscribeParams, inputs: Inputs) -> Budget:
        """The melody plays as long as the recording (its notes keep their times)."""
        recording = inputs.get("audio", TYPICAL)
        return Budget(audio_seconds=recording.seconds, field="audio")

    def run(self, params: TranscribeParams, ctx: Context) -> list[Creation]:
        p = params
        ctx.progress(0.02, "reading the recording")
        samples, rate = read_audio(ctx.file(p.audio), MAX_SECONDS)
        if float(np.sqrt(np.mean(np.square(samples)))) < SILENCE_RMS:
            raise EngineError("the recording is silent: no sound loud enough to transcribe")
        heard = listen(samples, rate, p, ctx)
        if not heard:
            raise EngineError(
                "no notes found in the recording; try a clearer take or a lower onset_threshold"
            )
        ctx.progress(0.8, "writing the melody")
        line = one_line(heard)
        tempo = p.tempo or estimate_tempo(line)
        melody = quantise(line, tempo, GRID_STEPS[p.grid])
        draft = Piece(
            parts=(Part("melody", melody, INSTRUMENTS[p.instrument]),),
            key="C major",
            meter=p.meter,
            tempo=tempo,
            title="Transcription",
        )
        piece = replace(draft, key=p.key or estimate_key(draft))
        ctx.progress(0.85, "rendering audio and score")
        files = deliver(piece, "transcription")
        pitched = [n for n in melody if n.pitch is not None]
        return [
            Creation(
                files=files,
                title=f"Transcription in {piece.key}",
                meta={
                    "key": piece.key,
                    "meter": piece.meter,
                    "tempo": piece.tempo,
                    "tempo_estimated": p.tempo is None,
                    "notes": len(pitched),
                    "bars": piece.bars(),
                    "recording_seconds": round(len(samples) / rate, 2),
                },
            )
        ]


# ---------------------------------------------------------------- hearing


def _model_path() -> Path:
    """The ONNX model inside the installed basic-pitch wheel (no import needed)."""
    spec = find_spec("basic_pitch")
    if spec is None or spec.origin is None:
        return Path("/nonexistent")
    return Path(spec.origin).parent / "saved_models" / "icassp_2022" / "nmp.onnx"


@functools.cache
def _basic_pitch() -> tuple[ModuleType, ModuleType, ModuleType]:
    """basic-pitch's constants, windowing and note-creation modules.

    On import, basic-pitch warns through the root logger that TensorFlow, CoreML and
    TFLite are missing (we use none of them), and that first call would configure the
    application's logging; a passing null handler and a pause in logging prevent both."""
    root = logging.getLogger()
    quiet = logging.NullHandler()
    root.addHandler(quiet)
    logging.disable(logging.WARNING)
    try:
        from basic_pitch import constants, inference, note_creation
    finally:
        logging.disable(logging.NOTSET)
        root.removeHandler(quiet)
    return constants, inference, note_creation


def listen(samples: np.ndarray, rate: int, p: TranscribeParams, ctx: Context) -> list[Heard]:
    """The notes Basic Pitch hears in mono float samples, sorted by start."""
    import librosa

    constants, inference, note_creation = _basic_pitch()
    ctx.progress(0.05, "listening")
    audio = librosa.resample(samples, orig_sr=rate, target_sr=constants.AUDIO_SAMPLE_RATE)
    options = ort.SessionOptions()
    options.intra_op_num_threads = ctx.threads
    session = ort.InferenceSession(str(_model_path()), options, providers=["CPUExecutionProvider"])
    overlap_frames = 30  # as basic-pitch's own run_inference
    overlap = overlap_frames * constants.FFT_HOP
    hop = constants.AUDIO_N_SAMPLES - overlap
    padded = np.concatenate([np.zeros(overlap // 2, dtype=np.float32), audio.astype(np.float32)])
    windows = list(inference.window_audio_file(padded, hop))
    outputs: dict[str, list[np.ndarray]] = {"note": [], "onset": [], "contour": []}
    for index, (window, _) in enumerate(windows):
        note, onset, contour = session.run(
            ["StatefulPartitionedCall:1", "StatefulPartitionedCall:2", "StatefulPartitionedCall:0"],
            {"serving_default_input_2:0": window[np.newaxis].astype(np.float32)},
        )
        outputs["note"].append(note)
        outputs["onset"].append(onset)
        outputs["contour"].append(contour)
        ctx.progress(0.05 + 0.7 * (index + 1) / len(windows), "listening")
    frames = {
        name: inference.unwrap_output(np.concatenate(parts), len(audio), overlap_frames)
        for name, parts in outputs.items()
    }
    frames_per_second = constants.AUDIO_SAMPLE_RATE / constants.FFT_HOP
    _, events = note_creation.model_output_to_notes(
        frames,
        onset_thresh=p.onset_threshold,
        frame_thresh=p.frame_threshold,
        min_note_len=max(1, round(p.min_note_ms / 1000 * frames_per_second)),
        min_freq=LOWEST_HZ,
        max_freq=HIGHEST_HZ,
        include_pitch_bends=False,
        melodia_trick=True,
    )
    heard = [Heard(float(s), float(e), int(pitch), float(a)) for s, e, pitch, a, _ in events]
    return sorted(heard, key=lambda h: (h.start, -h.loudness))


def one_line(heard: list[Heard]) -> list[Heard]:
    """One note at a time: of two notes that overlap by more than half the shorter one,
    the louder stays (the other is most often an overtone); a smaller overlap is cut. A
    much softer note of the same pitch just after another is its decay (a piano's
    release, a room's echo), not a new note, and is dropped."""
    line: list[Heard] = []
    for note in heard:
        if line:
            last = line[-1]
            if (
                note.pitch == last.pitch
                and note.start - last.end < DECAY_GAP_SECONDS
                and note.loudness < DECAY_SHARE * last.loudness
            ):
                continue
            overlap = min(last.end, note.end) - note.start
            shorter = min(last.end - last.start, note.end - note.start)
            if overlap > shorter / 2:
                if note.loudness > last.loudness:
                    line[-1] = note
                continue
            if overlap > 0:
                line[-1] = replace(last, end=note.start)
        line.append(note)
    return line


def quantise(line: list[Heard], tempo: int, step: Fraction) -> tuple[Note, ...]:
    """Notes on a grid of `step` quarter notes at `tempo`, the first note at 0; a note
    that ends within one step of the next onset is held to it (legato, not a rest)."""
    seconds_per_step = 60.0 / tempo * float(step)
    origin = line[0].start
    snapped: list[tuple[int, int, int]] = []  # start, end (in steps), pitch
    for note in line:
        start = round((note.start - origin) / seconds_per_step)
        end = max(start + 1, round((note.end - origin) / seconds_per_step))
        if snapped and start <= snapped[-1][0]:
            continue  # two onsets on one grid point: the first (louder, see one_line) stays
        if snapped and snapped[-1][1] > start:
            snapped[-1] = (snapped[-1][0], start, snapped[-1][2])
        snapped.append((start, end, note.pitch))
    notes: list[Note] = []
    cursor = 0
    for index, (start, end, pitch) in enumerate(snapped):
        next_start = snapped[index + 1][0] if index + 1 < len(snapped) else end
        if next_start - end <= 1:
            end = next_start
        if start > cursor:
            notes.append(Note(None, cursor * step, (start - cursor) * step))
        notes.append(Note(pitch, start * step, (end - start) * step))
        cursor = end
    return tuple(notes)


def estimate_tempo(line: list[Heard]) -> int:
    """The beat in quarter notes a minute: librosa's tempo estimate over an onset envelope
    made of the heard notes' starts (steadier than one from the raw audio, which a hum's
    vibrato and breath blur), kept within the engines' tempo limits."""
    import librosa

    frames_per_second = TEMPO_SAMPLE_RATE / TEMPO_HOP
    envelope = np.zeros(int(line[-1].end * frames_per_second) + 8)
    for note in line:
        envelope[int(round(note.start * frames_per_second))] += 1.0
    envelope = np.convolve(envelope, np.hanning(5), mode="same")
    tempo = librosa.feature.tempo(
        onset_envelope=envelope, sr=TEMPO_SAMPLE_RATE, hop_length=TEMPO_HOP, aggregate=np.median
    )
    return int(min(max(round(float(tempo[0])), TEMPO_MIN), TEMPO_MAX))


def estimate_key(piece: Piece) -> str:
    """The melody's key by music21's Krumhansl-Schmuckler analysis, spelled as in KEYS
    ("G# major" becomes "Ab major")."""
    found = to_music21(piece).analyze("key")
    mode = found.mode if found.mode in ("major", "minor") else "major"
    for name in KEYS:
        if name.endswith(mode) and music21_key(name).tonic.pitchClass == found.tonic.pitchClass:
            return name
    return "C major"
