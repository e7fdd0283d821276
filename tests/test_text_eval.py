"""`atelier eval text` on a one-item set per engine: every metric is there, before (one
draft) and after reranking, and the numbers are what the outputs say they are."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from atelier.cli import main
from atelier.evaluate import text
from atelier.settings import get_settings
from tests.support.settings import ASSETS

pytestmark = pytest.mark.slow
DATA = {
    "write": [
        {
            "id": "haiku",
            "params": {"form": "haiku", "topic": "rain on a tin roof", "keywords": ["rain"]},
            "reference": "Rain on the tin roof\ndrumming through the long dark night\nthen a"
            " quiet drip",
        }
    ],
    "restyle": [
        {
            "id": "formal",
            "params": {"text": "Can't come tomorrow, sorry.", "style": "formal", "max_tokens": 24},
            "reference": "I regret that I will be unable to attend tomorrow.",
            "reversed": "I shall certainly attend tomorrow.",
        }
    ],
    "summarize": [
        {
            "id": "line",
            "params": {
                "length": "one_line",
                "text": "The bridge over the river will close for repairs from May to July. "
                "Buses will take a detour through the town centre, adding ten minutes.",
            },
            "reference": "The bridge closes for repairs from May to July, so buses detour.",
            "reversed": "The bridge stays open from May to July.",
        }
    ],
    "languages": [
        {
            "id": "zh",
            "engine": "text.summarize",
            "field": "text",
            "readable": False,
            "params": {"text": "桥将在五月到七月关闭维修。"},
        },
        {
            "id": "en",
            "engine": "text.summarize",
            "field": "text",
            "readable": True,
            "params": {"text": "The bridge will close for repairs."},
        },
    ],
}


def test_distinct_n_counts_repeated_ngrams() -> None:
    assert text.distinct_n(["a b a b"], 1) == 0.5 and text.distinct_n(["a b a b"], 2) == 2 / 3
    assert text.distinct_n(["a b", "c d"], 2) == 1.0


def test_eval_text_reports_every_metric(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "eval.json"
    data.write_text(json.dumps(DATA))
    monkeypatch.setenv("ATELIER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ATELIER_ASSETS_DIR", str(ASSETS))
    monkeypatch.setenv("ATELIER_ENGINE_THREADS", "1")
    get_settings.cache_clear()
    out = tmp_path / "report.json"
    try:
        result = CliRunner().invoke(
            main, ["eval", "text", "--data", str(data), "--candidates", "2", "--json", str(out)]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, (result.output, result.exception)
    assert "| `text.write` | 2 (reranked) |" in result.output
    report = json.loads(out.read_text())
    assert report["candidates"] == 2 and set(report["engines"]) == {
        "text.write",
        "text.restyle",
        "text.summarize",
    }
    for name, engine in report["engines"].items():
        for stage in ("before", "after"):
            scores = engine[stage]
            for metric in ("bleu", "chrf", "rouge1", "rouge2", "rougeL", "distinct_1"):
                assert 0 <= scores[metric] <= 100, (name, stage, metric)
            assert scores["perplexity"] > 1 and math.isfinite(scores["perplexity"])
            assert scores["checks_met"] == float(not engine["outputs"][0]["unmet"]) or (
                stage == "before"
            )
            assert ("similarity" in scores) == ("meaning_kept" in scores) == (name != "text.write")
        assert engine["outputs"][0]["after"]
    assert report["engines"]["text.restyle"]["after"]["changed"] in (0, 1)
    assert report["engines"]["text.summarize"]["after"]["ends_sentence"] in (0, 1)
    for name in ("text.restyle", "text.summarize"):  # both labels right, no model needed
        assert report["engines"][name]["meaning_check"] == {
            "references_kept": 1.0,
            "reversed_caught": 1.0,
        }
    assert report["languages"] == {"items": 2, "right": 2, "wrong": []}
    assert "Languages: 2 of 2 right" in result.output
    verse = report["engines"]["text.write"]
    assert 0 <= verse["before"]["verse_lines_ok"] <= 1 and verse["after"]["verse_meets_form"] in (
        0,
        1,
    )
