"""Train the text screen's learned layer and measure it: adapters for the meaning layer's
encoder (src/atelier/safety/tuned.py, written to tuned.npz) and a linear head over its
vectors (classifier.py, written to classifier.npz).

1. learns from every labelled prompt of tests/data/moderation_prompts.jsonl outside
   classifier.BLIND_SPLITS, each read as the screen's models read it (folded, codes
   removed): low-rank adapters on every layer of multilingual-e5-small and the head,
   together, a few epochs (deterministic: fixed seeds, fixed order);
2. reads the blind splits with the screen and the new layer, and picks the threshold and
   the agreement level on classifier.CHOOSING_SPLITS (THRESHOLDS and AGREES: the pair
   whose worse language, en or zh, comes nearest the goals P 0.95 / R 0.98, as the smaller
   of P / 0.95 and R / 0.98; on a tie, the one with the better precisions, the worse
   language's first);
3. prints the full screen's precision / recall per language and blind split without and
   with the learned layer (what docs/safety.md reports; test15 is chosen on by nothing),
   and writes both files with the data's SHA-256.

About half an hour on two cores (16,535 prompts to learn from, 1,978 blind ones read):

    PYTHONPATH=src python scripts/train_safety_classifier.py [--check]

`--check` writes nothing: it says whether the committed files are what the data makes
(within 1e-3: another machine sums floats in another order).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from torch import nn

from atelier.safety import classifier, e5_file, encoder, tuned
from atelier.safety.classifier import LABELS, Classifier
from atelier.safety.evaluate import label_of
from atelier.safety.semantic import wholes
from atelier.safety.text import LAYERS, Signals, TextScreen

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "moderation_prompts.jsonl"
SEED = 0
C = 0.03  # the starting head's inverse regularisation, on standardised vectors
RANK = 8  # adapters' rank: 8 and 16 scored alike on the choosing splits (docs/safety.md)
EPOCHS = 3
BATCH = 16
ADAPTER_RATE = 5e-4
HEAD_RATE = 1e-3
LONGEST = 128  # tokens learned from per prompt (a few labelled prompts are stories)
# Below 0.6 the encoder trained with train18 held kept everyday prompts (tests): "make it
# look like an old photograph" at 0.35 hate, "a dad takes his rifle to the shooting range"
# at 0.42 violence, a documentary "honouring the victims not the school shooter" at 0.597.
THRESHOLDS = (0.6, 0.7, 0.8, 0.9)
AGREES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)  # 0.0: the meaning layer needs no agreement
LANGUAGES = ("en", "zh")
GOALS = (0.95, 0.98)  # precision, recall
BEFORE = ("blocklist", "profanity", "semantic")


def rows(path: Path, blind: bool) -> list[dict[str, str]]:
    """The labelled prompts outside the blind splits (blind=False), or in them."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else None
        if row is not None and (row.get("split") in classifier.BLIND_SPLITS) == blind:
            found.append(
                {
                    "text": row["text"],
                    "label": label_of(row),
                    "lang": str(row.get("lang", "en")),
                    "split": str(row.get("split", "tune")),
                }
            )
    return found


def batches(ids: list[list[int]], rng: random.Random) -> list[list[int]]:
    """Shuffled batches of prompts of about one length (padding costs time)."""
    order = list(range(len(ids)))
    rng.shuffle(order)
    found = []
    for start in range(0, len(order), BATCH * 50):
        chunk = sorted(order[start : start + BATCH * 50], key=lambda i: len(ids[i]))
        found += [chunk[i : i + BATCH] for i in range(0, len(chunk), BATCH)]
    rng.shuffle(found)
    return found


