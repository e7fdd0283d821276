"""music.transcribe: recordings of known tunes (a FluidSynth flute and a noisy hum) come
back as the same notes; bad recordings are refused in words; through the studio and the
API a recording becomes a work with audio, MIDI, MusicXML and a score, its WAV sealed."""

from __future__ import annotations

import io
import wave
from difflib import SequenceMatcher
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient

from atelier.engines.base import Context, EngineConfig, EngineError
from atelier.engines.music import render
from atelier.engines.music.files import read_melody
from atelier.engines.music.piece import Note, Part, Piece, merge_ties
from atelier.engines.music.transcribe import Transcribe, TranscribeParams
from tests.support.accounts import api_user
from tests.support.api import problem_fields, submit, upload, wait_job

UPLOAD = "a" * 32
# "Twinkle"-like tune in G: (MIDI pitch, quarter notes)
TUNE = [
    (67, 1), (67, 1), (74, 1), (74, 1), (76, 1), (76, 1), (74, 2),
    (72, 1), (72, 1), (71, 1), (71, 1), (69, 1), (69, 1), (67, 2),
]  # fmt: skip
PITCHES = [pitch for pitch, _ in TUNE]


def tune_piece(tempo: int) -> Piece:
    """TUNE as a Piece (sent as a MIDI upload where a recording is wanted)."""
    notes, start = [], Fraction(0)
    for pitch, quarters in TUNE:
        notes.append(Note(pitch, start, Fraction(quarters)))
        start += quarters
    return Piece(parts=(Part("melody", tuple(notes), 73),), key="G major", meter="4/4", tempo=tempo)


def hum(tempo: int, rate: int = 22050, seed: int = 0) -> np.ndarray:
    """A hummed-like take: a voice-like tone with vibrato, three harmonics, soft attacks,
    a little breath between notes and background noise, half a second of room either side."""
    rng = np.random.default_rng(seed)
    takes = []
    for pitch, quarters in TUNE:
        length = int(quarters * 60 / tempo * rate)
        t = np.arange(length) / rate
        hz = 440 * 2 ** ((pitch - 69) / 12) * (1 + 0.006 * np.sin(2 * np.pi * 5.5 * t))
        phase = 2 * np.pi * np.cumsum(hz) / rate
        tone = np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase)
        envelope = np.clip(np.minimum(t / 0.04, (length / rate - t) / 0.08), 0, 1)
        takes.append(0.25 * tone * envelope)
    voice = np.concatenate(takes)
    voice += 0.02 * rng.standard_normal(len(voice))
    room = np.zeros(rate // 2)
    return np.concatenate([room, voice, room]).astype(np.float32)


def wav_file(samples: np.ndarray, rate: int = 22050, fmt: str = "WAV") -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt)
    return buffer.getvalue()


def transcribe(tmp_path: Path, data: bytes, **params: object) -> tuple[Piece, dict[str, object]]:
    """Run the engine directly on a recording; the melody as read back from its MIDI."""
    recording = tmp_path / "recording"
    recording.write_bytes(data)
    engine = Transcribe(EngineConfig(assets_dir=tmp_path))
    assert engine.available() is None
    ctx = Context(seed=1, scratch=tmp_path, files={UPLOAD: recording}, threads=1)
    [creation] = engine.run(TranscribeParams(audio=UPLOAD, **params), ctx)
    assert [f.name for f in creation.files] == [
        "transcription.wav",
        "transcription.mid",
        "transcription.musicxml",
        "transcription.svg",
    ]
    midi = tmp_path / "out.mid"
    midi.write_bytes(creation.files[1].data)
    return read_melody(midi), creation.meta


def pitch_accuracy(piece: Piece, known: list[int] = PITCHES) -> float:
    """Share of the known notes heard, in order (a missed or an extra note both count)."""
    heard = [n.pitch for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]
    blocks = SequenceMatcher(None, known, heard).get_matching_blocks()
    return sum(block.size for block in blocks) / max(len(known), len(heard))


def test_a_rendered_flute_tune_comes_back(tmp_path: Path) -> None:
    # A flute plays repeated notes legato, which no pitch tracker separates; this tune
    # steps and leaps instead.
    steps = [67, 69, 71, 72, 74, 72, 71, 69, 67, 71, 74, 79, 78, 76, 74, 72]
    notes = tuple(Note(p, Fraction(i), Fraction(1)) for i, p in enumerate(steps))
    known = Piece(parts=(Part("melody", notes, 73),), key="G major", meter="4/4", tempo=100)
    recording = render.to_wav(known, render.to_midi(known))
    melody, meta = transcribe(tmp_path, recording)
    assert pitch_accuracy(melody, steps) >= 0.9, melody
    assert meta["tempo_estimated"] is True and 90 <= int(meta["tempo"]) <= 110  # type: ignore[call-overload]
    assert melody.key == meta["key"] == "G major" and melody.meter == "4/4"


