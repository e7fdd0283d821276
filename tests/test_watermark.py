"""The image watermark (provenance/watermark.py): its marks are invisible-watermark's
dwtDctSvd marks, computed on all blocks at once; they survive JPEG 75 and a resize to half
on real photographs; sealing keeps the marked pixels so that the picture's other format
and its thumbnail carry the mark without decoding the file again."""

from __future__ import annotations

import importlib.util
import io
import uuid
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, PngImagePlugin
from skimage import data as samples

from atelier.engines.base import Context, EngineConfig
from atelier.engines.image.compose.engine import Compose, ComposeParams
from atelier.engines.image.encode import other_format
from atelier.provenance import Claim, Provenance, watermark
from atelier.provenance.service import marked_preview
from atelier.store.db import Database
from atelier.store.thumbnails import THUMBNAIL_SIDE, shrunk
from tests.support.settings import ASSETS, make_settings

PHOTOS = ["astronaut", "coffee", "chelsea", "rocket"]  # scikit-image's, 300-640 px


def photo(name: str) -> NDArray[np.uint8]:
    return np.ascontiguousarray(getattr(samples, name)()[..., :3])


def png(pixels: NDArray[np.uint8] | Image.Image, **options: int) -> bytes:
    picture = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def the_library() -> ModuleType:
    """invisible-watermark's dwtDctSvd module on its own (its package imports torch)."""
    spec = importlib.util.find_spec("imwatermark")
    assert spec is not None and spec.submodule_search_locations
    path = Path(list(spec.submodule_search_locations)[0]) / "dwtDctSvd.py"
    module_spec = importlib.util.spec_from_file_location("imwatermark_dwtdctsvd", path)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["astronaut", "chelsea", "camera"])
def test_marks_are_the_librarys_marks(name: str) -> None:
    pixels = getattr(samples, name)()
    rgb = np.ascontiguousarray(np.stack([pixels] * 3, -1) if pixels.ndim == 2 else pixels)
    work_id = uuid.uuid4().hex
    bits = list(np.unpackbits(np.frombuffer(watermark.payload(work_id), dtype=np.uint8)))
    coder = the_library().EmbedDwtDctSvd(bits, wmLen=64, scales=[0, 64, 0])
    theirs = cv2.cvtColor(coder.encode(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)), cv2.COLOR_BGR2RGB)

    ours = watermark.mark(rgb, work_id)

    # The same marks: at most one step of U apart (two of RGB), where the library's float
    # result sits on a whole number and rounding noise decides its truncation.
    their_u = cv2.cvtColor(theirs, cv2.COLOR_RGB2YUV)[..., 1].astype(int)
    our_u = cv2.cvtColor(ours, cv2.COLOR_RGB2YUV)[..., 1].astype(int)
    assert np.abs(their_u - our_u).max() <= 1
    assert np.abs(theirs.astype(int) - ours.astype(int)).max() <= 2
    # Each reads the other's.
    assert watermark.find(theirs) == watermark.short_id(work_id)
    read = coder.decode(cv2.cvtColor(ours, cv2.COLOR_RGB2BGR))
    assert watermark.read_payload(np.packbits(read).tobytes()) == watermark.short_id(work_id)


@pytest.mark.parametrize("name", PHOTOS)
def test_the_mark_survives_jpeg_75_and_a_resize_to_half(name: str) -> None:
    rgb = photo(name)
    work_id = uuid.uuid4().hex
    marked_png = watermark.embed(png(rgb), "image/png", work_id)
    assert marked_png is not None
    marked = Image.open(io.BytesIO(marked_png)).convert("RGB")
    jpeg = io.BytesIO()
    marked.save(jpeg, format="JPEG", quality=75)
    half = marked.resize((marked.width // 2, marked.height // 2), Image.Resampling.LANCZOS)

    assert watermark.detect(jpeg.getvalue()) == work_id[:12]
    assert watermark.detect(png(half)) == work_id[:12]
    assert watermark.detect(png(rgb)) is None  # the unmarked photograph


def test_embed_keeps_text_chunks_and_decodes_to_the_marked_pixels() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a fox")
    buffer = io.BytesIO()
    Image.fromarray(photo("coffee")).save(buffer, format="PNG", pnginfo=info)
    source = watermark.still(buffer.getvalue(), "image/png")
    assert source is not None
    picture = watermark.marked(source, "ab" * 16)

    data = watermark.encode(picture, source, "image/png", None)

    with Image.open(io.BytesIO(data)) as stored:
        assert stored.text["parameters"] == "a fox"
        assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(picture))
    assert watermark.still(png(np.zeros((200, 200, 3), np.uint8)), "image/png") is None


def test_sealing_keeps_the_marked_pixels_for_the_other_format_and_the_preview(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path)
    database = Database(settings.resolved_database_url)
    database.migrate()  # the database records the studio's root
    provenance = Provenance(settings, database)
    provenance.prepare()
    work_id = uuid.uuid4().hex
    claim = Claim(work_id, "astronaut", "test.picture", [])

    [sealed] = provenance.seal(claim, [("image.png", "image/png", png(photo("astronaut")))])

    assert sealed.watermark == work_id[:12] and sealed.picture is not None
    with Image.open(io.BytesIO(sealed.data)) as stored:  # what is kept is what is stored
        assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(sealed.picture))
    copy = other_format(sealed.name, sealed.mime, sealed.data, sealed.picture)
    assert copy is not None and copy.mime == "image/jpeg"
    assert copy.data == other_format(sealed.name, sealed.mime, sealed.data).data  # type: ignore[union-attr]
    assert watermark.detect(copy.data) == work_id[:12]
    preview = provenance.preview(shrunk(sealed.picture), work_id)
    with Image.open(io.BytesIO(preview)) as small:
        assert small.format == "WEBP" and max(small.size) == THUMBNAIL_SIDE
    assert watermark.detect(preview) == work_id[:12]


def test_a_flat_drawings_preview_keeps_its_mark_for_every_work_id(tmp_path: Path) -> None:
    """Compose's drawings (flat colour, a snowfield) lost the preview's mark at WebP 90
    for about half of all work ids; the preview is read back and encoded again until it
    carries it."""
    engine = Compose(EngineConfig(assets_dir=ASSETS))
    params = ComposeParams(prompt="a red fox in the snow", variants=1)
    made = engine.run(params, Context(seed=0, scratch=tmp_path, files={}))
    small = shrunk(Image.open(io.BytesIO(made[0].files[0].data)).convert("RGB"))
    for work_id in (uuid.UUID(int=i).hex for i in range(1, 13)):
        preview = marked_preview(small, work_id)
        assert preview is not None
        assert watermark.detect(preview) == watermark.short_id(work_id), work_id
