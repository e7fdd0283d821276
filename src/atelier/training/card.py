"""A trained model's card as Markdown: what it is, what it was trained on and how, what it
measured, what its works may be used for (its lineage), and how to use it."""

from __future__ import annotations

import json
from typing import Any

# Metrics shown first, when a model has them: (key, what it is).
HEADLINES = {
    "melody": [
        ("validation_before", "held-out NLL per note, base model"),
        ("validation_after", "held-out NLL per note, this model"),
    ],
    "lora": [
        ("validation_before", "held-out denoising loss, base model"),
        ("validation_after", "held-out denoising loss, with the adapters"),
    ],
    "voice": [
        ("perplexity_base", "held-out perplexity, base model"),
        ("perplexity_other_examples", "held-out perplexity, other examples"),
        ("perplexity_voice", "held-out perplexity, this voice"),
    ],
}


def _figure(value: Any) -> str:
    if isinstance(value, dict) and "nll_per_note" in value:
        return f"{value['nll_per_note']:.3f}"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def headlines(kind: str, metrics: dict[str, Any]) -> list[tuple[str, str]]:
    """(what, figure) for the metrics a page shows first."""
    rows = [
        (what, _figure(metrics[key])) for key, what in HEADLINES.get(kind, []) if key in metrics
    ]
    comparison = metrics.get("comparison")
    if kind == "style" and comparison:
        rows += [
            (
                "style distance to held-out pictures, house style",
                _figure(comparison["house_style"]),
            ),
            (
                f"the same, nearest preset ({comparison['nearest_preset']['index']})",
                _figure(comparison["nearest_preset"]["distance"]),
            ),
        ]
    return rows


def markdown(data: dict[str, Any]) -> str:
    """The card of a model as the API shows it (web/api/models.py ModelOut)."""
    config = json.dumps(data["config"], indent=1, sort_keys=True)
    lines = [
        f"# Model card: {data['name']}",
        "",
        f"- Id: `{data['id']}`; kind: {data['kind']} ({data['medium']})",
        f"- Made by: `{data['engine']}`",
        f"- Base: {data['base']}",
        f"- Dataset: {data['dataset_name']}, version `{data['manifest_sha256']}`",
        f"- Weights: `{data['weights_sha256']}` ({data['weights_size']:,} bytes)",
        f"- Works made with it may be sold: {'yes' if data['commercial_use'] else 'no'}",
        "",
        "## Measured",
        "",
        "| what | figure |",
        "| --- | ---: |",
        *(f"| {what} | {value} |" for what, value in headlines(data["kind"], data["metrics"])),
        "",
        "## Lineage",
        "",
        "| name | kind | commercial use | licence |",
        "| --- | --- | --- | --- |",
        *(
            f"| {c['name']} | {c.get('kind', 'model')} | {'yes' if c['commercial_use'] else 'no'} "
            f"| {c['licence'].replace('|', '/')} |"
            for c in data["lineage"]
        ),
        "",
        "## How to use it",
        "",
        *(f"- `{use['engine']}` with `{use['param']}` = `{data['id']}`" for use in data["uses"]),
        "",
        "## Training configuration",
        "",
        "```json",
        config,
        "```",
        "",
    ]
    return "\n".join(lines)
