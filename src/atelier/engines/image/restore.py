"""image.restore: old-photo and damage repair with OpenCV and scikit-image.

Each step is a pure function on an RGB uint8 array (the benchmark measures them one by
one); the engine runs the chosen ones in the fixed order of `ORDER`: fill what the user
marked, find and fill scratches and dust, remove noise, stretch faded levels, correct a
colour cast, lift local contrast, and last enlarge with Real-ESRGAN (so it enlarges a
clean picture). docs/benchmarks.md measures each step against plain OpenCV."""

from __future__ import annotations

from typing import Any, Literal

import cv2
import numpy as np
from PIL import Image
from pydantic import Field, field_validator, model_validator
from skimage.restoration import estimate_sigma, inpaint_biharmonic

from atelier.engines.base import (
    ADVANCED,
    TYPICAL,
    Budget,
    Context,
    Creation,
    Engine,
    EngineError,
    ImageUploadId,
    Inputs,
    MaskUploadId,
    ModelCard,
)
from atelier.engines.image import esrgan
from atelier.engines.image.encode import ImageOutput, image_artifact, transparency
from atelier.engines.image.inputs import keep_transparency, still

Step = Literal["inpaint", "scratches", "denoise", "levels", "white_balance", "contrast", "upscale"]
ORDER: tuple[Step, ...] = (
    "inpaint",
    "scratches",
    "denoise",
    "levels",
    "white_balance",
    "contrast",
    "upscale",
)
DEFAULT_STEPS: tuple[Step, ...] = ("scratches", "denoise", "levels")

MAX_PIXELS = 8_000_000  # NLM denoising takes ~20 s at this size on two cores
MAX_UPSCALE_PIXELS = 2_000_000  # the upscale step enlarges at most this many (as image.upscale)
BIHARMONIC_MAX_PIXELS = 100_000  # larger holes: OpenCV's Telea (biharmonic's solve grows fast)

# Scratch and dust detection (pixel sizes suit defects up to ~5 px wide).
DEFECT_KERNEL = 7  # top-hat width: features narrower than this stand out
LINE_LENGTH = 31  # a scratch is a straight run at least this long
LINE_ANGLES = 16
DUST_MAX_AREA, DUST_MAX_SIDE = 60, 10  # a speck is a small compact blob
NEUTRAL_CHROMA = 60  # scratches and dust are grey: max(R,G,B) - min(R,G,B) below this
NOISE_MARGIN = 5.0  # a defect must also stand this many noise sigmas above its surroundings
DENOISE_PER_SIGMA = 0.8  # NLM strength h per estimated noise sigma (best on the sample photos)
LEVELS_CLIP = 0.5  # per cent of each channel's darkest and brightest pixels clipped by levels
FLAT_RANGE = 32  # levels leave a picture whose values span less than this (of 255) alone
# CPU seconds a step takes per megapixel, and reading and writing the photo (for estimates). The
# default steps' are fitted on benchmarks/estimates.py --set tuning on a quiet machine (2026-12-04,
# load 0.9: 320×240 0.17 s, 640×480 0.60 s); the others, not measured there, are scaled as the
# default steps were from their first fit (at load 26-28). On benchmarks/estimates.py --set tuning,
# report and report2 (2026-12-06, this day's 2-vCPU Intel Xeon VM, quiet), the steps' rates held
# (fitted again, ×1.01) and reading and writing took no time of its own beside them (320×240 0.13 s,
# 640×480 0.47, 400×300 0.18, 800×600 0.75, 512² 0.45, 1024×768 1.40). The upscale step is
# Real-ESRGAN's (esrgan.seconds_for).
STEP_SECONDS_PER_MEGAPIXEL = {
    "inpaint": 0.3,
    "scratches": 0.68,
    "denoise": 0.95,
    "levels": 0.06,
    "white_balance": 0.06,
    "contrast": 0.06,
}
START_SECONDS, WRITE_SECONDS_PER_MEGAPIXEL = 0.0, 0.0


