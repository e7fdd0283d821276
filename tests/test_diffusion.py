"""image.diffusion end to end on a tiny, randomly initialised Stable Diffusion pipeline that the
tests build and save into a temp folder: the real loading code (from_pretrained of a local
folder) and the real generation code run on it, through the API, the studio and a worker."""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.engines.base import Context, EngineConfig, EngineError
from atelier.engines.image.diffusion import (
    NO_MODEL,
    SCHEDULERS,
    Diffusion,
    DiffusionParams,
    SchedulerName,
)
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import problem_fields, studio_of, submit, upload, wait_job
from tests.support.diffusion import build_tiny_pipeline
from tests.support.media import image_bytes
from tests.support.settings import make_settings

ENGINE = "image.diffusion"
TINY = "tiny-sd"
Api = tuple[TestClient, dict[str, str]]


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tiny-sd (nothing declared), tiny-sd-declared (atelier.json) and tiny-sd-readme
    (a model card naming a licence): the same weights in three folders."""
    root = tmp_path_factory.mktemp("models")
    build_tiny_pipeline(root / TINY)
    declared = shutil.copytree(root / TINY, root / "tiny-sd-declared")
    (declared / "atelier.json").write_text(
        json.dumps({"licence": "CC0-1.0", "commercial_use": True, "version": "v7"})
    )
    readme = shutil.copytree(root / TINY, root / "tiny-sd-readme")
    (readme / "README.md").write_text(
        "---\nlicense: creativeml-openrail-m\ntags:\n- stable-diffusion\n---\n# A model\n"
    )
    (root / "not-a-model").mkdir()
    return root


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[Api]:
    settings = make_settings(tmp_path_factory.mktemp("diffusion"), workers=1, models_dir=models_dir)
    with TestClient(create_app(settings)) as client:
        yield client, api_user(client, "painter@example.com", credits=5_000)  # a slow job


def paint(api: Api, seed: int = 1, **params: Any) -> tuple[list[bytes], dict[str, Any]]:
    """Run a job to success; returns its works' primary files and the first work. One
    variant unless asked (the tests of variants ask)."""
    client, headers = api
    body = {"prompt": "a red fox", "steps": 2, "width": 64, "height": 64, "variants": 1, **params}
    job = wait_job(client, headers, submit(client, headers, ENGINE, body, seed=seed)["id"])
    assert job["status"] == "succeeded", job
    works = [client.get(f"/v1/works/{w}", headers=headers).json() for w in job["work_ids"]]
    files = [client.get(work["url"], headers=headers).content for work in works]
    return files, works[0]


def failure(api: Api, **params: Any) -> str:
    """Run a job that must fail; returns its error."""
    client, headers = api
    body = {"prompt": "a red fox", "steps": 2, "width": 64, "height": 64, **params}
    job = wait_job(client, headers, submit(client, headers, ENGINE, body)["id"])
    assert job["status"] == "failed" and job["work_ids"] == [], job
    return str(job["error"])


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float64)


def png_parameters(data: bytes) -> tuple[str, dict[str, Any]]:
    text = Image.open(io.BytesIO(data)).text  # type: ignore[attr-defined]
    return text["parameters"], json.loads(text["atelier"])


@pytest.fixture(scope="module")
def picture_id(api: Api) -> str:
    client, headers = api
    return upload(client, headers, image_bytes(64, 64, seed=3))


def mask_png(width: int, height: int, white: tuple[int, int, int, int]) -> bytes:
    mask = Image.new("L", (width, height), 0)
    mask.paste(255, white)
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    return buffer.getvalue()


# -- text to image ---------------------------------------------------------------------


def test_txt2img_paints_the_requested_size_with_its_recipe(api: Api) -> None:
    [data], work = paint(api, seed=7, width=96, height=64, negative_prompt="blur")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (96, 64)
    assert pixels(data).std() > 1  # a picture, not a flat fill
    parameters, record = png_parameters(data)
    assert parameters.startswith("a red fox\nNegative prompt: blur\n")
    for part in ("Steps: 2", "Sampler: tiny-sd default", "CFG scale: 7.5", "Seed: 7"):
        assert part in parameters, parameters
    for part in ("Size: 96x64", "Model: tiny-sd", "Mode: txt2img", "Engine: image.diffusion"):
        assert part in parameters, parameters
    assert record["engine"] == ENGINE and record["seed"] == 7
    assert record["params"] == work["params"] and work["params"]["strength"] is None
    assert work["meta"] == {
        "width": 96,
        "height": 64,
        "seed": 7,
        "index": 0,
        "mode": "txt2img",
        "model": TINY,
    }


def test_same_seed_gives_identical_bytes_and_another_seed_another_picture(
    api: Api, tmp_path: Path
) -> None:
    # The engine's own file, before the studio seals it (a seal is signed and dated):
    client, _ = api
    engine = studio_of(client).engines.get(ENGINE)
    params = engine.Params(prompt="a red fox", steps=2, width=64, height=64, variants=1)
    [first], [again], [other] = (
        engine.run(params, Context(seed, tmp_path, {}))[0].files for seed in (42, 42, 43)
    )
    assert first.data == again.data
    assert np.abs(pixels(first.data) - pixels(other.data)).mean() > 1
    # ... and the same picture through the API (where the seal adds an invisible watermark).
    [stored], _ = paint(api, seed=42)
    assert np.abs(pixels(stored) - pixels(first.data)).mean() < 2


def test_variants_make_one_work_per_image_each_reproducible_from_its_own_seed(api: Api) -> None:
    client, headers = api
    body = {"prompt": "a red fox", "steps": 2, "width": 64, "height": 64}  # 4 by default
    job = wait_job(client, headers, submit(client, headers, ENGINE, body, seed=100)["id"])
    assert [w["seed"] for w in job["works"]] == [100, 101, 102, 103]
    files = [client.get(w["url"], headers=headers).content for w in job["works"]]
    assert all(
        np.abs(pixels(a) - pixels(b)).mean() > 1
        for i, a in enumerate(files)
        for b in files[i + 1 :]
    )
    [alone], _ = paint(api, seed=101)  # image 1 of the batch used seed + 1
    assert np.array_equal(pixels(files[1]), pixels(alone))
    assert "Seed: 101" in png_parameters(files[1])[0]


def test_a_chosen_scheduler_is_used_and_recorded(api: Api) -> None:
    [default], _ = paint(api, seed=5, steps=3)
    [euler_a], _ = paint(api, seed=5, steps=3, scheduler="euler_a")
    [dpm], _ = paint(api, seed=5, steps=3, scheduler="dpm++_karras")
    assert "Sampler: Euler a" in png_parameters(euler_a)[0]
    assert "Sampler: DPM++ 2M Karras" in png_parameters(dpm)[0]
    assert np.abs(pixels(default) - pixels(euler_a)).mean() > 0.5
    assert np.abs(pixels(euler_a) - pixels(dpm)).mean() > 0.5


def test_every_scheduler_name_maps_to_a_diffusers_class() -> None:
    import diffusers

    assert set(get_args(SchedulerName)) == {"default", *SCHEDULERS}
    assert all(hasattr(diffusers, cls) for cls, _, _ in SCHEDULERS.values())


def test_the_model_param_picks_a_folder_and_the_pipeline_is_loaded_once(api: Api) -> None:
    client, _ = api
    engine = studio_of(client).engines.get(ENGINE)
    assert isinstance(engine, Diffusion)
    paint(api, model=TINY)
    cached = dict(engine._loaded)
    paint(api, model=TINY, seed=2)
    assert engine._loaded == cached and len(cached) == 1  # the same pipeline object
    [data], work = paint(api, model="tiny-sd-declared")
    assert list(engine._loaded) != list(cached) and len(engine._loaded) == 1  # LRU of one
    assert "Model: tiny-sd-declared" in png_parameters(data)[0]
    assert "Model version: v7" in png_parameters(data)[0]
    assert work["meta"]["model"] == "tiny-sd-declared"


def test_a_scheduler_the_model_cannot_use_is_refused(models_dir: Path, tmp_path: Path) -> None:
    """A flow-matching model (as FLUX and SD3 are) works only with its own scheduler."""
    folder = shutil.copytree(models_dir / TINY, tmp_path / "models" / "flow")
    index = json.loads((folder / "model_index.json").read_text())
    index["scheduler"] = ["diffusers", "FlowMatchEulerDiscreteScheduler"]
    (folder / "model_index.json").write_text(json.dumps(index))
    (folder / "scheduler" / "scheduler_config.json").write_text(
        json.dumps({"_class_name": "FlowMatchEulerDiscreteScheduler"})
    )
    engine = Diffusion(EngineConfig(assets_dir=tmp_path, models_dir=tmp_path / "models"))
    params = engine.Params(prompt="a fox", steps=2, width=64, height=64, scheduler="ddim")
    with pytest.raises(EngineError) as refused:
        engine.run(params, Context(1, tmp_path, {}))
    assert str(refused.value) == (
        "params.scheduler: ddim does not work with model flow "
        "(FlowMatchEulerDiscreteScheduler); use one of: default"
    )


def test_a_folders_own_safety_checker_is_not_loaded(models_dir: Path, tmp_path: Path) -> None:
    """SD 1.5 folders name a safety checker (it blacks out images); the studio moderates
    outputs itself, so the checker is never loaded: here its weights are not even there."""
    folder = shutil.copytree(models_dir / TINY, tmp_path / "models" / "checked")
    index = json.loads((folder / "model_index.json").read_text())
    index["safety_checker"] = ["stable_diffusion", "StableDiffusionSafetyChecker"]
    (folder / "model_index.json").write_text(json.dumps(index))
    engine = Diffusion(EngineConfig(assets_dir=tmp_path, models_dir=tmp_path / "models"))
    params = engine.Params(prompt="a fox", steps=2, width=64, height=64, variants=1)
    [creation] = engine.run(params, Context(1, tmp_path, {}))
    assert Image.open(io.BytesIO(creation.files[0].data)).size == (64, 64)


def test_an_unknown_model_fails_naming_the_folders_there_are(api: Api) -> None:
    error = failure(api, model="sdxl")
    assert error.startswith("params.model: no model folder 'sdxl'")
    assert "tiny-sd, tiny-sd-declared, tiny-sd-readme" in error


# -- image to image and inpainting -------------------------------------------------------


def test_img2img_starts_from_the_picture_and_keeps_its_aspect(api: Api, picture_id: str) -> None:
    client, headers = api
    [data], work = paint(api, image=picture_id, width=None, height=None, steps=4)
    assert Image.open(io.BytesIO(data)).size == (64, 64)  # the tiny model's native 64 px
    parameters, _ = png_parameters(data)
    assert "Mode: img2img" in parameters and "Denoising strength: 0.75" in parameters
    assert work["params"]["strength"] == 0.75 and work["meta"]["mode"] == "img2img"
    assert [i["param"] for i in work["lineage"]["inputs"]] == ["image"]
    other_id = upload(client, headers, image_bytes(128, 96, seed=8))
    [other], _ = paint(api, image=other_id, width=None, height=72, steps=4)
    assert Image.open(io.BytesIO(other)).size == (96, 72)  # 128×96 at height 72


def test_img2img_strength_sets_how_much_of_the_picture_survives(api: Api, picture_id: str) -> None:
    client, headers = api
    other_id = upload(client, headers, image_bytes(64, 64, seed=8))

    def apart(strength: float) -> float:
        """How far the results from two start pictures are, with the same seed."""
        [one], _ = paint(api, image=picture_id, steps=4, strength=strength)
        [two], _ = paint(api, image=other_id, steps=4, strength=strength)
        return float(np.abs(pixels(one) - pixels(two)).mean())

    light, full = apart(0.25), apart(1.0)
    assert light > 3 * full, (light, full)


def test_inpainting_repaints_where_the_mask_is_white(api: Api, picture_id: str) -> None:
    client, headers = api
    right = upload(client, headers, mask_png(64, 64, (32, 0, 64, 64)), name="right.png")
    [data], work = paint(api, image=picture_id, mask=right)
    assert Image.open(io.BytesIO(data)).size == (64, 64)
    assert work["params"]["strength"] == 1.0 and work["meta"]["mode"] == "inpaint"
    assert "Mode: inpaint" in png_parameters(data)[0]
    assert [i["param"] for i in work["lineage"]["inputs"]] == ["image", "mask"]
    # The left half is the picture itself (up to the seal's invisible watermark); the
    # right half is repainted.
    change = np.abs(pixels(data) - pixels(image_bytes(64, 64, seed=3))).mean(axis=2)
    assert change[:, :32].mean() < 2 and change[:, 32:].mean() > 20, change.mean(axis=0)


def test_a_mask_of_another_size_fails_naming_mask(api: Api, picture_id: str) -> None:
    client, headers = api
    small = upload(client, headers, mask_png(64, 48, (0, 0, 32, 48)), name="small.png")
    error = failure(api, image=picture_id, mask=small)
    assert error == (
        "params.mask: the mask is 64×48 but the image is 64×64; give a mask of the image's size"
    )


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"mask": "0" * 32}, "params.mask", "a mask needs the image"),
        ({"strength": 0.5}, "params.strength", "strength applies only with an image"),
        ({"image": "0" * 32, "steps": 1, "strength": 0.5}, "params.strength", "steps × strength"),
        ({"width": 100}, "params.width", "multiple of 8"),
        ({"height": 4096}, "params.height", "less than or equal to 2048"),
        ({"steps": 0}, "params.steps", "greater than or equal to 1"),
        ({"scheduler": "karras"}, "params.scheduler", "'euler_a'"),
        ({"variants": 5}, "params.variants", "less than or equal to 4"),
        ({"prompt": ""}, "params.prompt", "at least 1 character"),
        ({"model": "../etc"}, "params.model", "pattern"),
    ],
)
def test_bad_params_are_refused_naming_the_field(
    api: Api, params: dict[str, Any], field: str, words: str
) -> None:
    client, headers = api
    body = {"prompt": "a fox", **params}
    response = client.post("/v1/jobs", json={"engine": ENGINE, "params": body}, headers=headers)
    assert response.status_code == 422, response.text
    assert problem_fields(response) == [field]
    assert words in response.json()["detail"]


# -- progress, cancel, availability, licences --------------------------------------------


def test_progress_reaches_the_job_and_cancel_stops_it(api: Api) -> None:
    client, headers = api
    params = {"prompt": "a slow fox", "steps": 150, "width": 256, "height": 256, "variants": 4}
    params["scheduler"] = "euler"  # exactly `steps` steps (PNDM adds one)
    job = submit(client, headers, ENGINE, params)
    running = wait_job(client, headers, job["id"], until=("running",))
    while "step" not in (running["message"] or ""):  # the step callback's progress arrives
        time.sleep(0.02)
        running = client.get(f"/v1/jobs/{job['id']}", headers=headers).json()
        assert running["status"] == "running", running
    assert running["message"].startswith("image 1 of 4: step ")
    assert running["message"].endswith(" of 150")
    assert 0 < running["progress"] < 0.5
    response = client.post(f"/v1/jobs/{job['id']}/cancel", headers=headers)
    assert response.status_code == 200 and response.json()["cancel_requested"] is True
    final = wait_job(client, headers, job["id"])
    assert final["status"] == "canceled" and final["work_ids"] == [], final
    assert final["progress"] < 0.5


def test_unavailable_without_a_model_folder(tmp_path: Path) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    for models_dir in (None, empty):
        settings = make_settings(tmp_path / str(models_dir is None), models_dir=models_dir)
        with TestClient(create_app(settings)) as client:
            headers = api_user(client, "nomodel@example.com")
            listed = {e["name"]: e for e in client.get("/v1/engines").json()["items"]}[ENGINE]
            assert listed["available"] is False and listed["unavailable_reason"] == NO_MODEL
            assert listed["models"] == []
            response = client.post(
                "/v1/jobs",
                json={"engine": ENGINE, "params": {"prompt": "a fox"}},
                headers=headers,
            )
            # No worker serving it has been seen either (tests/test_routing.py): 503.
            assert response.status_code == 503
            assert problem_fields(response) == ["engine"]
            assert NO_MODEL in response.json()["detail"]


def test_each_model_folder_is_listed_with_its_licence(api: Api) -> None:
    client, _ = api
    listed = {e["name"]: e for e in client.get("/v1/engines").json()["items"]}[ENGINE]
    assert listed["available"] is True
    cards = {card["name"]: card for card in listed["models"]}
    assert list(cards) == [TINY, "tiny-sd-declared", "tiny-sd-readme"]  # not-a-model is not
    assert cards[TINY]["licence"] == "as provided by the operator"
    assert cards[TINY]["commercial_use"] is False
    assert cards[TINY]["source"] == "operator's model folder (StableDiffusionPipeline)"
    assert len(cards[TINY]["version"]) == 12  # a fingerprint of its files
    assert cards["tiny-sd-declared"]["licence"] == "CC0-1.0"
    assert cards["tiny-sd-declared"]["commercial_use"] is True
    assert cards["tiny-sd-declared"]["version"] == "v7"
    readme = cards["tiny-sd-readme"]
    assert readme["licence"] == "creativeml-openrail-m (from the model's README)"
    assert readme["commercial_use"] is False  # until the operator says so
    assert readme["version"] == cards[TINY]["version"]  # same weights, same fingerprint


def test_a_bad_declaration_is_ignored_and_says_why(models_dir: Path, tmp_path: Path) -> None:
    from atelier.engines.image.diffusion_models import find_models

    folder = shutil.copytree(models_dir / TINY, tmp_path / "m" / "odd")
    (folder / "atelier.json").write_text('{"licence": "MIT", "commercial_use": "yes"}')
    [found] = find_models(tmp_path / "m")
    assert found.card.commercial_use is False
    assert found.card.licence == (
        "as provided by the operator; atelier.json ignored: "
        "commercial_use: Input should be a valid boolean"
    )


def test_a_work_records_the_model_it_was_made_with(api: Api) -> None:
    """Only the model folder that painted it, of the three installed."""
    _, work = paint(api, model="tiny-sd-readme")
    [model] = work["lineage"]["models"]
    assert model["name"] == "tiny-sd-readme" and model["commercial_use"] is False
    assert model["licence"] == "creativeml-openrail-m (from the model's README)"


def test_a_prompt_of_spaces_only_is_refused() -> None:
    """It painted whatever the model paints unprompted, and the job succeeded."""
    with pytest.raises(ValueError, match="the prompt needs at least one word"):
        DiffusionParams(prompt=" \n\t ")
    assert DiffusionParams(prompt=" a red fox ").prompt == " a red fox "
