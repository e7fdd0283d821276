"""One training run from a JSON spec, in one process or under torchrun (data-parallel):

    python -m atelier.training.run SPEC.json
    torchrun --nproc-per-node 2 -m atelier.training.run SPEC.json      # docs/training.md

The spec names the kind ("music" or "lora"), the dataset folder and version, the config
(the trainer's dataclass fields), the output folder and model name, and whether to join a
process group (`"distributed": true`, which torchrun's environment makes possible). The
main process writes the model and `metrics.json` into the output folder; the checkpoint
(`checkpoint.pt` there) lets a killed run resume where it stopped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from atelier.datasets import versions
from atelier.datasets.melodies import piece_from_json
from atelier.training import distributed
from atelier.training.distributed import World


def run(spec: dict[str, Any]) -> dict[str, Any]:
    world = distributed.start() if spec.get("distributed") else distributed.SINGLE
    try:
        return _run(spec, world)
    finally:
        distributed.stop(world)


def _run(spec: dict[str, Any], world: World) -> dict[str, Any]:
    root, out = Path(spec["dataset"]), Path(spec["out"])
    version = versions.load(root, spec["version"])
    data = {
        split: [(item, versions.read_item(root, item)) for item in version.split(split)]
        for split in ("train", "valid")
    }
    checkpoint = out / "checkpoint.pt"
    metrics: dict[str, Any]
    if spec["kind"] == "music":
        from atelier.training import melodies

        config = melodies.MelodyTuning(**spec.get("config", {}))
        net, metrics = melodies.finetune(
            [piece_from_json(d) for _, d in data["train"]],
            [piece_from_json(d) for _, d in data["valid"]],
            config,
            checkpoint,
            world=world,
        )
        if world.main:
            melodies.save_model(net, spec["name"], config, metrics, out)
    elif spec["kind"] == "lora":
        from atelier.training import lora

        lora_config = lora.LoraTuning(**spec.get("config", {}))
        metrics = lora.finetune(
            Path(spec["pipeline"]),
            [(d, item["caption"]) for item, d in data["train"]],
            [(d, item["caption"]) for item, d in data["valid"]],
            lora_config,
            out,
            checkpoint,
            world=world,
        )
    else:
        raise ValueError(f"unknown training kind {spec['kind']!r}; use music or lora")
    if world.main:
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


if __name__ == "__main__":
    run(json.loads(Path(sys.argv[1]).read_text()))
