"""Small previews of stored files, for galleries."""

from __future__ import annotations

import io

from PIL import Image

THUMBNAIL_SIDE = 384


def thumbnail(data: bytes, mime: str) -> bytes | None:
    """A WebP preview for image files; None for media that have no picture."""
    if not mime.startswith("image/"):
        return None
    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGB")
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=82, method=4)
    return buffer.getvalue()
