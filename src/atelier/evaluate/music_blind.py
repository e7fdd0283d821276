"""The music engines on tunes nobody tuned them on (`atelier eval music --blind PART`).

The blind set (tests/data/music_blind/, its README says where each tune comes from) is
split into a `tune` part, which the engines' rules and constants were tuned on, and a
`test` part, written and committed before that tuning and never looked at while tuning.
Each tune is run through the engines as a user's upload would be:

- harmonize: whether the setting closes on the labelled key's tonic triad in root
  position, held by every voice; chromatic clashes with the melody on the beat; the
  voice-leading faults of `harmony.faults`.
- continue: the style the engine guesses for the tune's opening, against its label; the
  longest run of one repeated note in what it adds.
- restyle: the style check's probability of the target style before and after, the
  contour and rhythm similarity to the source, the share of notes changed, a minor
  tune's leading tones kept and its opening kept, at the default freedom and at 1.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any

import numpy as np

from atelier.engines.checks import best_index
from atelier.engines.music import analysis, harmony
from atelier.engines.music import generating as gen
from atelier.engines.music.continue_ import ContinueParams, continue_melody
from atelier.engines.music.files import read_melody
from atelier.engines.music.harmonize import HarmonizeParams
from atelier.engines.music.piece import Note, Part, Piece, bar_length, from_music21
from atelier.engines.music.restyle import RestyleParams, restyle

BLIND_DIR = Path(__file__).resolve().parents[3] / "tests" / "data" / "music_blind"
PARTS = ("test", "tune")
CONTINUE_BARS = 8
OPENING_BARS = (2, 8)  # continue gets the first half of a tune, within these bounds
FREEDOMS = (0.5, 1.0)  # restyle's default, and the most it allows


@dataclass(frozen=True)
class Tune:
    id: str
    style: str  # the style it belongs to (one of the five the models know)
    key: str  # its key, as labelled (tonic and mode)
    restyle_to: str  # the style it is restyled into
    origin: str
    melody: Piece


def load(part: str, folder: Path = BLIND_DIR) -> list[Tune]:
    """The tunes of one part of the set, read as the engines read an upload: a tune of
    ours through `read_melody`, a music21 corpus tune as training read its collection."""
    manifest = json.loads((folder / f"{part}.json").read_text())
    tunes = []
    for entry in manifest["tunes"]:
        if "file" in entry:
            melody = read_melody(folder / entry["file"])
        else:
            melody = _corpus_tune(entry["music21"], entry.get("number"))
            if entry["title"] != melody.title:
                raise ValueError(f"{entry['id']}: the corpus has {melody.title!r} there")
        tunes.append(
            Tune(
                entry["id"],
                entry["style"],
                entry["key"],
                entry["restyle_to"],
                entry["origin"],
                melody,
            )
        )
    return tunes


@cache
def _corpus_scores(path: str) -> dict[int | None, Any]:
    from atelier.datasets import music as data

    scores = data._scores(data.corpus_root() / path)
    return {int(suffix[1:]) if suffix else None: score for suffix, score in scores}


def _corpus_tune(path: str, number: int | None) -> Piece:
    """One tune of a music21 corpus file: its melody part, as the training data takes it."""
    from atelier.datasets import music as data

    melody = data.melody_part(from_music21(_corpus_scores(path)[number]))
    return _without_leading_bars_of_rest(melody)


def _without_leading_bars_of_rest(melody: Piece) -> Piece:
    """A voice of a polyphonic piece may wait bars before it enters: as a melody of its
    own it starts at the bar where it does (a user would not upload the silence)."""
    first = next(n.start for n in melody.parts[0].notes if n.pitch is not None)
    bar = bar_length(melody.meter)
    skip = (first - melody.pickup) // bar * bar + melody.pickup if first >= melody.pickup else 0
    if skip <= 0:
        return melody
    notes = tuple(
        Note(n.pitch, n.start - skip, n.duration, n.tie)
        for n in melody.parts[0].notes
        if n.start >= skip
    )
    if notes[0].start > 0:  # the rest before it in its bar stays: it is no pickup
        notes = (Note(None, Fraction(0), notes[0].start), *notes)
    return replace(melody, parts=(replace(melody.parts[0], notes=notes),), pickup=Fraction(0))


# ---------------------------------------------------------------- per engine


def harmonized(tune: Tune, seed: int) -> dict[str, Any]:
    """The setting the engine delivers: the best of its default candidates, redrawn while
    none meets its checks (music.harmonize's own pick)."""
    candidates = HarmonizeParams.model_fields["candidates"].default
    drafts = gen.harmonized(gen.quantized(tune.melody), np.random.default_rng(seed), candidates)
    piece = drafts[best_index(drafts)].value
    labelled = replace(piece, key=tune.key)
    close = analysis.final_chord(labelled)
    as_read = analysis.final_chord(piece)
    grid = np.stack(
        [harmony.voice_grid(p.notes, piece.quarter_length()) for p in piece.parts], axis=1
    )
    return {
        "root_position_tonic": close.root_position_tonic,
        "read_key_tonic": as_read.root_position_tonic,
        "final_chord": [int(p) for p in close.pitches],
        "clashes": int(analysis.clashes(labelled)),
        "faults": int(harmony.faults(grid).total),
    }


def opening_of(melody: Piece) -> Piece:
    """The tune's first half (2 to 8 bars, pickup included) as continue's opening."""
    bar = bar_length(melody.meter)
    low, high = OPENING_BARS
    bars = min(high, max(low, melody.bars() // 2))
    end = melody.pickup + bars * bar
    notes = tuple(n for n in melody.parts[0].notes if n.start < end)
    cut = tuple(
        Note(n.pitch, n.start, min(n.duration, end - n.start), n.tie and n.start + n.duration < end)
        for n in notes
    )
    while cut and cut[-1].pitch is None:
        cut = cut[:-1]
    return replace(melody, parts=(replace(melody.parts[0], notes=cut),))


def continued(tune: Tune, seed: int, model: gen.ModelChoice = "full") -> dict[str, Any]:
    opening = opening_of(tune.melody)
    params = ContinueParams(melody="0" * 32, bars=CONTINUE_BARS, model=model)
    piece, style = continue_melody(opening, params, seed)
    end = opening.quarter_length()
    added = [n for n in analysis.pitched(piece) if n.start >= end]
    return {
        "guess": style,
        "right": style == tune.style,
        "longest_repeat": analysis.longest_repeat(added),
        "opening_repeat": analysis.longest_repeat(analysis.pitched(opening)),
    }


def style_probability(piece: Piece, style: str, model: gen.ModelChoice = "full") -> float:
    """The style check's probability that the melody is in `style`."""
    return gen.style_probabilities(model, gen.melody_tokens(piece, style))[style]


def restyled(tune: Tune, seed: int, freedom: float) -> dict[str, Any]:
    params = RestyleParams(melody="0" * 32, style=tune.restyle_to, freedom=freedom)
    source = gen.quantized(tune.melody)
    piece = restyle(source, params, seed)
    return {
        "before": style_probability(source, tune.restyle_to),
        "after": style_probability(piece, tune.restyle_to),
        "contour": analysis.contour_similarity(source, piece),
        "rhythm": analysis.rhythm_similarity(source, piece),
        "changed": analysis.changed_share(source, piece),
        "leading_tones_kept": analysis.leading_tones_kept(source, piece),
        "has_leading_tones": bool(analysis.leading_tones(source)),
        "opening_kept": analysis.opening(source) == analysis.opening(piece),
    }


def unrelated_similarity(tunes: list[Tune]) -> dict[str, float]:
    """Contour and rhythm similarity between different tunes of the same meter, aligned
    at their first downbeat: what "not the same tune" scores (the 95th percentile)."""
    contours: list[float] = []
    rhythms: list[float] = []
    aligned = {t.id: _from_downbeat(gen.quantized(t.melody)) for t in tunes}
    for i, a in enumerate(tunes):
        for b in tunes[i + 1 :]:
            if a.melody.meter != b.melody.meter:
                continue
            x, y = aligned[a.id], aligned[b.id]
            length = min(x.quarter_length(), y.quarter_length())
            x, y = _cut(x, length), _cut(y, length)
            contours.append(analysis.contour_similarity(x, y))
            rhythms.append(analysis.rhythm_similarity(x, y))
    return {
        "pairs": len(contours),
        "contour_p95": float(np.percentile(contours, 95)) if contours else 0.0,
        "rhythm_p95": float(np.percentile(rhythms, 95)) if rhythms else 0.0,
    }


def _from_downbeat(piece: Piece) -> Piece:
    shift = piece.pickup
    notes = tuple(
        Note(n.pitch, n.start - shift, n.duration, n.tie)
        for n in piece.parts[0].notes
        if n.start >= shift
    )
    return replace(piece, parts=(Part("melody", notes),), pickup=Fraction(0))


def _cut(piece: Piece, end: Fraction) -> Piece:
    notes = tuple(n for n in piece.parts[0].notes if n.start < end)
    return replace(piece, parts=(Part("melody", notes),))


# ---------------------------------------------------------------- the report


def evaluate(
    part: str,
    seed: int = 1,
    log: Callable[[str], None] = print,
    tunes: list[Tune] | None = None,
) -> dict[str, Any]:
    """Every figure of docs/models.md's blind-set table, for one part of the set (its
    tunes loaded here unless given)."""
    tunes = load(part) if tunes is None else tunes
    rows: dict[str, dict[str, Any]] = {}
    for index, tune in enumerate(tunes):
        row: dict[str, Any] = {"style": tune.style, "harmonize": harmonized(tune, seed)}
        row["continue"] = continued(tune, seed)
        row["restyle"] = {str(f): restyled(tune, seed, f) for f in FREEDOMS}
        rows[tune.id] = row
        log(f"{index + 1}/{len(tunes)} {tune.id}: {json.dumps(row)}")
    return {"part": part, "tunes": len(tunes), "summary": summary(rows, tunes), "rows": rows}


def summary(rows: dict[str, dict[str, Any]], tunes: list[Tune]) -> dict[str, Any]:
    values = list(rows.values())
    h = [r["harmonize"] for r in values]
    c = [r["continue"] for r in values]
    by_style: dict[str, list[bool]] = {}
    for r in values:
        by_style.setdefault(r["style"], []).append(r["continue"]["right"])
    out: dict[str, Any] = {
        "tunes": len(values),
        "harmonize": {
            "root_position_tonic": mean(x["root_position_tonic"] for x in h),
            "read_key_tonic": mean(x["read_key_tonic"] for x in h),
            "clashes_per_chorale": mean(x["clashes"] for x in h),
            "faults_per_chorale": mean(x["faults"] for x in h),
        },
        "continue": {
            "style_accuracy": mean(x["right"] for x in c),
            "style_accuracy_by_style": {s: mean(v) for s, v in sorted(by_style.items())},
            "renaissance_guessed_for_other": sum(
                x["guess"] == "renaissance" and r["style"] != "renaissance"
                for x, r in zip(c, values, strict=True)
            ),
            "longest_repeat_max": max(x["longest_repeat"] for x in c),
            "longest_repeat_mean": mean(x["longest_repeat"] for x in c),
            "runs_over_opening": mean(x["longest_repeat"] > max(3, x["opening_repeat"]) for x in c),
        },
        "restyle": {},
        "unrelated": unrelated_similarity(tunes),
    }
    for freedom in map(str, FREEDOMS):
        results = [row["restyle"][freedom] for row in values]
        minor = [x for x in results if x["has_leading_tones"]]
        out["restyle"][freedom] = {
            "target_before": mean(x["before"] for x in results),
            "target_after": mean(x["after"] for x in results),
            "target_rose": mean(x["after"] > x["before"] for x in results),
            "contour_mean": mean(x["contour"] for x in results),
            "contour_min": min(x["contour"] for x in results),
            "rhythm_mean": mean(x["rhythm"] for x in results),
            "rhythm_min": min(x["rhythm"] for x in results),
            "changed_mean": mean(x["changed"] for x in results),
            "changed_min": min(x["changed"] for x in results),
            "leading_tones_kept": mean(x["leading_tones_kept"] for x in minor) if minor else None,
            "opening_kept": mean(x["opening_kept"] for x in results),
        }
    return out


def markdown(report: dict[str, Any]) -> str:
    """The part's figures as docs/models.md's table: on every tune, and (once checked
    against the corpus) on those sharing no run of 16 intervals with it."""
    name = "test part" if report["part"] == "test" else "tuning part"
    columns = [_rows(report["summary"])]
    header = f"| engine | measure | {name}, {report['tunes']} tunes |"
    unseen = report.get("summary_unseen")
    if unseen is not None:
        columns.append(_rows(unseen))
        header += f" the {unseen['tunes']} not in the corpus |"
    lines = [header, "| --- | --- |" + " --- |" * len(columns)]
    for index, (engine, measure, value) in enumerate(columns[0]):
        others = "".join(f" {column[index][2]} |" for column in columns[1:])
        lines.append(f"| {engine} | {measure} | {value} |{others}")
    return "\n".join(lines)


def _rows(s: dict[str, Any]) -> list[tuple[str, str, str]]:
    h, c, u = s["harmonize"], s["continue"], s["unrelated"]
    rows = [
        ("harmonize", "closes on the labelled key's tonic chord, root position, held",
         f"{h['root_position_tonic']:.0%}"),
        ("harmonize", "closes on the tonic chord of the key read from the file",
         f"{h['read_key_tonic']:.0%}"),
        ("harmonize", "chromatic clashes with the melody on the beat, per chorale",
         f"{h['clashes_per_chorale']:.2f}"),
        ("harmonize", "voice-leading faults per chorale", f"{h['faults_per_chorale']:.2f}"),
        ("continue", "style guessed right (full model)", f"{c['style_accuracy']:.0%}"),
        ("continue", "renaissance guessed for a tune of another style",
         str(c["renaissance_guessed_for_other"])),
        ("continue", "longest run of one pitch added: mean, most",
         f"{c['longest_repeat_mean']:.1f}, {c['longest_repeat_max']}"),
    ]  # fmt: skip
    for style, accuracy in c["style_accuracy_by_style"].items():
        rows.append(("continue", f"style guessed right, {style}", f"{accuracy:.0%}"))
    for freedom, r in s["restyle"].items():
        rows += [
            (f"restyle {freedom}", "P(target style): before → after (share that rose)",
             f"{r['target_before']:.2f} → {r['target_after']:.2f} ({r['target_rose']:.0%})"),
            (f"restyle {freedom}", "contour similarity: mean, least",
             f"{r['contour_mean']:.2f}, {r['contour_min']:.2f}"),
            (f"restyle {freedom}", "rhythm similarity: mean, least",
             f"{r['rhythm_mean']:.2f}, {r['rhythm_min']:.2f}"),
            (f"restyle {freedom}", "notes changed: mean, least",
             f"{r['changed_mean']:.0%}, {r['changed_min']:.0%}"),
            (f"restyle {freedom}", "leading tones kept (minor tunes)",
             _share(r["leading_tones_kept"])),
            (f"restyle {freedom}", "opening kept", f"{r['opening_kept']:.0%}"),
        ]  # fmt: skip
    rows.append(
        ("unrelated tunes", f"contour, rhythm similarity (95th percentile, {u['pairs']} pairs)",
         f"{u['contour_p95']:.2f}, {u['rhythm_p95']:.2f}")
    )  # fmt: skip
    return rows


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


# ---------------------------------------------------------------- blindness


def shared_runs(
    tunes: list[Tune], melodies: list[np.ndarray], lengths: tuple[int, ...] = (8, 12, 16)
) -> dict[str, int]:
    """For each tune, the longest of `lengths` such that a run of that many melodic
    intervals in it also occurs in one of `melodies` (token arrays: the corpus the
    models learnt from, every split): 0 when none does. Intervals, not pitches, so a
    tune transposed is still found; a shared run of 16 is the same tune."""
    from atelier.engines.music import tokens as tok

    def intervals(tokens: list[int]) -> tuple[int, ...]:
        pitches = [t for t in tokens if tok.is_pitch(t)]
        return tuple(b - a for a, b in zip(pitches, pitches[1:], strict=False))

    seen: dict[int, set[tuple[int, ...]]] = {n: set() for n in lengths}
    for melody in melodies:
        steps = intervals(melody.tolist())
        for n in lengths:
            seen[n].update(steps[i : i + n] for i in range(len(steps) - n + 1))
    found = {}
    for tune in tunes:
        steps = intervals(gen.melody_tokens(gen.quantized(tune.melody), tune.style).tokens)
        found[tune.id] = max(
            (n for n in lengths if any(steps[i : i + n] in seen[n] for i in range(len(steps)))),
            default=0,
        )
    return found


def add_unseen(report: dict[str, Any], tunes: list[Tune], corpus: Any) -> None:
    """Each tune's longest run shared with the corpus (every split), and the figures on
    the tunes that share no run of 16 intervals (no version of them was learnt)."""
    melodies = [m for split in ("train", "valid", "test") for m in corpus.melodies(split)]
    shared = shared_runs(tunes, melodies)
    report["shared_with_corpus"] = shared
    unseen = [t for t in tunes if shared[t.id] < 16]
    rows = {t.id: report["rows"][t.id] for t in unseen}
    report["summary_unseen"] = summary(rows, unseen)
