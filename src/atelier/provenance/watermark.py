"""An invisible watermark carrying a short work id (`invisible-watermark`, dwtDctSvd).

The payload is 64 bits: the first 48 bits of the work id, masked so that a blank decode
(all zeros or ones) is never valid, and a CRC-16 that tells a real mark from noise. The
decoder also tries the image at twice its size, which recovers marks from copies scaled
down to half (docs/provenance.md has the survival table)."""

from __future__ import annotations

import binascii
import importlib.util
import io
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
from PIL import Image, PngImagePlugin


def _dwt_dct_svd() -> ModuleType:
    """invisible-watermark's dwtDctSvd module, loaded on its own: the package's
    `__init__` imports its rivaGan module, which imports torch (3 s, hundreds of MB) for
    a method we do not use."""
    spec = importlib.util.find_spec("imwatermark")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("invisible-watermark is not installed (scripts/requirements-nodeps.txt)")
    path = Path(list(spec.submodule_search_locations)[0]) / "dwtDctSvd.py"
    module_spec = importlib.util.spec_from_file_location("atelier_imwatermark_dwtdctsvd", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


EmbedDwtDctSvd = _dwt_dct_svd().EmbedDwtDctSvd

# Strength in the U (blue-difference) channel; the library's default is 36. 64 keeps the
# mark through JPEG quality 75 on most images at about 35 dB PSNR (measured, see docs).
SCALES = [0, 64, 0]
ID_HEX = 12  # 48 bits of the work id
MASK = bytes.fromhex("5a3c96e1b7d2")
PAYLOAD_BITS = 64
MIN_PIXELS = 256 * 256  # the library refuses smaller images
# Detection runs on files anyone may send to /v1/verify: past this many pixels it is not
# tried (about 10 s of CPU), and only images up to 1024 px are also tried at twice their
# size (a copy scaled down to half).
MAX_DETECT_PIXELS = 12_000_000
UPSCALE_BELOW = 1024
# Formats re-encoded after marking; others are left unmarked.
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}


def short_id(work_id: str) -> str:
    """What the mark carries: the first 12 hex digits of the work id."""
    return work_id[:ID_HEX]


def payload(work_id: str) -> bytes:
    """The 64 bits a mark carries (the audio mark carries the same, provenance/audiomark.py)."""
    body = bytes(a ^ b for a, b in zip(bytes.fromhex(short_id(work_id)), MASK, strict=True))
    return body + binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big")


def read_payload(found: bytes) -> str | None:
    """The short work id in 8 decoded bytes, or None when their CRC-16 does not match."""
    body, check = found[:6], found[6:]
    if binascii.crc_hqx(body, 0xFFFF).to_bytes(2, "big") != check:
        return None
    return bytes(a ^ b for a, b in zip(body, MASK, strict=True)).hex()


def can_mark(mime: str, width: int, height: int) -> str | None:
    """None when an image of this kind and size can carry the mark, else why not."""
    if mime not in FORMATS:
        return f"{mime} is not a format the watermark is applied to"
    if width * height < MIN_PIXELS:
        return f"{width}×{height} is smaller than the {MIN_PIXELS:,} pixels a mark needs"
    return None


def embed(data: bytes, mime: str, work_id: str, quality: int | None = None) -> bytes | None:
    """The image re-encoded with the mark, keeping its format, text chunks and EXIF;
    None when it cannot carry one (see `can_mark`, and animations, which stay unmarked)."""
    if mime not in FORMATS:
        return None  # not a raster format the mark is applied to (an SVG score, say)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        frames = getattr(image, "n_frames", 1)
    if frames > 1 or can_mark(mime, image.width, image.height):
        return None  # an animation would be flattened to its first frame: left unmarked
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    bgr = cv2.cvtColor(np.asarray(image.convert("RGB")), cv2.COLOR_RGB2BGR)
    bits = list(np.unpackbits(np.frombuffer(payload(work_id), dtype=np.uint8)))
    marked_bgr = EmbedDwtDctSvd(bits, wmLen=PAYLOAD_BITS, scales=SCALES).encode(bgr)
    rgb = cv2.cvtColor(np.clip(marked_bgr, 0, 255).astype(np.uint8), cv2.COLOR_BGR2RGB)
    marked = Image.fromarray(rgb)
    if alpha is not None:
        marked.putalpha(alpha)
    out = io.BytesIO()
    if mime == "image/png":
        info = PngImagePlugin.PngInfo()
        for key, value in getattr(image, "text", {}).items():
            info.add_text(key, value)
        marked.save(out, format="PNG", pnginfo=info)
    else:
        exif = image.getexif().tobytes()
        marked.save(out, format=FORMATS[mime], quality=quality or 92, exif=exif)
    return out.getvalue()


def detect(data: bytes) -> str | None:
    """The short work id marked in an image, or None when none is found."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_DETECT_PIXELS:
                return None
            rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError):  # nothing Pillow reads
        return None
    height, width = rgb.shape[:2]
    decoder = EmbedDwtDctSvd([], wmLen=PAYLOAD_BITS, scales=SCALES)
    factors = (1, 2) if max(width, height) <= UPSCALE_BELOW else (1,)
    for factor in factors:
        if width * height * factor * factor < MIN_PIXELS:
            continue
        candidate = rgb
        if factor != 1:
            candidate = cv2.resize(
                rgb, (width * factor, height * factor), interpolation=cv2.INTER_LANCZOS4
            )
        bgr = cv2.cvtColor(candidate, cv2.COLOR_RGB2BGR)
        found = read_payload(np.packbits(decoder.decode(bgr)).tobytes())
        if found is not None:
            return found
    return None
