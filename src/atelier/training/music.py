"""Training the music models on the tokenised corpus (`atelier train music …`).

One process, CPU, plain PyTorch: random windows of the training melodies (the header
kept in front, an octave of register augmentation), AdamW with a cosine schedule that
ends when the step budget or the time limit does, whichever comes first. The held-out
figures are measured on the validation split and written into the model card.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from atelier.datasets import music as data
from atelier.engines.music import harmony
from atelier.engines.music import tokens as tok
from atelier.engines.music.model import (
    WEIGHTS_DIR,
    HarmonyConfig,
    HarmonyNet,
    MelodyConfig,
    MelodyNet,
    melody_nll,
    save,
)
from atelier.engines.music.piece import bar_length

CLEAN = tuple(c.name for c in data.COLLECTIONS if c.commercial_use)
ALL = tuple(c.name for c in data.COLLECTIONS)


@dataclass(frozen=True)
class Budget:
    steps: int
    minutes: float
    seed: int = 1
    threads: int = 1
    batch: int = 32
    lr: float = 3e-3

    def fraction(self, step: int, started: float) -> float:
        return max(step / self.steps, (time.monotonic() - started) / (60 * self.minutes))


def _train(
    model: nn.Module,
    loss_of_batch: Callable[[np.random.Generator], torch.Tensor],
    budget: Budget,
    log: Callable[[str], None],
) -> tuple[int, float, list[float]]:
    """The shared loop; returns the steps taken, the seconds spent and the loss curve."""
    torch.manual_seed(budget.seed)
    torch.set_num_threads(budget.threads)
    rng = np.random.default_rng(budget.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=budget.lr, weight_decay=0.01)
    started = time.monotonic()
    curve: list[float] = []
    step = 0
    model.train()
    while budget.fraction(step, started) < 1.0:
        done = budget.fraction(step, started)
        for group in optimizer.param_groups:
            group["lr"] = budget.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * done)))
        loss = loss_of_batch(rng)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        curve.append(loss.item())
        step += 1
        if step % 50 == 0:
            recent = sum(curve[-50:]) / len(curve[-50:])
            log(f"step {step}: loss {recent:.3f} ({time.monotonic() - started:.0f} s)")
    model.eval()
    return step, time.monotonic() - started, curve


# ---------------------------------------------------------------- melodies


def melody_window(
    melody: np.ndarray, length: int, rng: np.random.Generator, augment: bool = True
) -> np.ndarray:
    """The header and `length` − 4 body tokens from a random bar on (PAD after the end),
    shifted an octave up or down now and then when it stays in range."""
    body = melody[tok.HEADER :]
    bars = np.flatnonzero(body == tok.BAR)
    start = int(rng.choice(bars)) if len(bars) else 0
    window = np.full(length, tok.PAD, dtype=np.int64)
    piece = np.concatenate([melody[: tok.HEADER], body[start : start + length - tok.HEADER]])
    window[: len(piece)] = piece
    if augment and rng.random() < 0.3:
        pitched = (window >= tok.FIRST_PITCH) & (window < tok.FIRST_POS)
        octave = 12 * int(rng.choice([-1, 1]))
        moved = window[pitched] + octave
        if len(moved) and moved.min() >= tok.FIRST_PITCH and moved.max() < tok.FIRST_POS:
            window[pitched] = moved
    return window


def melody_loss(net: MelodyNet, batch: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy over the body (the header is given, not predicted)."""
    logits, _ = net(batch[:, :-1])
    targets = batch[:, 1:].clone()
    targets[:, : tok.HEADER - 1] = tok.PAD
    return nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=tok.PAD
    )


