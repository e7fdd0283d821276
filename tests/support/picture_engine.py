"""test.picture: an engine that makes a picture or a tone quickly, registered on import
(by the provenance and panel tests; not in tests.support.engines, which every test and
every `atelier` subprocess of the tests loads)."""

from __future__ import annotations

import io
import wave
from typing import Literal

import numpy as np
from pydantic import Field

from atelier.engines import registry
from atelier.engines.base import (
    Artifact,
    Budget,
    Context,
    Creation,
    Engine,
    ImageUploadId,
    Inputs,
    Params,
)
from tests.support.media import image_bytes


class PictureParams(Params):
    width: int = Field(320, ge=16, le=1024)
    height: int = Field(256, ge=16, le=1024)
    format: Literal["png", "jpeg", "wav"] = "png"
    image: ImageUploadId | None = None


class Picture(Engine[PictureParams]):
    """A smooth picture (or a tone), optionally tinted by an uploaded image."""

    name = "test.picture"
    medium = "image"
    title = "Picture (test)"
    description = "A smooth colourful picture, or a short tone as WAV."
    Params = PictureParams

    def output_budget(self, params: PictureParams, inputs: Inputs) -> Budget:
        if params.format == "wav":
            return Budget(audio_seconds=0.5)
        return Budget(images=1, pixels=params.width * params.height, field="width")

    def run(self, params: PictureParams, ctx: Context) -> list[Creation]:
        if params.format == "wav":
            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(8000)
                tone = np.sin(np.arange(4000) * 2 * np.pi * 440 / 8000) * 8000
                out.writeframes(tone.astype("<i2").tobytes())
            return [Creation([Artifact("tone.wav", "audio/wav", buffer.getvalue())], "tone")]
        fmt = "JPEG" if params.format == "jpeg" else "PNG"
        data = image_bytes(params.width, params.height, fmt=fmt, seed=ctx.seed % 1000)
        mime = "image/jpeg" if fmt == "JPEG" else "image/png"
        return [Creation([Artifact(f"picture.{params.format}", mime, data)], "picture")]


registry.register(Picture)
