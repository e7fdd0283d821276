"""LoRA fine-tuning of an operator's diffusers model (image.diffusion) on a client's
pictures, with peft adapters on the UNet's attention projections.

The classic text-to-image LoRA recipe: pictures encoded once by the frozen VAE (the
latents' mean, and of the mirrored picture for flip augmentation), captions once by the
frozen text encoder; each step noises the latents at random timesteps and the adapted
UNet learns to predict the noise (or the velocity, as the model's scheduler says).
Augmentation is declared in the config: mirroring by default, and crops, small turns and
colour jitter on request (those pictures are then encoded anew at each step). The
held-out loss is the same error on the validation pictures at fixed timesteps and noise,
so before and after are comparable. Only the adapters train; they are saved in diffusers'
LoRA format (`pytorch_lora_weights.safetensors`), which `pipeline.load_lora_weights`
reads. Pipelines with one text encoder and a UNet (Stable Diffusion 1.x/2.x) are supported.
On a GPU the same code runs in float32 on `world.device`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageEnhance, ImageOps

from atelier.datasets.images import square, srgb
from atelier.training.distributed import SINGLE, World
from atelier.training.loop import IsCancelled, OnProgress, Schedule, train

TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]
VALID_TIMESTEPS = 8  # fixed timesteps (evenly spread) each validation picture is scored at
LORA_FILE = "pytorch_lora_weights.safetensors"


@dataclass(frozen=True)
class LoraTuning:
    rank: int = 4
    steps: int = 100
    batch: int = 4
    lr: float = 1e-4
    seed: int = 1
    checkpoint_every: int = 50
    eval_every: int = 50
    resolution: int | None = None  # None: the model's native side
    # Augmentation, drawn per example and step: mirrored (this share of pictures), cut to a
    # random square of at least `crop` of the side, turned up to `rotate` degrees either way,
    # brightness, contrast and saturation each scaled within 1 ± `jitter`.
    flip: float = 0.5
    crop: float = 1.0
    rotate: float = 0.0
    jitter: float = 0.0
    caption: str = ""  # for pictures without their own caption
    threads: int = 1

    @property
    def augments_pixels(self) -> bool:
        """Whether pictures change beyond mirroring (then each step encodes them anew)."""
        return self.crop < 1.0 or self.rotate > 0.0 or self.jitter > 0.0

    def schedule(self) -> Schedule:
        return Schedule(
            self.steps,
            self.batch,
            self.lr,
            self.seed,
            self.checkpoint_every,
            self.eval_every,
            self.threads,
            weight_decay=0.0,
        )


def load_pipeline(folder: Path, device: torch.device) -> Any:
    from diffusers import DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    missing = [c for c in ("unet", "vae", "text_encoder", "tokenizer") if c not in pipe.components]
    if missing or "text_encoder_2" in pipe.components:
        raise ValueError(
            f"{folder.name}: LoRA training here supports Stable Diffusion 1.x/2.x pipelines "
            "(a UNet and one text encoder)"
        )
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def native_side(pipe: Any) -> int:
    return int(pipe.unet.config.sample_size) * int(pipe.vae_scale_factor)


def _pictures(items: list[bytes], side: int) -> list[Image.Image]:
    out = []
    for data in items:
        with Image.open(io.BytesIO(data)) as opened:
            out.append(square(srgb(opened), side))
    return out


@torch.no_grad()
def _encode(pipe: Any, pictures: list[Image.Image]) -> torch.Tensor:
    """The VAE latents' mean, scaled as the UNet reads them: (pictures, C, h, w)."""
    pixels = np.stack([np.asarray(p, dtype=np.float32) / 127.5 - 1.0 for p in pictures])
    batch = torch.from_numpy(pixels).permute(0, 3, 1, 2).to(pipe.device)
    return pipe.vae.encode(batch).latent_dist.mean * pipe.vae.config.scaling_factor


def augment(
    picture: Image.Image, mirrored: bool, rng: np.random.Generator, config: LoraTuning
) -> Image.Image:
    """The picture mirrored, cropped, turned and jittered as the config declares."""
    side = picture.width
    if mirrored:
        picture = ImageOps.mirror(picture)
    if config.crop < 1.0:
        cut = round(side * rng.uniform(config.crop, 1.0))
        x, y = (int(v) for v in rng.integers(0, side - cut + 1, 2))
        picture = picture.crop((x, y, x + cut, y + cut)).resize(
            (side, side), Image.Resampling.LANCZOS
        )
    if config.rotate > 0.0:
        angle = rng.uniform(-config.rotate, config.rotate)
        turned = picture.rotate(angle, Image.Resampling.BICUBIC)
        radians = np.radians(abs(angle))
        inner = side / (np.cos(radians) + np.sin(radians))  # the square the corners spare
        margin = (side - inner) / 2
        box = (margin, margin, side - margin, side - margin)
        picture = turned.resize((side, side), Image.Resampling.LANCZOS, box=box)
    if config.jitter > 0.0:
        for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
            picture = enhance(picture).enhance(rng.uniform(1 - config.jitter, 1 + config.jitter))
    return picture


@torch.no_grad()
def _encode_captions(pipe: Any, captions: list[str]) -> torch.Tensor:
    tokens = pipe.tokenizer(
        captions,
        padding="max_length",
        max_length=pipe.tokenizer.model_max_length,
        truncation=True,
        return_tensors="pt",
    ).input_ids.to(pipe.device)
    return pipe.text_encoder(tokens)[0]


