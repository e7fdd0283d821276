"""Quality over time as a picture: one line per engine and model (or setting) through
its values, drawn by matplotlib straight to SVG on the server (no pyplot state, no
script, nothing fetched), for the admin pages to show as an <img>."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

Point = tuple[datetime, float]
COLOURS = ("#1f6fb4", "#d9661f", "#2e8b57", "#8e44ad", "#b8860b", "#c0392b", "#16a085")


def line_plot(
    series: Mapping[str, Sequence[Point]],
    title: str,
    ylabel: str,
    ylim: tuple[float, float] | None = None,
) -> bytes:
    """An SVG: each series a line with its points marked, in time order; a plot that says
    so when there is nothing to draw yet."""
    figure = Figure(figsize=(7.5, 3.6), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    drawn = False
    for number, (name, points) in enumerate(sorted(series.items())):
        ordered = sorted(points)
        if not ordered:
            continue
        times, values = zip(*ordered, strict=True)
        colour = COLOURS[number % len(COLOURS)]
        axes.plot(times, values, marker="o", markersize=4, color=colour, label=name)
        drawn = True
    if drawn:
        locator = AutoDateLocator()
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.legend(fontsize=8, loc="best")
    else:
        axes.text(0.5, 0.5, "nothing to plot yet", ha="center", va="center", color="#666")
        axes.set_xticks([])
    if ylim is not None:
        axes.set_ylim(*ylim)
    axes.set_title(title, fontsize=10, loc="left")
    axes.set_ylabel(ylabel, fontsize=9)
    axes.tick_params(labelsize=8)
    axes.grid(alpha=0.3)
    out = io.BytesIO()
    with rc_context({"svg.fonttype": "none"}):  # words as <text>: smaller, and readable
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
