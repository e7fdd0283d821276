"""Clip art in: read an openclipart SVG's title and keywords, and rasterize it with resvg.

resvg-py refuses a root `width="150pt"` (any unit but px), which a third of the library
uses, so the root size is rewritten in pixels first (with a viewBox where there was none,
which keeps the drawing's own coordinates)."""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import resvg_py
from PIL import Image

PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54}
PX_PER_UNIT["in"] = 96.0
MAX_SIDE = 4096  # never rasterize larger than this, whatever the drawing's margins


@dataclass(frozen=True)
class SvgText:
    title: str
    keywords: list[str]
    creator: str


def read_text(data: str) -> SvgText:
    """Title, keywords and author from the file's Dublin Core metadata (empty if none)."""
    work = re.search(r"<cc:Work.*?</cc:Work>", data, re.S)
    block = work.group(0) if work else ""
    title = re.search(r"<dc:title>(.*?)</dc:title>", block, re.S)
    subject = re.search(r"<dc:subject>(.*?)</dc:subject>", block, re.S)
    creator = re.search(r"<dc:creator>.*?<dc:title>(.*?)</dc:title>", block, re.S)
    keywords = re.findall(r"<rdf:li>(.*?)</rdf:li>", subject.group(1), re.S) if subject else []
    return SvgText(
        title=html.unescape(title.group(1).strip()) if title else "",
        keywords=[html.unescape(k.strip()) for k in keywords if k.strip()],
        creator=html.unescape(creator.group(1).strip()) if creator else "",
    )


def _pixels(head: str, name: str) -> tuple[float | None, re.Match[str] | None]:
    found = re.search(r"(\s" + name + r"\s*=\s*[\"'])([^\"']*)([\"'])", head)
    if not found:
        return None, None
    value = re.fullmatch(r"\s*([0-9.eE+-]+)\s*([a-z%]*)\s*", found.group(2))
    if not value or value.group(2) not in PX_PER_UNIT:
        return None, found
    try:
        return float(value.group(1)) * PX_PER_UNIT[value.group(2)], found
    except ValueError:
        return None, found


def normalise(data: str) -> str:
    """The SVG with its root width and height in pixels (see the module docstring)."""
    root = re.search(r"<svg\b[^>]*>", data, re.S)
    if not root:
        return data
    head = new = root.group(0)
    width, width_attr = _pixels(head, "width")
    height, height_attr = _pixels(head, "height")
    for attr, value in ((width_attr, width), (height_attr, height)):
        if attr is not None:
            replacement = f"{attr.group(1)}{value:g}{attr.group(3)}" if value else " "
            new = new.replace(attr.group(0), replacement)
    if "viewBox" not in head and width and height:
        closing = "/>" if head.endswith("/>") else ">"
        new = new[: -len(closing)] + f' viewBox="0 0 {width:g} {height:g}"' + closing
    return data[: root.start()] + new + data[root.end() :]


def rasterize(path: Path, width: int) -> Image.Image:
    """The drawing as RGBA, `width` pixels wide (height follows its aspect ratio)."""
    data = normalise(path.read_text(encoding="utf-8", errors="replace"))
    png = resvg_py.svg_to_bytes(svg_string=data, width=min(width, MAX_SIDE), skip_system_fonts=True)
    image = Image.open(io.BytesIO(bytes(png)))
    return image.convert("RGBA")


def trim_box(alpha: np.ndarray, threshold: int = 8) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) around the visible pixels, or None when nothing shows."""
    rows = np.flatnonzero((alpha > threshold).any(axis=1))
    cols = np.flatnonzero((alpha > threshold).any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
