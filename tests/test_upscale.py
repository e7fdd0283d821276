"""image.upscale end to end: sizes per scale and network, the picture kept, tiles that
meet without seams, alpha, limits, reproducibility and the embedded parameters."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.engines.base import Context, EngineConfig
from atelier.engines.image import esrgan
from atelier.engines.image.upscale import Upscale, UpscaleParams
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, upload, wait_job
from tests.support.media import photo, pixels, png, png_text
from tests.support.settings import make_settings

PICTURE = photo(48, 40)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("upscale"), workers=1)
    with TestClient(create_app(settings)) as client:
        with client.app.state.studio.db.transaction() as s:  # type: ignore[attr-defined]
            # the engine's own limits are tested here, not the plan's
            s.execute(update(Plan).where(Plan.id == "trial").values(max_pixels=100_000_000))
        yield client, api_user(client, "enlarger@example.com", credits=5_000)  # ×4 photo jobs


@pytest.fixture(scope="module")
def picture_id(api: tuple[TestClient, dict[str, str]]) -> str:
    client, headers = api
    return upload(client, headers, png(PICTURE))


def run_job(api: Any, seed: int = 1, **params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run an image.upscale job to its end; returns the job and (if it succeeded) its work."""
    client, headers = api
    job = wait_job(client, headers, submit(client, headers, "image.upscale", params, seed)["id"])
    if job["status"] != "succeeded":
        return job, {}
    work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
    return job, work


def upscaled(api: Any, seed: int = 1, **params: Any) -> tuple[bytes, dict[str, Any]]:
    job, work = run_job(api, seed, **params)
    assert job["status"] == "succeeded", job
    client, headers = api
    return client.get(work["url"], headers=headers).content, work


