"""Putting the subjects into the backdrop: each drawing rasterized at its size, recoloured
when the prompt asks for a colour, faded with distance, lit by the time of day, with a
shadow on the ground; and the sky things (sun, moon, stars, clouds, a rainbow) painted."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from atelier.engines.image.compose import icons
from atelier.engines.image.compose.backdrop import Backdrop
from atelier.engines.image.compose.index import Entry
from atelier.engines.image.compose.layout import Placement
from atelier.engines.image.compose.svg import rasterize, trim_box

Rgb = tuple[int, int, int]


def drawing(entry: Entry, width: int, height: int) -> Image.Image:
    """The drawing's visible part as RGBA, exactly width × height pixels."""
    x0, y0, x1, y1 = entry.box
    canvas_width = int(width / max(x1 - x0, 1e-3) * 1.05) + 2
    image = rasterize(entry.file, canvas_width)
    box = trim_box(np.asarray(image)[..., 3])
    if box is not None:
        image = image.crop(box)
    if icons.is_icon(entry.path):
        image = icons.two_tone(image)
    return image.resize((max(width, 1), max(height, 1)), Image.Resampling.LANCZOS)


def recolour(image: Image.Image, rgb: Rgb, silhouette: bool) -> Image.Image:
    """The drawing in another colour, keeping its light and shade (and its outlines)."""
    pixels = np.asarray(image, np.float32) / 255
    colour = np.asarray(rgb, np.float32) / 255
    lightness = pixels[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
    if silhouette:
        height = pixels.shape[0]
        shade = np.linspace(1.1, 0.85, height, dtype=np.float32)[:, None, None]
        out = np.clip(colour * shade, 0, 1)
        out = np.broadcast_to(out, pixels[..., :3].shape)
    else:
        spread = (lightness - lightness.min()) / max(float(np.ptp(lightness)), 1e-3)
        dark = colour * 0.3
        light = colour + (1 - colour) * (0.75 if colour.mean() > 0.2 else 0.45)
        colour = np.maximum(colour, 0.12)
        t = spread[..., None]
        out = np.where(
            t < 0.5, dark + (colour - dark) * t * 2, colour + (light - colour) * (t - 0.5) * 2
        )
        outline = (lightness < 0.12)[..., None]
        out = np.where(outline, pixels[..., :3] * 0.5 + dark * 0.5, out)
    result = np.concatenate([out, pixels[..., 3:]], axis=-1)
    return Image.fromarray((result * 255).astype(np.uint8), "RGBA")


def shade(image: Image.Image, factor: float) -> Image.Image:
    """The drawing a little darker (factor below 1) or lighter, its outline kept."""
    pixels = np.asarray(image, np.float32) / 255
    rgb = np.clip(pixels[..., :3] * factor, 0, 1)
    out = np.concatenate([rgb, pixels[..., 3:]], axis=-1)
    return Image.fromarray((out * 255).astype(np.uint8), "RGBA")


def needs_recolour(entry: Entry, rgb: Rgb) -> bool:
    distance = np.linalg.norm(np.asarray(entry.colour, np.float32) - np.asarray(rgb))
    return bool(distance > 60 or silhouette(entry))


def silhouette(entry: Entry) -> bool:
    """A drawing that is one dark shape: recolouring fills it."""
    return entry.dark > 0.85 and entry.saturation < 0.15


def light(image: Image.Image, backdrop: Backdrop, depth: float) -> Image.Image:
    """Lit by the time of day and faded toward the haze with distance."""
    pixels = np.asarray(image, np.float32) / 255
    rgb = pixels[..., :3] * np.asarray(backdrop.light, np.float32)
    fade = max(0.0, 0.45 - depth) * 0.7
    rgb = rgb * (1 - fade) + np.asarray(backdrop.haze, np.float32) * fade
    out = np.concatenate([np.clip(rgb, 0, 1), pixels[..., 3:]], axis=-1)
    return Image.fromarray((out * 255).astype(np.uint8), "RGBA")


def shadow(
    canvas: Image.Image, figure: Image.Image, placement: Placement, backdrop: Backdrop
) -> None:
    """A soft contact shadow under the figure and its cast shadow along the ground."""
    x0, y0, x1, y1 = (int(round(v)) for v in placement.box)
    width, height = x1 - x0, y1 - y0
    if width < 2 or height < 2:
        return
    strength = 0.28 if backdrop.light[0] < 0.6 else 0.42
    layer = Image.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(layer)
    ellipse_h = max(3, int(height * 0.07))
    draw.ellipse(
        (x0 + width * 0.1, y1 - ellipse_h * 0.6, x1 - width * 0.1, y1 + ellipse_h * 0.4),
        fill=int(255 * strength),
    )
    if not backdrop.indoor:
        alpha = figure.getchannel("A").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        squash = max(2, int(height * 0.28))
        alpha = alpha.resize((width, squash))
        lean = 0.0
        if backdrop.sun is not None:
            lean = float(np.clip(((x0 + x1) / 2 - backdrop.sun[0]) / canvas.width, -0.6, 0.6))
        shear = lean * 1.6
        extra = int(abs(shear) * squash) + 1
        alpha = alpha.transform(
            (width + extra, squash),
            Image.Transform.AFFINE,
            (1, shear, -extra if shear > 0 else 0, 0, 1, 0),
            Image.Resampling.BILINEAR,
        )
        cast = alpha.point(lambda v: int(v * strength * 0.75))
        layer.paste(cast, (x0, y1 - 2), cast)
    layer = layer.filter(ImageFilter.GaussianBlur(max(1.5, height * 0.015)))
    black = Image.new("RGB", canvas.size, (10, 12, 20))
    canvas.paste(black, (0, 0), layer)


def place(
    canvas: Image.Image, figure: Image.Image, placement: Placement, backdrop: Backdrop
) -> None:
    """Shadow first, then the lit figure on top."""
    if placement.grounded:
        shadow(canvas, figure, placement, backdrop)
    lit = light(figure, backdrop, placement.depth)
    x0, y0 = int(round(placement.box[0])), int(round(placement.box[1]))
    canvas.paste(lit, (x0, y0), lit)


# -- painted sky things ---------------------------------------------------------------


def paint_sky_thing(
    canvas: Image.Image,
    noun: str,
    box: tuple[float, float, float, float],
    time: str,
    rng: np.random.Generator,
    rgb: Rgb | None = None,
) -> None:
    """Sun, moon, star, cloud or rainbow, painted into `box`."""
    x0, y0, x1, y1 = box
    size = (int(canvas.width), int(canvas.height))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0) / 2
    if noun == "sun":
        colour = rgb or (
            (255, 150, 60) if time in ("sunset", "sunrise", "dusk") else (255, 236, 150)
        )
        glow = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(glow).ellipse(
            (cx - r * 2, cy - r * 2, cx + r * 2, cy + r * 2), fill=(*colour, 110)
        )
        canvas.alpha_composite(glow.filter(ImageFilter.GaussianBlur(r * 0.8)))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*colour, 255))
    elif noun == "moon":
        colour = rgb or (246, 242, 222)
        glow = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(glow).ellipse(
            (cx - r * 1.8, cy - r * 1.8, cx + r * 1.8, cy + r * 1.8), fill=(*colour, 70)
        )
        canvas.alpha_composite(glow.filter(ImageFilter.GaussianBlur(r * 0.7)))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*colour, 255))
        for _ in range(6):
            a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0, 0.6) * r
            cr = rng.uniform(0.08, 0.2) * r
            px, py = cx + d * np.cos(a), cy + d * np.sin(a)
            draw.ellipse(
                (px - cr, py - cr, px + cr, py + cr),
                fill=tuple(int(c * 0.9) for c in colour) + (255,),
            )
    elif noun == "star":
        colour = rgb or (255, 240, 170)
        points = []
        for k in range(10):
            radius = r if k % 2 == 0 else r * 0.42
            angle = -np.pi / 2 + k * np.pi / 5
            points.append((cx + radius * np.cos(angle), cy + radius * np.sin(angle)))
        glow = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(glow).ellipse(
            (cx - r * 1.3, cy - r * 1.3, cx + r * 1.3, cy + r * 1.3), fill=(*colour, 90)
        )
        canvas.alpha_composite(glow.filter(ImageFilter.GaussianBlur(r * 0.5)))
        draw.polygon(points, fill=(*colour, 255))
    elif noun == "cloud":
        colour = rgb or ((250, 190, 170) if time in ("sunset", "sunrise") else (252, 252, 255))
        if time == "night":
            colour = (90, 96, 120)
        w, h = x1 - x0, y1 - y0
        for _ in range(9):
            bx = rng.uniform(x0 + w * 0.15, x1 - w * 0.15)
            by = rng.uniform(y0 + h * 0.35, y1 - h * 0.3)
            br = rng.uniform(0.18, 0.3) * w
            draw.ellipse((bx - br, by - br * 0.75, bx + br, by + br * 0.75), fill=(*colour, 255))
        draw.rectangle(
            (x0 + w * 0.1, y1 - h * 0.35, x1 - w * 0.1, y1 - h * 0.1), fill=(*colour, 255)
        )
        shade = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(shade).rectangle((x0, y1 - h * 0.3, x1, y1), fill=(120, 130, 160, 70))
        layer = Image.alpha_composite(
            layer,
            Image.composite(shade, Image.new("RGBA", size, (0, 0, 0, 0)), layer.getchannel("A")),
        )
        layer = layer.filter(ImageFilter.GaussianBlur(max(1.0, (x1 - x0) * 0.01)))
    elif noun == "rainbow":
        colours = [
            (230, 50, 50),
            (245, 140, 40),
            (245, 220, 60),
            (70, 180, 80),
            (60, 130, 220),
            (80, 70, 170),
            (140, 70, 170),
        ]
        band = (x1 - x0) * 0.025
        for k, colour in enumerate(colours):
            inset = k * band
            draw.arc(
                (x0 + inset, y0 + inset, x1 - inset, y1 + (y1 - y0) - inset),
                180,
                360,
                fill=(*colour, 150),
                width=int(band) + 1,
            )
        layer = layer.filter(ImageFilter.GaussianBlur(band * 0.3))
    canvas.alpha_composite(layer)
