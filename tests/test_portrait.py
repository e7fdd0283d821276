"""image.portrait: variants (one work each, seed + i), sizes and upscalers, the
morph animation (WebP and GIF, its ends equal to the two seeds' faces), limits,
reproducibility and the non-commercial lineage of the face GAN.

Pixels are compared on what the engine makes (stored files carry a per-work watermark);
the API tests check works, files and refusals."""

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

from atelier.engines.base import Context, Creation, EngineConfig
from atelier.engines.image.encode import embedded_parameters
from atelier.engines.image.portrait import Portrait
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, wait_job
from tests.support.media import pixels, png_text
from tests.support.settings import make_settings


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = make_settings(tmp_path_factory.mktemp("portrait"), workers=1)
    with TestClient(create_app(settings)) as client:
        yield client, api_user(client, "portraitist@example.com")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Portrait:
    return Portrait(EngineConfig(assets_dir=tmp_path_factory.mktemp("assets")))


def make(engine: Portrait, seed: int, **params: Any) -> list[Creation]:
    """One face unless asked for more (`variants`)."""
    return engine.run(engine.Params(**{"variants": 1, **params}), Context(seed, Path("."), {}))


def picture(creation: Creation, index: int = 0) -> np.ndarray:
    return pixels(creation.files[index].data)


def frames(data: bytes) -> list[np.ndarray]:
    animation = Image.open(io.BytesIO(data))
    out = []
    for index in range(getattr(animation, "n_frames", 1)):
        animation.seek(index)
        out.append(pixels(animation.convert("RGB")))
    return out


def portraits(api: Any, seed: int, **params: Any) -> list[tuple[bytes, dict[str, Any]]]:
    """Run a job through the API to its end; each work's primary file and the work."""
    client, headers = api
    params = {"variants": 1, **params}
    job = wait_job(client, headers, submit(client, headers, "image.portrait", params, seed)["id"])
    assert job["status"] == "succeeded", job
    works = [client.get(f"/v1/works/{i}", headers=headers).json() for i in job["work_ids"]]
    return [(client.get(w["url"], headers=headers).content, w) for w in works]


def test_variants_make_one_work_per_face(api: Any) -> None:
    batch = portraits(api, seed=40, variants=3, upscaler="fast")
    assert [w["meta"]["face_seed"] for _, w in batch] == [40, 41, 42]
    assert [w["title"] for _, w in batch] == [f"Portrait (seed {s})" for s in (40, 41, 42)]
    assert [w["seed"] for _, w in batch] == [40, 41, 42]  # each work records its own seed
    assert len({w["id"] for _, w in batch}) == 3 and {w["job_id"] for _, w in batch} != set()
    for data, work in batch:
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size == (256, 256)
        assert work["meta"]["width"] == work["meta"]["height"] == 256
    assert "Seed: 41" in png_text(batch[1][0])["parameters"]


def test_face_i_of_a_batch_is_the_face_of_seed_plus_i(engine: Portrait) -> None:
    faces = [picture(c) for c in make(engine, 40, variants=3, upscaler="fast")]
    for face in faces:
        assert face.std() > 12  # a picture, not a flat field
    assert np.abs(faces[0] - faces[1]).mean() > 10  # different faces
    [alone] = make(engine, 41, upscaler="fast")
    assert np.array_equal(picture(alone), faces[1])


def test_photo_upscaler_at_512_px(engine: Portrait) -> None:
    [fast] = make(engine, 7, upscaler="fast")
    [large] = make(engine, 7, upscaler="photo", size=512)
    assert picture(large).shape == (512, 512, 3) and large.meta["width"] == 512
    assert "Upscaler: photo" in png_text(large.files[0].data)["parameters"]
    # The same face by the other network, not the same pixels.
    shrunk = Image.open(io.BytesIO(large.files[0].data)).resize((256, 256), Image.Resampling.BOX)
    assert 1 < np.abs(pixels(shrunk) - picture(fast)).mean() < 25


def test_truncation_pulls_faces_toward_the_average(engine: Portrait) -> None:
    full = [picture(c) for c in make(engine, 3, variants=2, upscaler="fast")]
    plain = [picture(c) for c in make(engine, 3, variants=2, upscaler="fast", truncation=0.2)]
    assert np.abs(plain[0] - plain[1]).mean() < np.abs(full[0] - full[1]).mean() / 2


