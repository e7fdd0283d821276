"""An invisible watermark carrying a short work id: invisible-watermark's dwtDctSvd method,
computed here on every block at once.

The payload is 64 bits: the first 48 bits of the work id, masked so that a blank decode
(all zeros or ones) is never valid, and a CRC-16 that tells a real mark from noise. The
decoder also tries the image at twice its size, which recovers marks from copies scaled
down to half (docs/provenance.md has the survival table).

The method (the library's, unchanged): the U channel's Haar approximation is cut into
4×4 blocks in reading order; block k carries bit k mod 64 in the largest singular value
of its DCT, quantised to a quarter (bit 0) or three quarters (bit 1) of a step of
`STRENGTH`. The library does this block by block in Python (~335 ms at 512², 1.5 s at
1411²); here the DCTs and SVDs run as stacked numpy operations over all blocks, and the
bytes match the library's (tests/test_watermark.py compares them)."""

from __future__ import annotations

import binascii
import io

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from atelier.engines.image.encode import png_bytes

# Strength in the U (blue-difference) channel; the library's default is 36. 64 keeps the
# mark through JPEG quality 75 on most images at about 35 dB PSNR (measured, see docs).
STRENGTH = 64
U = 1  # the channel of YUV the mark is in
BLOCK = 4
ID_HEX = 12  # 48 bits of the work id
MASK = bytes.fromhex("5a3c96e1b7d2")
PAYLOAD_BITS = 64
MIN_PIXELS = 256 * 256  # the library refuses smaller images
# Detection runs on files anyone may send to /v1/verify: past this many pixels it is not
# tried, and only images up to 1024 px are also tried at twice their size (a copy scaled
# down to half).
MAX_DETECT_PIXELS = 12_000_000
UPSCALE_BELOW = 1024
# Formats re-encoded after marking; others are left unmarked.
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
# cv2.dct's orthonormal DCT-II of a 4-point signal, as a matrix: dct(B) = D B Dᵀ.
_K, _N = np.meshgrid(np.arange(BLOCK), np.arange(BLOCK), indexing="ij")
_DCT = np.sqrt((2 - (_K == 0)) / BLOCK) * np.cos(np.pi * (2 * _N + 1) * _K / (2 * BLOCK))


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


def still(data: bytes, mime: str) -> Image.Image | None:
    """The picture in `data`, decoded, when it can carry a mark; None when it cannot (see
    `can_mark`; an animation would be flattened to its first frame, so it stays unmarked)."""
    if mime not in FORMATS:
        return None  # not a raster format the mark is applied to (an SVG score, say)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        frames = getattr(image, "n_frames", 1)
    if frames > 1 or can_mark(mime, image.width, image.height):
        return None
    return image


def mark(rgb: NDArray[np.uint8], work_id: str) -> NDArray[np.uint8]:
    """RGB pixels (height × width × 3) with the work id marked in them."""
    yuv = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV), dtype=np.uint8)
    quads = _quads(yuv[..., U])
    approx = quads.sum(axis=(1, 3)) / 2  # the Haar approximation
    blocks = _blocks(approx)
    coeffs = _DCT @ blocks @ _DCT.T
    top, right = _top(coeffs)
    bits = np.resize(np.unpackbits(np.frombuffer(payload(work_id), dtype=np.uint8)), len(blocks))
    wanted = (top // STRENGTH + 0.25 + 0.5 * bits) * STRENGTH
    # The largest singular value moved to `wanted` along its own vectors: a rank-one change
    # (C v vᵀ is the top singular triplet's s u vᵀ).
    along = coeffs @ right[:, :, None] / np.where(top > 0, top, 1)[:, None, None]
    along[top == 0] = np.eye(BLOCK)[:, :1]  # a blank block: its DC, as LAPACK answers
    coeffs += (wanted - top)[:, None, None] * along @ right[:, None, :]
    changed = approx.copy()
    _unblocks(changed, _DCT.T @ coeffs @ _DCT)
    # Haar's inverse spreads the change evenly over each 2×2 quad. The library puts the
    # details back with horizontal and vertical swapped, which transposes every quad: so
    # do we, so that our marks are its marks (docs/provenance.md).
    spread = ((changed - approx) / 2)[:, None, :, None]
    # Cast to bytes as the library casts its floats (truncated), clipped where it wraps.
    quads[...] = np.clip(quads.transpose(0, 3, 2, 1) + spread, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB), dtype=np.uint8)


def marked(picture: Image.Image, work_id: str) -> Image.Image:
    """The picture with the mark in its pixels, RGB (RGBA when it has an alpha channel)."""
    result = Image.fromarray(mark(np.asarray(picture.convert("RGB")), work_id))
    if picture.mode == "RGBA":
        result.putalpha(picture.getchannel("A"))
    return result


