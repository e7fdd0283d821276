"""The music models' data and training: the tokenizer round-trips real corpus tunes, the
corpus split is fixed and disjoint, any token sequence decodes, a tiny training run on a
handful of works lowers its loss, and the sampler ends every melody on a cadence that
fills whole bars. (The corpus here is a few files, parsed once for the module.)"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from music21 import converter, stream

from atelier.datasets import music as data
from atelier.engines.music import harmony, melody
from atelier.engines.music import tokens as tok
from atelier.engines.music.model import HarmonyConfig, HarmonyNet, MelodyConfig, MelodyNet, load
from atelier.engines.music.piece import bar_length, from_music21, merge_ties
from atelier.evaluate import music as evaluation
from atelier.training import music as training

pytestmark = pytest.mark.slow
TINY = ("bach", "ryan-scottish")  # one work a file: the first twelve files of each


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> data.Corpus:
    folder = tmp_path_factory.mktemp("corpus")
    data.build(folder, TINY, max_files=12, processes=1, log=lambda line: None)
    return data.Corpus.load(folder)


@pytest.fixture(scope="module")
def tiny_models(corpus: data.Corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("weights")
    budget = training.Budget(steps=40, minutes=2, seed=3, batch=8)
    config = MelodyConfig(len(tok.VOCAB), dim=48, layers=1)
    training.train_melody(corpus, "tiny-melody", TINY, budget, config, 96, folder, log=print)
    training.train_harmony(
        corpus, "tiny-harmony", budget, HarmonyConfig(dim=24), 16, folder, log=print
    )
    return folder


def test_tokens_round_trip_real_tunes() -> None:
    text = (data.corpus_root() / "oneills1850" / "0001-0050.abc").read_text()
    first_tunes = "X:" + "X:".join(text.split("X:")[1:13])  # parsing all 50 takes long
    checked = 0
    opus = converter.parseData(first_tunes, format="abc")
    assert isinstance(opus, stream.Opus)
    for score in opus.scores:
        piece = from_music21(score)
        try:
            encoded = tok.encode(piece, "irish")
        except tok.TokenError:
            continue  # e.g. a meter change: the corpus builder skips those too
        back = tok.decode(encoded.tokens, piece.key, piece.tempo)
        heard = [n for n in merge_ties(piece.parts[0].notes) if n.pitch is not None]
        again = [n for n in back.parts[0].notes if n.pitch is not None]
        assert [(n.pitch, n.start, n.duration) for n in again] == [
            (n.pitch, n.start, n.duration) for n in heard
        ]
        assert (back.meter, back.key, back.pickup) == (piece.meter, piece.key, piece.pickup)
        assert tok.header(encoded.tokens).style == "irish"
        checked += 1
    assert checked >= 6


def test_keys_normalise_to_their_reference() -> None:
    assert tok.key_shift("C major") == 0 and tok.key_shift("A minor") == 0
    assert tok.key_shift("G major") == 5  # G up a fourth to C (the nearer way)
    assert tok.key_shift("E minor") == 5 and tok.key_shift("D dorian") == 0
    assert tok.key_shift("F# minor") == 3
    with pytest.raises(tok.TokenError, match="not a key"):
        tok.split_key("H major")


def test_split_is_fixed_and_disjoint(corpus: data.Corpus) -> None:
    works = corpus.arrays["work"]
    splits = corpus.arrays["split"]
    assert all(data.split_of(str(w)) == s for w, s in zip(works, splits, strict=True))
    by_split = {
        s: {str(w) for w, x in zip(works, splits, strict=True) if x == s} for s in data.SPLITS
    }
    assert not by_split["train"] & by_split["valid"] and not by_split["train"] & by_split["test"]
    assert sum(map(len, by_split.values())) == len(set(map(str, works)))
    # The chorales the harmony model learns from are only those of the training split.
    trained = {c.work for c in corpus.chorales("train")}
    assert trained and trained <= by_split["train"]
    assert {c.work for c in corpus.chorales("test")}.isdisjoint(trained)


def test_any_token_sequence_decodes() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        body = rng.integers(0, len(tok.VOCAB), size=int(rng.integers(0, 60))).tolist()
        piece = tok.decode(melody.header("irish", "major", "6/8") + body, "G major")
        starts = [n.start for n in piece.parts[0].notes]
        assert starts == sorted(starts) and all(n.duration > 0 for n in piece.parts[0].notes)


def test_tiny_training_lowers_the_loss(tiny_models: Path) -> None:
    for name in ("tiny-melody", "tiny-harmony"):
        card = (tiny_models / f"{name}.json").read_text()
        info = __import__("json").loads(card)
        assert info["steps"] == 40 and info["final_loss"] < info["first_loss"] - 0.3, info
    assert isinstance(load("tiny-melody", tiny_models), MelodyNet)
    assert isinstance(load("tiny-harmony", tiny_models), HarmonyNet)


@pytest.mark.parametrize("meter", ["6/8", "3/4", "4/4"])
def test_sampled_melodies_end_on_the_tonic_and_fill_their_bars(
    tiny_models: Path, meter: str
) -> None:
    net = load("tiny-melody", tiny_models)
    assert isinstance(net, MelodyNet)
    sampler = melody.Sampler(net, melody.header("irish", "minor", meter), np.random.default_rng(1))
    tokens = melody.write(sampler, meter, 6, "minor", 1.2, 0.95, (57, 81))
    piece = tok.decode(tokens, "E minor")
    notes = piece.parts[0].notes
    bar = bar_length(meter)
    assert piece.quarter_length() == 6 * bar and piece.bars() == 6
    assert notes[-1].pitch is not None and notes[-1].pitch % 12 == 4  # E
    assert notes[-1].start == 5 * bar and notes[-1].duration == bar  # the whole last bar
    assert all(n.duration > 0 for n in notes)


def test_harmony_decoding_keeps_voices_in_range_and_ends_on_the_tonic(
    tiny_models: Path, corpus: data.Corpus
) -> None:
    net = load("tiny-harmony", tiny_models)
    assert isinstance(net, HarmonyNet)
    chorale = (corpus.chorales("test") or corpus.chorales("train"))[0]
    bar_eighths = int(bar_length(chorale.meter) / harmony.STEP)
    grid = harmony.harmonize(
        net,
        chorale.grid[:, 0],
        chorale.start,
        bar_eighths,
        chorale.mode,
        0,
        np.random.default_rng(0),
    )
    assert (grid[:, 0] == chorale.grid[:, 0]).all()
    faults = harmony.faults(grid)
    assert faults.range_violations == 0 and faults.crossings == 0
    tonic = 9 if chorale.mode == "minor" else 0
    assert grid[-1, 3] % 12 == tonic


def test_ngram_baseline_and_unigram(corpus: data.Corpus) -> None:
    train, valid = corpus.melodies("train"), corpus.melodies("valid") or corpus.melodies("test")
    unigram = evaluation.NGram(1, train).nll(valid)["nll_per_note"]
    trigram = evaluation.NGram(3, train).nll(valid)["nll_per_note"]
    assert 0 < trigram < unigram < 20


def test_voice_leading_counts() -> None:
    # C-G-E-C to D-A-F#-D, every voice up a step: octaves (S, B) and fifths (A, B).
    grid = np.array([[72, 67, 64, 48], [74, 69, 66, 50]])
    faults = harmony.faults(grid)
    assert faults.parallel_octaves == 1 and faults.parallel_fifths == 1
    crossed = np.array([[64, 67, 60, 48]])
    assert harmony.faults(crossed).crossings == 1
    low = np.array([[60, 55, 48, 30]])
    assert harmony.faults(low).range_violations == 1
    assert Fraction(1, 2) == harmony.STEP
