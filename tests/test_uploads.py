"""POST /v1/uploads: real images are kept (content-addressed); anything else is refused with
a problem naming `file`, before anything is written."""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import problem_fields, snapshot, studio_of
from tests.support.media import image_bytes
from tests.support.settings import make_settings


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bilevel_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of all-black rows, compressed as it is written: a 20000×20000
    one is ~50 kB on disk and 400 megapixels once decoded (a decompression bomb)."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def solid(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), 90).save(buffer, format=fmt)
    return buffer.getvalue()


def post(client: TestClient, headers: dict[str, str], data: bytes, name: str = "f.png"):  # type: ignore[no-untyped-def]
    return client.post("/v1/uploads", files={"file": (name, data)}, headers=headers)


def refused(
    client: TestClient,
    headers: dict[str, str],
    data: bytes,
    status: int,
    words: str,
    name: str = "f.png",
) -> None:
    """The upload is refused with `status`, naming `file`, and nothing is written."""
    before = snapshot(client)
    started = time.monotonic()
    response = post(client, headers, data, name)
    assert response.status_code == status, response.text
    assert problem_fields(response) == ["file"]
    assert words in response.json()["detail"], response.json()["detail"]
    assert snapshot(client) == before
    assert time.monotonic() - started < 10


# -- accepted -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("WEBP", "image/webp"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_real_images_are_kept(client: TestClient, fmt: str, mime: str) -> None:
    alice = api_user(client, "alice@example.com")
    data = image_bytes(120, 80, fmt=fmt, seed=3)
    response = post(client, alice, data, name=f"photo.{fmt.lower()}")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["mime"] == mime and (body["width"], body["height"]) == (120, 80)
    assert body["size"] == len(data) and body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["filename"] == f"photo.{fmt.lower()}"
    assert studio_of(client).artifacts.read(body["sha256"]) == data
    again = client.get(f"/v1/uploads/{body['id']}", headers=alice)
    assert again.status_code == 200 and again.json() == body


def test_same_bytes_are_stored_once(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    data = image_bytes(64, 64)
    before = snapshot(client)
    first = post(client, alice, data).json()
    second = post(client, alice, data, name="copy.png").json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    after = snapshot(client)
    assert after["uploads"] == before["uploads"] + 2
    assert after["artifact_files"] == before["artifact_files"] + 1


def test_smallest_allowed_sides(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    assert post(client, alice, solid(32, 32)).status_code == 201
    refused(client, alice, solid(31, 200), 415, "at least 32")


# -- refused ------------------------------------------------------------------------------


def test_text_is_not_an_image(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    refused(
        client, alice, b"hello, this is plainly text\n" * 20, 415, "not an image", name="notes.png"
    )
    refused(
        client,
        alice,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        415,
        "not an image",
        name="x.svg",
    )


def test_a_format_pillow_reads_but_we_do_not_take(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    refused(client, alice, solid(64, 64, fmt="PPM"), 415, "unsupported image format")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images(client: TestClient, fmt: str) -> None:
    alice = api_user(client, "alice@example.com")
    data = image_bytes(160, 120, fmt=fmt, seed=1)
    refused(client, alice, data[: len(data) // 2], 415, "truncated")
    refused(client, alice, data[:40], 415, "")  # header only: not even readable


def test_tiny_and_empty_files(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    refused(client, alice, image_bytes(10, 10), 415, "10×10")
    refused(client, alice, b"", 422, "empty")
    missing = client.post("/v1/uploads", data={"other": "x"}, headers=alice)
    assert missing.status_code == 422 and problem_fields(missing) == ["file"]


def test_the_bomb_builder_makes_real_pngs() -> None:
    image = Image.open(io.BytesIO(bilevel_png(300, 200)))
    assert (image.format, image.mode, image.size) == ("PNG", "1", (300, 200))
    image.load()
    assert image.getextrema() == (0, 0)


def test_decompression_bomb_is_refused_from_its_header(client: TestClient) -> None:
    alice = api_user(client, "alice@example.com")
    bomb = bilevel_png(20000, 20000)
    assert len(bomb) < 100_000  # a small file ...
    refused(client, alice, bomb, 415, "decompression bomb")  # ... that is never decoded
    # Under Pillow's own bomb limit but over the studio's pixel limit (40 megapixels).
    refused(client, alice, bilevel_png(7000, 7000), 415, "the limit is 40,000,000")


# -- limits from settings -----------------------------------------------------------------


@pytest.fixture
def small_limits(tmp_path: Path) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, workers=1, max_upload_bytes=4096, max_upload_pixels=5000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def padded(data: bytes, size: int) -> bytes:
    """A valid PNG grown to exactly `size` bytes (readers ignore bytes after IEND)."""
    assert len(data) <= size
    return data + b"\x00" * (size - len(data))


def test_file_over_the_byte_limit_is_413(small_limits: TestClient) -> None:
    alice = api_user(small_limits, "alice@example.com")
    picture = solid(64, 64)
    at_limit = post(small_limits, alice, padded(picture, 4096))
    assert at_limit.status_code == 201, at_limit.text
    refused(small_limits, alice, padded(picture, 4097), 413, "4,096 bytes")
    big = image_bytes(200, 200, seed=4)
    assert len(big) > 4096
    refused(small_limits, alice, big, 413, "larger than the limit")


def test_realistic_image_over_the_pixel_limit(small_limits: TestClient) -> None:
    alice = api_user(small_limits, "alice@example.com")
    assert post(small_limits, alice, solid(70, 70)).status_code == 201  # 4,900 pixels
    refused(small_limits, alice, solid(100, 100), 415, "the limit is 5,000")
    refused(small_limits, alice, solid(80, 80, fmt="JPEG"), 415, "80×80 = 6,400 pixels")
