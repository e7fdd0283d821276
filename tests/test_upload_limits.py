"""Bounded work before trust: request bodies limited before they are read, uploads parsed
only for a known caller, compressed music inflated under caps, music counted against its
limits before it is parsed and parsed in a child with a time and memory budget, and photos
turned upright once, at upload."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from starlette.types import Message, Receive, Scope, Send

from atelier.engines import bounds
from atelier.engines.bounds import BoundedZip, OverLimit, run_bounded
from atelier.engines.music import render
from atelier.engines.music.files import check_music
from atelier.web.app import create_app
from tests.support.accounts import add_user, api_user, sign_in
from tests.support.api import problem_fields, snapshot, studio_of
from tests.support.media import JIG, JIG_ABC
from tests.support.servers import wait_until
from tests.support.settings import make_settings

MXL_CONTAINER = (
    '<?xml version="1.0"?><container><rootfiles>'
    '<rootfile full-path="score.xml"/></rootfiles></container>'
)


def post(client: TestClient, headers: dict[str, str], data: bytes, name: str) -> Any:
    return client.post("/v1/uploads", files={"file": (name, data)}, headers=headers)


def refused(
    client: TestClient, headers: dict[str, str], data: bytes, name: str, status: int, words: str
) -> None:
    """Refused with `status`, naming `file` and `words`, with nothing written."""
    before = snapshot(client)
    response = post(client, headers, data, name)
    assert response.status_code == status, response.text
    assert problem_fields(response) == ["file"]
    assert words in response.json()["detail"], response.json()["detail"]
    assert snapshot(client) == before


# -- compressed MusicXML --------------------------------------------------------------------


def mxl_with_padding(inflated: int) -> bytes:
    """A valid one-part .mxl whose score carries `inflated` bytes of blank comment (the
    deflated archive is about a thousandth of that)."""
    score = render.to_musicxml(JIG).decode()
    head, _, tail = score.partition("<part-list>")
    padded = head + "<!--" + " " * inflated + "--><part-list>" + tail
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("META-INF/container.xml", MXL_CONTAINER)
        archive.writestr("score.xml", padded)
    return buffer.getvalue()


def test_a_compressed_score_is_held_to_the_limit_once_inflated(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    small = mxl_with_padding(1_000)
    assert post(client, alice, small, "small.mxl").status_code == 201
    bomb = mxl_with_padding(20_000_000)
    assert len(bomb) < 40_000  # 20 kB on the wire, 20 MB inflated
    refused(client, alice, bomb, "bomb.mxl", 422, "inflates to more than 2,000,000 bytes")


def test_an_archive_of_many_files_is_refused_before_inflating_them(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("META-INF/container.xml", MXL_CONTAINER)
        archive.writestr("score.xml", render.to_musicxml(JIG))
        for number in range(70):
            archive.writestr(f"extra/{number}.txt", "x")
    refused(client, alice, buffer.getvalue(), "many.mxl", 422, "72 files; the limit is 64")


def test_bounded_zip_counts_what_it_inflates_not_what_headers_claim() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a", b"a" * 3000)
        archive.writestr("b", b"b" * 3000)
    data = bytearray(buffer.getvalue())
    # Forge the central directory: each member claims to inflate to 10 bytes.
    directory = data.index(b"PK\x01\x02")
    while directory >= 0:
        struct.pack_into("<I", data, directory + 24, 10)
        directory = data.find(b"PK\x01\x02", directory + 4)
    with BoundedZip(bytes(data), 4, 5000, 5000) as archive, pytest.raises(ValueError):
        archive.read("a")  # stops at the forged size: a damaged archive, not 3000 bytes
    with BoundedZip(buffer.getvalue(), 4, 5000, 5000) as archive:
        assert archive.read("a") == b"a" * 3000
        with pytest.raises(OverLimit, match="more than 5,000 bytes; that is the limit"):
            archive.read("b")  # 6000 in all
    with (
        BoundedZip(buffer.getvalue(), 4, 2000, 9000) as archive,
        pytest.raises(OverLimit, match="'a' inflates to more than 2,000 bytes"),
    ):
        archive.read("a")
    with pytest.raises(OverLimit, match="2 files; the limit is 1"):
        BoundedZip(buffer.getvalue(), 1, 5000, 5000)


# -- music counted before it is parsed ------------------------------------------------------


def reel(bars: int) -> bytes:
    body = " ".join(["DFAd fdAF|GBdg fdAF|"] * (bars // 2))
    return f"X:1\nT:Long reel\nM:4/4\nL:1/8\nK:D\n{body}\n".encode()


def musicxml(parts: int, bars: int, notes_per_bar: int) -> bytes:
    """A plain MusicXML score written as text (music21 would take minutes to make one)."""
    note = "<note><pitch><step>C</step><octave>5</octave></pitch><duration>1</duration></note>"
    time = f"<time><beats>{notes_per_bar}</beats><beat-type>16</beat-type></time>"
    attributes = f"<attributes><divisions>4</divisions>{time}</attributes>"
    heads = "".join(
        f'<score-part id="P{i}"><part-name>p{i}</part-name></score-part>' for i in range(parts)
    )
    measures = "".join(
        f'<measure number="{m + 1}">{attributes if m == 0 else ""}{note * notes_per_bar}</measure>'
        for m in range(bars)
    )
    body = "".join(f'<part id="P{i}">{measures}</part>' for i in range(parts))
    return (
        '<?xml version="1.0" encoding="UTF-8"?><score-partwise version="4.0">'
        f"<part-list>{heads}</part-list>{body}</score-partwise>"
    ).encode()


def midi(tracks: list[int], ticks_per_note: int = 60) -> bytes:
    """A type-1 MIDI file: one track per entry, each with that many notes (480 ppq)."""
    out = struct.pack(">4sIHHH", b"MThd", 6, 1, len(tracks), 480)
    for count in tracks:
        events = b"".join(
            bytes([0, 0x90, 60, 80]) + _delta(ticks_per_note) + bytes([0x80, 60, 0])
            for _ in range(count)
        )
        events += b"\x00\xff\x2f\x00"
        out += b"MTrk" + struct.pack(">I", len(events)) + events
    return out


def _delta(ticks: int) -> bytes:
    out = [ticks & 0x7F]
    ticks >>= 7
    while ticks:
        out.insert(0, 0x80 | (ticks & 0x7F))
        ticks >>= 7
    return bytes(out)


def test_music_over_its_limits_is_refused_naming_the_limit(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    assert post(client, alice, reel(256), "ok.abc").status_code == 201
    refused(client, alice, reel(300), "long.abc", 422, "300 bars long; the limit is 256")
    crowded = b"X:1\nM:4/4\nL:1/64\nK:C\n" + b"C" * 17_000 + b"|\n"
    refused(client, alice, crowded, "crowded.abc", 422, "17,000 notes; the limit is 16,384")
    refused(client, alice, musicxml(17, 2, 4), "wide.xml", 422, "17 parts; the limit is 16")
    refused(client, alice, musicxml(1, 300, 4), "long.xml", 422, "300 bars long")
    refused(client, alice, musicxml(3, 200, 32), "dense.xml", 422, "19,200 notes")
    refused(client, alice, midi([1] * 17), "wide.mid", 422, "17 parts; the limit is 16")
    refused(client, alice, midi([17_000], 30), "dense.mid", 422, "17,000 notes")
    refused(client, alice, midi([10], 480 * 4 * 40), "long.mid", 422, "267 bars long")
    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><score-partwise/>'
    refused(client, alice, entity, "entity.xml", 422, "declares entities")


@pytest.fixture
def hurried(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, music_check_seconds=0.001)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_reading_past_its_time_budget_is_refused(hurried: TestClient) -> None:
    alice = api_user(hurried, "alice@example.com")
    refused(hurried, alice, JIG_ABC.encode(), "jig.abc", 422, "longer than 0.001 seconds")


# -- the budget itself ----------------------------------------------------------------------


# Builtins run in the children, so that nothing heavy is imported there to unpickle them.


def test_a_bounded_child_returns_its_value_or_its_exception() -> None:
    assert run_bounded(pow, 2, 10, seconds=30, memory_bytes=100_000_000) == 1024
    with pytest.raises(ValueError, match="invalid literal"):
        run_bounded(int, "in the child", seconds=30, memory_bytes=100_000_000)


def test_a_bounded_child_is_stopped_at_its_time_and_memory_budget() -> None:
    # A loop that never gives up the interpreter (no signal handler could stop it).
    with pytest.raises(OverLimit, match="longer than 0.5 seconds"):
        run_bounded(sum, range(10**13), seconds=0.5, memory_bytes=100_000_000)
    with pytest.raises(OverLimit, match="more than 200 MB of memory"):
        run_bounded(bytearray, 4_000_000_000, seconds=30, memory_bytes=200_000_000)
    wait_until(lambda: not children_of(bounds._HELPER.pid), 10, what="the children to end")
    assert check_music(JIG_ABC.encode())[0] == "text/vnd.abc"  # and the next check runs


def children_of(pid: int | None) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


# -- request bodies -------------------------------------------------------------------------


class BodyCounter:
    """Wraps an ASGI app, counting the body bytes the app pulls from the client (and
    showing the app's state, so that the tests' helpers find the studio)."""

    def __init__(self, app: Any) -> None:
        self.app, self.state, self.read = app, app.state, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            message = await receive()
            self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def counted(tmp_path: Path) -> Iterator[tuple[TestClient, BodyCounter]]:
    settings = make_settings(tmp_path, max_request_bytes=200_000)
    counter = BodyCounter(create_app(settings))
    with TestClient(counter) as test_client:
        yield test_client, counter


def test_a_stranger_s_upload_is_refused_before_its_body_is_read(
    counted: tuple[TestClient, BodyCounter],
) -> None:
    client, counter = counted
    response = client.post("/v1/uploads", files={"file": ("a.png", b"\0" * 150_000)})
    assert response.status_code == 401 and problem_fields(response) == []
    assert counter.read == 0
    wrong = {"Authorization": "Bearer not-a-key"}
    response = client.post("/v1/uploads", files={"file": ("a.png", b"\0" * 150_000)}, headers=wrong)
    assert response.status_code == 401 and counter.read == 0


def test_a_body_over_the_limit_is_413_before_or_while_it_is_read(
    counted: tuple[TestClient, BodyCounter],
) -> None:
    client, counter = counted
    alice = api_user(client, "alice@example.com")
    # Declared too large: refused from its Content-Length, nothing read.
    response = client.post("/v1/jobs", content=b"{" + b" " * 250_000 + b"}", headers=alice)
    assert response.status_code == 413, response.text
    assert (
        problem_fields(response) == []
        and "250,002 bytes; the limit is 200,000" in (response.json()["detail"])
    )
    assert counter.read == 0

    # Streamed with no length: refused as it passes the limit.
    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        yield b"\0" * 250_000
        yield b"\r\n--b--\r\n"

    multipart = {"Content-Type": "multipart/form-data; boundary=b", **alice}
    response = client.post("/v1/uploads", content=chunks(), headers=multipart)
    assert response.status_code == 413, response.text
    assert "larger than the limit of 200,000 bytes" in response.json()["detail"]
    # Under the limit, the same route takes a file.
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(picture, format="PNG")
    ok = client.post("/v1/uploads", files={"file": ("a.png", picture.getvalue())}, headers=alice)
    assert ok.status_code == 201, ok.text


def test_a_page_form_over_the_limit_is_413(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, max_request_bytes=200_000)
    with TestClient(create_app(settings)) as client:
        add_user(studio_of(client), "alice@example.com")
        sign_in(client, "alice@example.com")
        response = client.post(
            "/create/image.stylize",
            files={"image": ("a.png", b"\0" * 250_000)},
            data={"style": "7"},
        )
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")


# -- photos the right way up ----------------------------------------------------------------


def phone_photo(fmt: str) -> bytes:
    """A 60×40 picture, red in its top-left corner, stored as a phone does when held
    upright: pixels sideways, EXIF orientation 6 (turn 90° clockwise to show)."""
    image = Image.new("RGB", (60, 40), "white")
    image.paste((255, 0, 0), (0, 0, 12, 12))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes(), **({"quality": 95} if fmt != "PNG" else {}))
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_phone_photo_is_stored_upright_once(client: TestClient, fmt: str) -> None:
    alice = api_user(client, "alice@example.com")
    response = post(client, alice, phone_photo(fmt), f"photo.{fmt.lower()}")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["width"], body["height"]) == (40, 60)
    stored = Image.open(io.BytesIO(studio_of(client).artifacts.read(body["sha256"])))
    assert stored.format == fmt and stored.size == (40, 60)
    exif = stored.getexif()
    assert 0x0112 not in exif and exif.get(0x010F) == "PhoneMaker"
    pixels = stored.convert("RGB")
    red, white = pixels.getpixel((34, 5)), pixels.getpixel((5, 5))
    assert red[0] > 200 and red[1] < 60 and min(white) > 200, (red, white)
    # The stored upload has no orientation left to apply: uploading it again changes nothing.
    again = post(client, alice, studio_of(client).artifacts.read(body["sha256"]), "again")
    assert again.json()["sha256"] == body["sha256"]


# -- pictures deeper than 8 bits ------------------------------------------------------------


def deep_gradient(mode: str, fmt: str) -> bytes:
    """A 256×64 grey ramp, dark on the left, in a mode of more than 8 bits a channel."""
    ramp = np.linspace(0.0, 1.0, 256)[None, :] * np.ones((64, 1))
    if mode == "I;16":
        image = Image.fromarray((ramp * 65535).astype(np.uint16))
    else:  # "F": floats from 0 to 1
        image = Image.fromarray(ramp.astype(np.float32), "F")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize(("mode", "fmt"), [("I;16", "PNG"), ("I;16", "TIFF"), ("F", "TIFF")])
def test_a_picture_deeper_than_8_bits_is_stored_with_its_tones(
    client: TestClient, mode: str, fmt: str
) -> None:
    """Pillow makes RGB of a 16-bit or float grey picture by clipping at 255: a 16-bit ramp
    came back white from the upscaler and black from restore, and both jobs succeeded. It
    is stored as 8-bit grey, its tones scaled, as every engine reads it."""
    alice = api_user(client, "alice@example.com")
    data = deep_gradient(mode, fmt)
    assert Image.open(io.BytesIO(data)).mode in ("I;16", "I", "F")
    response = post(client, alice, data, f"ramp.{fmt.lower()}")
    assert response.status_code == 201, response.text
    stored = Image.open(io.BytesIO(studio_of(client).artifacts.read(response.json()["sha256"])))
    assert stored.mode == "L" and stored.size == (256, 64)
    rgb = np.asarray(stored.convert("RGB")).astype(int)
    assert rgb[:, :8].mean() < 8 and rgb[:, -8:].mean() > 247  # dark to light, as sent
    assert abs(rgb.mean() - 127.5) < 2
