"""The painted scene behind the subjects: sky by time of day and weather, far terrain
(mountains, hills, a tree line, a city), water, ground by place and season, or a room.

Everything is procedural (gradients, fractal value noise, ridge lines) and drawn from the
job's RNG, so the same seed paints the same scene."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from atelier.engines.image.compose.prompt import Scene

Colour = tuple[float, float, float]

# Sky colours (top, middle, horizon) by time of day, 0–255.
SKIES: dict[str, tuple[Colour, Colour, Colour]] = {
    "day": ((62, 120, 205), (120, 170, 230), (195, 220, 242)),
    "morning": ((95, 150, 215), (170, 200, 230), (248, 222, 190)),
    "sunrise": ((70, 90, 170), (215, 140, 150), (255, 205, 140)),
    "sunset": ((45, 40, 110), (205, 85, 80), (255, 170, 70)),
    "dusk": ((22, 28, 72), (90, 70, 120), (205, 120, 115)),
    "night": ((5, 8, 28), (14, 22, 55), (38, 50, 92)),
}
# Light on the subjects by time of day (multipliers per channel).
LIGHT: dict[str, Colour] = {
    "day": (1.0, 1.0, 1.0),
    "morning": (1.02, 1.0, 0.95),
    "sunrise": (1.08, 0.95, 0.85),
    "sunset": (1.1, 0.88, 0.72),
    "dusk": (0.8, 0.72, 0.8),
    "night": (0.42, 0.48, 0.68),
}
GROUNDS: dict[str, Colour] = {
    "field": (96, 150, 60),
    "forest": (70, 115, 50),
    "hills": (100, 150, 62),
    "mountains": (105, 130, 75),
    "beach": (225, 200, 150),
    "sea": (225, 200, 150),
    "lake": (96, 145, 62),
    "desert": (222, 180, 120),
    "city": (140, 138, 135),
    "sky": (100, 150, 70),
    "space": (120, 118, 125),
}
SEASON_GRASS: dict[str, Colour] = {
    "spring": (120, 180, 70),
    "summer": (120, 160, 55),
    "autumn": (150, 138, 62),
    "winter": (235, 240, 248),
}


@dataclass(frozen=True)
class Geometry:
    """Where the sky ends, where subjects can stand and where the water is (pixels)."""

    horizon: int  # y where the farthest ground (or the sea) begins
    ground: int  # y where the land begins (below any water)
    floor: int  # y of the farthest place a subject can stand
    water: tuple[int, int] | None  # y range of open water (floaters go here)
    indoor: bool


def geometry(scene: Scene, width: int, height: int, needs_ground: bool = True) -> Geometry:
    """The scene's lines, known before anything is painted (the layout needs them).

    Without `needs_ground` (only boats and fish to place) water reaches the bottom."""
    if "interior" in scene.places:
        wall = int(height * 0.62)
        return Geometry(wall, wall, wall + int(height * 0.04), None, True)
    places = scene.places
    horizon = int(height * (0.5 if "sea" in places or "beach" in places else 0.56))
    if "mountains" in places:
        horizon = int(height * 0.6)
    water: tuple[int, int] | None = None
    ground = horizon
    if any(p in places for p in ("sea", "beach", "lake")):
        if not needs_ground:
            bottom = height
        elif "sea" in places or "beach" in places:
            bottom = horizon + int(height * 0.18)
        else:
            bottom = horizon + int(height * 0.12)
        water, ground = (horizon, bottom), bottom
    floor = ground + (int(height * 0.1) if "hills" in places else 0)
    return Geometry(horizon, ground, min(floor, int(height * 0.8)), water, False)


@dataclass
class Backdrop:
    """The painted background and what the layout must know about it."""

    image: np.ndarray  # H×W×3 float32 in 0..1
    indoor: bool
    light: Colour  # multiplier for the subjects' colours
    haze: Colour  # the colour far things fade toward, 0..1
    sun: tuple[float, float] | None  # where the light comes from (x, y), for shadows
    window: tuple[int, int, int, int] | None = None  # a room's view outside: x0, y0, x1, y1


def _mix(a: Colour, b: Colour, t: np.ndarray | float) -> np.ndarray:
    a_, b_ = np.asarray(a, np.float32) / 255, np.asarray(b, np.float32) / 255
    t = np.asarray(t, np.float32)[..., None]
    return np.asarray(a_ * (1 - t) + b_ * t, np.float32)


def noise(rng: np.random.Generator, height: int, width: int, scale: int = 4, octaves: int = 5):
    """Fractal value noise in 0..1: random grids of doubling fineness, smoothly enlarged."""
    total = np.zeros((height, width), np.float32)
    amplitude, weight = 1.0, 0.0
    for octave in range(octaves):
        cells = scale * 2**octave
        grid = rng.random((cells + 1, max(2, cells * width // height) + 1)).astype(np.float32)
        layer = Image.fromarray(grid, mode="F").resize((width, height), Image.Resampling.BICUBIC)
        total += amplitude * np.asarray(layer)
        weight += amplitude
        amplitude *= 0.5
    return np.clip(total / weight, 0, 1)


def ridge(rng: np.random.Generator, width: int, roughness: float, octaves: int = 6) -> np.ndarray:
    """A 1-D fractal line in -1..1 (a mountain or hill profile)."""
    x = np.linspace(0, 1, width)
    line = np.zeros(width)
    amplitude = 1.0
    for octave in range(octaves):
        points = 2 + 2 * 2**octave
        knots = rng.uniform(-1, 1, points)
        line += amplitude * np.interp(x, np.linspace(0, 1, points), knots)
        amplitude *= roughness
    return np.asarray(line / max(np.abs(line).max(), 1e-6), np.float32)


def paint(
    scene: Scene, lines: Geometry, width: int, height: int, rng: np.random.Generator
) -> Backdrop:
    """Paint the scene's background (a room when it is indoors, else a landscape)."""
    if lines.indoor:
        return _room(scene, lines, width, height, rng)
    return _landscape(scene, lines, width, height, rng)


