"""image.compose: the classes the blind test4 set found (tests/data/compose_eval/test4.jsonl,
judged at 076cae0): typing slips refused, a Chinese prompt that opens with its style read
as nothing, a measure word read as a wheel, a view or a body part read as a thing, clouds
never drawn, "the boat" not found as the sailboat named before, the library's own names
for a steam train or a top hat, a bouquet hidden in its vase, a moon hidden behind an owl,
and pixel art, flat vector and cartoon smeared by a network. Each case failed before."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from atelier.engines.base import Context
from atelier.engines.image.compose import Compose, chinese, finish
from atelier.engines.image.compose.engine import layout_records
from atelier.engines.image.compose.prompt import parse
from atelier.engines.image.compose.spelling import correct


def _plan(engine: Compose, prompt: str, seed: int = 1):  # type: ignore[no-untyped-def]
    return engine.plan(prompt, 768, 512, np.random.default_rng(seed))


@pytest.mark.parametrize(
    ("slip", "word"),
    [("tabel", "table"), ("grasss", "grass"), ("lkae", "lake"), ("mushrom", "mushroom"),
     ("giraff", "giraffe"), ("umbrela", "umbrella"), ("chiar", "chair")],
)  # fmt: skip
def test_a_typing_slip_is_read_as_its_word(slip: str, word: str) -> None:
    assert correct(slip) == word


@pytest.mark.parametrize("word", ["zorbly", "quenfaxes", "clownfish", "table", "elefant", "cat"])
def test_a_word_that_is_no_slip_is_left_as_it_is(word: str) -> None:
    assert correct(word) is None  # known, joined from two words, or no single guess


def test_a_prompt_with_slips_is_drawn_and_says_how_it_was_read() -> None:
    scene = parse("a teapot and two cups on a wooden tabel")
    assert [(s.noun, s.count) for s in scene.subjects] == [("teapot", 1), ("cup", 2), ("table", 1)]
    assert scene.reading == "a teapot and two cups on a wooden table"
    assert [s.noun for s in parse("a pair of swans on a misty lkae").subjects] == ["swan"]
    assert "lake" in parse("a pair of swans on a misty lkae").places


@pytest.mark.parametrize(
    ("prompt", "style", "nouns"),
    [
        ("素描风格的一把旧木椅", "pencil sketch", ["chair"]),
        ("卡通风格的三只小猪和一座砖房子", "cartoon", ["pig", "house"]),
        ("像素风格的一辆红色跑车", "pixel art", ["car"]),
        ("水彩风格的一只猫", "watercolour", ["cat"]),
    ],
)
def test_a_chinese_prompt_that_opens_with_its_style_is_read(
    prompt: str, style: str, nouns: list[str]
) -> None:
    scene = parse(prompt)
    assert scene.style == style
    assert [s.noun for s in scene.subjects] == nouns


def test_chinese_measure_and_carrying_words() -> None:
    moon = chinese.to_english("夜空中有一轮弯弯的月亮和很多星星")
    assert moon == "moon and six star in night sky"
    chef = parse("一位厨师手里端着一个巨大的生日蛋糕")
    assert [s.noun for s in chef.subjects] == ["chef", "cake"]
    assert [(r.subject, r.relation, r.target) for r in chef.relations] == [(1, "held_by", 0)]


def test_a_view_or_an_animals_own_part_is_no_thing() -> None:
    assert [s.noun for s in parse("a shiny vintage car, side view").subjects] == ["car"]
    assert [s.noun for s in parse("a grey elephant spraying water from its trunk").subjects] == [
        "elephant"
    ]
    squirrel = parse("a squirrel on a tree trunk")  # a trunk said alone is a thing
    assert [s.noun for s in squirrel.subjects] == ["squirrel", "trunk"]


def test_clouds_named_are_drawn_and_in_the_clouds_is_the_sky() -> None:
    icon = parse("a house with a sun above it and two clouds")
    assert [(s.noun, s.count, s.painted) for s in icon.subjects][-1] == ("cloud", 2, True)
    plane = parse("an airplane flying above the clouds")
    assert [(r.subject, r.relation, r.target) for r in plane.relations] == [(0, "above", 1)]
    castle = parse("a castle in the clouds")
    assert [s.noun for s in castle.subjects] == ["castle"] and castle.places == ["sky"]


def test_the_broader_word_names_the_thing_named_before() -> None:
    scene = parse("a lighthouse and a sailboat, the boat left of it")
    assert [s.noun for s in scene.subjects] == ["lighthouse", "sailboat"]
    assert [(r.subject, r.relation, r.target) for r in scene.relations] == [(1, "left_of", 0)]


@pytest.mark.parametrize(
    ("prompt", "drawing"),
    [
        ("a steam train", "locomotive"),
        ("a delivery van", "delivery-truck"),
        ("a snowman wearing a top hat", "top-hat"),
        ("a girl wearing a straw hat", "womans-hat"),
        ("a strawberry cake", "shortcake"),
        ("two clownfish", "tropical-fish"),
        ("two skyscrapers", "office-building"),
        ("a beach umbrella on the sand", "umbrella-on-ground"),
        ("海滩上有一把太阳伞", "umbrella-on-ground"),
        ("a train with three carriages", "railway-car"),
    ],
)
def test_a_thing_the_library_names_otherwise_gets_its_drawing(
    compose_engine: Compose, prompt: str, drawing: str
) -> None:
    files = [
        e.path.split("/")[-1] for c in _plan(compose_engine, prompt).choices for e in c.entries
    ]
    assert f"{drawing}.svg" in files


def test_a_drawing_titled_in_italian_as_a_cats_bowl_is_no_cat(compose_engine: Compose) -> None:
    for seed in (1, 2, 3):
        [cat, _] = _plan(compose_engine, "a tabby cat to the right of a sleeping dog", seed).choices
        assert cat.entry is not None and "scodella" not in cat.entry.path


def test_flowers_in_a_vase_show_above_its_rim(compose_engine: Compose) -> None:
    plan = _plan(compose_engine, "three tulips in a vase on a table")
    records = {r["noun"]: [] for r in layout_records(plan.choices, plan.placements)}
    for r in layout_records(plan.choices, plan.placements):
        records[r["noun"]].append(r["box"])
    [vase] = records["vase"]
    assert len(records["tulip"]) == 3
    for tulip in records["tulip"]:
        assert tulip[1] < vase[1] - 0.2 * (vase[3] - vase[1])  # heads well above the rim
        assert tulip[3] - tulip[1] > 0.6 * (vase[3] - vase[1])  # not 16-pixel flowers


def test_a_moon_is_not_hidden_behind_what_stands_under_it(compose_engine: Compose) -> None:
    for seed in (1, 2, 3):
        plan = _plan(compose_engine, "an owl on a branch under a full moon", seed)
        boxes = {r["noun"]: r["box"] for r in layout_records(plan.choices, plan.placements)}
        moon, owl = boxes["moon"], boxes["owl"]
        across = max(0, min(moon[2], owl[2]) - max(moon[0], owl[0]))
        down = max(0, min(moon[3], owl[3]) - max(moon[1], owl[1]))
        assert across * down <= (moon[2] - moon[0]) * (moon[3] - moon[1]) / 3


def _scene_picture() -> Image.Image:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:256, 0:384]
    rgb = np.stack([x / 384 * 255, y / 256 * 255, np.full_like(x, 128)], axis=-1)
    rgb = rgb + rng.normal(0, 6, rgb.shape)  # a gradient with grain, like a backdrop
    rgb[80:180, 120:260] = (200, 40, 40)  # a red thing with a hard edge
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def test_pixel_art_is_big_square_pixels_in_few_colours() -> None:
    assert finish.named("pixel art") == "pixel art"
    out = np.asarray(finish.apply(_scene_picture(), "pixel art", 1))
    assert len(np.unique(out.reshape(-1, 3), axis=0)) <= 32
    cell = 4  # 384 px across: 96 cells of 4 (at least 4), every cell one colour
    blocks = out.reshape(64, cell, 96, cell, 3)
    assert (blocks == blocks[:, :1, :, :1]).all()


def test_flat_vector_and_cartoon_are_flat_fills() -> None:
    assert finish.named("Flat vector icon") == "flat vector"
    assert finish.named("cartoon style") == "cartoon"
    picture = _scene_picture()
    before = len(np.unique(np.asarray(picture).reshape(-1, 3), axis=0))
    flat = np.asarray(finish.apply(picture, "flat vector", 1))
    assert before > 1000 and len(np.unique(flat.reshape(-1, 3), axis=0)) <= 14
    cartoon = np.asarray(finish.apply(picture, "cartoon", 1)).astype(int)
    inked = (cartoon.sum(axis=2) < 100).mean()  # bold outlines round the red thing
    assert 0.005 < inked < 0.2


def test_a_style_said_first_without_of_is_the_style() -> None:
    scene = parse("Pixel art steam train puffing smoke")
    assert scene.style == "pixel art"
    assert scene.subjects[0].noun == "locomotive"


def test_a_sun_asked_to_be_behind_something_stays_behind_it(compose_engine: Compose) -> None:
    plan = _plan(compose_engine, "the sun setting behind a lighthouse")
    boxes = {r["noun"]: r["box"] for r in layout_records(plan.choices, plan.placements)}
    sun, tower = boxes["sun"], boxes["lighthouse"]
    assert min(sun[2], tower[2]) > max(sun[0], tower[0])  # they overlap across


def test_storm_clouds_are_the_weather_and_clouds_need_no_land(compose_engine: Compose) -> None:
    storm = parse("storm clouds and lightning over the sea")
    assert storm.subjects == [] and storm.weather == "storm"
    lake = _plan(compose_engine, "clouds over a mountain lake at dawn")
    assert lake.lines.water is not None and lake.lines.water[1] == 512  # water to the bottom


def test_a_plane_above_the_clouds_is_about_their_size(compose_engine: Compose) -> None:
    plan = _plan(compose_engine, "an airplane above the clouds")
    records = layout_records(plan.choices, plan.placements)
    [plane] = [r["box"] for r in records if r["noun"] == "airplane"]
    clouds = [r["box"] for r in records if r["noun"] == "cloud"]
    assert len(clouds) == 3
    assert plane[3] - plane[1] >= 0.8 * min(c[3] - c[1] for c in clouds)


def test_wearing_one_thing_and_another_wears_both() -> None:
    scene = parse("a snowman wearing a red scarf and a top hat")
    assert [(r.subject, r.relation, r.target) for r in scene.relations] == [
        (1, "worn_by", 0),
        (2, "worn_by", 0),
    ]
    dog = parse("a man wearing a hat and a dog")  # a dog is not worn
    assert [(r.subject, r.relation, r.target) for r in dog.relations] == [(1, "worn_by", 0)]


def test_a_finish_is_whole_at_the_default_strength(compose_engine: Compose, tmp_path: Path) -> None:
    """A pencil sketch blended with a quarter of the colour picture read as a faded photo."""
    params = compose_engine.Params(prompt="素描风格的一把旧木椅", width=768, height=512, variants=1)
    assert params.style_strength == 0.75
    [creation] = compose_engine.run(params, Context(seed=1, scratch=tmp_path, files={}))
    rgb = np.asarray(Image.open(io.BytesIO(creation.files[0].data)).convert("RGB")).astype(int)
    spread = rgb.max(axis=2) - rgb.min(axis=2)
    assert np.percentile(spread, 99) < 40  # graphite on paper: no blue window left


def test_a_place_word_is_read_apart_from_the_noun_it_follows() -> None:
    """电线上 is 电线 + 上 (on the power line), not 电 + 线上 (lightning, online); 屋顶上 is
    the roof of the cabin named before, not a second house."""
    wire = parse("一只小鸟站在电线上")
    assert [s.query for s in wire.subjects] == ["bird", "powerline"]
    assert [(r.subject, r.relation, r.target) for r in wire.relations] == [(0, "on", 1)]
    cabin = parse("三棵松树和一座小木屋，屋顶上有雪")
    assert [s.noun for s in cabin.subjects] == ["tree", "cabin"] and cabin.weather == "snow"


def test_a_chinese_plural_pronoun_is_them() -> None:
    scene = parse("两个小朋友在大树下面读书，一只小狗趴在他们旁边")
    dog = [s.noun for s in scene.subjects].index("dog")
    assert (dog, "beside", 0) in [(r.subject, r.relation, r.target) for r in scene.relations]


def test_a_thing_on_land_behind_boats_stands_on_the_far_shore(compose_engine: Compose) -> None:
    for seed in (1, 2):
        plan = _plan(compose_engine, "two sailboats on a lake with a lighthouse behind them", seed)
        assert plan.lines.water is not None
        records = layout_records(plan.choices, plan.placements)
        [tower] = [r["box"] for r in records if r["noun"] == "lighthouse"]
        boats = [r["box"] for r in records if r["noun"] == "sailboat"]
        assert tower[3] <= plan.lines.water[0] + 0.02 * 512  # its foot on the far shore
        assert all(tower[3] < boat[3] for boat in boats)  # further away than the boats


def test_an_umbrella_held_is_over_the_holders_head(compose_engine: Compose) -> None:
    for seed in (1, 2):
        plan = _plan(compose_engine, "a girl holding a yellow umbrella in the rain", seed)
        placed = {plan.choices[p.subject].subject.noun: p for p in plan.placements}
        girl, umbrella = placed["girl"].box, placed["umbrella"].box
        assert umbrella[1] < girl[1] < umbrella[3]  # the canopy above her head, down to her
        assert umbrella[0] < (girl[0] + girl[2]) / 2 < umbrella[2]  # over her, not beside
        assert placed["umbrella"].z < placed["girl"].z  # its shaft behind her


def test_a_thing_named_in_the_plural_that_is_one_thing_is_one() -> None:
    """'a dog wearing sunglasses' drew three pairs on the dog's back."""
    assert [(s.noun, s.count) for s in parse("a dog wearing sunglasses").subjects] == [
        ("dog", 1),
        ("sunglass", 1),
    ]
    assert [(s.noun, s.count) for s in parse("a pair of scissors").subjects] == [("scissors", 1)]
    assert [(s.noun, s.count) for s in parse("two glasses of milk").subjects] == [("glass", 2)]