class RestoreParams(ImageOutput):
    image: ImageUploadId = Field(description="The photo to restore (upload id).")
    steps: list[Step] = Field(
        default_factory=lambda: list(DEFAULT_STEPS),
        min_length=1,
        max_length=len(ORDER),
        description="Steps to run (a list, or names separated by commas; default scratches, "
        "denoise, levels); they always run in this order: inpaint, scratches, denoise, "
        "levels, white_balance, contrast, upscale.",
    )
    mask: MaskUploadId | None = Field(
        None,
        description="For the inpaint step: an image the size of the photo whose light pixels "
        "mark the area to fill (upload id).",
    )
    denoise_strength: float | None = Field(
        None,
        ge=1.0,
        le=40.0,
        description="Non-local-means strength h; empty: 0.8 × the noise level estimated "
        "from the photo.",
        json_schema_extra=ADVANCED,
    )
    scratch_threshold: int = Field(
        40,
        ge=10,
        le=128,
        description="How much (0–255) a thin line or speck must differ from its surroundings "
        "to count as damage; lower finds fainter scratches and risks real detail.",
        json_schema_extra=ADVANCED,
    )
    scale: Literal[2, 3, 4] = Field(2, description="Enlargement of the upscale step.")
    model: esrgan.UpscaleModel = Field(
        "photo", description="Real-ESRGAN network of the upscale step: photo, anime or fast."
    )

    @field_validator("steps", mode="before")
    @classmethod
    def comma_separated(cls, value: Any) -> Any:
        """Forms and the command line send one text: "scratches, denoise"."""
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @model_validator(mode="after")
    def steps_fit(self) -> RestoreParams:
        if len(set(self.steps)) != len(self.steps):
            raise ValueError("steps lists a step twice")
        if "inpaint" in self.steps and self.mask is None:
            raise ValueError("the inpaint step needs a mask (an image marking the area to fill)")
        if self.mask is not None and "inpaint" not in self.steps:
            raise ValueError("a mask is given but 'inpaint' is not in steps")
        return self


def noise_sigma(rgb: np.ndarray) -> float:
    """Estimated standard deviation of Gaussian noise (0–255 scale), averaged over channels."""
    return float(np.mean(estimate_sigma(rgb, channel_axis=2)))


def denoise(rgb: np.ndarray, strength: float) -> np.ndarray:
    """Non-local means (OpenCV), colour-aware, with filter strength `strength` for luma and
    chroma alike."""
    return cv2.fastNlMeansDenoisingColored(rgb, None, strength, strength, 7, 21)


def _line(length: int, angle: float) -> np.ndarray:
    """A one-pixel line structuring element through the centre at `angle` radians."""
    kernel = np.zeros((length, length), np.uint8)
    c = length // 2
    dx, dy = np.cos(angle) * c, np.sin(angle) * c
    start = (int(round(c - dx)), int(round(c - dy)))
    end = (int(round(c + dx)), int(round(c + dy)))
    cv2.line(kernel, start, end, 1, 1)
    return kernel


def find_defects(rgb: np.ndarray, threshold: float) -> np.ndarray:
    """A mask (uint8, 255 = damaged) of scratches and dust.

    A defect is thin (stands out in a morphological top-hat, bright or dark), grey, and
    either long and straight (survives an opening with a line at one of 16 angles) or a
    small compact speck. The mask is grown by 2 px to cover soft edges."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    smooth = cv2.GaussianBlur(gray, (0, 0), 0.8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (DEFECT_KERNEL, DEFECT_KERNEL))
    bright = cv2.morphologyEx(smooth, cv2.MORPH_TOPHAT, kernel)
    dark = cv2.morphologyEx(smooth, cv2.MORPH_BLACKHAT, kernel)
    limit = max(threshold, NOISE_MARGIN * float(estimate_sigma(gray)))
    chroma = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    candidates = ((np.maximum(bright, dark) > limit) & (chroma < NEUTRAL_CHROMA)).astype(np.uint8)

    # Probed one pixel thicker, so a thin line at an angle between the 16 still holds one.
    probe = cv2.dilate(candidates, np.ones((3, 3), np.uint8))
    lines = np.zeros_like(candidates)
    for angle in np.linspace(0, np.pi, LINE_ANGLES, endpoint=False):
        lines |= cv2.morphologyEx(probe, cv2.MORPH_OPEN, _line(LINE_LENGTH, angle))
    lines &= candidates

    _, labels, stats, _ = cv2.connectedComponentsWithStats(candidates, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    side = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    speck = (area >= 3) & (area <= DUST_MAX_AREA) & (side <= DUST_MAX_SIDE)
    speck[0] = False  # label 0 is the background
    dust = speck[labels].astype(np.uint8)

    mask = (lines | dust) * 255
    return cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))


def fill(rgb: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, str]:
    """Fill the masked pixels from their surroundings; returns the result and the method.

    Biharmonic inpainting (scikit-image) scored best on the sample photos; its sparse solve
    grows quickly with the hole, so beyond `BIHARMONIC_MAX_PIXELS` OpenCV's Telea is used."""
    holes = mask > 0
    if not holes.any():
        return rgb, "none"
    if int(holes.sum()) <= BIHARMONIC_MAX_PIXELS:
        filled = inpaint_biharmonic(rgb, holes, channel_axis=-1)
        return np.clip(filled * 255 + 0.5, 0, 255).astype(np.uint8), "biharmonic"
    return cv2.inpaint(rgb, holes.astype(np.uint8) * 255, 3, cv2.INPAINT_TELEA), "telea"


