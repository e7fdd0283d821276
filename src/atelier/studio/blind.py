"""What panel reviewers are shown: a picture stripped of everything that could name its
maker (a work's C2PA manifest names its engine), at a size a page can show."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from atelier.engines.image.encode import png_bytes
from atelier.errors import Invalid

MAX_SIDE = 1600  # pictures shown to reviewers are at most this long


def blind_copy(data: bytes) -> bytes:
    """The picture re-encoded as a PNG with no metadata (no C2PA manifest, no text
    chunks), at most MAX_SIDE long."""
    try:
        with Image.open(io.BytesIO(data)) as source:
            picture = source.convert("RGBA" if "A" in source.getbands() else "RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise Invalid(
            "not a readable picture: %(exc)s", field="items", params={"exc": exc}
        ) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return png_bytes(picture, {})
