"""image.diffusion: text-to-image, image-to-image and inpainting with Hugging Face diffusers,
from the model folders an operator puts in ATELIER_MODELS_DIR (SD 1.5, SDXL, SD-Turbo, FLUX…).

torch and diffusers are imported on first use, so listing engines stays fast."""

from __future__ import annotations

import gc
import inspect
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from PIL import Image, ImageOps
from pydantic import Field, ValidationInfo, field_validator

from atelier.engines.base import (
    ABOUT,
    ADVANCED,
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    EngineConfig,
    EngineError,
    ImageUploadId,
    Inputs,
    MaskUploadId,
    ModelCard,
    Needs,
)
from atelier.engines.custom import ModelRef, custom_model
from atelier.engines.image.diffusion_models import ModelFolder, find_models
from atelier.engines.image.encode import ImageOutput, image_artifact
from atelier.engines.image.variants import DEFAULT_VARIANTS, Variants, variant_seeds

NO_MODEL = (
    "no diffusers model folder in ATELIER_MODELS_DIR; put e.g. a Stable Diffusion 1.5 folder there"
)
MAX_SIDE = 2048
NATIVE_UNKNOWN = 1024  # a model's native side when its folder does not say
MAX_LOADED = 1  # pipelines kept in memory: a second SDXL would double RAM/VRAM
# name: (diffusers scheduler class, the sampler's name in AUTOMATIC1111, config overrides)
SCHEDULERS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "euler": ("EulerDiscreteScheduler", "Euler", {}),
    "euler_a": ("EulerAncestralDiscreteScheduler", "Euler a", {}),
    "dpm++": ("DPMSolverMultistepScheduler", "DPM++ 2M", {}),
    "dpm++_karras": (
        "DPMSolverMultistepScheduler",
        "DPM++ 2M Karras",
        {"use_karras_sigmas": True},
    ),
    "ddim": ("DDIMScheduler", "DDIM", {}),
    "lms": ("LMSDiscreteScheduler", "LMS", {}),
    "pndm": ("PNDMScheduler", "PNDM", {}),
    "heun": ("HeunDiscreteScheduler", "Heun", {}),
    "unipc": ("UniPCMultistepScheduler", "UniPC", {}),
}
SchedulerName = Literal[
    "default", "euler", "euler_a", "dpm++", "dpm++_karras", "ddim", "lms", "pndm", "heun", "unipc"
]
Mode = Literal["txt2img", "img2img", "inpaint"]


class DiffusionParams(ImageOutput):
    prompt: str = Field(
        min_length=1, max_length=2000, description="What to paint.", json_schema_extra=ABOUT
    )
    negative_prompt: str = Field(
        "", max_length=2000, description="What to keep out.", json_schema_extra=ADVANCED
    )
    model: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=r"^[^/\\]+$",
        description="Model folder name in ATELIER_MODELS_DIR; default: the first by name.",
    )
    width: int | None = Field(
        None,
        ge=64,
        le=MAX_SIDE,
        multiple_of=8,
        description="Pixels; default: the model's native size (with an image: its aspect).",
    )
    height: int | None = Field(
        None,
        ge=64,
        le=MAX_SIDE,
        multiple_of=8,
        description="Pixels; default: the model's native size (with an image: its aspect).",
    )
    steps: int = Field(25, ge=1, le=150, description="Denoising steps (SD-Turbo: 1–4).")
    guidance: float = Field(
        7.5,
        ge=0.0,
        le=30.0,
        description="Classifier-free guidance scale (SD-Turbo: 0).",
        json_schema_extra=ADVANCED,
    )
    scheduler: SchedulerName = Field(
        "default",
        description="Sampler; default: the one the model folder names.",
        json_schema_extra=ADVANCED,
    )
    image: ImageUploadId | None = Field(
        None, description="A picture to start from (upload id): image-to-image."
    )
    mask: MaskUploadId | None = Field(
        None,
        description="With image: white repaints, black keeps (upload id, the image's size).",
    )
    strength: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        validate_default=True,
        description="With image: how much to change it (default 0.75; inpainting 1.0).",
    )
    variants: Variants = DEFAULT_VARIANTS
    lora: ModelRef | None = Field(
        None,
        description="The id of your own LoRA adapters, trained on this model folder.",
        json_schema_extra=custom_model("lora"),
    )

    @field_validator("mask")
    @classmethod
    def mask_needs_image(cls, mask: str | None, info: ValidationInfo) -> str | None:
        if mask is not None and info.data.get("image") is None:
            raise ValueError("a mask needs the image it applies to: give image too")
        return mask

    @field_validator("prompt")
    @classmethod
    def prompt_has_words(cls, prompt: str) -> str:
        """A prompt of spaces only painted whatever the model paints unprompted."""
        if not prompt.strip():
            raise ValueError("the prompt needs at least one word")
        return prompt

    @field_validator("strength")
    @classmethod
    def strength_needs_image(cls, strength: float | None, info: ValidationInfo) -> float | None:
        image, steps = info.data.get("image"), info.data.get("steps")
        if image is None:
            if strength is not None:
                raise ValueError("strength applies only with an image (img2img or inpaint)")
            return None
        if strength is None:
            strength = 1.0 if info.data.get("mask") is not None else 0.75
        if steps is not None and int(steps * strength) < 1:
            raise ValueError(
                f"steps × strength is below 1 ({steps} × {strength}): nothing would be "
                "painted; raise steps or strength"
            )
        return strength

    @property
    def mode(self) -> Mode:
        if self.image is None:
            return "txt2img"
        return "img2img" if self.mask is None else "inpaint"


