"""Painted stand-ins for common things the clip-art library lacks (it has no barn, no
windmill, no bridge, no garden fence, no branch to perch on, no bench, no bed, no vase, no
street lamp, its "lamps" being light bulbs, and no power line for birds to sit on):
simple flat drawings in the library's manner, used only when no drawing names the noun."""

from __future__ import annotations

from PIL import Image, ImageDraw

OUTLINE = (40, 30, 25, 255)
# width / height of each prop
ASPECTS = {
    "fence": 3.2,
    "barn": 1.3,
    "windmill": 0.62,
    "bridge": 3.4,
    "branch": 3.0,
    "bench": 2.2,
    "log": 3.0,
    "bush": 1.6,
    "bed": 1.7,
    "vase": 0.6,
    "kite": 0.75,
    "streetlamp": 0.22,
    "powerline": 3.6,
}
WOOD = (150, 100, 58, 255)
LEAF = (62, 128, 52, 255)


def has(noun: str) -> bool:
    return noun in ASPECTS


def draw(noun: str, width: int, height: int) -> Image.Image:
    """The prop as RGBA, width × height pixels, on a transparent ground."""
    scale = 4  # drawn large and shrunk: smooth edges
    image = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    w, h = image.size
    line = max(2, w // 120)
    if noun == "fence":
        for k in range(7):
            x = w * (0.03 + 0.94 * k / 6)
            pen.polygon(
                [
                    (x - w * 0.018, h),
                    (x - w * 0.018, h * 0.12),
                    (x, 0),
                    (x + w * 0.018, h * 0.12),
                    (x + w * 0.018, h),
                ],
                fill=(196, 160, 112, 255),
                outline=OUTLINE,
                width=line,
            )
        for top in (0.3, 0.62):
            pen.rectangle(
                (0, h * top, w, h * (top + 0.11)),
                fill=(176, 138, 92, 255),
                outline=OUTLINE,
                width=line,
            )
    elif noun == "barn":
        wall_top = h * 0.42
        pen.polygon(
            [
                (w * 0.04, wall_top),
                (w * 0.2, h * 0.12),
                (w * 0.5, 0),
                (w * 0.8, h * 0.12),
                (w * 0.96, wall_top),
            ],
            fill=(70, 62, 60, 255),
            outline=OUTLINE,
            width=line,
        )
        pen.rectangle(
            (w * 0.08, wall_top, w * 0.92, h), fill=(178, 44, 36, 255), outline=OUTLINE, width=line
        )
        door = (w * 0.34, h * 0.55, w * 0.66, h)
        pen.rectangle(door, fill=(150, 34, 30, 255), outline=(245, 240, 230, 255), width=line * 3)
        pen.line((door[0], door[1], door[2], door[3]), fill=(245, 240, 230, 255), width=line * 2)
        pen.line((door[0], door[3], door[2], door[1]), fill=(245, 240, 230, 255), width=line * 2)
        pen.rectangle(
            (w * 0.44, h * 0.22, w * 0.56, h * 0.36),
            fill=(245, 240, 230, 255),
            outline=OUTLINE,
            width=line,
        )
    elif noun == "windmill":
        pen.polygon(
            [(w * 0.3, h), (w * 0.38, h * 0.34), (w * 0.62, h * 0.34), (w * 0.7, h)],
            fill=(236, 228, 212, 255),
            outline=OUTLINE,
            width=line,
        )
        pen.pieslice(
            (w * 0.34, h * 0.26, w * 0.66, h * 0.42),
            180,
            360,
            fill=(120, 64, 44, 255),
            outline=OUTLINE,
            width=line,
        )
        pen.rectangle(
            (w * 0.44, h * 0.78, w * 0.56, h), fill=(110, 70, 40, 255), outline=OUTLINE, width=line
        )
        hub = (w * 0.5, h * 0.32)
        for dx, dy in ((1, -1), (1, 1), (-1, 1), (-1, -1)):
            tip = (hub[0] + dx * w * 0.48, hub[1] + dy * w * 0.48 * 0.95)
            side = (dy * w * 0.05, -dx * w * 0.05)
            middle = ((hub[0] + tip[0]) / 2, (hub[1] + tip[1]) / 2)
            pen.polygon(
                [
                    middle,
                    tip,
                    (tip[0] + side[0], tip[1] + side[1]),
                    (middle[0] + side[0], middle[1] + side[1]),
                ],
                fill=(250, 248, 240, 230),
                outline=OUTLINE,
                width=line,
            )
            pen.line((hub, tip), fill=OUTLINE, width=line * 2)
        pen.ellipse(
            (hub[0] - line * 3, hub[1] - line * 3, hub[0] + line * 3, hub[1] + line * 3),
            fill=OUTLINE,
        )
    elif noun == "bridge":
        stone = (168, 156, 140, 255)
        pen.rectangle((0, h * 0.12, w, h), fill=stone, outline=OUTLINE, width=line)
        pen.rectangle((0, 0, w, h * 0.14), fill=(140, 128, 114, 255), outline=OUTLINE, width=line)
        for k in range(3):
            x0 = w * (0.06 + k * 0.31)
            pen.pieslice(
                (x0, h * 0.42, x0 + w * 0.26, h * 1.6),
                180,
                360,
                fill=(0, 0, 0, 0),
                outline=OUTLINE,
                width=line,
            )
    else:
        _more(noun, pen, w, h, line)
    return image.resize((max(width, 1), max(height, 1)), Image.Resampling.LANCZOS)


def _more(noun: str, pen: ImageDraw.ImageDraw, w: int, h: int, line: int) -> None:
    """The smaller props: a branch, a bench, a log, a bush, a bed, a vase, a kite, a street
    lamp, a power line."""
    if noun == "branch":  # a bough with leaves below it, to perch things on
        for k in range(6):
            x, y = w * (0.1 + 0.16 * k), h * (0.55 if k % 2 else 0.75)
            pen.ellipse((x - w * 0.07, y - h * 0.25, x + w * 0.07, y + h * 0.25), fill=LEAF)
        pen.polygon(
            [(0, h * 0.14), (w, h * 0.2), (w, h * 0.34), (0, h * 0.4)],
            fill=WOOD,
            outline=OUTLINE,
            width=line,
        )
    elif noun == "bench":
        for x in (0.08, 0.84):
            pen.rectangle((w * x, h * 0.5, w * (x + 0.08), h), fill=WOOD, outline=OUTLINE)
        for top in (0.0, 0.2, 0.45):
            pen.rectangle((0, h * top, w, h * (top + 0.13)), fill=WOOD, outline=OUTLINE, width=line)
    elif noun == "log":
        pen.rounded_rectangle(
            (w * 0.02, h * 0.1, w * 0.9, h * 0.95), h * 0.3, fill=WOOD, outline=OUTLINE, width=line
        )
        pen.ellipse((w * 0.78, h * 0.1, w, h * 0.95), fill=(214, 172, 118, 255), outline=OUTLINE)
        pen.ellipse((w * 0.85, h * 0.35, w * 0.93, h * 0.7), outline=OUTLINE, width=line)
    elif noun == "bush":
        for cx, cy, r in ((0.3, 0.6, 0.3), (0.7, 0.6, 0.3), (0.5, 0.38, 0.36), (0.5, 0.7, 0.3)):
            box = (w * (cx - r * 0.62), h * (cy - r), w * (cx + r * 0.62), h * (cy + r))
            pen.ellipse(box, fill=LEAF, outline=OUTLINE, width=line)
    elif noun == "bed":
        pen.rectangle((0, h * 0.1, w * 0.08, h), fill=WOOD, outline=OUTLINE, width=line)
        pen.rectangle((w * 0.92, h * 0.4, w, h), fill=WOOD, outline=OUTLINE, width=line)
        pen.rectangle((w * 0.06, h * 0.5, w * 0.94, h * 0.8), fill=WOOD, outline=OUTLINE)
        pen.rectangle(
            (w * 0.08, h * 0.36, w * 0.92, h * 0.56), fill=(236, 236, 246, 255), outline=OUTLINE
        )
        pen.rectangle(
            (w * 0.35, h * 0.34, w * 0.92, h * 0.58), fill=(90, 120, 190, 255), outline=OUTLINE
        )
        pen.ellipse(
            (w * 0.1, h * 0.28, w * 0.3, h * 0.46), fill=(250, 250, 250, 255), outline=OUTLINE
        )
    elif noun == "vase":
        pen.polygon(
            [
                (w * 0.3, 0),
                (w * 0.7, 0),
                (w * 0.62, h * 0.15),
                (w * 0.95, h * 0.55),
                (w * 0.7, h),
                (w * 0.3, h),
                (w * 0.05, h * 0.55),
                (w * 0.38, h * 0.15),
            ],
            fill=(70, 110, 190, 255),
            outline=OUTLINE,
            width=line,
        )
        pen.line(
            (w * 0.12, h * 0.55, w * 0.88, h * 0.55), fill=(235, 235, 245, 255), width=line * 3
        )
    elif noun == "streetlamp":  # a post with a lantern on top
        iron = (52, 58, 66, 255)
        pen.rectangle((w * 0.3, h * 0.96, w * 0.7, h), fill=iron, outline=OUTLINE)
        pen.rectangle((w * 0.43, h * 0.17, w * 0.57, h * 0.97), fill=iron, outline=OUTLINE)
        pen.polygon(
            [(w * 0.2, h * 0.05), (w * 0.8, h * 0.05), (w * 0.7, h * 0.17), (w * 0.3, h * 0.17)],
            fill=(252, 226, 140, 255),
            outline=iron,
            width=line * 2,
        )
        pen.polygon([(w * 0.1, h * 0.05), (w * 0.5, 0), (w * 0.9, h * 0.05)], fill=iron)
    elif noun == "powerline":  # two poles, their cross-arms, wires sagging between them
        for x in (0.04, 0.96):
            pen.rectangle(
                (w * (x - 0.012), h * 0.04, w * (x + 0.012), h), fill=WOOD, outline=OUTLINE
            )
            pen.rectangle((w * (x - 0.04), h * 0.1, w * (x + 0.04), h * 0.14), fill=WOOD)
        for y in (0.12, 0.2):  # a bird put "on" it stands at the top tenth: the first wire
            sag = [
                (w * (0.04 + 0.92 * k / 20), h * (y + 0.05 * (1 - ((k - 10) / 10) ** 2)))
                for k in range(21)
            ]
            pen.line(sag, fill=(30, 30, 34, 255), width=line)
    elif noun == "kite":
        tip, east, tail, west = (
            (w * 0.5, 0.0),
            (w * 1.0, h * 0.32),
            (w * 0.5, h * 0.75),
            (0.0, h * 0.32),
        )
        centre = (w * 0.5, h * 0.32)
        pen.polygon([tip, east, tail, west], fill=(220, 50, 50, 255), outline=OUTLINE, width=line)
        pen.polygon([tip, east, centre], fill=(250, 210, 60, 255))
        pen.polygon([tail, west, centre], fill=(250, 210, 60, 255))
        pen.line([tip, tail], fill=OUTLINE, width=line)
        pen.line([west, east], fill=OUTLINE, width=line)
        pen.line([tail, (w * 0.4, h * 0.88), (w * 0.55, h * 1.0)], fill=OUTLINE, width=line)