def test_a_noisy_hum_comes_back_with_its_rhythm(tmp_path: Path) -> None:
    melody, meta = transcribe(tmp_path, wav_file(hum(96)), tempo=96, grid="8th", instrument="oboe")
    assert pitch_accuracy(melody) >= 0.9, melody
    notes = [n for n in merge_ties(melody.parts[0].notes) if n.pitch is not None]
    durations = [n.duration for n in notes]
    assert durations == [Fraction(q) for _, q in TUNE]  # on the 8th grid at the given tempo
    assert melody.tempo == 96 and melody.parts[0].program == 68 and meta["notes"] == len(TUNE)
    # The same recording and parameters give the same files.
    again, _ = transcribe(tmp_path, wav_file(hum(96)), tempo=96, grid="8th", instrument="oboe")
    assert again == melody


def test_silent_long_and_damaged_recordings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="silent"):
        transcribe(tmp_path, wav_file(np.zeros(22050 * 3, dtype=np.float32)))
    long_take = np.zeros(8000 * 301, dtype=np.float32)
    with pytest.raises(EngineError, match="limit is 5"):
        transcribe(tmp_path, wav_file(long_take, rate=8000))
    with pytest.raises(EngineError, match="not an audio file"):
        transcribe(tmp_path, b"this is not a recording at all" * 10)
    flac = wav_file(hum(96), fmt="FLAC")
    with pytest.raises(EngineError, match="damaged"):
        transcribe(tmp_path, flac[: len(flac) // 3])


def test_through_the_api_a_recording_becomes_a_sealed_music_work(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    take = upload(client, alice, wav_file(hum(96)), name="hum.wav")
    assert client.get(f"/v1/uploads/{take}", headers=alice).json()["mime"] == "audio/wav"
    # The wrong kind of upload, a damaged recording and a bad knob are refused up front.
    tune = upload(client, alice, render.to_midi(tune_piece(96)), name="tune.mid")
    wrong = submit(client, alice, "music.transcribe", {"audio": tune}, expect=422)
    assert "expected audio" in wrong["detail"] or "expected audio" in str(wrong)
    damaged = client.post("/v1/uploads", files={"file": ("hum.wav", b"RIFF....")}, headers=alice)
    assert damaged.status_code == 415 and "not an audio file" in damaged.text
    bad = client.post(
        "/v1/jobs",
        json={"engine": "music.transcribe", "params": {"audio": take, "onset_threshold": 2}},
        headers=alice,
    )
    assert bad.status_code == 422 and problem_fields(bad) == ["params.onset_threshold"]

    job = submit(client, alice, "music.transcribe", {"audio": take, "tempo": 96}, seed=3)
    job = wait_job(client, alice, job["id"], timeout=120)
    assert job["status"] == "succeeded", job
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=alice).json()
    assert work["mime"] == "audio/wav" and work["title"] == "Transcription in G major"
    files = {f["name"]: f for f in work["files"]}
    assert {name: (f["role"], f["mime"]) for name, f in files.items()} == {
        "transcription.wav": ("primary", "audio/wav"),
        "transcription.mid": ("rendition", "audio/midi"),
        "transcription.mid.manifest.json": ("manifest", "application/json"),
        "transcription.musicxml": ("rendition", "application/vnd.recordare.musicxml+xml"),
        "transcription.musicxml.manifest.json": ("manifest", "application/json"),
        "transcription.svg": ("rendition", "image/svg+xml"),
        "thumbnail.webp": ("thumbnail", "image/webp"),
        "preview.mp3": ("preview", "audio/mpeg"),
        "score-preview.svg": ("preview", "image/svg+xml"),
    }
    assert [m["name"] for m in work["lineage"]["models"]] == [
        "Basic Pitch (ICASSP 2022 note, onset and contour model, ONNX)",
        "FluidR3_GM General MIDI soundfont",
    ]
    primary = client.get(work["url"], headers=alice).content
    with wave.open(io.BytesIO(primary)) as sound:
        assert (sound.getframerate(), sound.getnchannels()) == (44100, 2)
        seconds = sound.getnframes() / 44100
    assert seconds == pytest.approx(16 * 60 / 96 + render.TAIL_SECONDS, abs=0.01)
    report = client.post("/v1/verify", files={"file": ("t.wav", primary)}).json()
    assert report["ok"], report
    svg = client.get(f"/v1/works/{work['id']}/files/transcription.svg", headers=alice).text
    assert svg.count('class="note"') == len(TUNE)
