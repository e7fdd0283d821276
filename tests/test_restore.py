"""image.restore end to end: each step measured against the clean picture it should give
back (scratches, noise, holes, colour cast, flat contrast), the fixed order, the mask's
checks, limits and reproducibility."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import update

from atelier.commerce.models import Plan
from atelier.engines.base import Context, EngineConfig
from atelier.engines.image.restore import Restore, RestoreParams, auto_levels
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, upload, wait_job
from tests.support.media import photo, pixels, png, png_text
from tests.support.settings import make_settings

CLEAN = photo(160, 120)
# Rows and columns the scratches cross, away from the picture's own edges.
SCRATCHES = [((5, 8), (100, 15), (250, 250, 250)), ((80, 5), (90, 115), (15, 15, 15))]
SPECKS = [(30, 100), (60, 12), (120, 100)]


def scratched() -> Image.Image:
    """CLEAN with a white and a black scratch (2 px) and three dust specks."""
    return draw_damage(CLEAN.copy())


def damage_mask() -> np.ndarray:
    """Where scratched() drew."""
    return np.asarray(draw_damage(Image.new("RGB", CLEAN.size)).convert("L")) > 0


def draw_damage(picture: Image.Image) -> Image.Image:
    draw = ImageDraw.Draw(picture)
    for start, end, colour in SCRATCHES:
        draw.line((start, end), fill=colour, width=2)
    for x, y in SPECKS:
        draw.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(240, 240, 240))
    return picture


def noisy(sigma: float = 20.0) -> Image.Image:
    rng = np.random.default_rng(0)
    noise = rng.normal(0, sigma, (120, 160, 3))
    return Image.fromarray(np.clip(pixels(CLEAN) + noise, 0, 255).astype(np.uint8))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255**2 / max(np.mean((a - b) ** 2), 1e-10)))


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("restore"), workers=1)
    with TestClient(create_app(settings)) as client:
        with client.app.state.studio.db.transaction() as s:  # type: ignore[attr-defined]
            # the engine's own limits are tested here, not the plan's
            s.execute(update(Plan).where(Plan.id == "trial").values(max_pixels=100_000_000))
        yield client, api_user(client, "restorer@example.com", credits=5_000)  # ×4 photo jobs


def run_job(api: Any, seed: int = 1, **params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    client, headers = api
    job = wait_job(client, headers, submit(client, headers, "image.restore", params, seed)["id"])
    if job["status"] != "succeeded":
        return job, {}
    return job, client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()


def restored(api: Any, picture: Image.Image, **params: Any) -> tuple[bytes, dict[str, Any]]:
    client, headers = api
    job, work = run_job(api, image=upload(client, headers, png(picture)), **params)
    assert job["status"] == "succeeded", job
    return client.get(work["url"], headers=headers).content, work


def test_scratches_and_dust_are_found_and_filled(api: Any) -> None:
    damaged = scratched()
    data, work = restored(api, damaged, steps=["scratches"])
    before, after = psnr(pixels(damaged), pixels(CLEAN)), psnr(pixels(data), pixels(CLEAN))
    assert after > before + 5, (before, after)
    # Nearly every damaged pixel is back near the clean picture's colour.
    error = np.abs(pixels(data) - pixels(CLEAN)).max(axis=2)
    drawn = damage_mask()
    assert np.mean(error[drawn] < 40) > 0.75
    assert np.mean(np.abs(pixels(damaged) - pixels(CLEAN)).max(axis=2)[drawn] < 40) < 0.1
    # The mask covers the defects and little else (they are ~600 px, grown by 2 px).
    assert drawn.sum() < work["meta"]["scratch_pixels"] < 2000
    assert "Restore: scratches" in png_text(data)["parameters"]


def test_a_clean_picture_is_left_alone_by_the_scratch_step(api: Any) -> None:
    data, work = restored(api, CLEAN, steps=["scratches"])
    assert work["meta"]["scratch_pixels"] < 100
    assert psnr(pixels(data), pixels(CLEAN)) > 40


def test_denoise_estimates_the_noise_and_removes_it(api: Any) -> None:
    damaged = noisy(20.0)
    data, work = restored(api, damaged, steps=["denoise"])
    assert 15 < work["meta"]["noise_sigma"] < 25
    before, after = psnr(pixels(damaged), pixels(CLEAN)), psnr(pixels(data), pixels(CLEAN))
    assert after > before + 6, (before, after)
    # A fixed, weak strength removes less.
    weak, _ = restored(api, damaged, steps=["denoise"], denoise_strength=3)
    assert psnr(pixels(weak), pixels(CLEAN)) < after - 3
    assert "Denoise: 3.0" in png_text(weak)["parameters"]


def mask_image(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rectangle(box, fill=255)
    return mask


def test_inpaint_fills_the_masked_area_only(api: Any) -> None:
    client, headers = api
    box = (95, 60, 110, 75)  # a hole in the sky and grass, right of the tree
    holed = CLEAN.copy()
    ImageDraw.Draw(holed).rectangle(box, fill=(255, 0, 255))
    mask_id = upload(client, headers, png(mask_image(CLEAN.size, box)))
    data, work = restored(api, holed, steps=["inpaint"], mask=mask_id)
    result, clean = pixels(data), pixels(CLEAN)
    inside = (slice(box[1], box[3] + 1), slice(box[0], box[2] + 1))
    assert np.abs(result[inside] - clean[inside]).mean() < 12
    outside = np.ones((120, 160), bool)
    outside[inside] = False
    assert np.array_equal(result[outside], pixels(holed)[outside])
    assert work["meta"]["inpainted_pixels"] == 16 * 16
    assert work["lineage"]["inputs"][1]["param"] == "mask"
    assert "Inpaint: biharmonic" in png_text(data)["parameters"]


def test_a_mask_of_another_size_fails_naming_both_sizes(api: Any) -> None:
    client, headers = api
    mask_id = upload(client, headers, png(mask_image((100, 80), (10, 10, 20, 20))))
    image_id = upload(client, headers, png(CLEAN))
    job, _ = run_job(api, image=image_id, steps=["inpaint"], mask=mask_id)
    assert job["status"] == "failed"
    assert "mask is 100×80, image is 160×120" in job["error"]


def test_an_empty_mask_fails(api: Any) -> None:
    client, headers = api
    mask_id = upload(client, headers, png(Image.new("L", CLEAN.size, 0)))
    job, _ = run_job(
        api, image=upload(client, headers, png(CLEAN)), steps=["inpaint"], mask=mask_id
    )
    assert job["status"] == "failed" and "mask marks nothing to fill" in job["error"]


def test_levels_alone_run_no_model_and_say_so(api: Any) -> None:
    """A work made with numpy alone records an empty list of models, which is no obstacle
    to selling it (it is not "no recorded lineage")."""
    _, work = restored(api, scratched(), steps=["levels"])
    assert work["lineage"]["models"] == []


def test_white_balance_removes_a_colour_cast(api: Any) -> None:
    cast = Image.fromarray(np.clip(pixels(CLEAN) * [1.2, 1.0, 0.7], 0, 255).astype(np.uint8))
    data, _ = restored(api, cast, steps=["white_balance"])
    means = pixels(data).reshape(-1, 3).mean(axis=0)
    assert means.max() - means.min() < 2, means
    assert np.ptp(pixels(cast).reshape(-1, 3).mean(axis=0)) > 30


def test_levels_undo_fading_and_a_colour_cast(api: Any) -> None:
    flat = (pixels(CLEAN) - 128) * 0.5 + 128
    faded = Image.fromarray(np.clip(flat * [1.12, 1.0, 0.78], 0, 255).astype(np.uint8))
    data, work = restored(api, faded, steps=["levels"])
    before, after = psnr(pixels(faded), pixels(CLEAN)), psnr(pixels(data), pixels(CLEAN))
    assert after > before + 4, (before, after)  # (the clean picture has no pure black)
    assert work["params"]["steps"] == ["levels"]


def test_levels_keep_the_hue_of_a_picture_of_one_colour(api: Any) -> None:
    """A channel with far less range than the picture's is a colour, not fading: a red
    disc on black came out white (its green and blue stretched from 30 to 255), a sunset's
    near-constant red and blue came out in stripes. A faded photograph is still stretched
    channel by channel (the test above), and a picture with no range is left alone."""
    logo = Image.new("RGB", (160, 120), "black")
    ImageDraw.Draw(logo).ellipse((40, 20, 120, 100), fill=(220, 30, 30))
    data, _ = restored(api, logo)  # the default steps
    red = pixels(data)[60, 80]
    assert red[0] > 200 and red[1] < 60 and red[2] < 60, red
    rows = np.linspace(60, 160, 96)[:, None] * np.ones((1, 128))
    noise = np.random.default_rng(3).normal(0, 1.0, (96, 128, 3))
    sunset = np.clip(np.stack([rows * 0 + 240, rows, rows * 0 + 40], -1) + noise, 0, 255)
    out = auto_levels(sunset.round().astype(np.uint8)).astype(float)
    assert (out[..., 0] > out[..., 1] + 40).all() and (out[..., 1] > out[..., 2]).all()
    assert out[..., 0].std() < 3 and out[..., 2].std() < 3  # no stripes in the flat channels
    grey = np.full((64, 64, 3), 120, np.uint8) + np.random.default_rng(4).integers(
        0, 8, (64, 64, 3)
    ).astype(np.uint8)
    assert np.array_equal(auto_levels(grey), grey)


def test_a_logo_on_a_transparent_ground_keeps_it(api: Any) -> None:
    """Restore works on the colours and puts the source's alpha back (the ground came out
    black); with the upscale step the alpha is enlarged with the picture."""
    logo = Image.new("RGBA", (96, 64), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((24, 8, 72, 56), fill=(220, 30, 30, 255))
    for steps, size in ((None, (96, 64)), (["levels", "upscale"], (192, 128))):
        data, _ = restored(api, logo, **({"steps": steps, "scale": 2} if steps else {}))
        out = Image.open(io.BytesIO(data))
        assert out.mode == "RGBA" and out.size == size, (steps, out.mode, out.size)
        alpha = np.asarray(out.getchannel("A"))
        middle = alpha[size[1] // 2 - 4 : size[1] // 2 + 4, size[0] // 2 - 4 : size[0] // 2 + 4]
        assert alpha[:4, :4].max() == 0 and middle.min() == 255
        assert np.asarray(out.convert("RGB"))[size[1] // 2, size[0] // 2][0] > 200


def test_contrast_lifts_a_flat_picture(api: Any) -> None:
    flat = Image.fromarray((pixels(CLEAN) * 0.4 + 90).astype(np.uint8))
    data, _ = restored(api, flat, steps=["contrast"])
    # CLAHE stretches each 8×8 tile's histogram: edges between regions gain contrast.
    edges = np.abs(np.diff(pixels(data, "L"), axis=0)).mean()
    assert edges > np.abs(np.diff(pixels(flat, "L"), axis=0)).mean() * 1.3


def test_steps_run_in_a_fixed_order(api: Any) -> None:
    client, headers = api
    image_id = upload(client, headers, png(noisy(12.0)))
    first = run_job(api, image=image_id, steps=["contrast", "denoise"])[1]
    second = run_job(api, image=image_id, steps=["denoise", "contrast"])[1]
    files = [client.get(w["url"], headers=headers).content for w in (first, second)]
    assert np.array_equal(pixels(files[0]), pixels(files[1]))
    assert first["meta"]["steps"] == second["meta"]["steps"] == ["denoise", "contrast"]


def test_steps_may_be_one_comma_separated_text(api: Any) -> None:
    _, work = restored(api, CLEAN, steps="contrast, white_balance")
    assert work["params"]["steps"] == ["contrast", "white_balance"]
    assert work["meta"]["steps"] == ["white_balance", "contrast"]


def test_upscale_step_enlarges_last(api: Any) -> None:
    data, work = restored(api, scratched(), steps=["upscale", "scratches"], scale=2, model="fast")
    assert Image.open(io.BytesIO(data)).size == (320, 240)
    assert work["meta"]["steps"] == ["scratches", "upscale"]
    # Made with the libraries the scratch step ran and the one network chosen, not all three.
    assert [m["name"] for m in work["lineage"]["models"]] == [
        "OpenCV (non-local means, Telea inpainting, CLAHE)",
        "scikit-image (biharmonic inpainting, noise estimate)",
        "Real-ESRGAN AnimeVideo-v3 x2/x3/x4 (realesr-animevideov3, ncnn)",
    ]
    shrunk = pixels(Image.open(io.BytesIO(data)).resize((160, 120), Image.Resampling.BOX))
    assert psnr(shrunk, pixels(CLEAN)) > psnr(pixels(scratched()), pixels(CLEAN)) + 5
    assert "Upscale: fast x2" in png_text(data)["parameters"]


def test_same_seed_and_params_give_identical_bytes(tmp_path: Path) -> None:
    picture = tmp_path / "scratched.png"
    picture.write_bytes(png(scratched()))
    engine = Restore(EngineConfig(assets_dir=tmp_path))
    params = RestoreParams(image="a" * 32, steps=["scratches", "denoise", "white_balance"])
    runs = [
        engine.run(params, Context(3, tmp_path, {"a" * 32: picture}))[0].files[0].data
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_too_large_for_the_upscale_step_fails_with_the_limit(api: Any) -> None:
    client, headers = api
    large = upload(client, headers, png(Image.new("RGB", (1500, 1400), (120, 100, 90))))
    job, _ = run_job(api, image=large, steps=["upscale"])
    assert job["status"] == "failed"
    assert "restore with the upscale step takes at most 2,000,000" in job["error"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"steps": ["polish"]}, "params.steps.0", "Input should be"),
        ({"steps": []}, "params.steps", "at least 1 item"),
        ({"steps": ["denoise", "denoise"]}, "params", "steps lists a step twice"),
        ({"steps": ["inpaint"]}, "params", "the inpaint step needs a mask"),
        ({"mask": "b" * 32, "steps": ["denoise"]}, "params", "'inpaint' is not in steps"),
        ({"denoise_strength": 90}, "params.denoise_strength", "less than or equal to 40"),
        ({"model": "nonexistent"}, "params.model", "Input should be"),
    ],
)
def test_bad_parameters_are_refused(
    api: Any, params: dict[str, Any], field: str, message: str
) -> None:
    client, headers = api
    body = {"engine": "image.restore", "params": {"image": "a" * 32, **params}}
    response = client.post("/v1/jobs", json=body, headers=headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert message in response.json()["detail"]