def _scaled(colour: Colour, factor: float) -> Colour:
    r, g, b = (c * factor for c in colour)
    return (r, g, b)


def _greyed(colour: Colour, level: float) -> Colour:
    r, g, b = (0.35 * c + 0.65 * level for c in colour)
    return (r, g, b)


def _sky(
    scene: Scene, width: int, height: int, horizon: int, rng: np.random.Generator
) -> tuple[np.ndarray, Colour]:
    """A sky gradient by time of day, greyed by weather; and its colour at the horizon."""
    top, middle, low = SKIES.get(scene.time, SKIES["day"])
    if scene.weather in ("cloudy", "rain", "storm", "snow", "fog"):
        grey = {"storm": 70.0, "rain": 120.0, "cloudy": 165.0, "snow": 200.0, "fog": 205.0}
        level = grey[scene.weather] * (0.35 if scene.time == "night" else 1.0)
        top, middle, low = (_greyed(colour, level) for colour in (top, middle, low))
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None] / max(horizon / height, 0.2)
    y = np.clip(np.broadcast_to(y, (height, width)), 0, 1)
    upper = _mix(top, middle, np.clip(y * 1.6, 0, 1))
    sky = np.where(
        (y < 0.62)[..., None], upper, _mix(middle, low, np.clip((y - 0.62) / 0.38, 0, 1))
    )
    sky = sky + (noise(rng, height, width, 3, 4)[..., None] - 0.5) * 0.03
    return np.clip(sky, 0, 1), low


def _glow(
    image: np.ndarray, centre: tuple[float, float], radius: float, colour: Colour, strength: float
) -> None:
    height, width = image.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    distance = np.hypot(xx - centre[0], yy - centre[1]) / radius
    alpha = np.clip(strength * np.exp(-(distance**2)), 0, 1)[..., None]
    image[:] = image * (1 - alpha) + np.asarray(colour, np.float32) / 255 * alpha


def _stars(image: np.ndarray, horizon: int, rng: np.random.Generator, count: int) -> None:
    height, width = image.shape[:2]
    xs = rng.integers(0, width, count)
    ys = (rng.random(count) ** 1.4 * horizon * 0.95).astype(int)
    brightness = rng.uniform(0.5, 1.0, count)
    for x, y, b in zip(xs, ys, brightness, strict=True):
        image[y, x] = np.maximum(image[y, x], b)
        if b > 0.93 and 0 < x < width - 1 and 0 < y < height - 1:
            image[y - 1 : y + 2, x] = np.maximum(image[y - 1 : y + 2, x], b * 0.6)
            image[y, x - 1 : x + 2] = np.maximum(image[y, x - 1 : x + 2], b * 0.6)


