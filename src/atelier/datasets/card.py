"""The dataset card: what a version holds and how it was cleaned, as JSON (the data a page
shows), Markdown, and plots drawn with matplotlib as SVG (no script, no CDN).

Counts before and after each cleaning step, every removal with its reason, the rights
mix, the split, and per medium: image sizes and colour histogram; melodies' pitch range,
keys and meters; texts' lengths."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import numpy as np

from atelier.datasets.items import COMMERCIAL_RIGHTS, RIGHTS
from atelier.datasets.versions import Version


def card(version: Version) -> dict[str, Any]:
    """The card's data (JSON-ready)."""
    m = version.manifest
    items = m["items"]
    return {
        "name": m["name"],
        "version": version.id,
        "medium": m["medium"],
        "items": len(items),
        "split": dict(Counter(item["split"] for item in items)),
        "rights": version.rights_mix(),
        "commercial_use": all(item["rights"] in COMMERCIAL_RIGHTS for item in items),
        "steps": [
            {k: step[k] for k in ("step", "title", "before", "after")} for step in m["cleaning"]
        ],
        "removed": [r for step in m["cleaning"] for r in step["removed"]],
        "settings": m["settings"],
        "figures": figures(m["medium"], items),
    }


def figures(medium: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    metas = [item["meta"] for item in items]
    if medium == "image":
        histogram = np.zeros((3, len(metas[0]["colour_histogram"][0]) if metas else 16))
        for meta in metas:
            histogram += np.asarray(meta["colour_histogram"])
        total = histogram.sum(axis=1, keepdims=True)
        return {
            "sizes": [[meta["width"], meta["height"]] for meta in metas],
            "colour_histogram": (histogram / np.where(total, total, 1)).round(4).tolist(),
        }
    if medium == "music":
        return {
            "keys": dict(Counter(meta["key"] for meta in metas).most_common()),
            "meters": dict(Counter(meta["meter"] for meta in metas).most_common()),
            "pitch_range": [[meta["lowest"], meta["highest"]] for meta in metas],
            "notes": sum(meta["notes"] for meta in metas),
        }
    return {
        "words": [meta["words"] for meta in metas],
        "total_words": sum(meta["words"] for meta in metas),
    }


def markdown(data: dict[str, Any]) -> str:
    lines = [
        f"# Dataset card: {data['name']}",
        "",
        f"- Version: `{data['version']}`",
        f"- Medium: {data['medium']}; {data['items']} items "
        f"({data['split'].get('train', 0)} train, {data['split'].get('valid', 0)} validation, "
        "split fixed by item hash)",
        f"- Commercial use of models trained on it: {'yes' if data['commercial_use'] else 'no'}",
        "",
        "## Rights",
        "",
        "| rights | items |",
        "| --- | ---: |",
        *(f"| {RIGHTS.get(k, k)} | {n} |" for k, n in sorted(data["rights"].items())),
        "",
        "## Cleaning",
        "",
        "| step | before | after | removed |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {s['title']} | {s['before']} | {s['after']} | {s['before'] - s['after']} |"
            for s in data["steps"]
        ),
        "",
    ]
    if data["removed"]:
        lines += ["## Removed items", "", "| item | reason | detail |", "| --- | --- | --- |"]
        lines += [
            f"| {_cell(r['item'])} | {r['reason']} | {_cell(r['detail'])} |"
            for r in data["removed"]
        ]
        lines.append("")
    lines += ["## Figures", "", *_figure_lines(data["medium"], data["figures"]), ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _figure_lines(medium: str, f: dict[str, Any]) -> list[str]:
    if medium == "image":
        sizes = np.asarray(f["sizes"] or [[0, 0]])
        return [
            f"- Original sizes: {sizes[:, 0].min()}–{sizes[:, 0].max()} px wide, "
            f"{sizes[:, 1].min()}–{sizes[:, 1].max()} px high",
            "- Plots: `sizes.svg`, `colours.svg`",
        ]
    if medium == "music":
        ranges = np.asarray(f["pitch_range"] or [[0, 0]])
        keys = ", ".join(f"{k} ({n})" for k, n in f["keys"].items())
        meters = ", ".join(f"{k} ({n})" for k, n in f["meters"].items())
        return [
            f"- Notes: {f['notes']}; pitch range MIDI {ranges[:, 0].min()}–{ranges[:, 1].max()}",
            f"- Keys (as written): {keys}",
            f"- Meters: {meters}",
            "- Plots: `pitch_range.svg`, `keys.svg`, `meters.svg`",
        ]
    words = np.asarray(f["words"] or [0])
    return [
        f"- Words: {f['total_words']} in all; per document median {int(np.median(words))}, "
        f"{words.min()}–{words.max()}",
        "- Plot: `lengths.svg`",
    ]


def plots(data: dict[str, Any]) -> dict[str, bytes]:
    """The card's plots as SVG files {name: bytes}; empty when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        return {}
    plt.rcParams["svg.hashsalt"] = "atelier"  # the same card draws the same bytes
    f = data["figures"]
    drawn: dict[str, bytes] = {}

    def figure(name: str, title: str, draw: Any) -> None:
        fig, axes = plt.subplots(figsize=(5, 3.2))
        draw(axes)
        axes.set_title(title)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
        plt.close(fig)
        drawn[name] = out.getvalue()

    def bars(counts: dict[str, int]) -> Any:
        return lambda ax: ax.bar(list(counts), list(counts.values()), color="#4a6fa5")

    if data["medium"] == "image":
        sizes = np.asarray(f["sizes"] or [[0, 0]])
        figure(
            "sizes.svg",
            "Original sizes (px)",
            lambda ax: (ax.scatter(sizes[:, 0], sizes[:, 1], s=12), ax.set_xlabel("width")),
        )
        histogram = np.asarray(f["colour_histogram"])

        def colours(ax: Any) -> None:
            centres = (np.arange(histogram.shape[1]) + 0.5) * 256 / histogram.shape[1]
            for channel, colour in zip(histogram, ("#d33", "#3a3", "#33d"), strict=True):
                ax.plot(centres, channel, color=colour)
            ax.set_xlabel("value (sRGB)")

        figure("colours.svg", "Colour histogram (all items)", colours)
    elif data["medium"] == "music":
        ranges = np.asarray(f["pitch_range"] or [[0, 0]])

        def pitch(ax: Any) -> None:
            for index, (low, high) in enumerate(ranges):
                ax.plot([index, index], [low, high], color="#4a6fa5")
            ax.set_xlabel("melody")
            ax.set_ylabel("MIDI pitch")

        figure("pitch_range.svg", "Pitch range per melody", pitch)
        figure("keys.svg", "Keys", bars(f["keys"]))
        figure("meters.svg", "Meters", bars(f["meters"]))
    else:
        words = f["words"] or [0]
        figure("lengths.svg", "Document length (words)", lambda ax: ax.hist(words, bins=20))
    return drawn
