"""image.compose's second library, Fluent Emoji (flat, MIT): subjects openclipart has no
drawing of (a goose, a zebra, a hedgehog, a bathtub) are drawn, their licence travels
with the work, and the package's symbols (card suits, clock faces, charts) never stand for
a thing. Uses the shared assets (`atelier prepare`)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.engines.image.compose import Compose, emoji, index, svg
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, wait_job
from tests.support.settings import ASSETS, make_settings


@pytest.mark.parametrize(
    ("prompt", "noun"),
    [
        ("two geese beside a pond", "goose"),
        ("a zebra under a tree", "zebra"),
        ("a hedgehog in the garden", "hedgehog"),
        ("a bathtub by a window", "bathtub"),
        ("一只刺猬在花园里", "hedgehog"),
    ],
)
def test_what_openclipart_lacks_is_drawn_from_the_emoji(
    compose_engine: Compose, prompt: str, noun: str
) -> None:
    """Each of these failed the job ("no drawing of 'goose'") before."""
    plan = compose_engine.plan(prompt, 768, 512, np.random.default_rng(1))
    [choice] = [c for c in plan.choices if c.subject.noun == noun]
    assert choice.entries and all(emoji.is_emoji(e.path) for e in choice.entries)
    assert {e.head for e in choice.entries} == {noun}
    assert all(e.file.is_file() and e.licence == emoji.LICENCE for e in choice.entries)


def test_the_packages_symbols_are_left_out(compose_engine: Compose) -> None:
    """ "a man in a suit" drew the diamond card suit."""
    clipart = compose_engine._index()
    paths = {e.path for e in clipart.entries if emoji.is_emoji(e.path)}
    assert len(paths) > 700
    assert "fluent/animals/goose.svg" in paths and "fluent/objects/bathtub.svg" in paths
    for symbol in ("activities/diamond-suit", "places/three-oclock", "objects/bar-chart"):
        assert f"fluent/{symbol}.svg" not in paths
    assert not [p for p in paths if emoji.SYMBOLS.search(p.rsplit("/", 1)[1][:-4])]


def test_an_emoji_says_what_it_is_and_a_head_says_so(tmp_path: Any) -> None:
    """Unpacked from the package set-up fetched: each drawing's name is its title, its
    category a keyword; an animal drawn as a head is left out: the third of "three red
    foxes" was the fox emoji's head."""
    (tmp_path / emoji.PACKAGE).symlink_to(ASSETS / "compose" / emoji.PACKAGE)
    files = {p.relative_to(tmp_path).as_posix(): p for p in emoji.unpack(tmp_path)}
    goose = svg.read_text(files["fluent/animals/goose.svg"].read_text())
    assert (goose.title, goose.keywords) == ("goose", ["Animals & Nature"])
    for head in ("panda", "fox", "wolf", "tiger-face", "cat-face"):
        assert f"fluent/animals/{head}.svg" not in files
    picture = np.asarray(svg.rasterize(files["fluent/animals/zebra.svg"], 64))
    assert picture.shape == (64, 64, 4) and (picture[..., 3] > 127).mean() > 0.3
    described = index.describe(files["fluent/animals/zebra.svg"])
    assert described is not None and described["boxed"] is False
    assert emoji.unpack(tmp_path / "elsewhere") == []  # no package, no drawings


def test_a_work_drawn_with_an_emoji_names_it_and_its_licence(tmp_path: Any) -> None:
    with TestClient(create_app(make_settings(tmp_path, workers=1))) as client:
        headers = api_user(client, "emoji@example.com")

        def made(prompt: str) -> tuple[dict[str, Any], np.ndarray]:
            params = {"prompt": prompt, "variants": 1, "width": 768, "height": 512}
            job = submit(client, headers, "image.compose", params, 5)
            job = wait_job(client, headers, job["id"])
            assert job["status"] == "succeeded", job
            work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
            data = client.get(work["url"], headers=headers).content
            return work, np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)

        work, pixels = made("a zebra on green grass")
        [zebra] = [r for r in work["meta"]["layout"] if r["noun"] == "zebra"]
        x0, y0, x1, y1 = (max(v, 0) for v in zebra["box"])
        patch = pixels[y0:y1, x0:x1]
        grey = np.ptp(patch, axis=-1) < 16  # the grass and the sky are coloured
        light = patch.mean(axis=-1)
        assert (grey & (light < 140)).mean() > 0.05 and (grey & (light > 190)).mean() > 0.1
        [source] = [s for s in work["lineage"]["sources"] if s["path"] == zebra["file"]]
        assert source["licence"] == emoji.LICENCE and source["commercial_use"]
        names = [m["name"] for m in work["lineage"]["models"]]
        assert any(n.startswith("Fluent Emoji") for n in names)

        work, _ = made("three red foxes on the grass")
        drawn = [r["file"] for r in work["meta"]["layout"] if r["file"]]
        assert drawn and not any(f.startswith("fluent/") for f in drawn)
        names = [m["name"] for m in work["lineage"]["models"]]
        assert not any(n.startswith("Fluent Emoji") for n in names)
