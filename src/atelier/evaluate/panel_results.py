"""A panel's results from its items and votes: per criterion, each model's mean rating
with an interval (rate panels) or its win rate and Bradley–Terry strength (A/B panels),
and Krippendorff's alpha between the reviewers (ordinal for ratings, nominal for
choices); and the votes as CSV, one row per vote and criterion."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from atelier.evaluate import judgements
from atelier.evaluate.models import PanelItem, PanelVote


def _labels(items: Sequence[PanelItem]) -> list[str]:
    found = [item.a_label for item in items] + [i.b_label for i in items if i.b_label]
    return sorted(set(found))


def _rated(criterion: str, items: Sequence[PanelItem], votes: Sequence[PanelVote]) -> dict:
    by_item: dict[str, list[int]] = defaultdict(list)
    for vote in votes:
        if isinstance(vote.answers.get(criterion), int):
            by_item[vote.item_id].append(vote.answers[criterion])
    labels: dict[str, Any] = {}
    for label in _labels(items):
        groups = [by_item[i.id] for i in items if i.a_label == label and by_item[i.id]]
        labels[label] = (
            judgements.mean_interval(groups) if groups else {"mean": None, "ci": None, "n": 0}
        )
    units = [by_item[item.id] for item in items]
    return {
        "labels": labels,
        "alpha": judgements.krippendorff_alpha(units, "ordinal"),
        "alpha_level": "ordinal",
    }


def _chosen(criterion: str, items: Sequence[PanelItem], votes: Sequence[PanelVote]) -> dict:
    items_by_id = {item.id: item for item in items}
    by_item: dict[str, list[str]] = defaultdict(list)
    outcomes: list[tuple[str, str]] = []
    for vote in votes:
        side = vote.answers.get(criterion)
        item = items_by_id[vote.item_id]
        if side not in ("a", "b") or item.b_label is None:
            continue
        by_item[item.id].append(side)
        pair = (item.a_label, item.b_label)
        outcomes.append(pair if side == "a" else (pair[1], pair[0]))
    labels = _labels(items)
    rates: dict[str, Any] = {}
    for label in labels:
        wins = sum(1 for winner, _ in outcomes if winner == label)
        games = sum(1 for pair in outcomes if label in pair)
        rates[label] = {
            "wins": wins,
            "comparisons": games,
            "win_rate": wins / games if games else None,
            "ci": judgements.wilson(wins, games),
        }
    return {
        "labels": rates,
        "bradley_terry": judgements.bradley_terry(labels, outcomes) if outcomes else {},
        "alpha": judgements.krippendorff_alpha([by_item[item.id] for item in items], "nominal"),
        "alpha_level": "nominal",
    }


def summarise(
    kind: str,
    criteria: Sequence[dict[str, str]],
    items: Sequence[PanelItem],
    votes: Sequence[PanelVote],
) -> dict[str, Any]:
    """Per criterion: the models' numbers and the reviewers' agreement."""
    judge = _rated if kind == "rate" else _chosen
    return {
        "items": len(items),
        "votes": len(votes),
        "reviewers": len({vote.reviewer_id for vote in votes}),
        "confidence": judgements.CONFIDENCE,
        "criteria": [
            {"key": c["key"], "title": c["title"], **judge(c["key"], items, votes)}
            for c in criteria
        ],
    }


def _cell(value: object) -> object:
    """A text cell a spreadsheet would read as a formula is quoted (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(
    criteria: Sequence[dict[str, str]],
    items: Sequence[PanelItem],
    votes: Sequence[PanelVote],
    reviewer_names: dict[str, str],
) -> str:
    """Every answer: item, its brief and models, reviewer, criterion, answer (1–5, or the
    side chosen and its model), whether B was shown on the left, and when."""
    items_by_id = {item.id: item for item in items}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "item",
            "brief",
            "model_a",
            "model_b",
            "reviewer",
            "criterion",
            "answer",
            "chosen_model",
            "b_shown_left",
            "voted_at",
        ]
    )
    ordered = sorted(votes, key=lambda v: (items_by_id[v.item_id].position, v.created_at))
    for vote in ordered:
        item = items_by_id[vote.item_id]
        for criterion in criteria:
            answer = vote.answers.get(criterion["key"])
            chosen = {"a": item.a_label, "b": item.b_label}.get(str(answer), "")
            row = [
                item.position + 1,
                item.brief,
                item.a_label,
                item.b_label or "",
                reviewer_names.get(vote.reviewer_id, vote.reviewer_id),
                criterion["title"],
                answer,
                chosen,
                "yes" if vote.swapped else "no",
                vote.created_at.isoformat(timespec="seconds") + "Z",
            ]
            writer.writerow([_cell(value) for value in row])
    return out.getvalue()