def starting_head(vectors: np.ndarray, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A logistic regression on the untuned vectors: the head starts where the linear
    classifier over the frozen encoder stood. (From zero it cannot catch up: e5 puts any
    two texts at cosine 0.7 or more, so the head needs large weights, and in a few epochs
    it learned to say "safe" to everything.)"""
    scaler = StandardScaler().fit(vectors)
    target = np.array([LABELS.index(label) for label in labels])
    model = LogisticRegression(C=C, max_iter=5000).fit(scaler.transform(vectors), target)
    weights = model.coef_ / scaler.scale_
    bias = model.intercept_ - (model.coef_ * scaler.mean_ / scaler.scale_).sum(axis=1)
    return weights, bias


def untuned(model: tuned.Encoder, tokenizer: tuned.Tokenizer, ids: list[list[int]]) -> np.ndarray:
    """The encoder's vectors before training, in the order of `ids`."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    found = np.zeros((len(ids), encoder.DIMENSIONS), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(order), 64):
            chosen = order[start : start + 64]
            found[chosen] = model(
                *map(torch.from_numpy, tokenizer.padded([ids[i] for i in chosen]))
            ).numpy()
    return found


def learn(texts: list[str], labels: list[str]) -> tuple[tuned.Tokenizer, tuned.Encoder, nn.Linear]:
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    base = e5_file.read(e5_file.base_weights())
    tokenizer = tuned.Tokenizer(base)
    model = tuned.Encoder(base, RANK)
    ids = [tokenizer.ids(text)[:LONGEST] for text in texts]
    target = [LABELS.index(label) for label in labels]
    head = nn.Linear(encoder.DIMENSIONS, len(LABELS))
    weights, bias = starting_head(untuned(model, tokenizer, ids), labels)
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(weights))
        head.bias.copy_(torch.from_numpy(bias))
    optimiser = torch.optim.AdamW(
        [
            {"params": list(model.parameters()), "lr": ADAPTER_RATE},
            {"params": list(head.parameters()), "lr": HEAD_RATE},
        ],
        weight_decay=0.0,
    )
    steps = EPOCHS * (len(ids) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / 30) * max(0.0, 1 - step / steps)
    )
    model.train()
    step = 0
    while step < steps:
        for chosen in batches(ids, rng)[: steps - step]:
            logits = head(model(*map(torch.from_numpy, tokenizer.padded([ids[i] for i in chosen]))))
            loss = nn.functional.cross_entropy(logits, torch.tensor([target[i] for i in chosen]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 100 == 0:
                print(f"step {step}/{steps}: loss {loss.item():.3f}", file=sys.stderr)
    # what is committed is float16: measure that
    model.take({k: v.astype(np.float16).astype(np.float32) for k, v in model.trained().items()})
    return tokenizer, model.eval(), head


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
    parser.add_argument("--adapters", type=Path, default=tuned.ADAPTERS)
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args()
    digest = hashlib.sha256(classifier.training_bytes(args.data)).hexdigest()
    zero = np.zeros((len(LABELS), encoder.DIMENSIONS))
    blank = Classifier(LABELS, zero, np.zeros(len(LABELS)), {}, 0.0)
    screen = TextScreen(learned=blank)

    # 1. Learn.
    data = [row for row in rows(args.data, blind=False) if row["label"] in LABELS]
    texts = [(screen.model_texts(row["text"]) or [""])[0] for row in data]
    chosen = [i for i, text in enumerate(texts) if text]
    print(f"learning from {len(chosen)} prompts…", file=sys.stderr)
    tokenizer, model, head = learn([texts[i] for i in chosen], [data[i]["label"] for i in chosen])
    weights = head.weight.detach().numpy().astype(np.float64)
    bias = head.bias.detach().numpy().astype(np.float64)
    learned = Classifier(LABELS, weights, bias, {}, 0.0)

    # 2. Read the blind splits; choose on the choosing ones.
    held = rows(args.data, blind=True)
    print(f"reading {len(held)} blind prompts…", file=sys.stderr)
    read = []
    for row in held:
        signals = screen.read(row["text"], BEFORE)
        read_whole = wholes(screen.model_texts(row["text"]))
        if signals.reading is not None and read_whole:
            with torch.no_grad():
                vectors = model(*tuned.batch(tokenizer, read_whole)).numpy()
            signals.classes = learned.scores(vectors)
        read.append(signals)
    choosing = [i for i, row in enumerate(held) if row["split"] in classifier.CHOOSING_SPLITS]

    def use(threshold: float, agree: float) -> None:
        screen.classifier = Classifier(
            LABELS, weights, bias, dict.fromkeys(LABELS[1:], threshold), agree
        )

    def worst(threshold: float, agree: float) -> tuple[float, tuple[float, ...]]:
        """The worse language's nearness to the goals; on a tie, the precisions from the
        worse up."""
        use(threshold, agree)
        counts = score(screen, [held[i] for i in choosing], [read[i] for i in choosing], LAYERS)
        found = [pr(*c) for c in counts.values()]
        nearness = min(min(p / GOALS[0], r / GOALS[1]) for p, r in found)
        return round(nearness, 4), tuple(sorted(round(p, 4) for p, _ in found))

    pairs = [(t, a) for t in THRESHOLDS for a in AGREES]
    threshold, agree = max(pairs, key=lambda pair: worst(*pair))
    use(threshold, agree)

    # 3. Figures, then the files.
    print(f"threshold {threshold}, agreement {agree} (chosen on {classifier.CHOOSING_SPLITS})")
    print("| language | split | prompts (harmful) | without P / R | with P / R |")
    print("| --- | --- | --- | --- | --- |")
    before = score(screen, held, read, BEFORE, "split")
    for key, counts in sorted(score(screen, held, read, LAYERS, "split").items()):
        tp, fp, fn = counts
        cells = ["{:.2f} / {:.2f}".format(*pr(*c)) for c in (before[key], counts)]
        print(f"| {key[0]} | {key[1]} | {tp + fp + fn} ({tp + fn}) | " + " | ".join(cells) + " |")
    final = Classifier(LABELS, weights, bias, dict.fromkeys(LABELS[1:], threshold), agree, digest)
    adapters: dict[str, Any] = {k: v.astype(np.float16) for k, v in model.trained().items()}
    if args.check:
        committed = classifier.load(args.out)
        with np.load(args.adapters) as stored:
            drift = max(float(np.abs(stored[k] - v).max()) for k, v in adapters.items())
        same = (committed.thresholds, committed.agree, committed.data) == (
            final.thresholds,
            final.agree,
            final.data,
        )
        same = same and np.allclose(committed.weights, final.weights, atol=1e-3)
        same = same and drift <= 1e-3
        print("the committed files are what the data makes" if same else "they differ")
        return 0 if same else 1
    final.save(args.out)
    np.savez_compressed(args.adapters, **adapters)
    for path in (args.out, args.adapters):
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