def _noise(shape: tuple[int, ...], rng: np.random.Generator) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


def finetune(
    pipeline: Path,
    train_items: list[tuple[bytes, str]],
    valid_items: list[tuple[bytes, str]],
    config: LoraTuning,
    out: Path,
    checkpoint: Path | None = None,
    on_progress: OnProgress | None = None,
    cancelled: IsCancelled | None = None,
    world: World = SINGLE,
) -> dict[str, Any]:
    """Train the adapters; the main process saves them into `out` (LORA_FILE). Returns
    the metrics: held-out denoising loss before (the base) and after, and the curves."""
    from diffusers import DDPMScheduler
    from peft import LoraConfig

    if not train_items or not valid_items:
        raise ValueError("LoRA training needs training and validation pictures")
    pipe = load_pipeline(pipeline, world.device)
    side = config.resolution or native_side(pipe)
    scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    timesteps = int(scheduler.config.num_train_timesteps)
    train_pictures = _pictures([d for d, _ in train_items], side)
    # Mirroring alone: every picture and its mirror image are encoded once, up front.
    train_latents = torch.stack([_encode(pipe, [p, ImageOps.mirror(p)]) for p in train_pictures])
    valid_latents = _encode(pipe, _pictures([d for d, _ in valid_items], side))[:, None]
    train_text = _encode_captions(pipe, [c or config.caption for _, c in train_items])
    valid_text = _encode_captions(pipe, [c or config.caption for _, c in valid_items])
    unet = pipe.unet
    for part in (unet, pipe.vae, pipe.text_encoder):
        part.requires_grad_(False)
    torch.manual_seed(config.seed)
    unet.add_adapter(LoraConfig(r=config.rank, lora_alpha=config.rank, target_modules=TARGETS))
    adapters = [p for p in unet.parameters() if p.requires_grad]
    shape = tuple(train_latents.shape[2:])

    def target(latents: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        if scheduler.config.prediction_type == "v_prediction":
            return scheduler.get_velocity(latents, noise, t)
        return noise

    def loss_of_step(
        module: torch.nn.Module, step: int, rng: np.random.Generator, share: slice
    ) -> tuple[torch.Tensor, float]:
        picks = rng.integers(len(train_items), size=config.batch)
        draws = [np.random.default_rng([config.seed, step, j]) for j in range(config.batch)]
        flips = [int(r.random() < config.flip) for r in draws]
        times = [int(r.integers(timesteps)) for r in draws]
        noise = torch.stack([_noise(shape, r) for r in draws])[share].to(world.device)
        mine = list(range(config.batch))[share]
        if config.augments_pixels:
            changed = [
                augment(train_pictures[picks[j]], bool(flips[j]), draws[j], config) for j in mine
            ]
            latents = _encode(pipe, changed)
        else:
            latents = torch.stack([train_latents[picks[j], flips[j]] for j in mine])
        t = torch.tensor(times, device=world.device)[share]
        noisy = scheduler.add_noise(latents, noise, t)
        predicted = module(
            noisy, t, encoder_hidden_states=train_text[torch.from_numpy(picks[share])]
        ).sample
        total = torch.nn.functional.mse_loss(predicted, target(latents, noise, t), reduction="sum")
        return total, float(predicted.numel())

    @torch.no_grad()
    def validate() -> float:
        errors = []
        spread = np.linspace(0, timesteps - 1, VALID_TIMESTEPS).astype(int)
        for index in range(len(valid_items)):
            rng = np.random.default_rng([config.seed, 10**6, index])
            latents = valid_latents[index, :1].repeat(VALID_TIMESTEPS, 1, 1, 1)
            noise = torch.stack([_noise(shape, rng) for _ in spread]).to(world.device)
            t = torch.from_numpy(spread).to(world.device)
            text = valid_text[index : index + 1].repeat(VALID_TIMESTEPS, 1, 1)
            predicted = unet(scheduler.add_noise(latents, noise, t), t, encoder_hidden_states=text)
            errors.append(float(((predicted.sample - target(latents, noise, t)) ** 2).mean()))
        return float(np.mean(errors))

    before = validate()
    run = train(
        unet,
        adapters,
        loss_of_step,
        validate,
        config.schedule(),
        checkpoint,
        on_progress,
        cancelled,
        world,
    )
    after = validate()
    metrics: dict[str, Any] = {
        "validation_before": before,
        "validation_after": after,
        "resolution": side,
        "training_pictures": len(train_items),
        "validation_pictures": len(valid_items),
        "steps": run.steps,
        "resumed_from": run.resumed_from,
        "seconds": round(run.seconds, 2),
        "loss_curve": [round(v, 5) for v in run.curve],
        "validation_curve": {str(k): round(v, 5) for k, v in run.valid.items()},
    }
    if world.main:
        metrics["weights_sha256"] = save_adapters(pipe, out)
    return metrics


def save_adapters(pipe: Any, out: Path) -> str:
    """The UNet's adapters in diffusers' LoRA format; returns the file's sha256."""
    from diffusers import StableDiffusionPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(pipe.unet))
    out.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(out, unet_lora_layers=layers, safe_serialization=True)
    return hashlib.sha256((out / LORA_FILE).read_bytes()).hexdigest()