def train_melody(
    corpus: data.Corpus,
    name: str,
    collections: tuple[str, ...],
    budget: Budget,
    config: MelodyConfig | None = None,
    seq: int = 128,
    out: Path = WEIGHTS_DIR,
    command: str = "",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train a style-conditioned melody model on `collections`; save it and its card."""
    train = corpus.melodies("train", collections)
    valid = corpus.melodies("valid", collections)
    if not train:
        raise ValueError(f"no training melodies in {', '.join(collections)}")
    net = MelodyNet(config or MelodyConfig(vocab=len(tok.VOCAB)))
    size = sum(p.numel() for p in net.parameters())
    log(f"{name}: {len(train)} training melodies, {size} parameters")

    def batch_loss(rng: np.random.Generator) -> torch.Tensor:
        picks = rng.integers(len(train), size=budget.batch)
        batch = np.stack([melody_window(train[i], seq + 1, rng) for i in picks])
        return melody_loss(net, torch.from_numpy(batch))

    steps, seconds, curve = _train(net, batch_loss, budget, log)
    held_out = {"all": melody_nll(net, valid)}
    for collection in collections:
        part = corpus.melodies("valid", (collection,))
        if part:
            held_out[data.BY_NAME[collection].style + f" ({collection})"] = melody_nll(net, part)
    card = {
        "kind": "melody",
        "collections": {
            c: {
                "style": data.BY_NAME[c].style,
                "terms": data.BY_NAME[c].terms,
                "commercial_use": data.BY_NAME[c].commercial_use,
            }
            for c in collections
        },
        "commercial_use": all(data.BY_NAME[c].commercial_use for c in collections),
        "styles": sorted({data.BY_NAME[c].style for c in collections}),
        "split": "per work, sha256 of its corpus id: 80 % train, 10 % validation, 10 % test",
        "training_melodies": len(train),
        "hyperparameters": {
            "seq": seq,
            "batch": budget.batch,
            "lr": budget.lr,
            "steps_budget": budget.steps,
            "minutes_budget": budget.minutes,
            "octave_augmentation": 0.3,
        },
        "seed": budget.seed,
        "threads": budget.threads,
        "steps": steps,
        "training_seconds": round(seconds),
        "first_loss": round(sum(curve[:20]) / max(len(curve[:20]), 1), 4),
        "final_loss": round(sum(curve[-20:]) / max(len(curve[-20:]), 1), 4),
        "validation": held_out,
        "machine": f"{platform.machine()} CPU, torch {torch.__version__}",
        "command": command,
    }
    save(net, name, card, out)
    log(f"{name}: validation {held_out['all']}")
    return card


# ---------------------------------------------------------------- harmony


def chorale_arrays(chorale: data.Chorale) -> tuple[np.ndarray, ...]:
    """Inputs and targets of one chorale: soprano, positions, onsets, previous A-T-B,
    and the A-T-B to predict."""
    grid = chorale.grid
    bar_eighths = int(bar_length(chorale.meter) / harmony.STEP)
    position, onset = harmony.features(grid[:, 0], chorale.start, bar_eighths)
    previous = np.zeros((len(grid), 3), dtype=np.int64)
    previous[1:] = grid[:-1, 1:]
    return grid[:, 0], position, onset, previous, grid[:, 1:]


def harmony_loss(net: HarmonyNet, batch: list[np.ndarray], minor: torch.Tensor) -> torch.Tensor:
    soprano, position, onset, previous, target = (torch.from_numpy(a) for a in batch)
    context = net.read(soprano, position, onset, minor)
    hidden, _ = net.walk(context, previous)
    alto, tenor, bass = target[..., 0], target[..., 1], target[..., 2]
    losses = [
        nn.functional.cross_entropy(logits.transpose(1, 2), truth)
        for logits, truth in (
            (net.bass_logits(hidden), bass),
            (net.tenor_logits(hidden, bass), tenor),
            (net.alto_logits(hidden, bass, tenor), alto),
        )
    ]
    return sum(losses) / 3  # type: ignore[return-value]


def train_harmony(
    corpus: data.Corpus,
    name: str,
    budget: Budget,
    config: HarmonyConfig | None = None,
    window: int = 64,
    out: Path = WEIGHTS_DIR,
    command: str = "",
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train the alto-tenor-bass model on the training chorales; save it and its card."""
    train = [c for c in corpus.chorales("train") if len(c.grid) > window]
    valid = corpus.chorales("valid")
    if not train:
        raise ValueError("no training chorales")
    prepared = [(chorale_arrays(c), int(c.mode == "minor")) for c in train]
    net = HarmonyNet(config or HarmonyConfig())
    size = sum(p.numel() for p in net.parameters())
    log(f"{name}: {len(train)} training chorales, {size} parameters")

    def batch_loss(rng: np.random.Generator) -> torch.Tensor:
        picks = rng.integers(len(prepared), size=budget.batch)
        rows: list[list[np.ndarray]] = [[] for _ in range(5)]
        minor = []
        for i in picks:
            arrays, is_minor = prepared[i]
            start = int(rng.integers(len(arrays[0]) - window + 1))
            for column, array in enumerate(arrays):
                rows[column].append(array[start : start + window])
            minor.append(is_minor)
        return harmony_loss(net, [np.stack(r) for r in rows], torch.tensor(minor))

    steps, seconds, curve = _train(net, batch_loss, budget, log)
    with torch.no_grad():
        nll = [
            float(
                harmony_loss(
                    net,
                    [a[None] for a in chorale_arrays(c)],
                    torch.tensor([int(c.mode == "minor")]),
                )
            )
            for c in valid
        ]
    card = {
        "kind": "harmony",
        "collections": {
            "bach": {
                "style": "chorale",
                "terms": data.BY_NAME["bach"].terms,
                "commercial_use": data.BY_NAME["bach"].commercial_use,
            }
        },
        "commercial_use": data.BY_NAME["bach"].commercial_use,
        "split": "the Bach chorales by the same hash as the melodies; the test split is "
        "held out from both models",
        "training_chorales": len(train),
        "hyperparameters": {
            "window": window,
            "batch": budget.batch,
            "lr": budget.lr,
            "steps_budget": budget.steps,
            "minutes_budget": budget.minutes,
        },
        "seed": budget.seed,
        "threads": budget.threads,
        "steps": steps,
        "training_seconds": round(seconds),
        "first_loss": round(sum(curve[:20]) / max(len(curve[:20]), 1), 4),
        "final_loss": round(sum(curve[-20:]) / max(len(curve[-20:]), 1), 4),
        "validation": {"nll_per_voice_step": sum(nll) / max(len(nll), 1), "chorales": len(nll)},
        "machine": f"{platform.machine()} CPU, torch {torch.__version__}",
        "command": command,
    }
    save(net, name, card, out)
    log(f"{name}: validation {card['validation']}")
    return card
