"""image.upscale: enlarge a picture ×2, ×3 or ×4 with Real-ESRGAN on the CPU."""

from __future__ import annotations

from typing import Literal

from PIL import Image
from pydantic import Field

from atelier.engines.base import (
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    EngineError,
    ImageUploadId,
    Inputs,
)
from atelier.engines.image import esrgan
from atelier.engines.image.encode import ImageOutput, image_artifact
from atelier.engines.image.inputs import still

# The input is processed in tiles, so the network's memory stays bounded (esrgan.py); this
# limit bounds the rest: the ×4 result of 2 MP is 32 MP (96 MB of pixels) and takes the
# photo network ~15 minutes (on one core, as it works).
MAX_INPUT_PIXELS = 2_000_000
# Reading the picture and writing the PNG, CPU seconds (fitted with the networks' rates,
# esrgan.PIXELS_PER_SECOND).
ENCODE_START, ENCODE_PER_MEGAPIXEL = 0.0, 0.22


class UpscaleParams(ImageOutput):
    image: ImageUploadId = Field(description="The picture to enlarge (upload id).")
    scale: Literal[2, 3, 4] = Field(4, description="Enlargement: 2, 3 or 4 times.")
    model: esrgan.UpscaleModel = Field(
        "photo",
        description="photo: Real-ESRGAN x4plus (best on photos, slow); anime: x4plus-anime "
        "(drawings, flat colour); fast: AnimeVideo-v3 (small and ~40× faster, softer).",
    )


class Upscale(Engine[UpscaleParams]):
    name = "image.upscale"
    medium = "image"
    title = "Upscale"
    description = "Enlarge a picture 2, 3 or 4 times with Real-ESRGAN (photo or anime networks)."
    Params = UpscaleParams
    models = esrgan.MODEL_CARDS
    # Not `threaded`: Real-ESRGAN's CPU path works on one thread (esrgan.py), so a job is
    # settled on all its CPU seconds, as one core.
    credits_per_second = 1.0

    def warm(self) -> None:
        esrgan.warm("photo")  # the default network; the others load at their first use

    def available(self) -> str | None:
        return esrgan.unavailable()

    def output_budget(self, params: UpscaleParams, inputs: Inputs) -> Budget:
        picture = inputs.get("image", TYPICAL)
        return Budget(
            images=1,
            pixels=picture.pixels * params.scale**2,
            pixels_in=picture.pixels,
            network_pixels=esrgan.worked_pixels(picture.width, picture.height),
            field="scale",
        )

    def estimate_seconds(self, params: UpscaleParams, budget: Budget) -> float:
        """The network's time on the pixels it works on (the ×4 networks run at ×4
        whatever the scale), and writing the result."""
        seconds = esrgan.seconds_for(params.model, budget.network_pixels)
        return round(ENCODE_START + seconds + ENCODE_PER_MEGAPIXEL * budget.pixels_out / 1e6, 2)

    def run(self, params: UpscaleParams, ctx: Context) -> list[Creation]:
        p = params
        ctx.progress(0.02, "reading the picture")
        with Image.open(ctx.file(p.image)) as picture:
            still(picture, self.name)
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
