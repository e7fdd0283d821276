"""image.compose's third library, the reviewed game icons (CC BY 3.0): a thing neither
openclipart nor the emoji draw (a kennel, a hot air balloon, a wheelbarrow) is drawn from
them, in two tones, its licence travelling with the work; a thing the other libraries draw
never comes from them. Each prompt here was refused ("no drawing of 'kennel'") before.
Uses the shared assets (`atelier prepare`)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from atelier.engines.base import EngineError
from atelier.engines.image.compose import Compose, icons, sizes, svg
from atelier.web.app import create_app
from tests.support.accounts import api_user
from tests.support.api import submit, wait_job
from tests.support.settings import ASSETS, make_settings


def test_the_reviewed_icons_unpack_with_their_names_and_colours(tmp_path: Path) -> None:
    (tmp_path / icons.PACKAGE).symlink_to(ASSETS / "compose" / icons.PACKAGE)
    files = {p.relative_to(tmp_path).as_posix(): p for p in icons.unpack(tmp_path)}
    assert len(files) == len(icons.reviewed()) > 1000
    kennel = svg.read_text(files["gameicons/dog-house.svg"].read_text())
    assert (kennel.title, kennel.keywords) == ("dog house", ["kennel", "doghouse"])
    pixels = np.asarray(svg.rasterize(files["gameicons/dog-house.svg"], 128))
    solid = pixels[..., 3] > 250
    assert solid.mean() > 0.2
    assert (np.abs(pixels[solid][:, :3].astype(int) - (0x8B, 0x5A, 0x2B)).max(axis=1) < 4).all()
    assert icons.unpack(tmp_path / "elsewhere") == []  # no package, no drawings


def test_an_icons_other_names_of_one_word_say_what_it_is() -> None:
    also = icons.aliases()
    assert {"kennel", "doghouse"} <= also["gameicons/dog-house.svg"]
    assert "pit" not in also["gameicons/fire-bowl.svg"]  # "fire pit": several words
    assert "kettle" not in also["gameicons/cauldron.svg"]  # reviewed out: no kettle


def test_an_icons_enclosed_openings_are_filled_in_a_lighter_tone() -> None:
    """A kennel's door reads as part of the kennel, not as the grass behind it; a gap open
    to the outside stays open."""
    pixels = np.zeros((40, 40, 4), np.uint8)
    pixels[5:35, 5:35] = (100, 60, 20, 255)
    pixels[15:25, 15:25, 3] = 0  # a window: enclosed
    pixels[30:35, 18:22, 3] = 0  # a notch open at the bottom edge
    toned = np.asarray(icons.two_tone(Image.fromarray(pixels, "RGBA")))
    window = toned[20, 20]
    assert window[3] == 255 and (window[:3] > (100, 60, 20)).all()
    assert np.abs(window[:3] - np.array((193, 177, 161))).max() <= 1  # 60 % toward white
    assert toned[33, 20, 3] == 0 and toned[10, 10].tolist() == [100, 60, 20, 255]


@pytest.mark.parametrize(
    ("prompt", "noun", "path"),
    [
        ("a dog beside a kennel", "kennel", "gameicons/dog-house.svg"),
        ("a hot air balloon above a green field", "balloon", "gameicons/air-balloon.svg"),
        ("a man pushing a wheelbarrow", "wheelbarrow", "gameicons/wheelbarrow.svg"),
        ("a washing machine in a room", "machine", "gameicons/washing-machine.svg"),
    ],
)
def test_what_the_other_libraries_lack_is_drawn_from_the_icons(
    compose_engine: Compose, prompt: str, noun: str, path: str
) -> None:
    plan = compose_engine.plan(prompt, 768, 512, np.random.default_rng(1))
    [choice] = [c for c in plan.choices if c.subject.noun == noun]
    assert [e.path for e in choice.entries] == [path]
    assert choice.entries[0].licence == icons.LICENCE
    others = [e for c in plan.choices if c is not choice for e in c.entries]
    assert not any(icons.is_icon(e.path) for e in others)


@pytest.mark.parametrize(
    "prompt",
    [
        "a dog beside a house",
        "a red car",
        "two sailboats on a lake",
        "a teapot",
        "a man on a park bench",  # a painted bench, not the icon of a park bench by a tree
        "a lamp on a table",  # not the bedside lamp icon for the table
        "a knight beside a castle",  # a man's figure, not the knight chess piece
        "a goldfish in a bowl",  # not the fishbowl icon for the goldfish
    ],
)
def test_an_icon_never_stands_in_for_a_drawing_the_other_libraries_have(
    compose_engine: Compose, prompt: str
) -> None:
    """Nor for a painted prop, nor where only a word of its title names the subject (a
    *desk* lamp, a *chess* knight); the other names that count are its reviewed ones of a
    word (see icons.aliases)."""
    plan = compose_engine.plan(prompt, 768, 512, np.random.default_rng(1))
    drawn = [e.path for c in plan.choices for e in c.entries]
    assert drawn and not any(icons.is_icon(p) for p in drawn)


def test_a_work_drawn_with_an_icon_names_it_and_its_licence(tmp_path: Any) -> None:
    with TestClient(create_app(make_settings(tmp_path, workers=1))) as client:
        headers = api_user(client, "icons@example.com")
        params = {"prompt": "a kennel on the grass", "variants": 1, "width": 768, "height": 512}
        job = wait_job(client, headers, submit(client, headers, "image.compose", params, 5)["id"])
        assert job["status"] == "succeeded", job
        work = client.get(f"/v1/works/{job['work_ids'][0]}", headers=headers).json()
        [kennel] = [r for r in work["meta"]["layout"] if r["noun"] == "kennel"]
        assert kennel["file"] == "gameicons/dog-house.svg"
        [source] = [s for s in work["lineage"]["sources"] if s["path"] == kennel["file"]]
        assert source["licence"] == icons.LICENCE and source["commercial_use"]
        assert any(m["name"].startswith("game-icons.net") for m in work["lineage"]["models"])
        data = client.get(work["url"], headers=headers).content
        pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)
        x0, y0, x1, y1 = (max(v, 0) for v in kennel["box"])
        patch = pixels[y0:y1, x0:x1]
        brown = (patch[..., 0] > patch[..., 2] + 40) & (patch[..., 1] < patch[..., 0])
        assert brown.mean() > 0.2  # the kennel's wood, where grass and sky are green and blue


def test_an_icon_that_draws_another_subject_too_is_not_used(compose_engine: Compose) -> None:
    """The garage icon has a car in it: "a car in a garage" drew two cars. Alone, it is
    drawn."""
    rng = np.random.default_rng(1)
    plan = compose_engine.plan("a garage beside a house", 768, 512, rng)
    assert "gameicons/home-garage.svg" in [e.path for c in plan.choices for e in c.entries]
    with pytest.raises(EngineError, match="no drawing of 'garage'"):
        compose_engine.plan("a red car in a garage", 768, 512, rng)


def test_the_things_the_icons_draw_have_their_own_size(compose_engine: Compose) -> None:
    """Their nouns were sized by the listed noun nearest in meaning: a beehive as a bee (in
    the sky, 3 cm), a hot air balloon as a toy one, lily pads as a bed on land. Those sizes
    are the nouns' own, never another noun's nearest: a firefighter is not sized as a
    fireplace, nor a crown as a throne."""
    rng = np.random.default_rng(1)
    plan = compose_engine.plan("a hot air balloon above a tulip", 768, 512, rng)
    metres = {c.subject.noun: c.metres for c in plan.choices}
    assert metres["balloon"] > 10 * metres["tulip"]
    plan = compose_engine.plan("a beehive under a tree", 768, 512, rng)
    [hive] = [c for c in plan.choices if c.subject.noun == "beehive"]
    assert hive.habitat == "ground" and hive.metres >= 0.3
    assert sizes.height("firefighter")[1] == "person" and sizes.height("crown")[1] != "throne"
    plan = compose_engine.plan("a frog on a lily pad", 768, 512, rng)  # the pads stood on land
    assert [c.habitat for c in plan.choices if c.subject.noun == "pad"] == ["water"]
