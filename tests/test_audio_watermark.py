"""The audio mark in music previews: a clip carries its work's id through the MP3 encoding,
a re-encoding at 64 kbit/s, volume changes and an excerpt cut from anywhere, stays 25 dB
below the music in its band, and is never read in unmarked audio or noise. The studio's
verify path and upload recognition read it from a preview a visitor took away."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient

from atelier.engines.music.render import wav_bytes
from atelier.provenance import audiomark, watermark
from atelier.studio import Studio, previews
from tests.support.accounts import api_user, principal
from tests.support.api import submit, wait_job

WORK = "0f3a9c5e7b21d4c68a0e1f2b3c4d5e6f"  # a work id as new_id makes them
RATE = audiomark.RATE


def music(seconds: float, seed: int = 0, rate: int = 44_100) -> np.ndarray:
    """Stereo notes of a plucked timbre (harmonics, decaying), one or two at a time."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.4 * rate)) / rate
    out = np.zeros((int(seconds * rate), 2))
    for start in range(0, len(out) - len(t), int(0.2 * rate)):
        pitch = 220.0 * 2 ** (rng.integers(0, 24) / 12)
        note = sum(np.sin(2 * np.pi * pitch * h * t) / h for h in range(1, 8))
        out[start : start + len(t)] += (0.15 * note * np.exp(-4 * t))[:, None]
    return out


def wav(samples: np.ndarray, rate: int = 44_100) -> bytes:
    return wav_bytes(np.round(np.clip(samples, -1, 1) * 32767).astype("<i2"), rate)


def mp3(samples: np.ndarray, compression: float = previews.CLIP_COMPRESSION) -> bytes:
    """Mono samples at RATE as a constant-rate MP3 (0.5: 80 kbit/s, 0.6: 64 kbit/s)."""
    return previews.mp3(samples, compression)


def samples_of(data: bytes) -> np.ndarray:
    return soundfile.read(io.BytesIO(data), dtype="float64")[0]


@pytest.fixture(scope="module")
def clip() -> bytes:
    """A marked preview: 12 s of a 24 s recording, as visitors get it."""
    return previews.audio_clip(wav(music(24)), WORK)


def test_a_marked_preview_carries_the_work_id(clip: bytes) -> None:
    assert soundfile.info(io.BytesIO(clip)).format == "MP3"
    assert audiomark.detect(clip) == watermark.short_id(WORK)


def test_the_mark_survives_64_kbit_volume_and_an_excerpt(clip: bytes) -> None:
    heard = samples_of(clip)
    assert audiomark.detect(mp3(heard, 0.6)) == WORK[:12]
    assert audiomark.detect(mp3(heard * 2.0)) == WORK[:12]  # +6 dB (clipped where loud)
    assert audiomark.detect(mp3(heard * 0.5)) == WORK[:12]  # −6 dB
    start = int(3.217 * RATE)  # not on a symbol's edge
    assert audiomark.detect(mp3(heard[start : start + int(6.5 * RATE)])) == WORK[:12]


def test_another_work_reads_as_itself_and_unmarked_audio_as_nothing() -> None:
    other = "c0ffee00beef11aa22bb33cc44dd55ee"
    assert audiomark.detect(previews.audio_clip(wav(music(16, seed=1)), other)) == other[:12]
    assert audiomark.detect(previews.audio_clip(wav(music(16, seed=1)))) is None
    noise = np.random.default_rng(2).normal(0, 0.1, 12 * RATE)
    assert audiomark.detect(mp3(noise)) is None
    assert audiomark.detect(wav(np.zeros((12 * RATE, 1)), RATE)) is None  # silence
    assert audiomark.detect(b"not audio at all") is None
    assert audiomark.detect(wav(noise[:1000, None], 2_000_000_000)) is None  # a hostile rate


def test_too_short_an_excerpt_is_not_read(clip: bytes) -> None:
    """Under 64 whole symbols (about 6 s) some bits are missing: no id is guessed."""
    assert audiomark.detect(mp3(samples_of(clip)[: 5 * RATE])) is None


def test_the_mark_is_25_db_below_the_music_in_its_band() -> None:
    mono = music(10).mean(axis=1)[::2]  # 22.05 kHz
    marked = audiomark.embed(mono, WORK)
    change = marked - mono
    in_band = audiomark._band_limit(mono)
    assert np.sum(in_band**2) / np.sum(change**2) >= 10 ** (25 / 10)
    outside = change - audiomark._band_limit(change)  # the chips' tapers leak a little
    assert np.sum(outside**2) < 0.05 * np.sum(change**2)


@pytest.mark.slow
def test_a_taken_preview_is_verified_and_recognised_as_its_work(client: TestClient) -> None:
    """A visitor's copy of a melody's preview, re-encoded so its hash is no longer the
    stored preview's: /v1/verify names the work by its mark, and an upload of it brings
    the work along by the mark."""
    studio: Studio = client.app.state.studio  # type: ignore[attr-defined]
    alice = api_user(client, "alice@example.com")
    params = {"bars": 8, "model": "clean"}  # about 20 s: a 10 s preview
    job = wait_job(client, alice, submit(client, alice, "music.compose", params, seed=3)["id"])
    assert job["status"] == "succeeded", job
    work_id = job["work_ids"][0]
    preview = client.get(f"/v1/works/{work_id}/files/preview.mp3", headers=alice)
    assert preview.status_code == 200
    taken = mp3(samples_of(preview.content), 0.6)

    report = client.post("/v1/verify", files={"file": ("taken.mp3", taken)}).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["watermark"]["ok"] is None  # a note: a changed copy, not a pass
    assert f"carries work id {work_id[:12]}" in checks["watermark"]["detail"]
    assert report["work_id"] == work_id

    unmarked = mp3(samples_of(previews.audio_clip(wav(music(16)))))
    plain = client.post("/v1/verify", files={"file": ("plain.mp3", unmarked)}).json()
    assert {c["name"]: c["detail"] for c in plain["checks"]}["watermark"] == "no watermark found"

    upload = studio.uploads.add(principal(client, "alice@example.com"), "taken.mp3", taken)
    assert [(o["work_id"], o["method"]) for o in upload.origins or []] == [(work_id, "watermark")]
