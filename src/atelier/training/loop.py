"""The training loop every torch trainer shares: seeded by step, checkpointed, resumable,
cancellable, reporting progress, and data-parallel when started under torchrun.

Randomness is drawn from generators seeded by (seed, step) — which examples, their
augmentation, dropout — never from a state carried across steps. A run resumed from the
checkpoint of step k therefore takes exactly the steps an uninterrupted run takes after
step k; the checkpoint holds the weights, the optimizer's moments and the curves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from atelier.engines.base import Cancelled
from atelier.training.distributed import SINGLE, World


@dataclass(frozen=True)
class Schedule:
    """How long and how hard to train: `batch` is the global batch (all processes),
    the learning rate follows a cosine from `lr` down to 5 % of it."""

    steps: int
    batch: int
    lr: float
    seed: int = 1
    checkpoint_every: int = 50
    eval_every: int = 50
    threads: int = 1
    clip: float = 1.0
    weight_decay: float = 0.01

    def rate(self, step: int) -> float:
        return self.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / self.steps)))


@dataclass(frozen=True)
class Progress:
    step: int
    steps: int
    loss: float  # the training loss of this step's batch
    valid_loss: float | None  # the latest held-out loss, measured every eval_every steps


OnProgress = Callable[[Progress], None]
IsCancelled = Callable[[], bool]


@dataclass
class Run:
    """What a run did: its loss curve, held-out losses by step, steps and seconds (of this
    process's session: a resumed run counts only its own)."""

    curve: list[float] = field(default_factory=list)
    valid: dict[int, float] = field(default_factory=dict)
    steps: int = 0
    seconds: float = 0.0
    resumed_from: int = 0


def step_rng(seed: int, step: int) -> np.random.Generator:
    """The generator of one step: the same on every process and every resumption."""
    return np.random.default_rng([seed, step])


# A batch's loss as (sum over this process's examples, how many things were summed).
LossOfStep = Callable[[nn.Module, int, np.random.Generator, slice], tuple[torch.Tensor, float]]


def train(
    model: nn.Module,
    parameters: list[nn.Parameter],
    loss_of_step: LossOfStep,
    validate: Callable[[], float],
    schedule: Schedule,
    checkpoint: Path | None,
    on_progress: OnProgress | None = None,
    cancelled: IsCancelled | None = None,
    world: World = SINGLE,
) -> Run:
    """Train `parameters` of `model` for `schedule.steps` steps, from `checkpoint` if one
    is there. `loss_of_step(module, step, rng, share)` sums the loss over this process's
    share of the global batch. Raises engines.base.Cancelled when `cancelled()` turns
    true, after saving a checkpoint."""
    torch.set_num_threads(schedule.threads)
    optimizer = torch.optim.AdamW(parameters, lr=schedule.lr, weight_decay=schedule.weight_decay)
    run = Run()
    if checkpoint is not None and checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=True, map_location=world.device)
        model.load_state_dict(saved["model"], strict=False)
        optimizer.load_state_dict(saved["optimizer"])
        run.curve, run.valid = saved["curve"], saved["valid"]
        run.steps = run.resumed_from = saved["step"]
    module = world.wrap(model)
    share = world.share(schedule.batch)
    started = time.monotonic()
    while run.steps < schedule.steps:
        if cancelled is not None and cancelled():
            _save(checkpoint, model, parameters, optimizer, run, world)
            raise Cancelled()
        step = run.steps
        for group in optimizer.param_groups:
            group["lr"] = schedule.rate(step)
        torch.manual_seed(schedule.seed * 1_000_003 + step)  # dropout: fixed per step
        module.train()
        total, count = loss_of_step(module, step, step_rng(schedule.seed, step), share)
        count = world.sum(count)
        optimizer.zero_grad()
        # DDP averages gradients over processes; scaled so, they are the whole batch's.
        (total * world.size / max(count, 1.0)).backward()
        nn.utils.clip_grad_norm_(parameters, schedule.clip)
        optimizer.step()
        run.curve.append(world.sum(float(total.detach())) / max(count, 1.0))
        run.steps = step + 1
        if run.steps % schedule.eval_every == 0 or run.steps == schedule.steps:
            model.eval()
            run.valid[run.steps] = validate()
        if run.steps % schedule.checkpoint_every == 0 or run.steps == schedule.steps:
            _save(checkpoint, model, parameters, optimizer, run, world)
        if on_progress is not None and world.main:
            latest = run.valid[max(run.valid)] if run.valid else None
            on_progress(Progress(run.steps, schedule.steps, run.curve[-1], latest))
    model.eval()
    run.seconds = time.monotonic() - started
    return run


def _save(
    path: Path | None,
    model: nn.Module,
    parameters: list[nn.Parameter],
    optimizer: torch.optim.Optimizer,
    run: Run,
    world: World,
) -> None:
    """The trainable weights, the optimizer and the curves, written whole (main process)."""
    if path is None or not world.main:
        return
    trainable = {id(p) for p in parameters}
    state = {
        name: value.detach().cpu().clone()
        for name, value in model.state_dict(keep_vars=True).items()
        if id(value) in trainable or not isinstance(value, nn.Parameter)
    }
    body: dict[str, Any] = {
        "step": run.steps,
        "model": state,
        "optimizer": optimizer.state_dict(),
        "curve": run.curve,
        "valid": run.valid,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    torch.save(body, temporary)
    temporary.replace(path)