@pytest.mark.parametrize("trade", ["firefighter", "teacher", "pilot", "gardener", "astronaut"])
def test_a_person_by_a_trade_the_library_lacks_is_a_person_and_said(
    compose_engine: Compose, trade: str
) -> None:
    [person] = _plan(compose_engine, f"a {trade} standing in a field").choices
    assert person.entry is not None and person.entry.path.startswith("fluent/people/person-")
    article = "an" if trade[0] in "aeiou" else "a"
    assert person.generic == f"no drawing of {article} {trade} in the library: a person drawn"


def test_a_word_is_not_guessed_from_one_wrong_letter() -> None:
    """test5's "a steaming bowl of ramen" drew a crow: 'ramen' was read as 'raven'."""
    assert correct("ramen") is None
    assert [s.noun for s in parse("a steaming bowl of ramen").subjects] == ["bowl", "ramen"]


def test_test5_readings() -> None:
    """A body part's owner is the thing ("on a pirate's shoulder": on the pirate); a
    watering hole is a pond, not a bullet hole; 远处 ("in the distance") is no place to
    draw (a Kaaba was); a fire truck is the library's fire engine."""
    parrot = parse("a parrot sitting on a pirate's shoulder")
    assert [s.noun for s in parrot.subjects] == ["parrot", "pirate"]
    assert [(r.subject, r.relation, r.target) for r in parrot.relations] == [(0, "on", 1)]
    assert [s.noun for s in parse("a monkey on his left shoulder").subjects] == ["monkey"]
    hole = parse("two giraffes and a zebra by a watering hole")
    assert [s.noun for s in hole.subjects] == ["giraffe", "zebra"] and "lake" in hole.places
    barn = parse("油画风格的向日葵田，远处有一座红色的谷仓")
    assert [s.noun for s in barn.subjects] == ["sunflower", "barn"]
    assert [(s.noun, s.kind) for s in parse("a fire truck").subjects] == [("engine", "fire")]