def clouds(
    image: np.ndarray, top: int, bottom: int, cover: float, colour: Colour, rng: np.random.Generator
) -> None:
    """Soft clouds between rows top and bottom; `cover` 0..1 is how much of the sky."""
    height, width = image.shape[:2]
    field = noise(rng, height, width, 2, 6)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    band = np.clip((y * height - top) / max(bottom - top, 1), 0, 1)
    band = np.clip(np.sin(band * np.pi), 0, 1) ** 0.6
    threshold = 0.62 - 0.3 * cover
    density = np.clip((field - threshold) / 0.18, 0, 1) * band
    shade = np.clip(1.05 - 0.35 * noise(rng, height, width, 4, 3), 0.6, 1.0)[..., None]
    tone = np.asarray(colour, np.float32) / 255 * shade
    alpha = (density * 0.92)[..., None]
    image[:] = image * (1 - alpha) + tone * alpha


def _landscape(
    scene: Scene, lines: Geometry, width: int, height: int, rng: np.random.Generator
) -> Backdrop:
    places = scene.places
    horizon = lines.horizon
    image, low = _sky(scene, width, height, horizon, rng)
    night = scene.time == "night"
    sun: tuple[float, float] | None = None
    if night or scene.time == "dusk":
        _stars(image, horizon, rng, int(width * height / (900 if night else 3000)))
    if scene.weather in ("clear", "cloudy") or scene.time in ("sunset", "sunrise"):
        if scene.time in ("sunset", "sunrise"):
            sun = (width * rng.uniform(0.3, 0.7), horizon - height * 0.06)
            _glow(image, sun, height * 0.35, (255, 190, 110), 0.55)
        elif scene.time in ("day", "morning"):
            sun = (width * rng.choice([0.15, 0.85]), height * 0.12)
            _glow(image, sun, height * 0.3, (255, 250, 225), 0.35)
    cover = {"clear": 0.25, "cloudy": 0.75, "rain": 0.95, "storm": 1.0, "snow": 0.8, "fog": 0.6}[
        scene.weather
    ]
    cloud_colour: Colour = {
        "sunset": (250, 170, 140),
        "sunrise": (255, 200, 180),
        "dusk": (120, 100, 140),
        "night": (60, 66, 96),
    }.get(scene.time, (250, 250, 252))
    if scene.weather in ("rain", "storm"):
        cloud_colour = _scaled(cloud_colour, 0.6)
    if not (night and scene.weather == "clear"):
        clouds(image, 0, int(horizon * 0.8), cover, cloud_colour, rng)
    haze = low
    light = LIGHT.get(scene.time, LIGHT["day"])
    season = scene.season or ("winter" if scene.weather == "snow" else None)
    ground_colour = GROUNDS[next((p for p in places if p in GROUNDS), "field")]
    if season and not any(p in places for p in ("desert", "beach", "sea", "city")):
        ground_colour = SEASON_GRASS[season]

    far: Colour = (90, 110, 140) if "mountains" in places else (110, 140, 110)
    if "mountains" in places:
        _range(image, horizon, height * 0.4, far, haze, True, rng, 0.55)
        _range(image, horizon, height * 0.2, (80, 100, 90), haze, season == "winter", rng, 0.35)
    elif "city" not in places and "sea" not in places and "beach" not in places:
        hills: Colour = (225, 232, 240) if season == "winter" else (95, 125, 110)
        _range(image, horizon, height * 0.08, hills, haze, False, rng, 0.55)
    if "city" in places:
        _skyline(image, horizon, height, night, haze, rng)
    if lines.water is not None:
        top, bottom = lines.water
        _water(image, top, bottom, np.asarray(low, np.float32) / 255, sun, night, rng)
        if "sea" in places:
            ground_colour = GROUNDS["beach"]
    floor = lines.ground
    if floor < height:
        _ground(image, floor, ground_colour, season, scene, rng, haze)
    if "hills" in places:
        _hills(image, floor, ground_colour, haze, rng)
        floor = lines.floor
    if "forest" in places:
        _tree_line(image, floor, season, haze, night, rng)
    _lighting(image, floor, light)
    if scene.weather in ("rain", "storm"):
        _rain(image, rng, heavy=scene.weather == "storm")
    if scene.weather == "fog":
        fog = np.linspace(0.55, 0.15, height, dtype=np.float32)[:, None, None]
        image[:] = image * (1 - fog) + np.asarray(haze, np.float32) / 255 * fog
    return Backdrop(
        image=np.clip(image, 0, 1),
        indoor=False,
        light=light,
        haze=_scaled(haze, 1 / 255),
        sun=sun,
    )


