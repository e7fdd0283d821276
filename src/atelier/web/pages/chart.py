"""A training job's curve as an SVG line chart, drawn here (no script, no library): one
line per series (loss, held-out loss…), steps along the bottom. Presentation attributes
only, so it shows under the strictest style policy."""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 52
COLOURS = ("#4a6fa5", "#c0392b", "#2e8b57", "#8e44ad")
LABELS = {
    "loss": "training loss",
    "validation": "held-out loss",
    "base": "base model",
    "voice": "your voice",
    "other": "other examples",
}


def _number(value: float) -> str:
    return f"{value:.3g}"


def svg(curve: dict[str, Any], title: str = "Training") -> str:
    """The chart of `curve` ({"steps": n, "series": {name: {step: value}}})."""
    series = {
        name: sorted((int(step), float(v)) for step, v in points.items())
        for name, points in curve.get("series", {}).items()
        if points
    }
    values = [v for points in series.values() for _, v in points]
    steps = max([int(curve.get("steps") or 0), *(s for p in series.values() for s, _ in p), 1])
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(step: float) -> float:
        return LEFT + plot_w * (step / steps)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#888" '
        'stroke-width="1"/>',
    ]
    for value in (low, (low + high) / 2, high):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#444" font-family="sans-serif">{_number(value)}</text>'
        )
    for step in (0, steps // 2, steps):
        parts.append(
            f'<text x="{x(step):.1f}" y="{TOP + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="#444" font-family="sans-serif">{step}</text>'
        )
    parts.append(
        f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 30}" font-size="11" '
        'text-anchor="middle" fill="#444" font-family="sans-serif">step</text>'
    )
    for index, (name, points) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
        if len(points) == 1:
            s, v = points[0]
            parts.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        else:
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        legend_x = LEFT + 150 * index
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 14}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{HEIGHT - 9}" font-size="11" fill="#222" '
            f'font-family="sans-serif">{escape(LABELS.get(name, name))} '
            f"({_number(points[-1][1])})</text>"
        )
    if not series:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" font-size="13" text-anchor="middle" '
            'fill="#666" font-family="sans-serif">No steps yet</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
