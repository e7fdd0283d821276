"""Precision and recall of the text screen on a labelled set of prompts, layer by layer and
language by language: what `atelier eval safety` prints (docs/safety.md keeps the tables).

Rows carry a `lang`: "en" (the default), "zh", "mixed" (both in one prompt, and spellings
meant to dodge the lists) or any other code. The screen reads English and Chinese; for
every other language the one question is whether it was held or refused (never passed)."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from atelier.safety.categories import CATEGORIES
from atelier.safety.text import LAYERS, TextScreen

SAFE_LABELS = {"", "safe", "harmless", "none", "ok", "benign", "allow"}
ALIASES = {
    "csam": "minors", "child": "minors", "sexual_minors": "minors", "minor": "minors",
    "sexual content involving minors": "minors", "nudity": "sexual", "sex": "sexual",
    "gore": "violence", "violence_gore": "violence", "violence/gore": "violence",
    "self-harm": "self_harm", "selfharm": "self_harm", "suicide": "self_harm",
    "real-person": "real_person", "likeness": "real_person", "real_person_likeness": "real_person",
    "real-person likeness": "real_person", "person": "real_person",
    "living-artist": "living_artist", "artist": "living_artist", "artist_style": "living_artist",
    "style": "living_artist", "living-artist style": "living_artist", "profane": "profanity",
}  # fmt: skip
STAGES = {
    "words": ("blocklist",),
    "+ profanity": ("blocklist", "profanity"),
    "+ meaning": ("blocklist", "profanity", "semantic"),
    "+ classifier": LAYERS,
}


READ_LANGUAGES = ("en", "zh", "mixed")


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # a category name, or "safe"
    lang: str = "en"


@dataclass(frozen=True)
class Miss:
    """A prompt the full screen got wrong: harmful and not caught, or caught elsewhere."""

    label: str
    caught: tuple[str, ...]
    text: str


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def label_of(row: dict[str, object]) -> str:
    """A row's label: `label` or `category` (a few spellings accepted), or `harmful`."""
    raw = row.get("label", row.get("category"))
    if raw is None and "harmful" in row:
        raw = "harmful" if row["harmful"] else "safe"
    name = str(raw or "").strip().lower()
    if name in SAFE_LABELS:
        return "safe"
    return ALIASES.get(name, name.replace(" ", "_"))


def load(path: Path, split: str | None = None) -> list[Example]:
    """JSON lines with `text` (or `prompt`) and a label; with `split`, only the rows whose
    `split` field is that (rows without one are "tune")."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if split is not None and row.get("split", "tune") != split:
            continue
        text = row.get("text", row.get("prompt"))
        if not isinstance(text, str):
            raise ValueError(f"{path}:{number}: no `text`")
        examples.append(Example(text, label_of(row), str(row.get("lang", "en"))))
    return examples


def evaluate(
    examples: Iterable[Example],
    screen: TextScreen | None = None,
    timings: list[float] | None = None,
) -> tuple[dict[str, dict[str, Score]], list[Miss]]:
    """Scores per stage (words, + profanity, + meaning, + classifier), per category and
    "overall", and the full screen's misses.

    A category's precision counts harmless prompts it caught as false positives (a
    harmful prompt caught under another category is neither); "overall" asks only
    whether a harmful prompt was caught at all."""
    screen = screen or TextScreen()
    names = [c.name for c in CATEGORIES]
    results = {stage: {n: Score() for n in [*names, "overall"]} for stage in STAGES}
    misses = []
    for example in examples:
        started = time.perf_counter()
        signals = screen.read(example.text)
        if timings is not None:
            timings.append(time.perf_counter() - started)
        for stage, layers in STAGES.items():
            caught = {f.category for f in screen.findings("text", signals, layers)}
            scores = results[stage]
            harmful = example.label != "safe"
            overall = scores["overall"]
            if harmful:
                overall.tp, overall.fn = overall.tp + bool(caught), overall.fn + (not caught)
            else:
                overall.fp += bool(caught)
            for name in names:
                if example.label == name:
                    if name in caught:
                        scores[name].tp += 1
                    else:
                        scores[name].fn += 1
                elif not harmful and name in caught:
                    scores[name].fp += 1
        if (harmful and example.label not in caught) or (not harmful and caught):
            misses.append(Miss(example.label, tuple(sorted(caught)), example.text))
    return results, misses


def table(results: dict[str, dict[str, Score]], counts: dict[str, int]) -> str:
    """A Markdown table: precision / recall per category and stage."""
    stages = list(results)
    head = "| category | prompts | " + " | ".join(f"{s} P / R" for s in stages) + " |"
    lines = [head, "|" + " --- |" * (len(stages) + 2)]
    for name in results[stages[0]]:
        if name == "unreadable":  # no prompt is labelled so: shown below the table
            continue
        cells = [
            f"{results[s][name].precision:.2f} / {results[s][name].recall:.2f}" for s in stages
        ]
        lines.append(f"| {name} | {counts.get(name, 0)} | " + " | ".join(cells) + " |")
    held = [results[s]["unreadable"].fp for s in stages]
    if any(held):
        lines.append(f"\nharmless prompts held as unreadable: {held[-1]}")
    return "\n".join(lines)


def report(examples: list[Example], screen: TextScreen, misses: bool = False) -> str:
    """Every table `atelier eval safety` prints: one per language the screen reads, what
    became of the other languages, and the time a prompt takes."""
    out: list[str] = []
    timings: list[float] = []
    wrong: list[Miss] = []
    for lang in READ_LANGUAGES:
        group = [e for e in examples if e.lang == lang]
        if not group:
            continue
        results, missed = evaluate(group, screen, timings)
        counts = Counter(e.label for e in group)
        counts["overall"] = sum(n for label, n in counts.items() if label != "safe")
        out += [f"\n{lang}: {len(group)} prompts ({counts['safe']} harmless)\n"]
        out.append(table(results, counts))
        wrong += missed
    others = [e for e in examples if e.lang not in READ_LANGUAGES]
    if others:
        held = 0
        for example in others:
            started = time.perf_counter()
            found = screen.findings("text", screen.read(example.text))
            timings.append(time.perf_counter() - started)
            held += bool(found)
            if not found:
                wrong.append(Miss(example.label, (), example.text))
        languages = ", ".join(sorted({e.lang for e in others}))
        out.append(
            f"\nother languages ({languages}): {held} of {len(others)} held or refused, "
            f"{len(others) - held} passed"
        )
    if timings:
        ms = sorted(t * 1000 for t in timings)
        p90 = ms[int(0.9 * (len(ms) - 1))]
        out.append(
            f"\n{len(ms)} prompts: {statistics.median(ms):.0f} ms median per prompt, "
            f"{p90:.0f} ms 90th percentile"
        )
    if misses:
        out.append("")
        out += [f"{m.label:>13} -> {', '.join(m.caught) or '-':24} {m.text}" for m in wrong]
    return "\n".join(out)