# The library each filling method runs (lineage); nothing to fill runs none.
FILLED_BY: dict[str, tuple[str, ...]] = {
    "biharmonic": ("skimage",),
    "telea": ("opencv",),
    "none": (),
}


def auto_levels(rgb: np.ndarray) -> np.ndarray:
    """Undo fading and a colour cast at once: stretch each channel so that its darkest
    `LEVELS_CLIP` per cent become black and its brightest white (a faded, yellowed print
    has a narrow, shifted range in every channel). A channel whose range is under half the
    picture's is one colour, not faded (a logo's red, a sunset's): it takes the picture's
    stretch, so that the colour keeps its hue; a picture with hardly any range at all
    (`FLAT_RANGE`) is left as it is. Stretched alone, a red disc's green and blue went from
    30 to 255 and the disc came out white, and a sunset's near-constant red and blue were
    stretched into stripes."""
    bounds = [
        tuple(np.percentile(rgb[..., channel], [LEVELS_CLIP, 100 - LEVELS_CLIP]))
        for channel in range(3)
    ]
    low, high = min(b[0] for b in bounds), max(b[1] for b in bounds)
    if high - low < FLAT_RANGE:
        return rgb.copy()
    out = np.empty_like(rgb)
    for channel, (first, last) in enumerate(bounds):
        if last - first < (high - low) / 2:
            first, last = low, high
        ramp = (np.arange(256) - first) * 255 / (last - first)
        out[..., channel] = np.clip(ramp + 0.5, 0, 255).astype(np.uint8)[rgb[..., channel]]
    return out


def grey_world(rgb: np.ndarray) -> np.ndarray:
    """Remove a colour cast by scaling each channel so all three have the same mean (the
    grey-world assumption: fails on pictures dominated by one colour)."""
    means = rgb.reshape(-1, 3).mean(axis=0)
    gains = means.mean() / np.maximum(means, 1.0)
    return np.clip(rgb * gains + 0.5, 0, 255).astype(np.uint8)


def local_contrast(rgb: np.ndarray) -> np.ndarray:
    """CLAHE on the lightness channel (Lab), so colours keep their hue."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    lab[..., 0] = clahe.apply(lab[..., 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def read_mask(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The user's mask as uint8 (255 = fill): light pixels (luminance ≥ 128) mark the area."""
    if image.size != size:
        raise EngineError(
            f"mask is {image.width}×{image.height}, image is {size[0]}×{size[1]}; "
            "they must be the same size"
        )
    marked = np.asarray(image.convert("L")) >= 128
    if not marked.any():
        raise EngineError("mask marks nothing to fill (light pixels mark the area to fill)")
    return marked.astype(np.uint8) * 255


