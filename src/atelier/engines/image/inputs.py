"""Image files in: check that bytes are a whole, real, reasonably sized image."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
MIN_SIDE = 32


@dataclass(frozen=True)
class ImageInfo:
    mime: str
    width: int
    height: int


def check_image(data: bytes, max_pixels: int) -> ImageInfo:
    """Raise ValueError, in words a user understands, unless `data` is a usable image.

    The size is checked from the header before any pixel is decoded, so a decompression
    bomb (a small file that unpacks to billions of pixels) is refused cheaply.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ValueError("not an image (PNG, JPEG, WebP, GIF, BMP or TIFF expected)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValueError("image has too many pixels (decompression bomb refused)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:  # cut off inside its header
            raise ValueError(f"image is damaged or truncated ({exc})") from None
        if image.format not in FORMATS:
            raise ValueError(f"unsupported image format {image.format}")
        width, height = image.size
        if width * height > max_pixels:
            raise ValueError(
                f"image is {width}×{height} = {width * height:,} pixels; "
                f"the limit is {max_pixels:,}"
            )
        if min(width, height) < MIN_SIDE:
            raise ValueError(
                f"image is {width}×{height}; both sides need at least {MIN_SIDE} pixels"
            )
        try:
            image.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise ValueError(f"image is damaged or truncated ({exc})") from None
    return ImageInfo(mime=FORMATS[image.format], width=width, height=height)
