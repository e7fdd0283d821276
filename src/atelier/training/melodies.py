"""A client's melody model: our MelodyNet fine-tuned on the client's melodies.

The client's melodies are key-normalised tokens (engines/music/tokens.py) under one style
slot of the base model's header: by default the style whose conditioning already fits
them best (lowest NLL of the training melodies), so training starts from the nearest
voice the base has. Augmentation (declared in the config): octave shifts, which keep a
key-normalised melody in its key, when the shifted melody stays in the model's range.
The result is saved like our own models (engines/music/model.py `save`), so the engines
load it by name from its folder.
"""

from __future__ import annotations

import platform
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from atelier.engines.music import melody
from atelier.engines.music import tokens as tok
from atelier.engines.music.generating import STYLE_RANGES
from atelier.engines.music.model import WEIGHTS_DIR, MelodyNet, card, load, melody_nll, save
from atelier.engines.music.piece import Piece
from atelier.evaluate.music import histograms, overlap
from atelier.training.distributed import SINGLE, World
from atelier.training.loop import IsCancelled, OnProgress, Run, Schedule, train
from atelier.training.music import melody_loss, melody_window


@dataclass(frozen=True)
class MelodyTuning:
    base: str = "music-melody-clean"
    steps: int = 150
    batch: int = 16
    lr: float = 1e-3
    seq: int = 96
    seed: int = 1
    checkpoint_every: int = 50
    eval_every: int = 50
    octave_shift: float = 0.3  # share of windows moved an octave (augmentation)
    dropout: float | None = None  # None keeps the base model's
    style: str | None = None  # the header's style slot; None: the nearest
    threads: int = 1

    def schedule(self) -> Schedule:
        return Schedule(
            self.steps,
            self.batch,
            self.lr,
            self.seed,
            self.checkpoint_every,
            self.eval_every,
            self.threads,
        )


def base_net(name: str, folder: Path = WEIGHTS_DIR) -> MelodyNet:
    """A fresh, trainable float32 copy of a saved melody model (not the shared cache), in
    eval mode: the training loop switches it to training for each step."""
    shared = load(name, folder)
    assert isinstance(shared, MelodyNet)
    net = MelodyNet(shared.config)
    net.load_state_dict(shared.state_dict())
    return net.eval()


def encode_all(pieces: list[Piece], style: str) -> list[np.ndarray]:
    return [np.array(tok.encode(p, style).tokens, dtype=np.int64) for p in pieces]


def nearest_style(net: MelodyNet, pieces: list[Piece], styles: list[str]) -> str:
    """The base's style whose header makes the client's melodies likeliest."""
    return min(styles, key=lambda s: melody_nll(net, encode_all(pieces, s))["nll_per_token"])


def set_dropout(net: MelodyNet, p: float) -> None:
    net.drop.p = p
    net.lstm.dropout = p if net.config.layers > 1 else 0.0


