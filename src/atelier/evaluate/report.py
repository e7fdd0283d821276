"""A comparison report as a folder: report.json, index.html, report.css, plots/*.png,
pairs/*.png; and the folder as one zip, the form in which the studio keeps it.

The page is static HTML and CSS with images beside it: no script, no inline style,
nothing fetched from elsewhere, so it opens from disk, from an admin page under the
studio's strict Content-Security-Policy, or from an archive years later.
Plots are matplotlib figures drawn straight to PNG (no pyplot state). The folder appears
whole or not at all: it is written under a temporary name beside `out`, then renamed."""

from __future__ import annotations

import html
import io
import json
import shutil
import uuid
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

GALLERY_SIDE = 384  # pictures in the gallery are at most this long
COLOURS = {"a": "#1f6fb4", "b": "#d9661f"}
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .6rem; text-align: left; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
code { background: #f3f3f3; padding: 0 .25rem; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.plots img { max-width: 100%; }
.pair { border-top: 1px solid #ddd; padding: .75rem 0; }
.pair .row { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #444; }
.better { font-weight: 600; }
"""


def write(report: dict[str, Any], pictures: dict[str, Image.Image], out: Path) -> None:
    """Write the report folder at `out` (which must not exist)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        (partial / "plots").mkdir(parents=True)
        (partial / "pairs").mkdir()
        files = {}
        for name, picture in pictures.items():
            small = picture.copy()
            small.thumbnail((GALLERY_SIDE, GALLERY_SIDE), Image.Resampling.LANCZOS)
            small.save(partial / "pairs" / f"{name}.png")
            files[name] = f"pairs/{name}.png"
        plots = _plots(report, partial / "plots")
        (partial / "report.json").write_text(
            json.dumps({**report, "files": files, "plots": plots}, indent=2, allow_nan=False)
            + "\n",
            encoding="utf-8",
        )
        (partial / "index.html").write_text(_page(report, files, plots), encoding="utf-8")
        (partial / "report.css").write_text(STYLE.lstrip(), encoding="utf-8")
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def archive(folder: Path) -> bytes:
    """The report folder as a zip (paths relative to it, in name order: the same folder
    gives the same bytes apart from the files' times, which are fixed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), (2000, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            packed.writestr(entry, path.read_bytes())
    return out.getvalue()


def sets_page(made: dict[str, Any], a: str, b: str) -> str:
    """An `eval image` report as a page: its table, named with the features."""
    from atelier.evaluate import image

    e = html.escape
    rows = [
        line.strip("|").split(" | ")
        for line in image.markdown(made).splitlines()
        if line.startswith("| ") and not line.startswith("| metric") and "---" not in line
    ]
    body = "".join(
        f"<tr><td>{e(k.strip())}</td><td class=num>{e(v.strip())}</td></tr>" for k, v in rows
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(b)} against {e(a)}</title>
<link rel="stylesheet" href="report.css">
</head>
<body>
<h1>{e(b)} against {e(a)}</h1>
<p>A (the reference): <code>{e(a)}</code>, {made["images"]["a"]} images; B (judged):
<code>{e(b)}</code>, {made["images"]["b"]} images. Features: {e(made["features"]["label"])}.</p>
<table><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>{body}</tbody></table>
</body>
</html>
"""


# -- plots -----------------------------------------------------------------------------


def _save(figure: Figure, path: Path) -> None:
    FigureCanvasAgg(figure)
    figure.savefig(path, dpi=100)


def _plots(report: dict[str, Any], folder: Path) -> dict[str, str]:
    """summary.png (means with intervals), wins.png, and per metric its paired values."""
    metrics = {k: v for k, v in report["metrics"].items() if v["units"]}
    labels = {side: report[side]["label"] for side in ("a", "b")}
    plots: dict[str, str] = {}

    figure = Figure(figsize=(7, 0.9 + 0.75 * len(metrics)), layout="constrained")
    for row, entry in enumerate(metrics.values()):
        axes = figure.add_subplot(len(metrics), 1, row + 1)
        for position, side in enumerate(("b", "a")):
            low, high = entry[side]["ci"]
            mean = entry[side]["mean"]
            axes.errorbar(
                [mean], [position], xerr=[[mean - low], [high - mean]], fmt="o",
                color=COLOURS[side], capsize=4, label=labels[side],
            )  # fmt: skip
        axes.set_yticks([0, 1], [labels["b"], labels["a"]])
        axes.set_ylim(-0.6, 1.6)
        arrow = "↑" if entry["higher_is_better"] else "↓"
        axes.set_title(f"{entry['title']} {arrow}", fontsize=9, loc="left")
        axes.tick_params(labelsize=8)
    figure.suptitle(f"Means with {int(report['bootstrap']['confidence'] * 100)} % intervals")
    _save(figure, folder / "summary.png")
    plots["summary"] = "plots/summary.png"

    figure = Figure(figsize=(7, 1.3 + 0.45 * len(metrics)), layout="constrained")
    axes = figure.add_subplot()
    names = list(metrics)
    left = np.zeros(len(names))
    for key, colour, title in (
        ("a", COLOURS["a"], f"{labels['a']} better"),
        ("tie", "#bbbbbb", "tie"),
        ("b", COLOURS["b"], f"{labels['b']} better"),
    ):
        counts = np.array([metrics[n]["wins"][key] for n in names], dtype=float)
        axes.barh(names, counts, left=left, color=colour, label=title)
        left += counts
    axes.invert_yaxis()
    axes.set_xlabel("items × seeds")
    figure.legend(fontsize=8, loc="outside lower center", ncols=3)
    _save(figure, folder / "wins.png")
    plots["wins"] = "plots/wins.png"

    for name, entry in metrics.items():
        pairs = [
            (u["a"][name], u["b"][name])
            for u in report["units"]
            if u["a"].get(name) is not None and u["b"].get(name) is not None
        ]
        figure = Figure(figsize=(4, 3.2), layout="constrained")
        axes = figure.add_subplot()
        for value_a, value_b in pairs:
            axes.plot([0, 1], [value_a, value_b], color="#999999", linewidth=0.8, alpha=0.7)
        for position, side in enumerate(("a", "b")):
            low, high = entry[side]["ci"]
            mean = entry[side]["mean"]
            axes.errorbar(
                [position], [mean], yerr=[[mean - low], [high - mean]], fmt="o",
                color=COLOURS[side], capsize=5, markersize=7,
            )  # fmt: skip
        axes.set_xticks([0, 1], [labels["a"], labels["b"]])
        axes.set_xlim(-0.4, 1.4)
        arrow = "higher is better" if entry["higher_is_better"] else "lower is better"
        axes.set_title(f"{entry['title']}\n({arrow})", fontsize=9)
        _save(figure, folder / f"metric-{name}.png")
        plots[name] = f"plots/metric-{name}.png"
    return plots


# -- the page --------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _interval(entry: dict[str, Any]) -> str:
    low, high = entry["ci"]
    return f"{_number(entry['mean'])} <small>[{_number(low)}, {_number(high)}]</small>"


def _page(report: dict[str, Any], files: dict[str, str], plots: dict[str, str]) -> str:
    e = html.escape
    a, b = report["a"]["label"], report["b"]["label"]
    confidence = int(report["bootstrap"]["confidence"] * 100)
    rows = []
    for entry in report["metrics"].values():
        arrow = "↑" if entry["higher_is_better"] else "↓"
        if not entry["units"]:
            rows.append(
                f"<tr><td>{e(entry['title'])} {arrow}</td><td colspan=4>no scores</td></tr>"
            )
            continue
        wins = entry["wins"]
        rows.append(
            f"<tr><td>{e(entry['title'])} {arrow}</td>"
            f"<td class=num>{_interval(entry['a'])}</td><td class=num>{_interval(entry['b'])}</td>"
            f"<td class=num>{_interval(entry['difference'])}</td>"
            f"<td class=num>{wins['a']} / {wins['tie']} / {wins['b']}</td></tr>"
        )
    figures = "".join(
        f'<figure><img src="{e(path)}" alt="{e(key)} plot"></figure>' for key, path in plots.items()
    )
    pairs = [_pair(number, unit, report, files) for number, unit in enumerate(report["units"])]
    notes = "".join(f"<li>{e(note)}</li>" for note in report["notes"])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(report["engine"])}: {e(a)} against {e(b)}</title>
<link rel="stylesheet" href="report.css">
</head>
<body>
<h1>{e(report["engine"])}: {e(a)} against {e(b)}</h1>
<p>A, <strong>{e(a)}</strong>: <code>{e(json.dumps(report["a"]["params"]))}</code><br>
B, <strong>{e(b)}</strong>: <code>{e(json.dumps(report["b"]["params"]))}</code><br>
{report["items"]} items × seeds {e(", ".join(str(s) for s in report["seeds"]))}
= {len(report["units"])} pairs.</p>
<h2>Metrics</h2>
<table>
<thead><tr><th>metric</th><th>A: {e(a)}</th><th>B: {e(b)}</th><th>B − A</th>
<th>wins A / tie / B</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table>
<p>Means with {confidence} % paired bootstrap intervals
({report["bootstrap"]["resamples"]} resamples of the pairs, seed {report["bootstrap"]["seed"]}).</p>
<div class="plots">{figures}</div>
<h2>Pairs</h2>
{"".join(pairs)}
<h2>Notes</h2>
<ul>{notes}</ul>
</body>
</html>
"""


def _caption(shown: str) -> str:
    """'style-b' is side B's own style picture."""
    return f"{shown.removesuffix('-b')} (B)" if shown.endswith("-b") else shown


def _pair(number: int, unit: dict[str, Any], report: dict[str, Any], files: dict[str, str]) -> str:
    e = html.escape
    item = unit["input"]
    what = item.get("prompt") or ", ".join(f"{k}: {v}" for k, v in item.items())
    if unit.get("note"):
        what += f" ({unit['note']})"
    cells = [
        f'<figure><img src="{e(files[f"{number:03d}-{name}"])}" alt="{e(name)}, pair {number + 1}">'
        f"<figcaption>{e(_caption(name))}</figcaption></figure>"
        for name in unit["shown"]
    ]
    for side in ("a", "b"):
        other = "b" if side == "a" else "a"
        scores = []
        for name, value in unit[side].items():
            metric = report["metrics"][name]
            theirs = unit[other].get(name)
            better = (
                value is not None
                and theirs is not None
                and not np.isclose(value, theirs, rtol=1e-9, atol=1e-12)
                and (value > theirs) == metric["higher_is_better"]
            )
            mark = ' class="better"' if better else ""
            scores.append(f"<span{mark}>{e(name)} {_number(value)}</span>")
        label = report[side]["label"]
        source = files[f"{number:03d}-{side}"]
        cells.append(
            f'<figure><img src="{e(source)}" alt="{e(label)}, pair {number + 1}">'
            f"<figcaption><strong>{side.upper()}: {e(label)}</strong><br>"
            f"{'<br>'.join(scores)}</figcaption></figure>"
        )
    return (
        f'<section class="pair"><h3>{number + 1}. {e(what)}, seed {unit["seed"]}</h3>'
        f'<div class="row">{"".join(cells)}</div></section>'
    )
