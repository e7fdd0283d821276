"""Image files in: turn them upright, and check that bytes are a whole, real, reasonably
sized image."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from atelier.engines.base import EngineError
from atelier.engines.image.encode import png_bytes
from atelier.engines.kinds import IMAGE_MIMES

FORMATS = IMAGE_MIMES  # the image formats read, by PIL's name
MIN_SIDE = 32
ORIENTATION = 0x0112  # the EXIF tag phones set instead of turning the pixels
DEEP_MODES = {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}  # one channel of over 8 bits


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


def as_read(data: bytes, max_pixels: int) -> bytes:
    """An uploaded picture as every engine reads it: turned upright (`upright`) and at 8
    bits a channel (`eight_bit`); other bytes as they are."""
    return eight_bit(upright(data, max_pixels), max_pixels)


def upright(data: bytes, max_pixels: int) -> bytes:
    """The image re-encoded with its pixels turned as its EXIF orientation says and the
    tag removed, so that every engine sees it the right way up; the same bytes when it has
    no orientation to apply, or is no image, or one that `check_image` will refuse.

    A JPEG keeps its quantisation tables and chroma subsampling (so its quality), every
    format its ICC profile and the rest of its EXIF data."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS or image.width * image.height > max_pixels:
                return data
            if getattr(image, "n_frames", 1) > 1:  # animations are kept as they are
                return data
            if image.getexif().get(ORIENTATION, 1) not in range(2, 9):  # 1: upright already
                return data
            turned = ImageOps.exif_transpose(image)
            options = _same_encoding(image)
            options["exif"] = turned.getexif().tobytes()
            out = io.BytesIO()
            turned.save(out, format=image.format, **options)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return data
    return out.getvalue()


def still(picture: Image.Image, engine: str) -> Image.Image:
    """The picture, which must be a still: an engine that makes one picture from one
    would otherwise work on an animation's first frame alone and say nothing (a 12-frame
    GIF came back from image.upscale as one frame, its record silent)."""
    frames = getattr(picture, "n_frames", 1)
    if frames > 1:
        raise EngineError(
            f"the picture is an animation of {frames} frames; {engine} works on still "
            "pictures: upload the frame you want as a PNG or JPEG"
        )
    return picture


def keep_transparency(result: Image.Image, alpha: Image.Image | None) -> Image.Image:
    """The engine's `result` with its source's `alpha` (resized to it, Lanczos), so that a
    logo on a transparent ground keeps it; `result` itself when the source had none."""
    if alpha is None:
        return result
    if alpha.size != result.size:
        alpha = alpha.resize(result.size, Image.Resampling.LANCZOS)
    kept = result.convert("RGB")
    kept.putalpha(alpha)
    return kept


def eight_bit(data: bytes, max_pixels: int) -> bytes:
    """A picture of one channel deeper than 8 bits (a 16-bit grey PNG or TIFF, a float
    TIFF) as an 8-bit grey PNG of the same tones; any other bytes as they are. Pillow turns
    such a picture into RGB by clipping its values at 255, not by scaling them: a 16-bit
    grey gradient came back white from the upscaler and black from restore."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS or image.mode not in DEEP_MODES:
                return data
            if image.width * image.height > max_pixels:
                return data
            values = np.asarray(image, dtype=np.float64)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return data
    brightest = float(values.max()) if values.size else 0.0
    if image.mode.startswith("I;16") or (image.mode == "I" and 255 < brightest <= 65535):
        full = 65535.0
    elif image.mode == "F" and brightest <= 1.0:
        full = 1.0
    else:  # 8-bit values held in 32 bits, or a range of the picture's own
        full = max(brightest, 255.0 if image.mode == "I" else 1.0)
    grey = np.clip(np.round(values / full * 255), 0, 255).astype(np.uint8)
    return png_bytes(Image.fromarray(grey, "L"), {})


def _same_encoding(image: Image.Image) -> dict[str, object]:
    """Save options that keep what the original's encoding chose."""
    options: dict[str, object] = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        options["qtables"] = image.quantization
        options["subsampling"] = JpegImagePlugin.get_sampling(image)
    elif image.format == "WEBP":
        options["quality"] = 95
    return options