class Diffusion(Engine[DiffusionParams]):
    name = "image.diffusion"
    medium = "image"
    title = "Diffusion"
    description = (
        "Paint from a prompt, repaint a picture, or fill in a masked part of it, with the "
        "Stable Diffusion, SDXL or FLUX models this studio's operator installed."
    )
    Params = DiffusionParams
    credits_per_second = 1.0
    needs = Needs(cpus=1, memory_mb=8192, gpus=1)  # fp16 pipelines on a GPU; RAM to load them

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self._loaded: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._turn_lock = threading.Lock()

    @property
    def models(self) -> tuple[ModelCard, ...]:  # type: ignore[override]  # folders, not fixed
        """One card per model folder found, with its licence (the operator's, or its README's)."""
        return tuple(folder.card for folder in find_models(self.config.models_dir))

    def available(self) -> str | None:
        return None if find_models(self.config.models_dir) else NO_MODEL

    @cached_property
    def _device(self) -> tuple[str, Any]:
        """cuda with float16 when torch sees a GPU, else the CPU with float32."""
        import torch

        if torch.cuda.is_available():
            return "cuda", torch.float16
        return "cpu", torch.float32

    def output_budget(self, params: DiffusionParams, inputs: Inputs) -> Budget:
        """The asked size; a side not given follows the model's native size (read from its
        folder's configs) or the image's aspect."""
        source = inputs.get("image", TYPICAL) if params.image else None
        native = native_side_of(self._folder_or_none(params.model))
        width, height = output_size(
            params, native, (source.width, source.height) if source else None
        )
        return Budget(
            images=params.variants,
            pixels=width * height,
            pixels_in=source.pixels if source else 0,
            field="width",
        )

    def estimate_seconds(self, params: DiffusionParams, budget: Budget) -> float:
        per_step = 0.1 if self._device[0] == "cuda" else 2.5  # an SD 1.5 step at 512×512
        steps = params.steps * (params.strength or 1.0)
        return round(3.0 + budget.images * steps * per_step * budget.pixels / 512**2, 2)

    def run(self, params: DiffusionParams, ctx: Context) -> list[Creation]:
        p = params
        folder = self._folder(p.model)
        image, mask = read_inputs(p, ctx)
        with self._turn(ctx):
            pipe = self._task_pipeline(self._pipeline(folder, ctx), p, folder)
            native = native_side(pipe)
            width, height = output_size(p, native, image.size if image else None)
            check_size(pipe, folder, width, height)
            creations = []
            with adapters(pipe, ctx.file(p.lora) if p.lora else None):
                for index, seed in enumerate(variant_seeds(ctx.seed, p.variants)):
                    picture = self._paint(pipe, p, ctx, index, seed, (width, height), image, mask)
                    creations.append(self._creation(picture, p, folder, seed, index))
        ctx.progress(1.0, "done")
        return creations

    def _folder_or_none(self, name: str | None) -> ModelFolder | None:
        folders = find_models(self.config.models_dir)
        return next((f for f in folders if name is None or f.name == name), None)

    def _folder(self, name: str | None) -> ModelFolder:
        folders = find_models(self.config.models_dir)
        if not folders:
            raise EngineError(NO_MODEL)
        if name is None:
            return folders[0]
        for folder in folders:
            if folder.name == name:
                return folder
        have = ", ".join(f.name for f in folders)
        raise EngineError(f"params.model: no model folder {name!r}; this studio has: {have}")

    @contextmanager
    def _turn(self, ctx: Context) -> Iterator[None]:
        """One generation at a time per engine: each one already fills the CPU or the GPU, and
        two at once would hold two models in memory. A waiting job can still be cancelled."""
        if not self._turn_lock.acquire(blocking=False):
            ctx.progress(0.0, "waiting for another generation to finish")
            while not self._turn_lock.acquire(timeout=0.25):
                ctx.check_cancelled()
        try:
            yield
        finally:
            self._turn_lock.release()

    def _pipeline(self, folder: ModelFolder, ctx: Context) -> Any:
        """The folder's pipeline, loaded once and kept (least recently used goes first)."""
        key = (str(folder.path), folder.card.version)
        if key in self._loaded:
            self._loaded.move_to_end(key)
            return self._loaded[key]
        while len(self._loaded) >= MAX_LOADED:
            self._loaded.popitem(last=False)
            self._free_memory()
        ctx.progress(0.0, f"loading model {folder.name}")
        self._loaded[key] = self._load(folder)
        return self._loaded[key]

    def _load(self, folder: ModelFolder) -> Any:
        import torch
        from diffusers import DiffusionPipeline

        device, dtype = self._device
        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        # The studio moderates outputs itself (flagging, not blacking out), so a folder's own
        # safety checker is not loaded.
        extra: dict[str, Any] = {}
        if "safety_checker" in folder.components:
            extra = {"safety_checker": None, "requires_safety_checker": False}
        try:
            pipe = DiffusionPipeline.from_pretrained(
                folder.path, local_files_only=True, dtype=dtype, **extra
            )
        except (OSError, ValueError, TypeError) as exc:
            raise EngineError(f"model {folder.name} could not be loaded: {exc}") from None
        pipe.set_progress_bar_config(disable=True)
        return pipe.to(device)

    def _free_memory(self) -> None:
        gc.collect()
        if self._device[0] == "cuda":
            import torch

            torch.cuda.empty_cache()

    def _task_pipeline(self, base: Any, p: DiffusionParams, folder: ModelFolder) -> Any:
        """A pipeline for this mode sharing the loaded model's weights, with its own fresh
        scheduler (so a job's choice never leaks into the cached pipeline)."""
        import diffusers

        task = {
            "txt2img": diffusers.AutoPipelineForText2Image,
            "img2img": diffusers.AutoPipelineForImage2Image,
            "inpaint": diffusers.AutoPipelineForInpainting,
        }[p.mode]
        own = type(base.scheduler)
        usable = {own, *base.scheduler.compatibles}
        overrides: dict[str, Any] = {}
        if p.scheduler == "default":
            scheduler_class = own
        else:
            class_name, _, overrides = SCHEDULERS[p.scheduler]
            scheduler_class = getattr(diffusers, class_name)
            if scheduler_class not in usable:
                works = [
                    n for n, (c, _, _) in SCHEDULERS.items() if getattr(diffusers, c) in usable
                ]
                raise EngineError(
                    f"params.scheduler: {p.scheduler} does not work with model {folder.name} "
                    f"({own.__name__}); use one of: {', '.join(['default', *works])}"
                )
        scheduler = scheduler_class.from_config(base.scheduler.config, **overrides)
        try:
            pipe = task.from_pipe(base, scheduler=scheduler)
        except ValueError:
            raise EngineError(
                f"model {folder.name} ({folder.pipeline}) cannot do {p.mode}"
            ) from None
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def _paint(
        self,
        pipe: Any,
        p: DiffusionParams,
        ctx: Context,
        index: int,
        seed: int,
        size: tuple[int, int],
        image: Image.Image | None,
        mask: Image.Image | None,
    ) -> Image.Image:
        import torch

        def on_step(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            total = pipe.num_timesteps
            ctx.progress(
                (index + (step + 1) / total) / p.variants,
                f"image {index + 1} of {p.variants}: step {step + 1} of {total}",
            )
            return tensors

        accepted = inspect.signature(pipe.__call__).parameters
        kwargs: dict[str, Any] = {
            "prompt": p.prompt,
            "num_inference_steps": p.steps,
            "guidance_scale": p.guidance,
            # Noise is drawn on the CPU so a seed gives the same picture on any device.
            "generator": torch.Generator("cpu").manual_seed(seed),
            "callback_on_step_end": on_step,
        }
        if p.negative_prompt:
            if "negative_prompt" not in accepted:
                raise EngineError(
                    f"params.negative_prompt: {type(pipe).__name__} takes no negative prompt"
                )
            kwargs["negative_prompt"] = p.negative_prompt
        if "width" in accepted:
            kwargs["width"], kwargs["height"] = size
        if image is not None:
            image = kwargs["image"] = image.resize(size, Image.Resampling.LANCZOS)
            kwargs["strength"] = p.strength
        if mask is not None:
            mask = kwargs["mask_image"] = mask.resize(size, Image.Resampling.BILINEAR)
        ctx.progress(index / p.variants, f"image {index + 1} of {p.variants}")
        result: Image.Image = pipe(**kwargs).images[0]
        if image is not None and mask is not None:
            # Outside the mask the picture is kept pixel for pixel, as AUTOMATIC1111 and
            # InvokeAI paste it back, rather than as the VAE would redraw it.
            result = Image.composite(result, image, mask)
        return result

    def _creation(
        self, picture: Image.Image, p: DiffusionParams, folder: ModelFolder, seed: int, index: int
    ) -> Creation:
        sampler = (
            SCHEDULERS[p.scheduler][1] if p.scheduler != "default" else f"{folder.name} default"
        )
        settings = {
            "Steps": p.steps,
            "Sampler": sampler,
            "CFG scale": p.guidance,
            "Denoising strength": p.strength,
            "Model": folder.name,
            "Model version": folder.card.version,
            "Mode": p.mode,
        }
        artifact = image_artifact(
            picture,
            self,
            p,
            seed,
            settings,
            prompt=p.prompt,
            negative=p.negative_prompt,
            models=(folder.card,),
        )
        return Creation(
            files=[artifact],
            title=p.prompt[:80],
            meta={
                "width": picture.width,
                "height": picture.height,
                "seed": seed,
                "index": index,
                "mode": p.mode,
                "model": folder.name,
            },
            models=(folder.card,),
            seed=seed,
        )


@contextmanager
def adapters(pipe: Any, path: Path | None) -> Iterator[None]:
    """A client's LoRA adapters (training/lora.py) in the pipeline for one job, and out
    again after it: the loaded model's weights are shared with the next job."""
    if path is None:
        yield
        return
    from safetensors.torch import load_file

    try:
        pipe.load_lora_weights(load_file(path), adapter_name="client")
    except (ValueError, KeyError, RuntimeError) as exc:
        raise EngineError(f"the LoRA adapters do not fit this model: {exc}") from None
    try:
        yield
    finally:
        pipe.unload_lora_weights()


def read_inputs(p: DiffusionParams, ctx: Context) -> tuple[Image.Image | None, Image.Image | None]:
    """The start image (RGB) and mask (L), upright; a mask must be the image's size."""
    if p.image is None:
        return None, None
    image = open_upright(ctx, p.image).convert("RGB")
    if p.mask is None:
        return image, None
    mask = open_upright(ctx, p.mask).convert("L")
    if mask.size != image.size:
        raise EngineError(
            f"params.mask: the mask is {mask.width}×{mask.height} but the image is "
            f"{image.width}×{image.height}; give a mask of the image's size"
        )
    return image, mask


def open_upright(ctx: Context, upload_id: str) -> Image.Image:
    with Image.open(ctx.file(upload_id)) as picture:
        return ImageOps.exif_transpose(picture)


def native_side_of(folder: ModelFolder | None) -> int:
    """The model's native side from its folder's configs, without loading it: the UNet's
    sample size times the VAE's downscaling (2 per block after the first); 1024 (SDXL,
    FLUX, SD3) when the folder does not say."""
    if folder is None:
        return NATIVE_UNKNOWN
    try:
        unet = json.loads((folder.path / "unet" / "config.json").read_text())
        vae = json.loads((folder.path / "vae" / "config.json").read_text())
        return int(unet["sample_size"]) * 2 ** (len(vae["block_out_channels"]) - 1)
    except (OSError, ValueError, KeyError, TypeError):
        return NATIVE_UNKNOWN


def native_side(pipe: Any) -> int:
    """The side the model was trained at: 512 for SD 1.5, 1024 for SDXL and FLUX."""
    sample = getattr(pipe, "default_sample_size", None) or pipe.unet.config.sample_size
    return int(sample) * int(pipe.vae_scale_factor)


def output_size(p: DiffusionParams, native: int, source: tuple[int, int] | None) -> tuple[int, int]:
    """The asked size; a side not given is the native one, or follows the image's aspect."""
    if source is None:
        return p.width or native, p.height or native
    if p.width and p.height:
        return p.width, p.height
    width, height = source
    if p.width:
        scale = p.width / width
    elif p.height:
        scale = p.height / height
    else:
        scale = native / max(width, height)
    return p.width or fit(width * scale), p.height or fit(height * scale)


def fit(side: float) -> int:
    return min(MAX_SIDE, max(64, round(side / 16) * 16))


def check_size(pipe: Any, folder: ModelFolder, width: int, height: int) -> None:
    """Transformer models (FLUX, SD3) pack 2×2 latents, so they need sides divisible by 16."""
    multiple = int(pipe.vae_scale_factor) * (2 if "transformer" in pipe.components else 1)
    for field, side in (("width", width), ("height", height)):
        if side % multiple:
            raise EngineError(
                f"params.{field}: {side} is not a multiple of {multiple}, "
                f"which model {folder.name} ({folder.pipeline}) needs"
            )
