"""Fuzzing every upload kind through the real upload path (`POST /v1/uploads`, the studio's
checks, the store): mutated copies of a good file and generated files of each kind find no
crash, no 5xx and no upload over the budget.

The budget, stated: each upload answers within 30 s (hypothesis' deadline; the server's
own budget for reading music is 20 s, and images and audio take milliseconds), and the
whole run grows this process's peak memory by at most 600 MB (music is read in a child
process that the server caps at 1.5 GB). Every refusal is a problem document naming
`file`. 25 examples per kind, derandomized, so every run tries the same files."""

from __future__ import annotations

import io
import resource
import struct
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
import soundfile
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from atelier.engines.music import render
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.media import JIG, JIG_ABC, TRIPLETS, image_bytes
from tests.support.settings import make_settings

SECONDS_PER_UPLOAD = 30
PEAK_MEMORY_GROWTH = 600_000_000
EXAMPLES_PER_KIND = 25
ANSWERS = {201, 413, 415, 422}


# -- mutation ------------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """`seed` with up to eight edits: bits flipped, bytes set, runs cut, random bytes
    inserted, runs repeated (up to 50 times: growth is how small files become big work)."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        edit = draw(st.sampled_from(["flip", "set", "cut", "insert", "repeat"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif edit == "cut":
            del data[at : draw(st.integers(at, len(data)))]
        elif edit == "insert":
            data[at:at] = draw(st.binary(max_size=64))
        elif edit == "repeat":
            run = bytes(data[at : draw(st.integers(at, min(len(data), at + 400)))])
            data[at:at] = run * draw(st.integers(1, 50))
    return bytes(data)


def zipped(score: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container><rootfiles>'
            '<rootfile full-path="score.xml"/></rootfiles></container>',
        )
        archive.writestr("score.xml", score)
    return buffer.getvalue()


# -- generation ----------------------------------------------------------------------------


@st.composite
def generated_image(draw: st.DrawFn, fmt: str) -> bytes:
    width, height = draw(st.integers(1, 300)), draw(st.integers(1, 300))
    mode = draw(st.sampled_from(["RGB", "L", "RGBA", "P"] if fmt == "PNG" else ["RGB", "L"]))
    seed = draw(st.integers(0, 2**32 - 1))
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    image = Image.fromarray(pixels).convert(mode)
    exif = Image.Exif()
    exif[0x0112] = draw(st.integers(0, 9))  # 2–8 turn or mirror; 0 and 9 are not valid
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


@st.composite
def generated_wav(draw: st.DrawFn) -> bytes:
    rate = draw(st.sampled_from([8000, 22050, 44100, 48000]))
    channels = draw(st.integers(1, 2))
    frames = draw(st.integers(0, rate))
    subtype = draw(st.sampled_from(["PCM_16", "PCM_24", "FLOAT", "PCM_U8"]))
    samples = np.random.default_rng(draw(st.integers(0, 1000))).uniform(-1, 1, (frames, channels))
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="WAV", subtype=subtype)
    return out.getvalue()


@st.composite
def generated_midi(draw: st.DrawFn) -> bytes:
    tracks = []
    for _ in range(draw(st.integers(1, 4))):
        events = b""
        for _ in range(draw(st.integers(0, 60))):
            delta = draw(st.integers(0, 2000))
            status = draw(st.sampled_from([0x90, 0x80, 0xB0, 0xC0, 0xE0])) | draw(
                st.integers(0, 15)
            )
            data = bytes([draw(st.integers(0, 127)) for _ in range(1 if status >> 4 == 0xC else 2)])
            events += _delta(delta) + bytes([status]) + data
        events += b"\x00\xff\x2f\x00"
        tracks.append(b"MTrk" + struct.pack(">I", len(events)) + events)
    division = draw(st.sampled_from([96, 480, 960, 1]))
    return struct.pack(">4sIHHH", b"MThd", 6, 1, len(tracks), division) + b"".join(tracks)


def _delta(ticks: int) -> bytes:
    out = [ticks & 0x7F]
    ticks >>= 7
    while ticks:
        out.insert(0, 0x80 | (ticks & 0x7F))
        ticks >>= 7
    return bytes(out)


