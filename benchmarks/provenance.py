"""Provenance figures: what sealing costs per image, and how the watermark survives.

    .venv/bin/python benchmarks/provenance.py        (figures in docs/provenance.md)
    .venv/bin/python benchmarks/provenance.py --quick  (smoke run: 2 images, 2 seals)

Images: scikit-image's bundled photographs. Edits: JPEG at quality 90 and 75, resize to
50 % (Lanczos), crop 10 % (5 % off every side), and the gallery preview (384 px WebP) as
made from the marked file and as the studio stores it (marked again with the work's id).
A work id survives when `detect` returns it; a wrong id is counted apart."""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data as samples

from atelier.engines.image.encode import png_bytes
from atelier.provenance import Claim, watermark
from atelier.provenance.keys import KeyStore
from atelier.provenance.manifest import sign_embedded
from atelier.provenance.service import marked_preview
from atelier.store.thumbnails import shrunk, thumbnail

NAMES = ["astronaut", "coffee", "chelsea", "rocket", "camera", "immunohistochemistry",
         "hubble_deep_field", "coins", "retina", "page", "text", "moon"]  # fmt: skip


def picture(name: str) -> Image.Image:
    pixels = getattr(samples, name)()
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return Image.fromarray(pixels[..., :3].astype(np.uint8))


def encode(image: Image.Image, fmt: str = "PNG", **options: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg(quality: int) -> Callable[[Image.Image], bytes]:
    return lambda image: encode(image.convert("RGB"), "JPEG", quality=quality)


def resize(image: Image.Image) -> bytes:
    return encode(image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS))


def crop(image: Image.Image) -> bytes:
    dx, dy = image.width // 20, image.height // 20
    return encode(image.crop((dx, dy, image.width - dx, image.height - dy)))


EDITS: dict[str, Callable[[Image.Image], bytes]] = {
    "unchanged": encode,
    "JPEG 90": jpeg(90),
    "JPEG 75": jpeg(75),
    "resize 50 %": resize,
    "crop 10 %": crop,
}


def preview(image: Image.Image) -> bytes:
    made = thumbnail(encode(image), "image/png")
    assert made is not None
    return made


def stored_preview(image: Image.Image, work_id: str) -> bytes:
    """The preview as sealing stores it (Provenance.preview): shrunk from the marked
    pixels, marked again and encoded once."""
    return marked_preview(shrunk(image), work_id) or preview(image)


PREVIEWS = ["preview 384 px, as shrunk", "preview 384 px, as stored (marked again)"]


def survival(names: list[str]) -> None:
    found = {edit: 0 for edit in [*EDITS, *PREVIEWS]}
    wrong = {edit: 0 for edit in [*EDITS, *PREVIEWS]}
    psnr, unmarked_hits = [], 0
    for name in names:
        original = picture(name)
        work_id = uuid.uuid4().hex
        marked_bytes = watermark.embed(encode(original), "image/png", work_id)
        assert marked_bytes is not None, name
        marked = Image.open(io.BytesIO(marked_bytes)).convert("RGB")
        error = np.mean((np.asarray(marked, float) - np.asarray(original, float)) ** 2)
        psnr.append(10 * np.log10(255**2 / max(error, 1e-9)))
        unmarked_hits += watermark.detect(encode(original)) is not None
        copies = {edit: apply(marked) for edit, apply in EDITS.items()}
        copies[PREVIEWS[0]] = preview(marked)
        copies[PREVIEWS[1]] = stored_preview(marked, work_id)
        for edit, copy in copies.items():
            got = watermark.detect(copy)
            found[edit] += got == work_id[: watermark.ID_HEX]
            wrong[edit] += got is not None and got != work_id[: watermark.ID_HEX]
    print(f"\nwatermark survival, {len(names)} images (PSNR of the mark: "
          f"mean {statistics.mean(psnr):.1f} dB, min {min(psnr):.1f} dB)\n")  # fmt: skip
    print("| edit | work id recovered | wrong id |")
    print("| --- | --- | --- |")
    for edit in found:
        print(f"| {edit} | {found[edit]} / {len(names)} | {wrong[edit]} |")
    print(f"\nunmarked originals that decoded to an id: {unmarked_hits} / {len(names)}")


def overhead(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        identity = KeyStore(Path(folder), "benchmark").create("es256")
        claim = Claim(uuid.uuid4().hex, "bench", "image.stylize", [])
        astronaut = picture("astronaut")
        for side in (512, 1024):
            source = encode(astronaut.resize((side, side), Image.Resampling.LANCZOS))
            marks, signs, finds = [], [], []
            for _ in range(runs):
                started = time.perf_counter()
                marked = watermark.embed(source, "image/png", claim.work_id)
                assert marked is not None
                middle = time.perf_counter()
                sign_embedded(identity, claim, marked, "image/png")
                marks.append(middle - started)
                signs.append(time.perf_counter() - middle)
                started = time.perf_counter()
                assert watermark.detect(marked) == claim.work_id[: watermark.ID_HEX]
                finds.append(time.perf_counter() - started)
            print(f"\nsealing a {side}×{side} PNG (median of {runs}): watermark "
                  f"{statistics.median(marks) * 1000:.0f} ms (decode, mark, PNG), C2PA sign "
                  f"{statistics.median(signs) * 1000:.1f} ms; detect "
                  f"{statistics.median(finds) * 1000:.0f} ms")  # fmt: skip
            png_levels(astronaut.resize((side, side), Image.Resampling.LANCZOS), runs)


def png_levels(image: Image.Image, runs: int) -> None:
    """What a PNG of this picture costs: Pillow at zlib levels 1 and 6, beside fpng, which
    `encode.png_bytes` uses for every RGB or RGBA picture the studio writes."""
    writers: dict[str, Callable[[], bytes]] = {
        f"Pillow, zlib level {n}": lambda n=n: encode(image, "PNG", compress_level=n)
        for n in (1, 6)
    }
    writers["fpng (png_bytes)"] = lambda: png_bytes(image, {})
    for name, write in writers.items():
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            data = write()
            seconds.append(time.perf_counter() - started)
        print(f"  PNG by {name}: {statistics.median(seconds) * 1000:.1f} ms, "
              f"{len(data) / 1024:.0f} KiB")  # fmt: skip


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    overhead(2 if quick else 10)
    if "--overhead-only" not in sys.argv:
        survival(NAMES[:2] if quick else NAMES)
