"""Train the text screen's learned layer (src/atelier/safety/classifier.py) and measure it.

Reads tests/data/moderation_prompts.jsonl, reads every prompt with the screen (the meaning
layer's e5 vectors, and the other layers' signals for measuring), then:

1. leave-one-split-out: for each split, fits on the other splits and scores that one, so
   every prompt gets probabilities from a model that never saw its split;
2. picks the threshold and the agreement level on those out-of-fold probabilities
   (THRESHOLDS and AGREES: the pair whose worse language, en or zh, comes nearest the
   goals P 0.95 / R 0.98, as the smaller of P / 0.95 and R / 0.98), and
   prints the full screen's precision / recall per language and split without and with
   the classifier, both out-of-fold: what docs/safety.md reports;
3. fits on every split and writes src/atelier/safety/classifier.npz, with the data's
   SHA-256 (tests check that the committed weights were made from the committed data).

Deterministic (lbfgs, fixed data order). A few minutes on two cores:

    PYTHONPATH=src python scripts/train_safety_classifier.py [--check]

`--check` writes nothing: it says whether the committed weights are what the data makes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from atelier.safety import classifier, encoder
from atelier.safety.classifier import LABELS, Classifier
from atelier.safety.evaluate import label_of
from atelier.safety.text import LAYERS, Signals, TextScreen

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "moderation_prompts.jsonl"
C = 0.03  # inverse regularisation on standardised vectors (chosen out-of-fold, docs)
THRESHOLDS = (0.6, 0.7, 0.8, 0.9)
AGREES = (0.0, 0.02, 0.05, 0.1, 0.2)  # 0.0: the meaning layer needs no agreement
LANGUAGES = ("en", "zh")
GOALS = (0.95, 0.98)  # precision, recall
BEFORE = ("blocklist", "profanity", "semantic")


def rows(path: Path) -> list[dict[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else None
        if row is not None and row.get("split") not in classifier.BLIND_SPLITS:
            found.append(
                {
                    "text": row["text"],
                    "label": label_of(row),
                    "lang": str(row.get("lang", "en")),
                    "split": str(row.get("split", "tune")),
                }
            )
    return found


def fit(vectors: np.ndarray, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias on raw vectors (the standardisation folded in)."""
    scaler = StandardScaler().fit(vectors)
    target = np.array([LABELS.index(label) for label in labels])
    model = LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(vectors), target)
    weights = model.coef_ / scaler.scale_
    bias = model.intercept_ - (model.coef_ * scaler.mean_ / scaler.scale_).sum(axis=1)
    return weights, bias


def whole(signals: Signals) -> np.ndarray | None:
    """The whole prompt's vector (the first piece), or none: a one-word prompt is not read
    by the meaning layer."""
    reading = signals.reading
    return reading.vectors[0] if reading is not None and len(reading.vectors) else None


def trainable(data: list[dict[str, str]], read: list[Signals], keep: list[bool]) -> tuple:
    chosen = [
        i
        for i, row in enumerate(data)
        if keep[i] and row["label"] in LABELS and whole(read[i]) is not None
    ]
    vectors = np.stack([whole(read[i]) for i in chosen])  # type: ignore[misc]
    return vectors, [data[i]["label"] for i in chosen]


def score(
    screen: TextScreen,
    data: list[dict[str, str]],
    read: list[Signals],
    layers: tuple[str, ...],
    by: str = "lang",
) -> dict[tuple[str, ...], tuple[int, int, int]]:
    """(true positives, false positives, false negatives) of "caught at all", per language
    (and split, with by="split")."""
    counts: dict[tuple[str, ...], Counter[str]] = {}
    for row, signals in zip(data, read, strict=True):
        if row["lang"] not in LANGUAGES:
            continue
        caught = bool(screen.findings("text", signals, layers))
        harmful = row["label"] != "safe"
        key = (row["lang"],) if by == "lang" else (row["lang"], row["split"])
        tally = counts.setdefault(key, Counter())
        tally["tp"] += harmful and caught
        tally["fp"] += caught and not harmful
        tally["fn"] += harmful and not caught
    return {k: (c["tp"], c["fp"], c["fn"]) for k, c in counts.items()}


def pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=classifier.WEIGHTS)
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args()
    data = rows(args.data)
    digest = hashlib.sha256(classifier.training_bytes(args.data)).hexdigest()
    zero = np.zeros((len(LABELS), encoder.DIMENSIONS))
    blank = Classifier(LABELS, zero, np.zeros(len(LABELS)), {}, 0.0)
    screen = TextScreen(learned=blank)
    print(f"reading {len(data)} prompts…", file=sys.stderr)
    read = [screen.read(row["text"], LAYERS) for row in data]

    # 1. Out-of-fold probabilities, one split held out at a time.
    splits = sorted({row["split"] for row in data})
    for held in splits:
        keep = [row["split"] != held for row in data]
        fold = Classifier(LABELS, *fit(*trainable(data, read, keep)), {}, 0.0)
        for row, signals in zip(data, read, strict=True):
            if row["split"] == held and signals.reading is not None:
                signals.classes = fold.scores(signals.reading.vectors)

    # 2. The threshold and agreement level, on the out-of-fold probabilities.
    def use(threshold: float, agree: float) -> None:
        thresholds = dict.fromkeys(LABELS[1:], threshold)
        screen.classifier = Classifier(LABELS, zero, blank.bias, thresholds, agree)

    def worst(threshold: float, agree: float) -> tuple[float, float]:
        """The worse language's nearness to the goals; on a tie, the worse precision."""
        use(threshold, agree)
        found = [pr(*c) for c in score(screen, data, read, LAYERS).values()]
        nearness = min(min(p / GOALS[0], r / GOALS[1]) for p, r in found)
        return round(nearness, 4), min(p for p, _ in found)

    pairs = [(t, a) for t in THRESHOLDS for a in AGREES]
    threshold, agree = max(pairs, key=lambda pair: worst(*pair))
    use(threshold, agree)
    print(f"threshold {threshold}, agreement {agree} (C {C})")
    print("| language | split | prompts (harmful) | without P / R | with, out-of-fold P / R |")
    print("| --- | --- | --- | --- | --- |")
    before = score(screen, data, read, BEFORE, "split")
    after = score(screen, data, read, LAYERS, "split")
    for key in sorted(after):
        tp, fp, fn = after[key]
        cells = ["{:.2f} / {:.2f}".format(*pr(*counts)) for counts in (before[key], after[key])]
        print(f"| {key[0]} | {key[1]} | {tp + fp + fn} ({tp + fn}) | " + " | ".join(cells) + " |")
    before = score(screen, data, read, BEFORE)
    for key, counts in sorted(score(screen, data, read, LAYERS).items()):
        tp, fp, fn = counts
        cells = ["{:.3f} / {:.3f}".format(*pr(*c)) for c in (before[key], counts)]
        print(f"| {key[0]} | all | {tp + fp + fn} ({tp + fn}) | " + " | ".join(cells) + " |")

    # 3. The weights, from every split.
    chosen = dict.fromkeys(LABELS[1:], threshold)
    weights, bias = fit(*trainable(data, read, [True] * len(data)))
    final = Classifier(LABELS, weights, bias, chosen, agree, digest)
    if args.check:
        committed = classifier.load(args.out)
        same = (committed.thresholds, committed.agree, committed.data) == (
            final.thresholds,
            final.agree,
            final.data,
        )
        same = same and np.allclose(committed.weights, final.weights, atol=1e-4)
        print("the committed weights are what the data makes" if same else "they differ")
        return 0 if same else 1
    final.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