@st.composite
def generated_musicxml(draw: st.DrawFn) -> bytes:
    divisions = draw(st.integers(1, 16))
    measures = []
    for number in range(draw(st.integers(1, 12))):
        notes = "".join(
            f"<note>{'<chord/>' if draw(st.booleans()) and i else ''}"
            f"<pitch><step>{draw(st.sampled_from('ABCDEFG'))}</step>"
            f"<alter>{draw(st.integers(-2, 2))}</alter>"
            f"<octave>{draw(st.integers(0, 9))}</octave></pitch>"
            f"<duration>{draw(st.integers(0, 64))}</duration></note>"
            for i in range(draw(st.integers(0, 8)))
        )
        repeat = draw(st.sampled_from(["", '<barline><repeat direction="backward"/></barline>']))
        attributes = (
            f"<attributes><divisions>{divisions}</divisions><time><beats>"
            f"{draw(st.integers(1, 12))}</beats><beat-type>{draw(st.sampled_from([2, 4, 8]))}"
            "</beat-type></time></attributes>"
            if number == 0
            else ""
        )
        measures.append(f'<measure number="{number + 1}">{attributes}{notes}{repeat}</measure>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0"><part-list>'
        '<score-part id="P1"><part-name>m</part-name></score-part></part-list>'
        f'<part id="P1">{"".join(measures)}</part></score-partwise>'
    ).encode()


ABC_MUSIC = "ABCDEFGabcdefgz^_=,'/23468|:[]-().<>~ \n"


@st.composite
def generated_abc(draw: st.DrawFn) -> bytes:
    meter = draw(st.sampled_from(["4/4", "3/4", "6/8", "C|", "2/2", "7/8", "none"]))
    key = draw(st.sampled_from(["C", "G", "Dm", "Bb", "F#", "Ador", "Hp", "none"]))
    length = draw(st.sampled_from(["1/8", "1/4", "1/16", "1/64"]))
    body = draw(st.text(alphabet=ABC_MUSIC, max_size=500))
    return f"X:1\nT:fuzz\nM:{meter}\nL:{length}\nK:{key}\n{body}\n".encode()


def wav_seed() -> bytes:
    tone = 0.3 * np.sin(np.linspace(0, 2 * np.pi * 440, 22050))
    out = io.BytesIO()
    soundfile.write(out, tone, 22050, format="WAV", subtype="PCM_16")
    return out.getvalue()


KINDS: dict[str, Callable[[], st.SearchStrategy[bytes]]] = {
    "photo.png": lambda: mutated(image_bytes(64, 48, "PNG")) | generated_image("PNG"),
    "photo.jpg": lambda: mutated(image_bytes(64, 48, "JPEG")) | generated_image("JPEG"),
    "photo.webp": lambda: mutated(image_bytes(64, 48, "WEBP")) | generated_image("WEBP"),
    "tone.wav": lambda: mutated(wav_seed()) | generated_wav(),
    "tune.mid": lambda: mutated(render.to_midi(TRIPLETS)) | generated_midi(),
    "tune.musicxml": lambda: mutated(render.to_musicxml(JIG)) | generated_musicxml(),
    "tune.mxl": lambda: (
        mutated(zipped(render.to_musicxml(JIG)))
        | mutated(render.to_musicxml(JIG)).map(zipped)
        | generated_musicxml().map(zipped)
    ),
    "tune.abc": lambda: mutated(JIG_ABC.encode()) | generated_abc(),
}


@pytest.mark.parametrize("name", list(KINDS))
def test_fuzzed_uploads_get_an_answer_within_the_budget(tmp_path: Path, name: str) -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    seen: set[int] = set()
    with TestClient(create_app(make_settings(tmp_path))) as client:
        alice = api_user(client, "alice@example.com")

        @settings(
            max_examples=EXAMPLES_PER_KIND,
            deadline=timedelta(seconds=SECONDS_PER_UPLOAD),
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(data=KINDS[name]())
        def upload(data: bytes) -> None:
            response = client.post("/v1/uploads", files={"file": (name, data)}, headers=alice)
            assert response.status_code in ANSWERS, (response.status_code, response.text)
            seen.add(response.status_code)
            if response.status_code != 201:
                assert response.headers["content-type"].startswith("application/problem+json")
                assert [e["field"] for e in response.json()["errors"]] == ["file"]

        upload()
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before
    assert growth <= PEAK_MEMORY_GROWTH, f"peak memory grew {growth / 1e6:.0f} MB"
    assert 201 in seen and seen - {201}, seen  # the fuzz reached both verdicts