def bicubic(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    return pixels(image.resize(size, Image.Resampling.BICUBIC))


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_fast_network_enlarges_by_each_scale(api: Any, picture_id: str, scale: int) -> None:
    data, work = upscaled(api, image=picture_id, scale=scale, model="fast")
    size = (48 * scale, 40 * scale)
    assert Image.open(io.BytesIO(data)).size == size
    assert work["meta"]["network"] == f"realesr-animevideov3-x{scale}"
    # The same picture, larger: close to a bicubic enlargement, not equal to it.
    difference = np.abs(pixels(data) - bicubic(PICTURE, size)).mean()
    assert 0.3 < difference < 12, difference


@pytest.mark.parametrize("scale", [2, 4])
def test_photo_network_makes_scale_from_its_x4(api: Any, scale: int) -> None:
    client, headers = api
    small = photo(40, 32)
    data, work = upscaled(api, image=upload(client, headers, png(small)), scale=scale)
    size = (40 * scale, 32 * scale)
    assert Image.open(io.BytesIO(data)).size == size
    assert work["params"]["model"] == "photo" and work["meta"]["network"] == "realesrgan-x4plus"
    # Shrunk back to the input's size, the result is the input again (within a few levels).
    back = pixels(Image.open(io.BytesIO(data)).resize((40, 32), Image.Resampling.BOX))
    assert np.abs(back - pixels(small)).mean() < 8
    assert f"Scale: {scale}" in png_text(data)["parameters"]
    # ... and not what the other networks make of it.
    for other in ("anime", "fast") if scale == 4 else ():
        theirs, _ = upscaled(api, image=work["params"]["image"], scale=scale, model=other)
        assert np.abs(pixels(data) - pixels(theirs)).mean() > 0.5


def test_tiles_meet_without_seams() -> None:
    """A picture wider than one block, in blocks and in one piece, is the same."""
    wide = photo(esrgan.BLOCK + 40, 48)
    fractions: list[float] = []
    tiled = np.asarray(esrgan.upscale(wide, "fast", 2, fractions.append)).astype(int)
    assert fractions == [0.5, 1.0]  # two blocks
    block = esrgan.BLOCK
    try:
        esrgan.BLOCK = 10_000
        whole = np.asarray(esrgan.upscale(wide, "fast", 2)).astype(int)
    finally:
        esrgan.BLOCK = block
    assert tiled.shape == whole.shape == (96, (esrgan.BLOCK + 40) * 2, 3)
    assert np.abs(tiled - whole).mean() < 0.1
    assert np.abs(tiled - whole).max() <= 12


def test_alpha_is_kept(api: Any) -> None:
    client, headers = api
    rgba = PICTURE.convert("RGBA")
    alpha = np.zeros((40, 48), np.uint8)
    alpha[:, 24:] = 255
    rgba.putalpha(Image.fromarray(alpha))
    data, _ = upscaled(api, image=upload(client, headers, png(rgba)), scale=2, model="fast")
    result = Image.open(io.BytesIO(data))
    assert result.mode == "RGBA" and result.size == (96, 80)
    out_alpha = np.asarray(result.getchannel("A")).astype(int)
    assert out_alpha[:, :40].max() < 10 and out_alpha[:, 56:].min() > 245


def test_engine_gives_identical_bytes(tmp_path: Path) -> None:
    picture = tmp_path / "picture.png"
    picture.write_bytes(png(PICTURE))
    engine = Upscale(EngineConfig(assets_dir=tmp_path))
    params = UpscaleParams(image="a" * 32, scale=2, model="fast", format="webp")
    runs = [
        engine.run(params, Context(7, tmp_path, {"a" * 32: picture}))[0].files[0].data
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and runs[0][8:12] == b"WEBP"


def test_png_carries_parameters_and_lineage(api: Any, picture_id: str) -> None:
    data, work = upscaled(api, seed=4, image=picture_id, scale=2, model="fast")
    text = png_text(data)["parameters"]
    for part in ("Upscaler: realesr-animevideov3-x2", "Model: fast", "Seed: 4", "Size: 96x80"):
        assert part in text, text
    models = work["lineage"]["models"]
    assert all(m["commercial_use"] and "BSD-3-Clause" in m["licence"] for m in models)
    # Only the network that ran, of the three the engine offers; the file says the same.
    assert [m["name"] for m in models] == [
        "Real-ESRGAN AnimeVideo-v3 x2/x3/x4 (realesr-animevideov3, ncnn)"
    ]
    [recorded] = json.loads(png_text(data)["atelier"])["models"]
    assert recorded.startswith(models[0]["name"])


def test_too_large_a_picture_fails_with_the_limit(api: Any) -> None:
    client, headers = api
    large = Image.new("RGB", (1500, 1400), (90, 120, 200))  # 2.1 MP, a small PNG
    job, _ = run_job(api, image=upload(client, headers, png(large)), scale=2, model="fast")
    assert job["status"] == "failed"
    assert "1500×1400 = 2,100,000 pixels; upscale takes at most 2,000,000" in job["error"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"model": "nonexistent"}, "params.model"), ({"scale": 8}, "params.scale")],
)
def test_bad_parameters_are_refused(
    api: Any, picture_id: str, params: dict[str, Any], field: str
) -> None:
    client, headers = api
    body = {"engine": "image.upscale", "params": {"image": picture_id, **params}}
    response = client.post("/v1/jobs", json=body, headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize("mode", ["LA", "P"])
def test_a_transparent_picture_asked_as_jpeg_is_on_white(api: Any, mode: str) -> None:
    """A JPEG has no alpha: what was transparent is white, as in the PNG's JPEG copy. A
    grey-with-alpha picture had come back grey, and a palette one black, from what hid
    under its transparent pixels."""
    client, headers = api
    source = Image.new("RGBA", (48, 40), (130, 130, 140, 0))
    source.paste((20, 160, 60, 255), (16, 12, 32, 28))
    source = source.convert("LA") if mode == "LA" else source.convert("P")
    if mode == "P":
        source.info["transparency"] = source.getpixel((0, 0))
    picture_id = upload(client, headers, png(source))
    data, work = upscaled(api, image=picture_id, scale=2, model="fast", format="jpeg")
    assert work["mime"] == "image/jpeg"
    corner = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[:8, :8].astype(int)
    assert corner.min() >= 235, corner.mean(axis=(0, 1))


def test_an_animation_is_refused_not_cut_to_its_first_frame(api: Any) -> None:
    """A 12-frame GIF had come back as one still of its first frame, the record silent."""
    client, headers = api
    frames = [Image.new("RGB", (48, 40), (20 * i, 90, 200 - 15 * i)) for i in range(12)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=80)
    gif_id = upload(client, headers, buffer.getvalue())
    job, _ = run_job(api, image=gif_id, scale=2, model="fast")
    assert job["status"] == "failed"
    assert "an animation of 12 frames" in job["error"] and "still pictures" in job["error"]
