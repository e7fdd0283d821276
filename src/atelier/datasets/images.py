"""Pictures in a dataset: PNG, JPEG or WebP, read whole (a truncated file is refused),
turned upright by their EXIF orientation, converted to sRGB from any embedded colour
profile, and resized and centre-cropped to the training size. Near duplicates share a
perceptual hash (imagehash's pHash) within a few bits."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageCms

from atelier.datasets.cleaning import Decoded, Removal
from atelier.datasets.items import Item
from atelier.engines.image.encode import png_bytes
from atelier.engines.image.inputs import as_read, check_image

ACCEPTED = {"image/png", "image/jpeg", "image/webp"}
HIST_BINS = 16  # per channel, for the card's colour histogram


@dataclass(frozen=True)
class ImageMedium:
    """`size`: the square side training reads; `max_pixels` and `min_side` bound what is
    accepted; pictures whose 64-bit pHashes differ in at most `near_bits` are near
    duplicates (a resized or re-encoded copy differs in 0–4, an unrelated picture in ~32)."""

    size: int = 512
    min_side: int = 64
    max_pixels: int = 40_000_000
    near_bits: int = 6
    name: str = "image"

    def settings(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "min_side": self.min_side,
            "max_pixels": self.max_pixels,
            "near_duplicate_phash_bits": self.near_bits,
            "normalisation": "EXIF orientation applied, converted to sRGB, shorter side "
            f"resized to {self.size} px (Lanczos) and centre-cropped to {self.size}×{self.size}",
        }

    def decode(self, item: Item) -> list[Decoded | Removal]:
        import imagehash

        try:
            info = check_image(item.data, self.max_pixels)
        except ValueError as exc:
            return [Removal(item.name, "undecodable", str(exc))]
        if info.mime not in ACCEPTED:
            return [Removal(item.name, "undecodable", f"{info.mime} is not PNG, JPEG or WebP")]
        with Image.open(io.BytesIO(as_read(item.data, self.max_pixels))) as opened:
            picture = srgb(opened)
        return [
            Decoded(
                item.name,
                item,
                picture,
                key=item.sha256,
                perceptual=str(imagehash.phash(picture)),
                meta={"width": picture.width, "height": picture.height},
            )
        ]

    def size_problem(self, decoded: Decoded) -> str | None:
        width, height = decoded.content.size
        if min(width, height) < self.min_side:
            return f"{width}×{height} px; both sides need at least {self.min_side}"
        return None

    def near_duplicates(self, kept: Sequence[Decoded]) -> list[tuple[int, int, float]]:
        hashes = np.array([int(d.perceptual or "0", 16) for d in kept], dtype=np.uint64)
        found = []
        alive: list[int] = []
        for index, value in enumerate(hashes):
            if alive:
                bits = np.array([int(v).bit_count() for v in np.bitwise_xor(hashes[alive], value)])
                nearest = int(bits.argmin())
                if bits[nearest] <= self.near_bits:
                    found.append((index, alive[nearest], 1 - float(bits[nearest]) / 64))
                    continue
            alive.append(index)
        return found

    def normalise(self, decoded: Decoded) -> tuple[bytes, str, dict[str, Any]]:
        picture = square(decoded.content, self.size)
        pixels = np.asarray(picture)
        histogram = [
            np.histogram(pixels[..., c], bins=HIST_BINS, range=(0, 256))[0].tolist()
            for c in range(3)
        ]
        meta = {**decoded.meta, "colour_histogram": histogram}
        return png_bytes(picture, {}), "image/png", meta


def srgb(picture: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: an embedded ICC profile is converted from (Display P3, Adobe
    RGB…), transparency is laid on white, and other modes are converted."""
    profile = picture.info.get("icc_profile")
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        picture = picture.convert("RGBA")
        white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(white, picture)
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            mode = "CMYK" if picture.mode == "CMYK" else "RGB"
            converted = ImageCms.profileToProfile(
                picture.convert(mode), source, target, outputMode="RGB"
            )
            picture = converted if converted is not None else picture
        except (ImageCms.PyCMSError, OSError):
            pass  # a damaged profile: the pixels are read as sRGB, as browsers do
    return picture.convert("RGB")


def square(picture: Image.Image, size: int) -> Image.Image:
    """The shorter side resized to `size`, then the centre `size`×`size` cut out."""
    scale = size / min(picture.size)
    width = max(size, round(picture.width * scale))
    height = max(size, round(picture.height * scale))
    resized = picture.resize((width, height), Image.Resampling.LANCZOS)
    left, top = (width - size) // 2, (height - size) // 2
    return resized.crop((left, top, left + size, top + size))


def perceptual_hash(data: bytes) -> str | None:
    """The pHash of an image's bytes (the studio's gallery look-up keys on it), or None."""
    import imagehash

    try:
        with Image.open(io.BytesIO(data)) as opened:
            return str(imagehash.phash(srgb(opened)))
    except (OSError, ValueError, SyntaxError):
        return None