def _range(
    image: np.ndarray,
    base: int,
    rise: float,
    colour: Colour,
    haze: Colour,
    snow: bool,
    rng: np.random.Generator,
    roughness: float,
) -> None:
    """A mountain or far-hill ridge standing on row `base`, up to `rise` pixels high."""
    height, width = image.shape[:2]
    line = ridge(rng, width, roughness)
    tops = base - rise * (0.55 + 0.45 * line)
    yy = np.arange(height, dtype=np.float32)[:, None]
    inside = (yy >= tops[None, :]) & (yy <= base + 2)
    depth = np.clip((yy - tops[None, :]) / max(rise, 1), 0, 1)
    tone = _mix(colour, haze, 0.45 + 0.25 * depth)
    texture = noise(rng, height, width, 8, 3)[..., None]
    tone = tone * (0.9 + 0.2 * texture)
    if snow:
        cap = (yy - tops[None, :]) < rise * 0.18 * (0.6 + 0.8 * texture[..., 0])
        tone = np.where(cap[..., None], _mix((245, 248, 255), haze, 0.25), tone)
    image[:] = np.where(inside[..., None], tone, image)


def _skyline(
    image: np.ndarray,
    horizon: int,
    height: int,
    night: bool,
    haze: Colour,
    rng: np.random.Generator,
) -> None:
    width = image.shape[1]
    canvas = Image.fromarray((image * 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    for layer, shade in ((0, 0.55), (1, 0.35)):
        x = -int(rng.integers(0, 30))
        while x < width:
            w = int(width * rng.uniform(0.04, 0.09))
            h = int(height * rng.uniform(0.08, 0.3) * (1.0 if layer else 0.8))
            base = np.asarray((70, 75, 90) if not night else (25, 28, 45), np.float32)
            tone = base * (1 - shade) + np.asarray(haze, np.float32) * shade
            draw.rectangle((x, horizon - h, x + w, horizon + 4), fill=tuple(int(c) for c in tone))
            for wy in range(horizon - h + 6, horizon - 4, 9):
                for wx in range(x + 4, x + w - 4, 8):
                    lit = rng.random() < (0.45 if night else 0.15)
                    if night and not lit:
                        continue
                    r, g, b = (250, 220, 140) if night else (int(min(255, c * 1.15)) for c in tone)
                    draw.rectangle((wx, wy, wx + 3, wy + 4), fill=(r, g, b))
            x += w + int(rng.integers(0, 6))
    image[:] = np.asarray(canvas, np.float32) / 255


def _water(
    image: np.ndarray,
    top: int,
    bottom: int,
    sky_low: np.ndarray,
    sun: tuple[float, float] | None,
    night: bool,
    rng: np.random.Generator,
) -> None:
    height, width = image.shape[:2]
    rows = bottom - top
    if rows <= 0:
        return
    y = np.linspace(0, 1, rows, dtype=np.float32)[:, None, None]
    deep = np.asarray((20, 60, 110) if not night else (8, 14, 35), np.float32) / 255
    surface = sky_low * 0.75 + deep * 0.25
    water = surface * (1 - y) + deep * y
    waves = noise(rng, rows, width, 24, 2)
    streaks = np.sin(np.linspace(0, 1, rows)[:, None] ** 0.6 * 240 + waves * 9)
    water = water * (1 + 0.06 * streaks[..., None])
    if sun is not None:
        xx = np.arange(width, dtype=np.float32)[None, :]
        column = np.exp(-(((xx - sun[0]) / (width * 0.05 * (1 + y[..., 0] * 2))) ** 2))
        glint = np.clip(column * (streaks > 0.6) * 0.8, 0, 1)[..., None]
        water = water * (1 - glint) + np.asarray((1.0, 0.9, 0.7), np.float32) * glint
    image[top:bottom] = np.clip(water, 0, 1)


def _ground(
    image: np.ndarray,
    top: int,
    colour: Colour,
    season: str | None,
    scene: Scene,
    rng: np.random.Generator,
    haze: Colour,
) -> None:
    height, width = image.shape[:2]
    rows = height - top
    y = np.linspace(0, 1, rows, dtype=np.float32)[:, None]
    broad = noise(rng, rows, width, 3, 3)
    fine = rng.random((rows, width)).astype(np.float32)
    near = _mix(colour, (0, 0, 0), 0.15)
    far = _mix(colour, haze, 0.35)
    ground = far * (1 - y[..., None]) + near * y[..., None]
    ground = ground * (0.93 + 0.14 * broad[..., None] + 0.05 * (fine[..., None] - 0.5))
    image[top:] = np.clip(ground, 0, 1)
    if season in ("spring", "summer") and "desert" not in scene.places:
        _speckles(image, top, rng, [(250, 250, 250), (250, 215, 60), (230, 90, 120)], 0.00025)
    if season == "autumn":
        _speckles(image, top, rng, [(200, 90, 30), (230, 160, 40), (150, 60, 30)], 0.0006)


def _speckles(
    image: np.ndarray, top: int, rng: np.random.Generator, colours: list[Colour], density: float
) -> None:
    height, width = image.shape[:2]
    count = int(width * (height - top) * density)
    for _ in range(count):
        y = int(top + (height - top) * rng.random() ** 0.7)
        x = int(rng.integers(0, width))
        size = max(1, int(1 + 3 * (y - top) / max(height - top, 1)))
        colour = np.asarray(colours[int(rng.integers(0, len(colours)))], np.float32) / 255
        image[max(y - size, 0) : y + 1, max(x - size // 2, 0) : x + size // 2 + 1] = colour


def _hills(
    image: np.ndarray, floor: int, colour: Colour, haze: Colour, rng: np.random.Generator
) -> None:
    height, width = image.shape[:2]
    for layer in range(3):
        base = floor + int(height * 0.05 * (layer + 1))
        rise = height * (0.14 - 0.03 * layer)
        line = ridge(rng, width, 0.35, 4)
        tops = base - rise * (0.5 + 0.5 * line)
        yy = np.arange(height, dtype=np.float32)[:, None]
        inside = yy >= tops[None, :]
        shade = 0.5 - 0.18 * layer
        tone = _mix(colour, haze, shade) * (0.92 + 0.08 * layer)
        lit = np.clip((yy - tops[None, :]) / (height * 0.3), 0, 1)[..., None]
        tone = tone * (1.06 - 0.18 * lit)
        image[:] = np.where(inside[..., None], tone, image)


def _tree_line(
    image: np.ndarray,
    floor: int,
    season: str | None,
    haze: Colour,
    night: bool,
    rng: np.random.Generator,
) -> None:
    """Rows of small painted trees on the far ground (a forest's edge)."""
    height, width = image.shape[:2]
    canvas = Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    leaves = {"autumn": (170, 95, 40), "winter": (225, 232, 240), "spring": (80, 150, 70)}
    base_colour = np.asarray(leaves.get(season or "", (45, 100, 55)), np.float32)
    for row, fade in ((0, 0.55), (1, 0.3), (2, 0.1)):
        y = floor - int(height * 0.02) + row * int(height * 0.025)
        size = height * (0.09 + 0.035 * row)
        x = -rng.uniform(0, size)
        while x < width + size:
            tone = base_colour * (1 - fade) + np.asarray(haze, np.float32) * fade
            tone = tone * rng.uniform(0.8, 1.1) * (0.45 if night else 1.0)
            fill = tuple(int(min(255, c)) for c in tone)
            h = size * rng.uniform(0.8, 1.3)
            if rng.random() < 0.6:
                draw.polygon([(x, y - h), (x - h * 0.28, y), (x + h * 0.28, y)], fill=fill)
            else:
                r = h * 0.3
                draw.ellipse((x - r, y - h, x + r, y - h + 2.2 * r), fill=fill)
                draw.rectangle((x - r * 0.12, y - h + 2 * r, x + r * 0.12, y), fill=fill)
            x += size * rng.uniform(0.25, 0.5)
    image[:] = np.asarray(canvas, np.float32) / 255


def _lighting(image: np.ndarray, top: int, light: Colour) -> None:
    image[top:] = image[top:] * np.asarray(light, np.float32)


def _rain(image: np.ndarray, rng: np.random.Generator, heavy: bool) -> None:
    height, width = image.shape[:2]
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(int(width * height / (900 if heavy else 1600))):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        length = rng.uniform(8, 22)
        draw.line((x, y, x - length * 0.25, y + length), fill=int(rng.uniform(60, 140)))
    alpha = np.asarray(layer.filter(ImageFilter.GaussianBlur(0.6)), np.float32)[..., None] / 255
    image[:] = image * (1 - alpha * 0.6) + 0.85 * alpha * 0.6


def snow(image: np.ndarray, rng: np.random.Generator) -> None:
    """Falling snow over everything (painted last, over the subjects too); in a room, the
    caller gives the window's pixels alone."""
    height, width = image.shape[:2]
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(int(width * height / 1400)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(0.8, 2.6)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(150, 255)))
    alpha = np.asarray(layer.filter(ImageFilter.GaussianBlur(0.7)), np.float32)[..., None] / 255
    image[:] = image * (1 - alpha) + alpha


def _room(
    scene: Scene, lines: Geometry, width: int, height: int, rng: np.random.Generator
) -> Backdrop:
    """A room: a papered wall with a window on the sky outside, a wooden floor."""
    floor = lines.horizon
    palette = [(232, 220, 196), (206, 222, 214), (236, 206, 190), (214, 214, 232)]
    wall_colour = palette[int(rng.integers(0, len(palette)))]
    image = np.zeros((height, width, 3), np.float32)
    x = np.arange(width, dtype=np.float32)[None, :]
    stripes = 0.03 * (np.sin(x / width * 2 * np.pi * 14) > 0.7)
    wall = _mix(wall_colour, (255, 255, 255), 0.1) * (1 - stripes[..., None])
    wall = wall * (0.94 + 0.08 * noise(rng, floor, width, 5, 3)[..., None])
    image[:floor] = wall[:floor]
    # the window: the time of day outside
    wx0, wx1 = int(width * rng.uniform(0.55, 0.68)), 0
    wx1 = wx0 + int(width * 0.24)
    wy0, wy1 = int(height * 0.1), int(height * 0.44)
    outside = Scene(time=scene.time, weather=scene.weather, season=scene.season)
    view, _ = _sky(outside, wx1 - wx0, wy1 - wy0, wy1 - wy0, rng)
    if scene.time == "night":
        _stars(view, view.shape[0], rng, 40)
    image[wy0:wy1, wx0:wx1] = view
    frame = np.asarray((245, 242, 235), np.float32) / 255
    thickness = max(4, width // 120)
    image[wy0 - thickness : wy0, wx0 - thickness : wx1 + thickness] = frame
    image[wy1 : wy1 + thickness, wx0 - thickness : wx1 + thickness] = frame
    image[wy0:wy1, wx0 - thickness : wx0] = frame
    image[wy0:wy1, wx1 : wx1 + thickness] = frame
    image[wy0:wy1, (wx0 + wx1) // 2 - thickness // 2 : (wx0 + wx1) // 2 + thickness // 2] = frame
    image[(wy0 + wy1) // 2 - thickness // 2 : (wy0 + wy1) // 2 + thickness // 2, wx0:wx1] = frame
    # floor: planks with grain, darker toward the viewer
    rows = height - floor
    y = np.linspace(0, 1, rows, dtype=np.float32)[:, None]
    grain = noise(rng, rows, width, 3, 4)
    plank = ((np.arange(rows)[:, None] ** 1.0 / max(rows, 1) * 9) % 1.0 < 0.04).astype(np.float32)
    wood = _mix((176, 126, 82), (120, 80, 48), y) * (0.9 + 0.2 * grain[..., None])
    image[floor:] = wood * (1 - 0.25 * plank[..., None])
    image[floor : floor + max(3, height // 90)] = np.asarray((250, 248, 240), np.float32) / 255
    light = (1.0, 0.95, 0.88) if scene.time in ("night", "dusk") else (1.0, 1.0, 1.0)
    if scene.time in ("night", "dusk"):
        image *= np.asarray((0.75, 0.68, 0.6), np.float32)
        _glow(image, (width * 0.3, height * 0.3), height * 0.6, (255, 210, 140), 0.25)
    return Backdrop(
        image=np.clip(image, 0, 1),
        indoor=True,
        light=light,
        haze=(0.9, 0.88, 0.85),
        sun=(wx0 + (wx1 - wx0) / 2, wy0) if scene.time not in ("night",) else None,
        window=(wx0, wy0, wx1, wy1),
    )
