"""Held-out quality of the music models (`atelier eval music`; docs/models.md).

- Likelihood: nats per note (its pitch or rest, plus its duration) on each style's test
  split, for our melody models, an interpolated Witten-Bell n-gram over the same tokens
  (n chosen on the validation split) and the corpus' own unigram statistics.
- Generated melodies against the test melodies of the same style (mgeval-style): the
  overlap area of pitch-class, interval and duration histograms, and the in-key ratio.
- Harmonizations of the held-out chorales' melodies: parallel fifths and octaves, voice
  range violations and crossings per chorale, ours against Bach's own.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from atelier.datasets import music as data
from atelier.engines.music import harmony, melody
from atelier.engines.music import tokens as tok
from atelier.engines.music.generating import STYLE_RANGES
from atelier.engines.music.model import HarmonyNet, MelodyNet, melody_nll
from atelier.engines.music.piece import bar_length

SCALES = {"major": {0, 2, 4, 5, 7, 9, 11}, "minor": {9, 11, 0, 2, 4, 5, 7, 8}}  # + G♯


def _is_choice(token: int) -> bool:
    """The tokens a melody chooses: a pitch or rest, and a duration."""
    return token == tok.REST or tok.is_pitch(token) or tok.is_dur(token)


class NGram:
    """An n-gram model over melody tokens, interpolated with Witten-Bell smoothing down to
    a uniform distribution over the vocabulary."""

    def __init__(self, n: int, melodies: list[np.ndarray]) -> None:
        self.n = n
        self.counts: list[dict[tuple[int, ...], Counter[int]]] = [
            defaultdict(Counter) for _ in range(n)
        ]
        for m in melodies:
            sequence = m.tolist()
            for i in range(1, len(sequence)):
                for order in range(n):
                    if i - order < 0:
                        break
                    self.counts[order][tuple(sequence[i - order : i])][sequence[i]] += 1

    def prob(self, history: list[int], token: int, n: int | None = None) -> float:
        """P(token | history) using contexts up to n − 1 tokens (default: all counted)."""
        p = 1.0 / len(tok.VOCAB)
        for order in range(n or self.n):
            if order > len(history):
                break
            seen = self.counts[order].get(tuple(history[len(history) - order :]))
            if not seen:
                break
            total, types = sum(seen.values()), len(seen)
            p = (seen[token] + types * p) / (total + types)
        return p

    def nll(self, melodies: list[np.ndarray], n: int | None = None) -> dict[str, float]:
        n = n or self.n
        note_nll, notes = 0.0, 0
        for m in melodies:
            sequence = m.tolist()
            for i in range(tok.HEADER, len(sequence)):
                if _is_choice(sequence[i]):
                    history = sequence[max(0, i - n + 1) : i]
                    note_nll -= math.log(self.prob(history, sequence[i], n))
                    notes += tok.is_dur(sequence[i])
        return {"nll_per_note": note_nll / max(notes, 1), "notes": notes}


def best_order(model: NGram, valid: list[np.ndarray]) -> int:
    """The order (up to the model's) that does best on the validation melodies."""
    return min(range(1, model.n + 1), key=lambda n: model.nll(valid, n)["nll_per_note"])


# ---------------------------------------------------------------- generated melodies


def _notes(tokens: np.ndarray | list[int]) -> list[tuple[int | None, int]]:
    """(reference pitch or None, duration ticks) of each note of a token sequence."""
    out: list[tuple[int | None, int]] = []
    pitch: int | None = None
    for t in list(tokens)[tok.HEADER :]:
        if t == tok.REST or tok.is_pitch(t):
            pitch = None if t == tok.REST else t - tok.FIRST_PITCH + tok.PITCH_LOW
        elif tok.is_dur(t):
            out.append((pitch, tok.dur_ticks(t)))
    return out


def histograms(melodies: list[Any]) -> dict[str, Counter[int]]:
    pcs: Counter[int] = Counter()
    intervals: Counter[int] = Counter()
    durations: Counter[int] = Counter()
    for m in melodies:
        pitches = [p for p, _ in _notes(m) if p is not None]
        pcs.update(p % 12 for p in pitches)
        intervals.update(
            max(-12, min(12, b - a)) for a, b in zip(pitches, pitches[1:], strict=False)
        )
        durations.update(d for _, d in _notes(m))
    return {"pitch_class": pcs, "interval": intervals, "duration": durations}


def overlap(a: Counter[int], b: Counter[int]) -> float:
    """Overlapping area of two normalised histograms: 1 is identical, 0 disjoint."""
    total_a, total_b = sum(a.values()) or 1, sum(b.values()) or 1
    return sum(min(a[k] / total_a, b[k] / total_b) for k in set(a) | set(b))


def in_key(melodies: list[Any]) -> float:
    inside = total = 0
    for m in melodies:
        scale = SCALES["minor" if tok.header(list(m)).mode == "minor" else "major"]
        for pitch, _ in _notes(m):
            if pitch is not None:
                total += 1
                inside += pitch % 12 in scale
    return inside / max(total, 1)


# The meters each style's melodies are written in, most common first.
STYLE_METERS = {
    "german-folk": ("4/4", "3/4", "2/4"),
    "irish": ("6/8", "4/4", "3/4"),
    "scottish": ("4/4", "2/4", "6/8"),
    "chorale": ("4/4", "3/4"),
    "renaissance": ("2/2",),
}


def generated(net: MelodyNet, style: str, count: int, bars: int, seed: int) -> list[list[int]]:
    """`count` melodies of `bars` bars as the engines write them (temperature 0.8), a third
    in minor, in the style's usual meters and range."""
    out = []
    for i in range(count):
        mode = "minor" if i % 3 == 2 else "major"
        meter = STYLE_METERS[style][i % len(STYLE_METERS[style])]
        sampler = melody.Sampler(
            net, melody.header(style, mode, meter), np.random.default_rng(seed + i)
        )
        out.append(melody.write(sampler, meter, bars, mode, 0.8, 0.95, STYLE_RANGES[style]))
    return out


# ---------------------------------------------------------------- harmonizations


def chorale_faults(
    net: HarmonyNet, corpus: data.Corpus, seed: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Faults per held-out chorale: ours (from its soprano alone) against Bach's."""
    shifts = dict(
        zip(map(str, corpus.arrays["work"]), corpus.arrays["shift"].tolist(), strict=True)
    )
    ours: list[harmony.Faults] = []
    bach: list[harmony.Faults] = []
    chorales = corpus.chorales("test")
    for index, chorale in enumerate(chorales):
        shift = int(shifts[chorale.work])
        bar_eighths = int(bar_length(chorale.meter) / harmony.STEP)
        grid = harmony.harmonize(
            net,
            chorale.grid[:, 0],
            chorale.start,
            bar_eighths,
            chorale.mode,
            shift,
            np.random.default_rng(seed + index),
        )
        ours.append(harmony.faults(np.where(grid > 0, grid - shift, 0)))
        bach.append(harmony.faults(np.where(chorale.grid > 0, chorale.grid - shift, 0)))
        if (index + 1) % 10 == 0:
            log(f"harmonized {index + 1}/{len(chorales)} held-out chorales")

    def mean(faults: list[harmony.Faults]) -> dict[str, float]:
        names = ("parallel_fifths", "parallel_octaves", "range_violations", "crossings")
        return {
            n: round(sum(getattr(f, n) for f in faults) / max(len(faults), 1), 2) for n in names
        }

    return {"chorales": len(chorales), "ours": mean(ours), "bach": mean(bach)}


# ---------------------------------------------------------------- the report


def evaluate(
    corpus: data.Corpus,
    nets: dict[str, MelodyNet],
    harmony_net: HarmonyNet | None,
    samples: int = 12,
    seed: int = 1,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Every figure of docs/models.md's music table."""
    report: dict[str, Any] = {"likelihood": {}, "generated": {}, "harmony": None}
    for collection in data.COLLECTIONS:
        test = corpus.melodies("test", (collection.name,))
        if not test:
            continue
        train = corpus.melodies("train", (collection.name,))
        valid = corpus.melodies("valid", (collection.name,))
        ngram = NGram(6, train)
        n = best_order(ngram, valid or test)
        row: dict[str, Any] = {
            "style": collection.style,
            "test_melodies": len(test),
            "unigram": ngram.nll(test, 1)["nll_per_note"],
            f"{n}-gram": ngram.nll(test, n)["nll_per_note"],
        }
        for name, net in nets.items():
            trained_on = net_collections(name)
            if collection.name in trained_on:
                row[name] = melody_nll(net, test)["nll_per_note"]
        report["likelihood"][collection.name] = row
        log(f"likelihood {collection.name}: {row}")
    for name, net in nets.items():
        for style in sorted({data.BY_NAME[c].style for c in net_collections(name)}):
            test = corpus.melodies(
                "test", tuple(c.name for c in data.COLLECTIONS if c.style == style)
            )
            made = generated(net, style, samples, 16, seed)
            real, ours = histograms(test), histograms(made)
            report["generated"][f"{name} {style}"] = {
                **{f"{k}_overlap": round(overlap(real[k], ours[k]), 3) for k in real},
                "in_key": round(in_key(made), 3),
                "in_key_corpus": round(in_key(test), 3),
            }
            log(f"generated {name} {style}: {report['generated'][f'{name} {style}']}")
    if harmony_net is not None:
        report["harmony"] = chorale_faults(harmony_net, corpus, seed, log)
    return report


_collections_of: dict[str, tuple[str, ...]] = {}


def net_collections(name: str) -> tuple[str, ...]:
    from atelier.engines.music.model import card

    if name not in _collections_of:
        _collections_of[name] = tuple(card(name)["collections"])
    return _collections_of[name]


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| collection (style) | test melodies | unigram | n-gram | full model | clean model |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for collection, row in report["likelihood"].items():
        ngram = next(k for k in row if k.endswith("-gram"))
        cells = [
            f"{row[k]:.2f}" if k in row else "—"
            for k in ("music-melody-full", "music-melody-clean")
        ]
        lines.append(
            f"| {collection} ({row['style']}) | {row['test_melodies']} | {row['unigram']:.2f} | "
            f"{row[ngram]:.2f} ({ngram}) | {cells[0]} | {cells[1]} |"
        )
    lines += [
        "",
        "| model, style | pitch-class overlap | interval overlap | duration overlap "
        "| in key (corpus) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in report["generated"].items():
        lines.append(
            f"| {name} | {row['pitch_class_overlap']} | {row['interval_overlap']} | "
            f"{row['duration_overlap']} | {row['in_key']} ({row['in_key_corpus']}) |"
        )
    if report["harmony"]:
        h = report["harmony"]
        lines += [
            "",
            f"| per held-out chorale ({h['chorales']}) | parallel fifths | parallel octaves "
            "| range violations | crossings |",
            "| --- | --- | --- | --- | --- |",
        ]
        for who in ("ours", "bach"):
            r = h[who]
            lines.append(
                f"| {'music-harmony-bach' if who == 'ours' else 'Bach'} | {r['parallel_fifths']} | "
                f"{r['parallel_octaves']} | {r['range_violations']} | {r['crossings']} |"
            )
    return "\n".join(lines)
