"""Words a prompt asks to have written on the picture ("caption: …", 'a sign saying "open"'),
set in a band along its foot. Compose draws clip art: it cannot letter a sign inside the
scene, so the words go where a poster's or a card's caption goes.

The font is the one Pillow carries (Aileron Regular, public domain), which has Latin
letters only: words in another script are not written, and the work says so among the
checks it did not meet, rather than showing empty boxes."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

MAX_LINES = 2
BAND = (255, 255, 255, 210)  # a light band, a little see-through
INK = (30, 30, 30, 255)


def added(picture: Image.Image, words: str | None) -> tuple[Image.Image, list[str]]:
    """The picture with its caption, if it has one, and the check it fails if the words
    cannot be written."""
    if not words:
        return picture, []
    if not drawable(words):
        return picture, [f"the caption '{words}' is not written: no font here for its script"]
    return write(picture, words), []


def drawable(words: str) -> bool:
    """Whether the carried font has every letter (Latin, with accents, and common marks)."""
    return all(ord(ch) < 0x250 or ch in "“”‘’–—…€•" for ch in words)


def write(picture: Image.Image, words: str) -> Image.Image:
    """The picture with the words centred in a band along its foot, in at most two lines:
    the type shrinks until they fit."""
    size = max(12, picture.width // 14)
    while True:
        font = ImageFont.load_default(size=size)
        lines = _wrap(words, font, picture.width * 0.9)
        if len(lines) <= MAX_LINES or size <= 12:
            break
        size = int(size * 0.85)
    lines = lines[:MAX_LINES]
    line_height = int(size * 1.25)
    band_height = line_height * len(lines) + size // 2
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    top = picture.height - band_height
    draw.rectangle((0, top, picture.width, picture.height), fill=BAND)
    y = top + size // 4
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((picture.width - width) / 2, y), line, font=font, fill=INK)
        y += line_height
    return Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")


def _wrap(
    words: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float
) -> list[str]:
    lines: list[str] = []
    for word in words.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