def test_morph_is_an_animated_webp_between_the_two_faces(engine: Portrait) -> None:
    [start] = make(engine, 10, upscaler="fast")
    [end] = make(engine, 20, upscaler="fast")
    [morph] = make(engine, 10, upscaler="fast", morph_to=20, frames=5, quality=95)
    assert [(f.name, f.mime) for f in morph.files] == [
        ("morph.webp", "image/webp"),
        ("poster.png", "image/png"),
    ]
    assert morph.title == "Morph (seed 10 → 20)"
    sequence = frames(morph.files[0].data)
    assert len(sequence) == 8 == morph.meta["frames"]  # 5 forth, 3 back (bounce)
    assert sequence[0].shape == (256, 256, 3)
    assert np.abs(sequence[0] - picture(start)).mean() < 4  # lossy WebP of the same face
    assert np.abs(sequence[4] - picture(end)).mean() < 4
    assert np.abs(sequence[5] - sequence[3]).mean() < 1  # and back again
    middle = sequence[2]
    assert np.abs(middle - picture(start)).mean() > 5 and np.abs(middle - picture(end)).mean() > 5
    # Each step is small: a morph, not a cut.
    steps = [np.abs(a - b).mean() for a, b in zip(sequence[:4], sequence[1:5], strict=True)]
    assert max(steps) < np.abs(picture(start) - picture(end)).mean()
    assert np.array_equal(picture(morph, 1), picture(start))  # the poster: the first face
    text, record = embedded_parameters(morph.files[0].data)
    assert "Morph to: 20" in text and "Seed: 10" in text and "Frames: 5" in text
    assert record["engine"] == "image.portrait" and record["params"]["morph_to"] == 20
    assert Image.open(io.BytesIO(morph.files[0].data)).info["loop"] == 0


def test_morph_as_gif_without_bounce(api: Any) -> None:
    [(data, work)] = portraits(
        api, seed=1, upscaler="fast", morph_to=2, frames=3, bounce=False, animation="gif"
    )
    assert work["mime"] == "image/gif" and work["files"][0]["name"] == "morph.gif"
    assert work["files"][1]["name"] == "poster.png"
    animation = Image.open(io.BytesIO(data))
    assert getattr(animation, "n_frames", 1) == 3 and animation.info["duration"] == 100
    text, record = animation.info["comment"].decode().rsplit("\n", 1)
    assert "Morph to: 2" in text and json.loads(record)["seed"] == 1


def test_stored_webp_morph_keeps_every_frame(api: Any) -> None:
    [(data, work)] = portraits(api, seed=1, upscaler="fast", morph_to=2, frames=3, bounce=False)
    assert work["mime"] == "image/webp"
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3


def test_same_seed_and_params_give_identical_bytes(engine: Portrait) -> None:
    still = {"upscaler": "fast", "truncation": 0.7}
    morph = {"morph_to": 4, "frames": 3, "upscaler": "fast"}
    for params in (still, morph):
        first = make(engine, 99, **params)[0].files[0].data
        second = make(engine, 99, **params)[0].files[0].data
        assert first == second


def test_lineage_marks_the_face_model_non_commercial(api: Any) -> None:
    [(_, work)] = portraits(api, seed=5, upscaler="fast")
    models = {m["name"]: m for m in work["lineage"]["models"]}
    gan = models["DCGAN face generator (gan-face-generate weights.tar)"]
    data = models["DigiFace-1M (Microsoft; synthetic rendered faces)"]
    assert not gan["commercial_use"] and "non-commercial" in gan["licence"]
    assert data["kind"] == "data" and not data["commercial_use"]
    assert list(models)[2:] == ["Real-ESRGAN AnimeVideo-v3 x2/x3/x4 (realesr-animevideov3, ncnn)"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"variants": 2, "morph_to": 5}, "params", "variants must be 1 with morph_to"),
        ({"morph_to": 5}, "params", "variants must be 1 with morph_to"),  # 4 by default
        ({"morph_to": 5, "frames": 49}, "params.frames", "less than or equal to 48"),
        ({"variants": 5}, "params.variants", "less than or equal to 4"),
        ({"size": 300}, "params.size", "Input should be 256 or 512"),
        ({"morph_to": -1}, "params.morph_to", "greater than or equal to 0"),
        ({"upscaler": "anime"}, "params.upscaler", "Input should be"),
    ],
)
def test_bad_parameters_are_refused(
    api: Any, params: dict[str, Any], field: str, message: str
) -> None:
    client, headers = api
    response = client.post(
        "/v1/jobs", json={"engine": "image.portrait", "params": params}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert message in response.json()["detail"]
