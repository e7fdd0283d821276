"""The music training corpus: music21's collections parsed once into tokenised arrays.

`build()` reads every collection (minutes: run by `atelier train music dataset`), keeps
the melodies the tokenizer can represent, and writes one .npz with a JSON summary beside
it. Training, evaluation and tests start from that file, never from the corpus.

Splits are fixed per work by a hash of its corpus path (and its number in a file of many
tunes): 80 % train, 10 % validation, 10 % test. The Bach chorales' test split is the
held-out set that neither the melody nor the harmony model ever sees.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import pickle
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from atelier.engines.music import harmony
from atelier.engines.music import tokens as tok
from atelier.engines.music.piece import Piece, bar_length, from_music21

SPLITS = ("train", "valid", "test")
CORPUS_FILE = "music-corpus.npz"


@dataclass(frozen=True)
class Collection:
    """One corpus collection: where it is in music21, its style and its terms."""

    name: str
    style: str
    files: tuple[str, ...]  # glob patterns under music21/corpus
    terms: str
    commercial_use: bool
    part: str = ""  # for many-part works: the part to take ("" = the only or top one)
    every: int = 1  # take every n-th file (a large collection that parses slowly)


COLLECTIONS = (
    Collection(
        "essen",
        "german-folk",
        tuple(
            f"essenFolksong/{name}*.abc"
            for name in ("altdeu", "ballad", "boehme", "dva", "erk", "fink", "kinder", "zuccal")
        ),
        "Essen Folksong Collection (EsAC), ABC by Seymour Shlien: permission for "
        "non-commercial distribution and use in music21 only (essenFolksong/license.txt).",
        commercial_use=False,
        every=3,
    ),
    Collection(
        "oneill",
        "irish",
        ("oneills1850/*.abc",),
        "O'Neill's Music of Ireland (1903, public domain), ABC transcribed by Norbert Paap; "
        "the files state no restriction.",
        commercial_use=True,
    ),
    Collection(
        "aird",
        "scottish",
        ("airdsAirs/*.abc",),
        "Aird's Selection of Scotch, English, Irish and Foreign Airs (1778–1803, public "
        "domain), ABC by Jack Campin (2009); the files state no restriction.",
        commercial_use=True,
    ),
    Collection(
        "ryan-scottish",
        "scottish",
        tuple(f"ryansMammoth/*{word}*.abc" for word in ("Strathspey", "Scotch", "Highland")),
        "Ryan's Mammoth Collection (1883, public domain), the tunes titled strathspey, "
        "Scotch or Highland; ABC by its contributors; the files state no restriction.",
        commercial_use=True,
    ),
    Collection(
        "bach",
        "chorale",
        ("bach/bwv*.mxl",),
        "J. S. Bach's four-part chorales (public domain), MusicXML in music21; the files "
        "state no restriction.",
        commercial_use=True,
        part="soprano",
    ),
    Collection(
        "palestrina",
        "renaissance",
        ("palestrina/*.krn",),
        "Palestrina's masses, Humdrum by John Miller (copyright 2000): 'rights to all "
        "derivative electronic formats reserved; refer to licensing agreement'.",
        commercial_use=False,
        every=10,
    ),
)
BY_NAME = {c.name: c for c in COLLECTIONS}


def corpus_root() -> Path:
    import music21

    return Path(music21.__file__).parent / "corpus"


def split_of(work_id: str) -> str:
    """The fixed split of a work, from a hash of its id: 80/10/10."""
    bucket = int(hashlib.sha256(work_id.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 80 else "valid" if bucket < 90 else "test"


def files_of(collection: Collection, root: Path) -> list[Path]:
    found = {path for pattern in collection.files for path in root.glob(pattern)}
    return sorted(found)[:: collection.every]


def _scores(path: Path) -> Iterator[tuple[str, Any]]:
    """Each score in a corpus file (an ABC file may hold hundreds), with its number."""
    from music21 import converter, stream

    parsed = converter.parse(str(path))
    if isinstance(parsed, stream.Opus):
        for index, score in enumerate(parsed.scores):
            yield f"#{index}", score
    else:
        yield "", parsed


def _single_meter(score: Any) -> bool:
    from music21 import meter

    found = {ts.ratioString for ts in score.flatten().getElementsByClass(meter.TimeSignature)}
    return len(found) <= 1


# Long bars the tokenizer lacks, re-barred as two or more bars of a meter it has.
REBAR = {"4/2": "2/2", "2/1": "2/2", "4/1": "2/2", "3/1": "3/2", "6/2": "3/2", "6/4": "3/4"}


def melody_part(piece: Piece, part: str = "") -> Piece:
    """The part a collection contributes (`part`, or the cantus or melody, or the last
    part), as a one-part piece (long bars re-barred)."""
    if part:
        parts = [p for p in piece.parts if p.name == part]
    else:
        parts = [p for p in piece.parts if p.name in ("cantus", "melody")] or list(piece.parts[-1:])
    if not parts:
        raise tok.TokenError(f"no {part or 'melody'} part")
    meter, pickup = piece.meter, piece.pickup
    if meter in REBAR:
        meter, pickup = REBAR[meter], pickup % bar_length(REBAR[meter])
    return Piece(tuple(parts[:1]), piece.key, meter, piece.tempo, pickup, piece.title)


def harmony_grid(piece: Piece) -> np.ndarray:
    """The four voices sampled every eighth note: rows of (S, A, T, B) MIDI pitches, 0 for a
    rest. Only for pieces with the four named voices."""
    by_name = {p.name: p for p in piece.parts}
    if not set(harmony.VOICES) <= set(by_name):
        raise tok.TokenError("not a four-voice chorale")
    length = piece.quarter_length()
    columns = [harmony.voice_grid(by_name[name].notes, length) for name in harmony.VOICES]
    return np.stack(columns, axis=1).astype(np.uint8)


@dataclass
class Record:
    collection: str
    work: str
    split: str
    tokens: list[int]
    shift: int
    grid: np.ndarray | None = None  # chorales: normalised (S, A, T, B) eighth-note grid
    grid_start: int = 0  # the grid's first step's eighth within its bar


def _parse_file(job: tuple[str, str, str]) -> tuple[list[Record], Counter[str]]:
    """All the records of one corpus file, and why the others were skipped."""
    collection_name, path_text, relative = job
    collection = BY_NAME[collection_name]
    records: list[Record] = []
    skipped: Counter[str] = Counter()
    try:
        scores = list(_scores(Path(path_text)))
    except Exception as exc:  # a corpus file music21 cannot read is skipped, and counted
        skipped[f"unreadable: {type(exc).__name__}"] += 1
        return records, skipped
    for suffix, score in scores:
        work = f"{collection_name}/{relative}{suffix}"
        try:
            if not _single_meter(score):
                raise tok.TokenError("meter changes")
            piece = from_music21(score)
            melody = melody_part(piece, collection.part)
            encoded = tok.encode(melody, collection.style)
            record = Record(collection_name, work, split_of(work), encoded.tokens, encoded.shift)
            if collection.style == "chorale":
                normal = tok.transpose(piece, encoded.shift, piece.key)
                record.grid = harmony_grid(normal)
                bar = bar_length(piece.meter)
                record.grid_start = int(((bar - piece.pickup) % bar) / harmony.STEP)
            records.append(record)
        except (tok.TokenError, ValueError) as exc:
            skipped[str(exc).split(":")[0][:60]] += 1
        except Exception as exc:  # music21 trips on a few corpus files: skip them, counted
            skipped[f"unreadable: {type(exc).__name__}"] += 1
    return records, skipped


def _cached(cache: Path, job: tuple[str, str, str]) -> Path:
    return cache / (hashlib.sha256("|".join(job).encode()).hexdigest()[:24] + ".pickle")


def _parse_job(
    job: tuple[str, str, str],
) -> tuple[tuple[str, str, str], list[Record], Counter[str]]:
    return (job, *_parse_file(job))


class _Here:
    """A stand-in for a process pool that works in this process (one process asked)."""

    def __enter__(self) -> _Here:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap_unordered(self, function: Callable[[Any], Any], jobs: list[Any]) -> Iterator[Any]:
        return map(function, jobs)


def build(
    out: Path,
    collections: tuple[str, ...] = tuple(BY_NAME),
    max_files: int | None = None,
    processes: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Parse the corpus into `out`/music-corpus.npz (+ .json summary); returns the summary.

    `max_files` takes only the first files of each collection (tests, quick trials)."""
    root = corpus_root()
    jobs: list[tuple[str, str, str]] = []
    for name in collections:
        files = files_of(BY_NAME[name], root)[:max_files]
        jobs += [(name, str(p), str(p.relative_to(root))) for p in files]
    records: list[Record] = []
    skipped: Counter[str] = Counter()
    cache = out / "parsed"  # one pickle per corpus file: an interrupted build resumes
    cache.mkdir(parents=True, exist_ok=True)
    todo = [job for job in jobs if not _cached(cache, job).is_file()]
    for job in jobs:
        if job not in todo:
            found, why = pickle.loads(_cached(cache, job).read_bytes())
            records += found
            skipped.update(why)
    log(f"{len(jobs) - len(todo)} of {len(jobs)} files parsed before; parsing the rest")
    with multiprocessing.get_context("spawn").Pool(processes) if processes > 1 else _Here() as pool:
        for done, (job, found, why) in enumerate(pool.imap_unordered(_parse_job, todo), 1):
            _cached(cache, job).write_bytes(pickle.dumps((found, why)))
            records += found
            skipped.update(why)
            if done % 10 == 0 or done == len(todo):
                log(f"parsed {done}/{len(todo)} files: {len(records)} melodies")
    records.sort(key=lambda r: r.work)
    summary = save(records, out / CORPUS_FILE)
    summary["skipped"] = dict(skipped.most_common())
    (out / CORPUS_FILE).with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def save(records: list[Record], path: Path) -> dict[str, Any]:
    """Write the records as flat arrays (tokens and grids concatenated, with offsets)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lengths = [len(r.tokens) for r in records]
    chorales = [r for r in records if r.grid is not None]
    grid_lengths = [len(r.grid) for r in chorales if r.grid is not None]
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        tokens=np.array([t for r in records for t in r.tokens], dtype=np.int16),
        offsets=np.cumsum([0, *lengths]).astype(np.int64),
        collection=np.array([r.collection for r in records]),
        work=np.array([r.work for r in records]),
        split=np.array([r.split for r in records]),
        shift=np.array([r.shift for r in records], dtype=np.int8),
        grid=np.concatenate([r.grid for r in chorales if r.grid is not None])
        if chorales
        else np.zeros((0, 4), dtype=np.uint8),
        grid_offsets=np.cumsum([0, *grid_lengths]).astype(np.int64),
        grid_work=np.array([r.work for r in chorales]),
        grid_split=np.array([r.split for r in chorales]),
        grid_start=np.array([r.grid_start for r in chorales], dtype=np.int8),
        grid_mode=np.array([tok.header(r.tokens).mode for r in chorales]),
    )
    tmp.replace(path)
    counts: dict[str, dict[str, int]] = {}
    for r in records:
        counts.setdefault(r.collection, dict.fromkeys(SPLITS, 0))[r.split] += 1
    return {"melodies": counts, "tokens": int(sum(lengths)), "chorales": len(chorales)}


@dataclass
class Corpus:
    """The saved arrays, with helpers to take melodies and chorales by split."""

    arrays: dict[str, np.ndarray]

    @classmethod
    def load(cls, path: Path) -> Corpus:
        if path.is_dir():
            path = path / CORPUS_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path}: build it with `atelier train music dataset`")
        with np.load(path) as data:
            return cls({name: data[name] for name in data.files})

    def melodies(self, split: str, collections: tuple[str, ...] | None = None) -> list[np.ndarray]:
        a = self.arrays
        keep = [
            i
            for i in range(len(a["work"]))
            if a["split"][i] == split and (collections is None or a["collection"][i] in collections)
        ]
        return [a["tokens"][a["offsets"][i] : a["offsets"][i + 1]].astype(np.int64) for i in keep]

    def chorales(self, split: str) -> list[Chorale]:
        a = self.arrays
        meters = {
            str(work): tok.header(list(a["tokens"][a["offsets"][i] : a["offsets"][i] + 4])).meter
            for i, work in enumerate(a["work"])
        }
        return [
            Chorale(
                str(a["grid_work"][i]),
                a["grid"][a["grid_offsets"][i] : a["grid_offsets"][i + 1]].astype(np.int64),
                int(a["grid_start"][i]),
                str(a["grid_mode"][i]),
                meters[str(a["grid_work"][i])],
            )
            for i in range(len(a["grid_work"]))
            if a["grid_split"][i] == split
        ]


@dataclass(frozen=True)
class Chorale:
    """A chorale's four voices on the eighth-note grid (reference key), as the harmony
    model sees them."""

    work: str
    grid: np.ndarray  # (steps, 4): S, A, T, B MIDI pitches, 0 for a rest
    start: int  # the first step's eighth within its bar
    mode: str
    meter: str