class Restore(Engine[RestoreParams]):
    name = "image.restore"
    medium = "image"
    title = "Restore"
    description = (
        "Repair an old or damaged photo: fill a marked area, remove scratches and dust, "
        "remove noise, undo fading and colour casts, lift contrast, optionally enlarge."
    )
    Params = RestoreParams
    models = (
        ModelCard(
            name="OpenCV (non-local means, Telea inpainting, CLAHE)",
            version="opencv-python-headless >=4.9",
            licence="Apache-2.0",
            source="https://pypi.org/project/opencv-python-headless/",
            commercial_use=True,
        ),
        ModelCard(
            name="scikit-image (biharmonic inpainting, noise estimate)",
            version=">=0.22",
            licence="BSD-3-Clause",
            source="https://pypi.org/project/scikit-image/",
            commercial_use=True,
        ),
        *esrgan.MODEL_CARDS,
    )
    credits_per_second = 1.0

    def output_budget(self, params: RestoreParams, inputs: Inputs) -> Budget:
        photo = inputs.get("image", TYPICAL)
        upscaled = "upscale" in params.steps
        return Budget(
            images=1,
            pixels=photo.pixels * (params.scale**2 if upscaled else 1),
            pixels_in=photo.pixels,
            network_pixels=esrgan.worked_pixels(photo.width, photo.height) if upscaled else 0,
            field="scale" if upscaled else "image",
        )

    def estimate_seconds(self, params: RestoreParams, budget: Budget) -> float:
        megapixels = budget.pixels_in / 1e6
        seconds = START_SECONDS + WRITE_SECONDS_PER_MEGAPIXEL * budget.pixels_out / 1e6
        seconds += sum(STEP_SECONDS_PER_MEGAPIXEL.get(s, 0.0) for s in params.steps) * megapixels
        if "upscale" in params.steps:
            seconds += esrgan.seconds_for(params.model, budget.network_pixels)
        return round(seconds, 2)

    def run(self, params: RestoreParams, ctx: Context) -> list[Creation]:
        p = params
        limit = MAX_UPSCALE_PIXELS if "upscale" in p.steps else MAX_PIXELS
        with Image.open(ctx.file(p.image)) as photo:
            size = still(photo, self.name).size
            if size[0] * size[1] > limit:
                what = "with the upscale step " if "upscale" in p.steps else ""
                raise EngineError(
                    f"image is {size[0]}×{size[1]} = {size[0] * size[1]:,} pixels; "
                    f"restore {what}takes at most {limit:,}"
                )
            rgb = np.asarray(photo.convert("RGB"))
            alpha = transparency(photo)
        if "upscale" in p.steps and esrgan.unavailable():
            raise EngineError(f"the upscale step cannot run here: {esrgan.unavailable()}")
        mask = None
        if p.mask is not None:
            with Image.open(ctx.file(p.mask)) as mask_image:
                mask = read_mask(mask_image, size)

        steps = [step for step in ORDER if step in p.steps]
        meta: dict[str, Any] = {"steps": steps}
        settings: dict[str, Any] = {"Restore": "+".join(steps)}
        libraries: set[str] = set()  # "opencv", "skimage": what the steps ran (lineage)
        for number, step in enumerate(s for s in steps if s != "upscale"):
            ctx.progress(0.05 + 0.85 * number / len(steps), step.replace("_", " "))
            if step == "inpaint" and mask is not None:
                rgb, method = fill(rgb, mask)
                libraries.update(FILLED_BY[method])
                meta["inpainted_pixels"] = int((mask > 0).sum())
                settings["Inpaint"] = method
            elif step == "scratches":
                defects = find_defects(rgb, p.scratch_threshold)
                rgb, method = fill(rgb, defects)
                libraries.update(("opencv", "skimage", *FILLED_BY[method]))
                meta["scratch_pixels"] = int((defects > 0).sum())
                settings["Scratch threshold"] = p.scratch_threshold
            elif step == "denoise":
                sigma = noise_sigma(rgb)
                strength = p.denoise_strength or max(1.0, round(DENOISE_PER_SIGMA * sigma, 1))
                rgb = denoise(rgb, strength)
                libraries.update(("opencv", "skimage"))
                meta["noise_sigma"] = round(sigma, 2)
                settings["Denoise"] = strength
            elif step == "levels":
                rgb = auto_levels(rgb)
            elif step == "white_balance":
                rgb = grey_world(rgb)
            elif step == "contrast":
                rgb = local_contrast(rgb)
                libraries.add("opencv")
        result = keep_transparency(Image.fromarray(rgb), alpha)
        if "upscale" in steps:  # always the last step; it reports progress as it goes
            start = 0.05 + 0.85 * (len(steps) - 1) / len(steps)
            result = esrgan.upscale(
                result,
                p.model,
                p.scale,
                lambda done: ctx.progress(start + (0.9 - start) * done, "upscaling"),
            )
            settings["Upscale"] = f"{p.model} x{p.scale}"
        ctx.progress(0.95, "saving")
        used = self.used_models(libraries, p.model if "upscale" in steps else None)
        artifact = image_artifact(result, self, p, ctx.seed, settings, models=used)
        meta.update(width=result.width, height=result.height)
        return [Creation(files=[artifact], title="Restored photo", meta=meta, models=used)]

    def used_models(self, libraries: set[str], upscaler: str | None) -> tuple[ModelCard, ...]:
        """The libraries the steps ran and, for the upscale step, the one network chosen
        (a work's lineage names only what made it)."""
        opencv, skimage = self.models[:2]
        used = [
            card for name, card in (("opencv", opencv), ("skimage", skimage)) if name in libraries
        ]
        return (*used, esrgan.card(upscaler)) if upscaler else tuple(used)
