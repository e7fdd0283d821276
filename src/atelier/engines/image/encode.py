"""Image files out: PNG with its parameters embedded (A1111 `parameters` chunk + JSON)."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image, PngImagePlugin

from atelier.engines.base import Artifact


def a1111_parameters(prompt: str, settings: dict[str, Any]) -> str:
    """The de-facto text other tools read: prompt line, then `Key: value, …`."""
    pairs = ", ".join(f"{key}: {value}" for key, value in settings.items() if value is not None)
    return f"{prompt}\n{pairs}" if prompt else pairs


def png_artifact(
    image: Image.Image, name: str, parameters: str, record: dict[str, Any]
) -> Artifact:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", parameters)
    info.add_text("atelier", json.dumps(record, sort_keys=True, separators=(",", ":")))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return Artifact(name=name, mime="image/png", data=buffer.getvalue())
