"""Image files out, each carrying its recipe: an AUTOMATIC1111-style `parameters` text
(PNG text chunk, or EXIF UserComment in JPEG/WebP, where A1111 puts it) and the full
record as JSON (PNG `atelier` chunk, or EXIF ImageDescription)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Sequence
from typing import Any, Literal

import fpng
from PIL import Image, PngImagePlugin
from pydantic import Field

from atelier.engines.base import ADVANCED, Artifact, Engine, ModelCard, Params

FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}
USER_COMMENT, IMAGE_DESCRIPTION = 0x9286, 0x010E
# zlib level of the PNGs Pillow writes here (pictures other than 8-bit RGB or RGBA, which
# fpng writes). Pillow's default, 6, took 2.5× (512²) to 6× (1024²) as long as 1 for 7-13 %
# fewer bytes on photographs (docs/benchmarks.md, "PNG encoding").
PNG_COMPRESS_LEVEL = 1
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IHDR_END = 33  # the PNG signature (8 bytes) and the IHDR chunk (25), always first
TEXT_CHUNK_BYTES = 1 << 20  # the most a text chunk is unpacked to, as Pillow's MAX_TEXT_CHUNK


class ImageOutput(Params):
    """Output choices every image engine offers."""

    format: Literal["png", "jpeg", "webp"] = Field(
        "png", description="File format of the result.", json_schema_extra=ADVANCED
    )
    quality: int = Field(
        92,
        ge=50,
        le=100,
        description="JPEG/WebP quality (PNG is lossless).",
        json_schema_extra=ADVANCED,
    )


def png_bytes(picture: Image.Image, text: dict[str, str]) -> bytes:
    """`picture` as a PNG carrying `text` as text chunks (tEXt, or iTXt where a value is
    not Latin-1, as Pillow writes them). Every picture the engines and the seal write is
    8-bit RGB or RGBA, which fpng encodes 20-30× faster than zlib at level 1 for about as
    many bytes (docs/benchmarks.md): on a sub-second engine's job the PNGs were the
    studio's largest cost. Other modes go through Pillow."""
    if picture.mode not in ("RGB", "RGBA"):
        info = PngImagePlugin.PngInfo()
        for key, value in text.items():
            info.add_text(key, value)
        out = io.BytesIO()
        picture.save(out, format="PNG", pnginfo=info, compress_level=PNG_COMPRESS_LEVEL)
        return out.getvalue()
    data = fpng.from_pil(picture)
    if data[12:16] != b"IHDR":
        raise ValueError("fpng wrote a PNG that does not start with its header")
    chunks = b"".join(_text_chunk(key, value) for key, value in text.items())
    return data[:IHDR_END] + chunks + data[IHDR_END:]


def png_text(data: bytes) -> dict[str, str]:
    """A PNG's text chunks (tEXt, zTXt, iTXt) wherever they are, read from its chunk
    headers without decoding its pixels: Pillow's `text` decodes the whole picture to find
    chunks after the image data, and sealing read a picture's recipe that way. A chunk
    that is malformed, or more than TEXT_CHUNK_BYTES unpacked, is skipped."""
    found: dict[str, str] = {}
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        at += 12 + length
        if kind == b"IEND":
            break
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        key, _, rest = body.partition(b"\0")
        try:
            found[key.decode("latin-1")] = _text_value(kind, rest)
        except (ValueError, IndexError, zlib.error):
            continue
    return found


def _text_value(kind: bytes, rest: bytes) -> str:
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":  # a compression method byte, then the deflated text
        return _inflated(rest[1:]).decode("latin-1")
    compressed = rest[0] == 1  # iTXt: flag, method, language, translated keyword, text
    _, _, rest = rest[2:].partition(b"\0")
    _, _, text = rest.partition(b"\0")
    return (_inflated(text) if compressed else text).decode("utf-8")