def encode(picture: Image.Image, source: Image.Image, mime: str, quality: int | None) -> bytes:
    """`picture` in `mime`'s format with `source`'s PNG text chunks or EXIF."""
    if mime == "image/png":
        return png_bytes(picture, dict(getattr(source, "text", {})))
    out = io.BytesIO()
    exif = source.getexif().tobytes()
    picture.save(out, format=FORMATS[mime], quality=quality or 92, exif=exif)
    return out.getvalue()


def embed(data: bytes, mime: str, work_id: str, quality: int | None = None) -> bytes | None:
    """The image re-encoded with the mark, keeping its format, text chunks and EXIF;
    None when it cannot carry one (see `still`)."""
    picture = still(data, mime)
    if picture is None:
        return None
    return encode(marked(picture, work_id), picture, mime, quality)


def find(rgb: NDArray[np.uint8]) -> str | None:
    """The short work id marked in RGB pixels, or None; also tried at twice their size
    (for a copy scaled down to half) when they are at most `UPSCALE_BELOW` px."""
    height, width = rgb.shape[:2]
    factors = (1, 2) if max(width, height) <= UPSCALE_BELOW else (1,)
    for factor in factors:
        if width * height * factor * factor < MIN_PIXELS:
            continue
        candidate = rgb
        if factor != 1:
            candidate = np.asarray(
                cv2.resize(
                    rgb, (width * factor, height * factor), interpolation=cv2.INTER_LANCZOS4
                ),
                dtype=np.uint8,
            )
        found = read_payload(np.packbits(_read_bits(candidate)).tobytes())
        if found is not None:
            return found
    return None


def detect(data: bytes) -> str | None:
    """The short work id marked in an image file, or None when none is found."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_DETECT_PIXELS:
                return None
            rgb = np.asarray(image.convert("RGB"))
    except (OSError, ValueError, Image.DecompressionBombError):  # nothing Pillow reads
        return None
    return find(rgb)


def _read_bits(rgb: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """The 64 bits, each the majority vote of the blocks that carry it."""
    quads = _quads(np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV), dtype=np.uint8)[..., U])
    blocks = _blocks(quads.sum(axis=(1, 3)) / 2)
    top, _ = _top(_DCT @ blocks @ _DCT.T, vectors=False)
    votes = (top % STRENGTH) > STRENGTH * 0.5
    which = np.arange(len(blocks)) % PAYLOAD_BITS
    share = np.bincount(which, votes, PAYLOAD_BITS) / np.bincount(which, None, PAYLOAD_BITS)
    return share * 255 > 127  # the library's rounding of the vote


def _quads(plane: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A view of the plane's area that whole 4×4 blocks cover (a multiple of 4 px each way,
    as the library takes it) as 2×2 quads: rows × 2 × columns × 2."""
    rows, cols = plane.shape[0] // BLOCK * 2, plane.shape[1] // BLOCK * 2
    return plane[: rows * 2, : cols * 2].reshape(rows, 2, cols, 2)


def _top(
    coeffs: NDArray[np.float64], vectors: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each block's largest singular value and its right singular vector, from the
    eigenvalues of CᵀC (4×4, symmetric): LAPACK's SVD, one block at a time, took 3× as long."""
    gram = np.swapaxes(coeffs, 1, 2) @ coeffs
    if not vectors:
        return np.sqrt(np.maximum(np.linalg.eigvalsh(gram)[:, -1], 0)), coeffs[:0]
    values, right = np.linalg.eigh(gram)
    return np.sqrt(np.maximum(values[:, -1], 0)), right[:, :, -1]


def _blocks(plane: NDArray[np.float64]) -> NDArray[np.float64]:
    """The plane's whole 4×4 blocks in reading order, stacked (a copy)."""
    rows, cols = plane.shape[0] // BLOCK, plane.shape[1] // BLOCK
    cut = plane[: rows * BLOCK, : cols * BLOCK]
    return cut.reshape(rows, BLOCK, cols, BLOCK).swapaxes(1, 2).reshape(-1, BLOCK, BLOCK)


def _unblocks(plane: NDArray[np.float64], blocks: NDArray[np.float64]) -> None:
    """Write stacked blocks (from `_blocks`) back into the plane."""
    rows, cols = plane.shape[0] // BLOCK, plane.shape[1] // BLOCK
    grid = blocks.reshape(rows, cols, BLOCK, BLOCK).swapaxes(1, 2)
    plane[: rows * BLOCK, : cols * BLOCK] = grid.reshape(rows * BLOCK, cols * BLOCK)
