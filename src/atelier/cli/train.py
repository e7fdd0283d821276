"""`atelier train`: the studio's own models (docs/models.md says how each was made)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from atelier.cli import common


@click.group()
def train() -> None:
    """Train the studio's own models (docs/models.md says how each was made)."""


@train.group("music")
def train_music() -> None:
    """The music models: parse the corpus once (dataset), then train melody and harmony."""


def _command_line() -> str:
    return "atelier " + " ".join(sys.argv[1:])


@train_music.command("dataset")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for music-corpus.npz (default: the assets folder's music/).",
)
@click.option(
    "--collection",
    "collections",
    multiple=True,
    help="Only this collection (repeat; default: all): essen, oneill, aird, ryan-scottish, "
    "bach, palestrina.",
)
@click.option("--max-files", type=click.IntRange(1), default=None, help="Files per collection.")
@click.option("--processes", type=click.IntRange(1, 64), default=2, show_default=True)
def train_music_dataset(
    out: Path | None, collections: tuple[str, ...], max_files: int | None, processes: int
) -> None:
    """Parse music21's corpus into tokenised melodies and chorale grids (minutes; once)."""
    from atelier.datasets import music

    unknown = set(collections) - set(music.BY_NAME)
    if unknown:
        raise click.BadParameter(
            f"no collection {', '.join(sorted(unknown))}", param_hint="--collection"
        )
    chosen = collections or tuple(music.BY_NAME)
    summary = music.build(out or common.music_data(), chosen, max_files, processes, log=click.echo)
    click.echo(json.dumps(summary, indent=2))


def _budget_options(function: Any) -> Any:
    options = [
        click.option(
            "--data",
            type=click.Path(path_type=Path),
            default=None,
            help="The corpus folder (default: the assets folder's music/).",
        ),
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Where the weights and card go (default: the package's weights/).",
        ),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True),
        click.option("--steps", type=click.IntRange(1), default=4000, show_default=True),
        click.option(
            "--minutes",
            type=click.FloatRange(0.05, 600),
            default=12.0,
            show_default=True,
            help="Stop training after this long, whatever the steps.",
        ),
        click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True),
        click.option("--batch", type=click.IntRange(1, 1024), default=32, show_default=True),
        click.option(
            "--dim",
            type=click.IntRange(8, 2048),
            default=None,
            help="Hidden size (default: the model's own).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@train_music.command("melody")
@click.option("--name", default="music-melody-full", show_default=True)
@click.option(
    "--collections",
    type=click.Choice(["all", "clean"]),
    default="all",
    show_default=True,
    help="clean: only collections whose terms allow commercial use.",
)
@click.option("--seq", type=click.IntRange(16, 4096), default=128, show_default=True)
@click.option("--layers", type=click.IntRange(1, 8), default=2, show_default=True)
@_budget_options
def train_music_melody(
    name: str,
    collections: str,
    seq: int,
    layers: int,
    data: Path | None,
    out: Path | None,
    seed: int,
    steps: int,
    minutes: float,
    threads: int,
    batch: int,
    dim: int | None,
) -> None:
    """Train a style-conditioned melody model (LSTM over melody tokens)."""
    from atelier.datasets.music import Corpus
    from atelier.engines.music.model import WEIGHTS_DIR, MelodyConfig
    from atelier.engines.music.tokens import VOCAB
    from atelier.training import music

    corpus = Corpus.load(data or common.music_data())
    config = MelodyConfig(len(VOCAB), dim or MelodyConfig.dim, layers)
    budget = music.Budget(steps, minutes, seed, threads, batch)
    chosen = music.CLEAN if collections == "clean" else music.ALL
    music.train_melody(
        corpus, name, chosen, budget, config, seq, out or WEIGHTS_DIR, _command_line(), click.echo
    )


@train_music.command("harmony")
@click.option("--name", default="music-harmony-bach", show_default=True)
@click.option("--window", type=click.IntRange(8, 1024), default=64, show_default=True)
@_budget_options
def train_music_harmony(
    name: str,
    window: int,
    data: Path | None,
    out: Path | None,
    seed: int,
    steps: int,
    minutes: float,
    threads: int,
    batch: int,
    dim: int | None,
) -> None:
    """Train the alto-tenor-bass model on the Bach chorales' training split."""
    from atelier.datasets.music import Corpus
    from atelier.engines.music.model import WEIGHTS_DIR, HarmonyConfig
    from atelier.training import music

    corpus = Corpus.load(data or common.music_data())
    budget = music.Budget(steps, minutes, seed, threads, batch)
    music.train_harmony(
        corpus,
        name,
        budget,
        HarmonyConfig(dim or HarmonyConfig.dim),
        window,
        out or WEIGHTS_DIR,
        _command_line(),
        click.echo,
    )
