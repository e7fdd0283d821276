"""Data-parallel training with torch.distributed: one process per CPU group or GPU, started
by `torchrun` (docs/training.md), gloo on CPUs and NCCL on GPUs.

Every process draws the same global batch (the step's random generator is seeded by the
seed and the step number alone) and works on its share of it; DistributedDataParallel
averages the gradients, and the loss is scaled so that the average is the gradient of the
whole batch's loss. So N processes take the same steps as one process with the same global
batch, up to the order in which floating-point sums are added."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import distributed as dist
from torch import nn


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        """The process that reports progress and writes files."""
        return self.rank == 0

    def share(self, count: int) -> slice:
        """This process's part of a global batch of `count` items."""
        if count % self.size:
            raise ValueError(f"the batch ({count}) must divide among {self.size} processes")
        part = count // self.size
        return slice(self.rank * part, (self.rank + 1) * part)

    def sum(self, value: float) -> float:
        """`value` added up over every process."""
        if self.size == 1:
            return value
        tensor = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(tensor)
        return float(tensor.item())

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module as DistributedDataParallel when there are several processes."""
        if self.size == 1:
            return module
        ids = [self.device.index] if self.device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids)


SINGLE = World()


def start() -> World:
    """Join the process group torchrun set up (its environment names the rendezvous):
    NCCL when this machine has GPUs, each process on GPU rank mod GPUs; gloo otherwise."""
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    rank, size = dist.get_rank(), dist.get_world_size()
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", rank % torch.cuda.device_count())
        torch.cuda.set_device(device)
    return World(rank, size, device)


def stop(world: World) -> None:
    if world.size > 1:
        dist.barrier()
        dist.destroy_process_group()