def finetune(
    train_pieces: list[Piece],
    valid_pieces: list[Piece],
    config: MelodyTuning,
    checkpoint: Path | None = None,
    on_progress: OnProgress | None = None,
    cancelled: IsCancelled | None = None,
    world: World = SINGLE,
    base_folder: Path = WEIGHTS_DIR,
) -> tuple[MelodyNet, dict[str, Any]]:
    """The fine-tuned network and its metrics: held-out NLL of the base and of the tuned
    model on the client's validation melodies, and the run's curves."""
    if not train_pieces or not valid_pieces:
        raise ValueError("fine-tuning needs training and validation melodies")
    torch.set_num_threads(config.threads)
    net = base_net(config.base, base_folder).to(world.device)
    style = config.style or nearest_style(
        net, train_pieces, card(config.base, base_folder)["styles"]
    )
    train_tokens = encode_all(train_pieces, style)
    valid_tokens = encode_all(valid_pieces, style)
    before = melody_nll(net, valid_tokens)
    if config.dropout is not None:
        set_dropout(net, config.dropout)

    def loss_of_step(
        module: torch.nn.Module, step: int, rng: np.random.Generator, share: slice
    ) -> tuple[torch.Tensor, float]:
        picks = rng.integers(len(train_tokens), size=config.batch)
        windows = np.stack(
            [
                _window(train_tokens[i], config, np.random.default_rng([config.seed, step, j]))
                for j, i in enumerate(picks)
            ]
        )[share]
        batch = torch.from_numpy(windows).to(world.device)
        count = float((batch[:, tok.HEADER :] != tok.PAD).sum())
        return melody_loss(module, batch) * count, count  # type: ignore[arg-type]

    def validate() -> float:
        return melody_nll(net, valid_tokens)["nll_per_token"]

    run = train(
        net,
        list(net.parameters()),
        loss_of_step,
        validate,
        config.schedule(),
        checkpoint,
        on_progress,
        cancelled,
        world,
    )
    set_dropout(net, net.config.dropout)
    after = melody_nll(net, valid_tokens)
    metrics = {
        "style_slot": style,
        "validation_before": before,
        "validation_after": after,
        "validation_melodies": len(valid_tokens),
        "training_melodies": len(train_tokens),
        **_run_figures(run),
    }
    return net, metrics


def _window(
    melody_tokens: np.ndarray, config: MelodyTuning, rng: np.random.Generator
) -> np.ndarray:
    """A training window (the header kept), moved an octave now and then (augmentation)."""
    window = melody_window(melody_tokens, config.seq + 1, rng, augment=False)
    if rng.random() < config.octave_shift:
        pitched = (window >= tok.FIRST_PITCH) & (window < tok.FIRST_POS)
        moved = window[pitched] + 12 * int(rng.choice([-1, 1]))
        if len(moved) and moved.min() >= tok.FIRST_PITCH and moved.max() < tok.FIRST_POS:
            window[pitched] = moved
    return window


def _run_figures(run: Run) -> dict[str, Any]:
    return {
        "steps": run.steps,
        "resumed_from": run.resumed_from,
        "seconds": round(run.seconds, 2),
        "loss_curve": [round(v, 4) for v in run.curve],
        "validation_curve": {str(k): round(v, 4) for k, v in run.valid.items()},
    }


def save_model(
    net: MelodyNet, name: str, config: MelodyTuning, metrics: dict[str, Any], folder: Path
) -> Path:
    """Weights and card, as engines/music/model.py saves and loads them."""
    body = {
        "kind": "melody",
        "base": config.base,
        "styles": [metrics["style_slot"]],
        "commercial_use": False,  # decided by the lineage (training/lineage.py), not here
        "config_tuning": asdict(config),
        "metrics": {k: v for k, v in metrics.items() if k != "loss_curve"},
        "steps": metrics["steps"],
        "seed": config.seed,
        "machine": f"{platform.machine()} CPU, torch {torch.__version__}",
    }
    return save(net, name, body, folder)


def generate(
    net: MelodyNet, style: str, mode: str, meter: str, count: int, bars: int, seed: int
) -> list[list[int]]:
    """Melodies as the engines write them (temperature 0.8, top-p 0.95)."""
    out = []
    for i in range(count):
        sampler = melody.Sampler(
            net, melody.header(style, mode, meter), np.random.default_rng([seed, i])
        )
        out.append(melody.write(sampler, meter, bars, mode, 0.8, 0.95, STYLE_RANGES[style]))
    return out


def style_match(
    net: MelodyNet,
    client: list[np.ndarray],
    style: str,
    count: int = 12,
    bars: int = 8,
    seed: int = 1,
) -> dict[str, float]:
    """How close generated melodies come to the client's: the overlap (0…1) of pitch-class,
    interval and duration histograms, written in the client's commonest mode and meter."""
    header = Counter((tok.header(list(m)).mode, tok.header(list(m)).meter) for m in client)
    mode, meter = header.most_common(1)[0][0]
    made = histograms(generate(net, style, mode, meter, count, bars, seed))
    theirs = histograms(client)
    return {name: round(overlap(made[name], theirs[name]), 4) for name in theirs}
