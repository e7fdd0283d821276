"""`atelier eval`: measure the engines' and the screen's quality on evaluation sets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from atelier.cli import common
from atelier.errors import StudioError
from atelier.settings import get_settings
from atelier.studio import Studio


@click.group("eval")
def evaluate() -> None:
    """Measure the engines' output quality on evaluation sets."""


@evaluate.command("text")
@click.option(
    "--split",
    type=click.Choice(["test", "tune"]),
    default="test",
    show_default=True,
    help="Which part of our set: the blind test part, or the part the engines were tuned on.",
)
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Another set in the same shape (instead of --split's).",
)
@click.option("--candidates", type=click.IntRange(2, 8), default=4, show_default=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Items per engine (all).")
@click.option(
    "--engine",
    "sections",
    type=click.Choice(["write", "restyle", "summarize"]),
    multiple=True,
    help="Only these engines (all).",
)
@click.option(
    "--baseline/--no-baseline",
    default=True,
    show_default=True,
    help="Also run each item with one draft (twice the time).",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def evaluate_text(
    split: str,
    data: Path | None,
    candidates: int,
    limit: int | None,
    sections: tuple[str, ...],
    baseline: bool,
    seed: int,
    json_path: Path | None,
) -> None:
    """BLEU, chrF, ROUGE, meaning kept, checks met, perplexity, distinct-n and verse
    constraints for the text engines, before (one draft) and after reranking N drafts; the
    meaning check itself on kept and reversed texts; inputs in other languages refused."""
    from atelier.evaluate import text

    studio = Studio(get_settings())
    engines = {e.name: e for e in studio.engines.all() if e.medium == "text"}
    for engine in engines.values():
        reason = engine.available()
        if reason:
            raise click.ClickException(f"{engine.name} is unavailable: {reason}")
    spec = engines["text.write"].spec  # type: ignore[attr-defined]
    scorer = text.Perplexity(spec.gguf, spec.threads) if spec.gguf else None
    path = data or Path(f"tests/data/text_eval_{split}.json")
    report = text.evaluate(
        engines,
        text.load(path),
        candidates,
        limit,
        scorer,
        seed,
        log=click.echo,
        sections=sections or tuple(text.ENGINES),
        baseline=baseline,
    )
    report["set"] = str(path)
    click.echo(text.markdown(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


@evaluate.command("safety")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("tests/data/moderation_prompts.jsonl"),
    show_default=True,
    help='JSON lines: {"text", "label"}, the label a category or "safe".',
)
@click.option(
    "--split", default=None, help='Only rows of this split ("tune", "holdout", "test", "test2").'
)
@click.option("--misses", is_flag=True, help="Also list what the full screen gets wrong.")
def evaluate_safety(data: Path, split: str | None, misses: bool) -> None:
    """Precision and recall of the prompt screen per language, category and overall, after
    each layer: the word lists, + the profanity model, + the meaning-based layer (E5)."""
    from atelier.safety import evaluate as safety
    from atelier.safety.text import TextScreen

    examples = safety.load(data, split)
    if not examples:
        raise click.ClickException(f"no prompts in {data}" + (f" (split {split})" if split else ""))
    started = time.monotonic()
    # One thread unless set: small texts run faster on one, and far faster on a busy machine.
    screen = TextScreen(get_settings().engine_threads or 1)
    click.echo(safety.report(examples, screen, misses))
    click.echo(f"\n{len(examples)} prompts in {time.monotonic() - started:.1f} s")


@evaluate.command("music")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="The corpus folder (default: the assets folder's music/).",
)
@click.option(
    "--samples",
    type=click.IntRange(1, 1000),
    default=12,
    show_default=True,
    help="Melodies generated per model and style.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=1, show_default=True)
@click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--blind",
    type=click.Choice(["test", "tune"]),
    default=None,
    help="Instead: the engines on a part of the blind set (tests/data/music_blind).",
)
def evaluate_music(
    data: Path | None,
    samples: int,
    seed: int,
    threads: int,
    json_path: Path | None,
    blind: str | None,
) -> None:
    """Held-out NLL per style against n-gram and unigram baselines, generated melodies
    against the test melodies, harmonizations of held-out chorales against Bach's; or,
    with --blind, harmonize, continue and restyle on a part of the blind set."""
    import torch

    from atelier.datasets.music import Corpus
    from atelier.engines.music import generating
    from atelier.evaluate import music, music_blind

    torch.set_num_threads(threads)
    if blind is not None:
        tunes = music_blind.load(blind)
        found = music_blind.evaluate(blind, seed, click.echo, tunes)
        try:
            corpus = Corpus.load(data or common.music_data())
        except FileNotFoundError as exc:
            click.echo(f"not checked against the training corpus: {exc}")
        else:
            music_blind.add_unseen(found, tunes, corpus)
        click.echo(music_blind.markdown(found))
        if json_path is not None:
            json_path.write_text(json.dumps(found, indent=2) + "\n")
        return
    corpus = Corpus.load(data or common.music_data())
    nets = {
        generating.MELODY_MODELS[choice]: generating.melody_net(choice)
        for choice in ("full", "clean")
    }
    report = music.evaluate(corpus, nets, generating.harmony_net(), samples, seed, click.echo)
    click.echo(music.markdown(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")


@evaluate.command("image")
@click.argument("a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--features",
    type=click.Choice(["stylenet", "inception"]),
    default=None,
    help="Network whose features are compared (default: inception when "
    "ATELIER_INCEPTION_WEIGHTS is set, else the offline stylenet).",
)
@click.option("--kid-subsets", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--kid-subset-size", type=click.IntRange(2), default=1000, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--keep/--no-keep",
    default=True,
    show_default=True,
    help="Keep the report in the studio (listed and plotted on /admin/evaluation).",
)
def evaluate_image(
    a: Path,
    b: Path,
    features: str | None,
    kid_subsets: int,
    kid_subset_size: int,
    json_path: Path | None,
    keep: bool,
) -> None:
    """FID, KID, Inception Score and precision/recall between two folders of images (A is
    the reference); every number is named with the features it was computed on."""
    from atelier.evaluate import image
    from atelier.evaluate.features import FeatureError, extractor

    settings = get_settings()
    try:
        net = extractor(features, settings.inception_weights, settings.engine_threads)
        report = image.compare_sets(a, b, net, kid_subsets, kid_subset_size)
    except (FeatureError, image.SetError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(image.markdown(report))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2) + "\n")
    if keep:
        kept = common.studio().evaluation.keep_image_sets(report, a.name, b.name, None)
        click.echo(f"kept as report {kept.id}")


@evaluate.command("compare")
@click.argument("a")
@click.argument("b")
@click.option(
    "--items",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='A JSON list: [{"prompt": …}] for image.compose; [{"photo": NAME or PATH, '
    '"damage": …, "size": …}] for the others (default: scikit-image\'s sample photos).',
)
@click.option("--seed", "seeds", type=click.IntRange(0, 2**32 - 1), multiple=True, default=(1,))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A new folder.")
@click.option(
    "--keep/--no-keep",
    default=True,
    show_default=True,
    help="Keep the report in the studio (listed and plotted on /admin/evaluation).",
)
def evaluate_compare(
    a: str, b: str, items: Path | None, seeds: tuple[int, ...], out: Path, keep: bool
) -> None:
    """One engine under two settings A and B (each an engine name, or JSON {"engine",
    "params", "label"} inline or in a file) on the same items and seeds: a report folder
    with metrics, bootstrap intervals, wins, plots and side-by-side pairs."""
    from atelier.evaluate import compare

    studio = Studio(get_settings())
    try:
        side_a = compare.parse_side(a, studio.engines.get, "A")
        side_b = compare.parse_side(b, studio.engines.get, "B")
        listed = compare.load_items(items) if items is not None else None
        threads = studio.settings.engine_threads
        compare.compare(side_a, side_b, listed, seeds, out, threads=threads, log=click.echo)
    except (compare.CompareError, StudioError) as exc:
        raise click.ClickException(str(exc)) from None
    if keep:
        kept = common.studio().evaluation.keep_comparison(out, None)
        click.echo(f"kept as report {kept.id}")
    click.echo(f"{out / 'index.html'}")
