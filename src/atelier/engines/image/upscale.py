"""image.upscale: enlarge a picture ×2, ×3 or ×4 with Real-ESRGAN on the CPU."""

from __future__ import annotations

from typing import Any, Literal

from PIL import Image
from pydantic import Field

from atelier.engines.base import Context, Creation, Engine, EngineError, ImageUploadId
from atelier.engines.image import esrgan
from atelier.engines.image.encode import ImageOutput, image_artifact

# The input is processed in tiles, so the network's memory stays bounded (esrgan.py); this
# limit bounds the rest: the ×4 result of 2 MP is 32 MP (96 MB of pixels) and takes the
# photo network ~25 minutes on two cores.
MAX_INPUT_PIXELS = 2_000_000


class UpscaleParams(ImageOutput):
    image: ImageUploadId = Field(description="The picture to enlarge (upload id).")
    scale: Literal[2, 3, 4] = Field(4, description="Enlargement: 2, 3 or 4 times.")
    model: esrgan.UpscaleModel = Field(
        "photo",
        description="photo: Real-ESRGAN x4plus (best on photos, slow); anime: x4plus-anime "
        "(drawings, flat colour); fast: AnimeVideo-v3 (small and ~40× faster, softer).",
    )


class Upscale(Engine):
    name = "image.upscale"
    medium = "image"
    title = "Upscale"
    description = "Enlarge a picture 2, 3 or 4 times with Real-ESRGAN (photo or anime networks)."
    Params = UpscaleParams
    models = esrgan.MODEL_CARDS
    credits_per_second = 1.0

    def available(self) -> str | None:
        return esrgan.unavailable()

    def estimate_seconds(self, params: Any) -> float:
        """For a typical 800×600 picture (the upload's size is not known here)."""
        p: UpscaleParams = params
        return round(0.5 + esrgan.seconds_for(p.model, 480_000), 2)

    def run(self, params: Any, ctx: Context) -> list[Creation]:
        p: UpscaleParams = params
        ctx.progress(0.02, "reading the picture")
        with Image.open(ctx.file(p.image)) as picture:
            pixels = picture.width * picture.height
            if pixels > MAX_INPUT_PIXELS:
                raise EngineError(
                    f"image is {picture.width}×{picture.height} = {pixels:,} pixels; "
                    f"upscale takes at most {MAX_INPUT_PIXELS:,} (e.g. 1600×1250)"
                )
            picture.load()
            enlarged = esrgan.upscale(
                picture,
                p.model,
                p.scale,
                lambda done: ctx.progress(0.05 + 0.85 * done, "upscaling"),
            )
        ctx.progress(0.92, "saving")
        network = esrgan.network_for(p.model, p.scale)
        settings = {"Upscaler": network.file, "Scale": p.scale, "Model": p.model}
        used = (esrgan.card(p.model),)
        artifact = image_artifact(enlarged, self, p, ctx.seed, settings, models=used)
        return [
            Creation(
                files=[artifact],
                title=f"Upscaled ×{p.scale} ({p.model})",
                meta={"width": enlarged.width, "height": enlarged.height, "network": network.file},
                models=used,
            )
        ]