def _inflated(packed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    text = inflater.decompress(packed, TEXT_CHUNK_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("a text chunk longer than TEXT_CHUNK_BYTES")
    return text


def _text_chunk(key: str, value: str) -> bytes:
    name = key.encode("latin-1")
    try:
        kind, body = b"tEXt", name + b"\0" + value.encode("latin-1")
    except UnicodeEncodeError:  # keyword, no compression, no language, no translation
        kind, body = b"iTXt", name + b"\0\0\0\0\0" + value.encode("utf-8")
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def a1111_parameters(prompt: str, settings: dict[str, Any], negative: str = "") -> str:
    """The de-facto text other tools read: prompt, `Negative prompt: …`, `Key: value, …`."""
    pairs = ", ".join(f"{key}: {value}" for key, value in settings.items() if value is not None)
    lines = [prompt] if prompt else []
    if negative:
        lines.append(f"Negative prompt: {negative}")
    return "\n".join([*lines, pairs])


def has_transparency(image: Image.Image) -> bool:
    """Whether some of the picture may be see-through: an alpha channel (RGBA, LA, PA) or a
    palette's or colour key's transparent entry."""
    return "A" in image.getbands() or "transparency" in image.info


def transparency(image: Image.Image) -> Image.Image | None:
    """The picture's alpha channel, or None when it has no transparency."""
    return image.convert("RGBA").getchannel("A") if has_transparency(image) else None


def on_white(picture: Image.Image) -> Image.Image:
    """The picture as RGB, what is transparent laid on white. Dropping the alpha instead
    shows whatever colour hides under it (a stylize network's paint, a grey): a
    transparent logo's JPEG and preview had come out a different picture from its PNG."""
    alpha = transparency(picture)
    if alpha is None:
        return picture.convert("RGB")
    flat = Image.new("RGB", picture.size, "white")
    flat.paste(picture.convert("RGB"), mask=alpha)
    return flat


def image_artifact(
    image: Image.Image,
    engine: Engine,
    params: ImageOutput,
    seed: int,
    settings: dict[str, Any],
    prompt: str = "",
    negative: str = "",
    name: str = "image",
    models: Sequence[ModelCard] | None = None,
) -> Artifact:
    """Encode `image` in the chosen format with its parameters embedded; `models` names
    the models this image was made with (the engine's declared ones when None)."""
    parameters = a1111_parameters(
        prompt,
        {**settings, "Seed": seed, "Size": f"{image.width}x{image.height}", "Engine": engine.name},
        negative,
    )
    made_with = engine.models if models is None else models
    record = json.dumps(
        {
            "engine": engine.name,
            "params": params.model_dump(mode="json"),
            "seed": seed,
            "models": [f"{m.name} {m.version}" for m in made_with],
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    pil_format, mime = FORMATS[params.format]
    if params.format == "jpeg":
        image = on_white(image)
    elif image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if has_transparency(image) else "RGB")
    extension = "jpg" if params.format == "jpeg" else params.format
    if params.format == "png":
        data = png_bytes(image, {"parameters": parameters, "atelier": record})
        return Artifact(name=f"{name}.{extension}", mime=mime, data=data)
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[USER_COMMENT] = b"UNICODE\0" + parameters.encode("utf-16-be")
    exif[IMAGE_DESCRIPTION] = record
    image.save(buffer, format=pil_format, quality=params.quality, exif=exif.tobytes())
    return Artifact(name=f"{name}.{extension}", mime=mime, data=buffer.getvalue())


def embedded_parameters(data: bytes) -> tuple[str, dict[str, Any]]:
    """Read back what `image_artifact` embedded: the A1111 text and the JSON record."""
    if data.startswith(PNG_SIGNATURE):
        text = png_text(data)
        return text.get("parameters", ""), json.loads(text.get("atelier", "{}"))
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        comment = exif.get(USER_COMMENT, b"")
        if isinstance(comment, bytes) and comment.startswith(b"UNICODE\0"):
            comment = comment[8:].decode("utf-16-be")
        return str(comment), json.loads(exif.get(IMAGE_DESCRIPTION, "{}"))


def other_format(
    name: str, mime: str, data: bytes, pixels: Image.Image | None = None
) -> Artifact | None:
    """The same picture in the other kind of format, so that every picture can be had as
    a lossless PNG and as a smaller JPEG: a PNG becomes a JPEG (quality 90, on white where
    it is transparent), a JPEG or WebP becomes a PNG. Its embedded recipe comes along.
    None for an animation or a format that is neither. `pixels`: data's picture, when the
    caller has it decoded already (a still)."""
    if mime not in ("image/png", "image/jpeg", "image/webp"):
        return None
    parameters, record = embedded_parameters(data)
    recipe = json.dumps(record, sort_keys=True, separators=(",", ":")) if record else ""
    if pixels is None:
        with Image.open(io.BytesIO(data)) as image:
            if getattr(image, "n_frames", 1) > 1:
                return None
            pixels = image.convert()
    if "A" in pixels.getbands() or pixels.mode == "P":
        picture = pixels.convert("RGBA")
    else:
        picture = pixels.convert("RGB")
    stem = name.rsplit(".", 1)[0]
    if mime == "image/png":
        buffer = io.BytesIO()
        flat = on_white(picture)
        exif = Image.Exif()
        if parameters:
            exif[USER_COMMENT] = b"UNICODE\0" + parameters.encode("utf-16-be")
        if recipe:
            exif[IMAGE_DESCRIPTION] = recipe
        flat.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
        return Artifact(name=f"{stem}.jpg", mime="image/jpeg", data=buffer.getvalue())
    text = {"parameters": parameters, "atelier": recipe}
    data = png_bytes(picture, {key: value for key, value in text.items() if value})
    return Artifact(name=f"{stem}.png", mime="image/png", data=data)
