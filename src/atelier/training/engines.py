"""The training engines: `train.music`, `train.image` and `train.text` run on the spine like
every creation (queued, leased, metered, cancellable, resumed after a worker dies).

Each returns one Creation: its one file is the model's weights (a melody model, a house
style, LoRA adapters or a voice), its meta says what the studio records (kind, base,
config, metrics), and its `models` are the base's cards, from which the studio makes the
model's lineage with its dataset's rights (training/lineage.py). The studio records a
model, not a work.

The studio hands a training job, through `ctx.file`, the dataset version its `dataset`
parameter names (the manifest's local path, in a folder laid out as `versions.save`
writes it) and CHECKPOINTS: a folder in the data folder that outlives the job's attempts,
where the trainer keeps its checkpoint and its curve (curve.json: what the job page
draws). A second worker that takes the job over finds both there and resumes.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import Field, model_validator

from atelier.datasets import versions
from atelier.datasets.melodies import piece_from_json
from atelier.engines.base import (
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    EngineError,
    Inputs,
    ModelCard,
    Params,
)
from atelier.engines.custom import dataset
from atelier.engines.music import generating as gen
from atelier.engines.music.model import bundle
from atelier.training.distributed import SINGLE, World
from atelier.training.loop import OnProgress, Progress

CHECKPOINTS = "checkpoints"  # the ctx.file key of the job's lasting folder
CURVE = "curve.json"
TRAINERS = {"music": "train.music", "image": "train.image", "text": "train.text"}  # by medium
Name = Field(min_length=1, max_length=100, description="Your model's name.")


class Curve:
    """A training job's curve in its checkpoint folder, by step and series ("loss",
    "validation"…). A resumed run writes the steps it takes again over the same keys."""

    def __init__(self, folder: Path, steps: int) -> None:
        self.path = folder / CURVE
        self.body = read_curve(folder) or {"series": {}}
        self.body["steps"] = steps

    def add(self, step: int, **values: float | None) -> None:
        for name, value in values.items():
            if value is not None:
                self.body["series"].setdefault(name, {})[str(step)] = round(float(value), 5)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self.body))
        temporary.replace(self.path)


def read_curve(folder: Path) -> dict[str, Any] | None:
    path = folder / CURVE
    try:
        body: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return body


def version_of(ctx: Context, version_id: str) -> tuple[Path, versions.Version]:
    """The staged dataset version: its folder and its manifest (checked by its hash)."""
    manifest = ctx.file(version_id)
    root = manifest.parent.parent
    return root, versions.load(root, manifest.stem)


def split(root: Path, version: versions.Version, what: str) -> tuple[list[Any], list[Any]]:
    """The training and validation items as (manifest entry, bytes); both are needed."""
    train = [(i, versions.read_item(root, i)) for i in version.split("train")]
    valid = [(i, versions.read_item(root, i)) for i in version.split("valid")]
    if not train or not valid:
        raise EngineError(
            f"the dataset version has {len(train)} training and {len(valid)} validation "
            f"{what}; training needs at least one of each"
        )
    return train, valid


class Trainer(Engine):
    """A training engine: the studio keeps its result as a model record."""

    credits_per_second = 1.0
    remote = False  # its checkpoint folder, which outlives attempts, is on the worker's disk

    def output_budget(self, params: Any, inputs: Inputs) -> Budget:
        """A model, not pictures or audio: nothing a plan's output limits hold (a plan's
        custom-model flag decides who may train)."""
        return Budget()

    def reporter(self, ctx: Context, curve: Curve, every: int, what: str) -> OnProgress:
        """Progress for the job page: the step, the loss, the held-out loss when measured."""

        def report(p: Progress) -> None:
            measured = p.step % every == 0 or p.step == p.steps
            valid = p.valid_loss if measured else None
            curve.add(p.step, loss=p.loss, validation=valid)
            text = f"{what}: step {p.step} of {p.steps}, loss {p.loss:.4f}"
            if p.valid_loss is not None:
                text += f", validation {p.valid_loss:.4f}"
            ctx.progress(0.02 + 0.88 * p.step / p.steps, text)

        return report


def result(
    name: str,
    weights: Artifact,
    kind: str,
    base: str,
    config: dict[str, Any],
    metrics: dict[str, Any],
    base_cards: tuple[ModelCard, ...],
) -> list[Creation]:
    meta = {"kind": kind, "base": base, "config": config, "metrics": metrics}
    return [Creation([weights], name, meta, models=base_cards)]


# ---------------------------------------------------------------- music


class TrainMusicParams(Params):
    dataset: str = dataset("music")
    name: str = Name
    base: gen.ModelChoice = Field(
        "clean",
        description="The melody model to start from: clean (its data allow commercial use) "
        "or full (every collection; not for commercial use).",
    )
    steps: int = Field(150, ge=1, le=20_000, description="Training steps.")
    batch: int = Field(16, ge=1, le=256, description="Windows of melody per step.")
    lr: float = Field(1e-3, gt=0.0, le=0.1, description="Learning rate (cosine schedule).")
    seq: int = Field(96, ge=16, le=512, description="Tokens per training window.")
    octave_shift: float = Field(
        0.3, ge=0.0, le=1.0, description="Augmentation: share of windows moved an octave."
    )
    checkpoint_every: int = Field(50, ge=1, le=20_000, description="Steps between checkpoints.")
    eval_every: int = Field(50, ge=1, le=20_000, description="Steps between held-out losses.")


class TrainMusic(Trainer):
    name = "train.music"
    medium = "music"
    title = "Train a melody model"
    description = (
        "Fine-tunes Atelier's melody model on your melodies (a dataset version): the "
        "music engines then write in their manner with model=<your model's id>."
    )
    Params = TrainMusicParams

    def available(self) -> str | None:
        return gen.model_problem(*gen.MELODY_MODELS.values())

    def estimate_seconds(self, params: Any, budget: Budget) -> float:
        per_step = params.batch * params.seq / (16 * 96) / 3.0
        return round(15.0 + params.steps * per_step, 1)

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        from atelier.training import melodies

        p: TrainMusicParams = params
        folder = ctx.file(CHECKPOINTS)
        root, version = version_of(ctx, p.dataset)
        train, valid = split(root, version, "melodies")
        pieces = [piece_from_json(data) for _, data in train]
        config = melodies.MelodyTuning(
            base=gen.MELODY_MODELS[p.base],
            steps=p.steps,
            batch=p.batch,
            lr=p.lr,
            seq=p.seq,
            seed=ctx.seed,
            checkpoint_every=p.checkpoint_every,
            eval_every=p.eval_every,
            octave_shift=p.octave_shift,
            threads=ctx.threads or 1,
        )
        ctx.progress(0.01, "reading the melodies and the base model")
        net, metrics = melodies.finetune(
            pieces,
            [piece_from_json(data) for _, data in valid],
            config,
            folder / "checkpoint.pt",
            self.reporter(ctx, Curve(folder, p.steps), p.eval_every, "fine-tuning"),
            lambda: ctx.cancelled,
        )
        ctx.progress(0.92, "comparing generated melodies with yours")
        slot = metrics["style_slot"]
        client = melodies.encode_all(pieces, slot)
        metrics["style_match"] = {
            "base": melodies.style_match(melodies.base_net(config.base), client, slot, count=6),
            "tuned": melodies.style_match(net, client, slot, count=6),
        }
        weights = bundle(net, {"name": p.name, "style": slot, "base": config.base})
        cards = (gen.model_card(config.base), *gen.data_cards(config.base))
        return result(
            p.name,
            Artifact("melody.pt", "application/vnd.atelier.melody", weights),
            "melody",
            config.base,
            asdict(config),
            metrics,
            cards,
        )


# ---------------------------------------------------------------- images

LORA_ONLY = ("model", "rank", "batch", "lr", "resolution", "flip", "crop", "rotate", "jitter")


class TrainImageParams(Params):
    dataset: str = dataset("image")
    name: str = Name
    method: Literal["style", "lora"] = Field(
        "style",
        description="style: a house style for the style networks (image.stylize and "
        "image.compose take it as style=<id>); lora: LoRA adapters for one of the "
        "operator's diffusion models (image.diffusion takes them as lora=<id>).",
    )
    steps: int | None = Field(
        None,
        ge=1,
        le=20_000,
        description="Refining steps (house style, default 6) or training steps (LoRA, 100).",
    )
    compare: bool = Field(
        True, description="House style: measure it against the 26 presets on held-out pictures."
    )
    model: str | None = Field(
        None, max_length=200, description="LoRA: the diffusion model folder to adapt."
    )
    rank: int = Field(4, ge=1, le=128, description="LoRA: the adapters' rank.")
    batch: int = Field(4, ge=1, le=64, description="LoRA: pictures per step.")
    lr: float = Field(1e-4, gt=0.0, le=0.1, description="LoRA: learning rate.")
    resolution: int | None = Field(
        None, ge=64, le=2048, multiple_of=8, description="LoRA: side; default the model's."
    )
    flip: float = Field(0.5, ge=0.0, le=1.0, description="LoRA augmentation: mirrored share.")
    crop: float = Field(1.0, gt=0.1, le=1.0, description="LoRA augmentation: least crop.")
    rotate: float = Field(0.0, ge=0.0, le=30.0, description="LoRA augmentation: degrees.")
    jitter: float = Field(0.0, ge=0.0, le=0.5, description="LoRA augmentation: colour jitter.")
    caption: str = Field("", max_length=300, description="LoRA: caption for uncaptioned items.")
    checkpoint_every: int = Field(50, ge=1, le=20_000, description="LoRA: steps per checkpoint.")
    eval_every: int = Field(50, ge=1, le=20_000, description="LoRA: steps per held-out loss.")

    @model_validator(mode="after")
    def one_method(self) -> TrainImageParams:
        if self.method == "style":
            # Set away from its default, not merely present: the spine stores and a worker
            # reads the params with every default written out.
            defaults = type(self).model_fields
            given = sorted(n for n in LORA_ONLY if getattr(self, n) != defaults[n].default)
            if given:
                raise ValueError(f"{', '.join(given)}: only for method lora")
        elif self.model is None:
            raise ValueError("method lora needs model: the diffusion model folder to adapt")
        return self


class TrainImage(Trainer):
    name = "train.image"
    medium = "image"
    title = "Train a house style"
    description = (
        "Learns your pictures' house style (a dataset version) for the style networks; "
        "or LoRA adapters for one of the studio's diffusion models."
    )
    Params = TrainImageParams

    def estimate_seconds(self, params: Any, budget: Budget) -> float:
        if params.method == "style":
            return round(10.0 + 2.0 * (params.steps or 6) + (20.0 if params.compare else 0), 1)
        side = (params.resolution or 512) / 512
        per_step = (0.1 if torch.cuda.is_available() else 2.5) * params.batch / 4 * side**2
        return round(20.0 + (params.steps or 100) * per_step, 1)

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        p: TrainImageParams = params
        root, version = version_of(ctx, p.dataset)
        train, valid = split(root, version, "pictures")
        if p.method == "style":
            return self._style(p, ctx, train, valid)
        return self._lora(p, ctx, train, valid)

    def _style(self, p: TrainImageParams, ctx: Context, train: Any, valid: Any) -> list[Creation]:
        from atelier.engines.image.stylize import STYLE_MODELS
        from atelier.training import style

        folder = ctx.file(CHECKPOINTS)
        config = style.StyleFit(steps=p.steps or 6, threads=ctx.threads or 1)
        networks = style.Networks(config.threads)
        train_bytes, valid_bytes = [d for _, d in train], [d for _, d in valid]
        ctx.progress(0.01, "reading the pictures' styles")
        vector, metrics = style.fit(
            train_bytes,
            valid_bytes,
            config,
            networks,
            folder / "style-fit.json",
            self.reporter(ctx, Curve(folder, config.steps), 1, "refining the house style"),
            lambda: ctx.cancelled,
        )
        if p.compare:
            ctx.progress(0.9, "comparing the house style with the 26 presets")
            metrics["comparison"] = style.compare(vector, train_bytes, valid_bytes, networks)
        return result(
            p.name,
            Artifact("style.json", "application/json", style.style_json(vector, metrics)),
            "style",
            STYLE_MODELS[1].name,
            asdict(config),
            metrics,
            STYLE_MODELS[1:],
        )

    def _lora(self, p: TrainImageParams, ctx: Context, train: Any, valid: Any) -> list[Creation]:
        from atelier.engines.image.diffusion_models import find_models
        from atelier.training import lora

        folders = {f.name: f for f in find_models(self.config.models_dir)}
        chosen = folders.get(p.model or "")
        if chosen is None:
            known = ", ".join(folders) or "none (put one in ATELIER_MODELS_DIR)"
            raise EngineError(f"no diffusion model folder {p.model!r}; the studio has: {known}")
        folder = ctx.file(CHECKPOINTS)
        config = lora.LoraTuning(
            rank=p.rank,
            steps=p.steps or 100,
            batch=p.batch,
            lr=p.lr,
            seed=ctx.seed,
            checkpoint_every=p.checkpoint_every,
            eval_every=p.eval_every,
            resolution=p.resolution,
            flip=p.flip,
            crop=p.crop,
            rotate=p.rotate,
            jitter=p.jitter,
            caption=p.caption,
            threads=ctx.threads or 1,
        )
        world = World(device=torch.device("cuda")) if torch.cuda.is_available() else SINGLE
        out = ctx.scratch / "lora"
        ctx.progress(0.01, f"loading {chosen.name} and encoding the pictures")
        metrics = lora.finetune(
            chosen.path,
            [(d, item["caption"]) for item, d in train],
            [(d, item["caption"]) for item, d in valid],
            config,
            out,
            folder / "checkpoint.pt",
            self.reporter(ctx, Curve(folder, config.steps), config.eval_every, "LoRA training"),
            lambda: ctx.cancelled,
            world,
        )
        weights = (out / lora.LORA_FILE).read_bytes()
        return result(
            p.name,
            Artifact(lora.LORA_FILE, "application/octet-stream", weights),
            "lora",
            chosen.name,
            asdict(config),
            metrics,
            (chosen.card,),
        )


# ---------------------------------------------------------------- texts


class TrainTextParams(Params):
    dataset: str = dataset("text")
    name: str = Name
    examples: int = Field(3, ge=1, le=8, description="Passages a prompt takes as examples.")
    max_chars: int = Field(700, ge=100, le=2000, description="Longest passage, in characters.")
    evaluate: bool = Field(
        True,
        description="Measure held-out perplexity under the text model (minutes on a CPU).",
    )


class TrainText(Trainer):
    name = "train.text"
    medium = "text"
    title = "Train a voice"
    description = (
        "Your texts (a dataset version) as a voice for the text engines: text.write and "
        "text.restyle take it as voice=<id> and write after your own passages."
    )
    Params = TrainTextParams

    def estimate_seconds(self, params: Any, budget: Budget) -> float:
        return 120.0 if params.evaluate else 15.0

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        from atelier.engines.text.common import MINILM, text_model_card
        from atelier.engines.text.examples import WRITE
        from atelier.engines.text.runtime import TextModelSpec
        from atelier.engines.text.voice import VoiceConfig
        from atelier.training import voice

        p: TrainTextParams = params
        root, version = version_of(ctx, p.dataset)
        train, valid = split(root, version, "texts")
        ctx.progress(0.02, "indexing your passages")
        made = voice.Voice.build(
            [d.decode("utf-8") for _, d in train], VoiceConfig(p.examples, p.max_chars)
        )
        metrics: dict[str, Any] = {"training_texts": len(train), "validation_texts": len(valid)}
        spec = TextModelSpec.from_config(self.config)
        base = text_model_card(spec, self.config.text_model is not None)
        if p.evaluate and spec.gguf is None:
            metrics["evaluation"] = "not measured: the text model runs on a server"
        elif p.evaluate:
            assert spec.gguf is not None
            curve = Curve(ctx.file(CHECKPOINTS), len(valid))

            def on_text(number: int, count: int, nats: dict[str, float]) -> None:
                curve.add(number, **nats)
                ctx.progress(0.1 + 0.85 * number / count, f"held-out text {number} of {count}")

            ctx.progress(0.05, "loading the text model to measure held-out perplexity")
            scorer = voice.Scorer(spec.gguf, threads=ctx.threads or 1)
            held_out = [d.decode("utf-8") for _, d in valid]
            elsewhere = [piece.text for piece in WRITE["product_description"]]
            metrics |= voice.evaluate(made, held_out, scorer, elsewhere, on_text)
        return result(
            p.name,
            Artifact("voice.json", "application/json", made.to_json()),
            "voice",
            base.name,
            asdict(made.config),
            metrics,
            (base, MINILM),
        )