def test_a_chinese_noun_that_ends_one_said_before_is_that_thing() -> None:
    """树上 after 一棵苹果树 is on the apple tree: a second tree held test5's apples."""
    scene = parse("一棵苹果树下有一只兔子，树上挂着很多苹果")
    assert [s.noun for s in scene.subjects] == ["rabbit", "tree", "apple"]
    assert (2, "on", 1) in [(r.subject, r.relation, r.target) for r in scene.relations]


def test_a_scene_tile_is_never_a_thing_and_crossing_is_on(compose_engine: Compose) -> None:
    """ "A red bridge over a river" drew the emoji tile of a bridge at night, moon and all;
    a steam train "crossing a bridge" stood beside it."""
    plan = _plan(compose_engine, "a steam train crossing a bridge")
    assert all("bridge-at-night" not in e.path for c in plan.choices for e in c.entries)
    assert [(r.subject, r.relation, r.target) for r in plan.scene.relations] == [(0, "on", 1)]


def test_birds_on_a_wire_sit_on_a_painted_power_line(compose_engine: Compose) -> None:
    """ "两只小鸟站在电线上" drew two birds in a sky of lightning (电 + 线上), then was refused:
    the library has no power line."""
    plan = _plan(compose_engine, "两只小鸟站在电线上")
    [birds, line] = plan.choices
    assert (birds.subject.noun, birds.subject.count) == ("bird", 2)
    assert line.prop == "powerline"
    records = layout_records(plan.choices, plan.placements)
    [wire] = [r["box"] for r in records if r["noun"] == "powerline"]
    for bird in [r["box"] for r in records if r["noun"] == "bird"]:
        assert abs(bird[3] - (wire[1] + 0.12 * (wire[3] - wire[1]))) < 0.05 * (wire[3] - wire[1])


def test_chinese_what_a_thing_wears_before_it_and_a_verb_after_zai() -> None:
    """戴着草帽的农民 is a farmer wearing a straw hat (a hat lay apart from him); 在堆雪人 is
    building a snowman (a boy was put "in" one); 下雪天 is a snowy day."""
    farmer = parse("一个戴着草帽的农民站在稻田里")
    assert [s.noun for s in farmer.subjects] == ["farmer", "hat"]
    assert [(r.subject, r.relation, r.target) for r in farmer.relations] == [(1, "worn_by", 0)]
    boy = parse("下雪天，一个戴着红帽子的小男孩在堆雪人")
    assert [s.noun for s in boy.subjects] == ["boy", "hat", "snowman"] and boy.weather == "snow"
    assert ("boy", "in") not in [(boy.subjects[r.subject].noun, r.relation) for r in boy.relations]
